"""The app's colours by what they mean, so a meaning has one colour everywhere.

Error red (Material's error tone, readable on light and dark backgrounds) marks what is wrong
or needs attention: a refused form, a short component, a late order, a value out of range.
Order states have one colour each, in the detail panes and on the dashboard alike.
"""

from __future__ import annotations

from dmdesk.domain.kinds import CustomerOrderState
from dmdesk.domain.work_order_states import WOState

ERROR_RED = "#b3261e"
ERROR_BACKGROUND = "#f9dedc"  # behind a cell in error, with ordinary text on it

# A message in error red, next to a field or in a pane.
FIELD_ERROR_STYLE = f"color: {ERROR_RED};"
# A banner: light text on error red, for what stops a whole form or view.
ERROR_STYLE = f"color: palette(highlighted-text); background: {ERROR_RED}; padding: 2px 6px;"

# A state has one colour wherever it is drawn: the badge in a detail pane and the dashboard's
# bars (they had two sets, "released" blue in one shade here and another there).
WORK_ORDER_STATE: dict[str, str] = {
    WOState.DRAFT: "#6b7280", WOState.RELEASED: "#1d4ed8", WOState.IN_PROGRESS: "#b45309",
    WOState.ON_HOLD: "#7c3aed", WOState.DONE: "#15803d", WOState.CANCELLED: "#44403c",
}
CUSTOMER_ORDER_STATE: dict[str, str] = {
    CustomerOrderState.OPEN: "#1d4ed8", CustomerOrderState.FULFILLED: "#15803d",
    CustomerOrderState.CANCELLED: "#44403c",
}
UNKNOWN_STATE = "#64748b"
