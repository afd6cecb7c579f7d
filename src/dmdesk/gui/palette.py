"""The app's colours by what they mean, so a meaning has one colour everywhere.

Error red (Material's error tone, readable on light and dark backgrounds) marks what is wrong
or needs attention: a refused form, a short component, a late order, a value out of range.
"""

from __future__ import annotations

ERROR_RED = "#b3261e"
ERROR_BACKGROUND = "#f9dedc"  # behind a cell in error, with ordinary text on it

# A message in error red, next to a field or in a pane.
FIELD_ERROR_STYLE = f"color: {ERROR_RED};"
# A banner: light text on error red, for what stops a whole form or view.
ERROR_STYLE = f"color: palette(highlighted-text); background: {ERROR_RED}; padding: 2px 6px;"
