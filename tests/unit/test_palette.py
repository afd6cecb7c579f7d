"""The GUI's error red has one home (gui/palette.py): no view or dialog spells a red itself."""

from __future__ import annotations

import re

from dmdesk.gui import palette
from tests.helpers import REPO_ROOT

# The reds the GUI used before the palette, and Qt's own.
REDS = re.compile(r"#b3261e|#c62828|#f9dedc|GlobalColor\.(dark)?[Rr]ed", re.IGNORECASE)


def test_only_the_palette_names_an_error_red() -> None:
    gui = REPO_ROOT / "src" / "dmdesk" / "gui"
    spelled = [f"{path.relative_to(gui)}:{n}" for path in sorted(gui.rglob("*.py"))
               if path.name != "palette.py"
               for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
               if REDS.search(line)]
    assert spelled == []
    assert palette.ERROR_RED in palette.FIELD_ERROR_STYLE
    assert palette.ERROR_RED in palette.ERROR_STYLE
