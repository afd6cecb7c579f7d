"""The one facts grid (gui/widgets/facts.py): an empty value shows a dash or hides its pair,
a pair hidden because it does not apply stays hidden when its value is set, and two pairs a row
put a spanning value across both."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QWidget
from pytestqt.qtbot import QtBot

from dmdesk.gui.widgets.facts import EMPTY, FactGrid
from tests.gui.support import showing


def test_an_empty_value_shows_a_dash_or_hides_its_pair(qtbot: QtBot) -> None:
    grid = showing(qtbot, FactGrid.rows([("email", "E-mail"), ("notes", "Notes")]))
    grid.set("email", "")
    grid.set("notes", "", hide_empty=True)
    assert grid.values["email"].text() == EMPTY and grid.values["email"].isVisible()
    assert not grid.values["notes"].isVisible() and not grid.captions["notes"].isVisible()
    grid.set("notes", "call first", "a tip", hide_empty=True)
    assert grid.values["notes"].isVisible() and grid.captions["notes"].isVisible()
    assert (grid.values["notes"].text(), grid.values["notes"].toolTip()) == ("call first",
                                                                            "a tip")
    assert grid.findChild(QLabel, "fact_notes") is grid.values["notes"]


def test_a_pair_that_does_not_apply_stays_hidden_when_set(qtbot: QtBot) -> None:
    grid = showing(qtbot, FactGrid.rows([("organisation", "Organisation")]))
    grid.show_fact("organisation", False)
    grid.set("organisation", "Oficina CNC Lda")
    assert not grid.values["organisation"].isVisible()
    assert not grid.captions["organisation"].isVisible()


def test_two_pairs_a_row_and_a_value_spanning_both(qtbot: QtBot) -> None:
    grid = FactGrid(pairs_per_row=2)
    for key, caption, row, pair, span in (("product", "Product", 0, 0, 2),
                                          ("due", "Due", 1, 0, 1), ("site", "Site", 1, 1, 1)):
        grid.add(key, caption, row, pair, span)
    showing(qtbot, grid, (600, 100))
    for key in ("product", "due", "site"):
        grid.set(key, key)

    def left(widget: QWidget) -> int:
        return widget.geometry().left()

    assert left(grid.captions["site"]) > left(grid.values["due"]) > left(grid.captions["due"])
    assert grid.values["product"].geometry().right() >= grid.values["site"].geometry().right()
