"""Rename lot… in the Stock area: select a row with a lot, type the new code (checked as you
type), OK; the database has the new code and the list shows it."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QLineEdit
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from dmdesk.db import models as m
from dmdesk.gui.context import GuiContext
from dmdesk.gui.dialogs.rename_lot import RenameLotDialog
from dmdesk.gui.views.stock import StockArea
from dmdesk.services import stock
from tests.integration.support import Network, audit_entries


def _fabric_lots(gctx: GuiContext) -> set[str]:
    with gctx.db.read_session() as session:
        return set(session.scalars(select(m.Lot.code).join(
            m.Product, m.Product.id == m.Lot.product_id).where(m.Product.sku == "FABRIC")))


def _error(dialog: RenameLotDialog) -> str:
    label = dialog.findChild(QLabel, "error_new_code")
    assert label is not None
    return label.text() if label.isVisible() else ""


def test_rename_a_lot_from_the_stock_area(qtbot: QtBot, gctx: GuiContext, net: Network,
                                          screenshots: Path) -> None:
    stock.receive(gctx.services, net.fabric, net.hq_stock, "5", lot_code="L1")
    stock.receive(gctx.services, net.fabric, net.hq_stock, "2", lot_code="L2")
    area = StockArea(gctx)
    qtbot.addWidget(area)
    area.resize(1280, 800)
    area.show()
    model = area.on_hand.model
    qtbot.waitUntil(lambda: model.rowCount() == 2)
    row = next(r for r in range(model.rowCount()) if model.row_values(r)["lot"] == "L1")
    area.on_hand.table.selectRow(row)
    qtbot.mouseClick(area.rename_lot_button, Qt.MouseButton.LeftButton)
    dialog = area.findChild(RenameLotDialog)
    assert isinstance(dialog, RenameLotDialog) and dialog.isVisible()
    edit = dialog.findChild(QLineEdit, "new_code")
    assert edit is not None and edit.text() == "L1"
    assert not dialog.ok_button.isEnabled()  # the code it has: nothing to rename yet

    edit.clear()
    qtbot.keyClicks(edit, "L2")
    assert _error(dialog) == "FABRIC already has a lot 'L2'."
    assert not dialog.ok_button.isEnabled()
    edit.clear()
    assert _error(dialog) == "A lot code must be 1 to 60 characters."
    qtbot.keyClicks(edit, "X" * 61)
    assert _error(dialog) == "A lot code must be 1 to 60 characters."
    edit.clear()
    qtbot.keyClicks(edit, "L1-HQ")
    assert _error(dialog) == "" and dialog.ok_button.isEnabled()
    dialog.grab().save(str(screenshots / "rename-lot.png"))
    assert _fabric_lots(gctx) == {"L1", "L2"}  # nothing written before OK

    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.isVisible())
    assert _fabric_lots(gctx) == {"L1-HQ", "L2"}
    entry = audit_entries(gctx.db)[-1]
    assert (entry.action, entry.entity) == ("rename", "lot")
    qtbot.waitUntil(lambda: {model.row_values(r)["lot"] for r in range(model.rowCount())}
                    == {"L1-HQ", "L2"})
    area.grab().save(str(screenshots / "stock-after-lot-rename.png"))
