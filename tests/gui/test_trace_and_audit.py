"""Tools menu and Stock area of the real main window: trace a lot backward and forward through
two levels (STEEL -> FRAME -> CHAIR), and verify the audit chain, intact and then tampered."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox, QTreeWidgetItem
from pytestqt.qtbot import QtBot
from sqlalchemy import text

from dmdesk.db.database import Database
from dmdesk.gui.dialogs.trace_lot import TraceLotDialog
from dmdesk.gui.main_window import MainWindow
from dmdesk.gui.views.stock import StockArea
from dmdesk.services import stock, work_orders
from dmdesk.services.context import ServiceContext
from tests.integration.support import Network, build_network

WAIT_MS = 15_000


@pytest.fixture
def chain(db: Database) -> tuple[Network, str, str]:
    ctx = ServiceContext(db, actor="owner")
    net = build_network(ctx)
    stock.receive(ctx, net.steel, net.hq_stock, 20, lot_code="S-1")
    stock.receive(ctx, net.screw, net.hq_stock, 100, lot_code="SC-1")
    stock.receive(ctx, net.fabric, net.hq_stock, 5, lot_code="F-1")
    made = []
    for product in (net.frame, net.chair):
        order = work_orders.create_work_order(ctx, product, 2, net.hq, date(2030, 1, 31))
        work_orders.release(ctx, order.id)
        made.append(work_orders.complete(ctx, order.id))
    return net, made[0], made[1]


def labels(item: QTreeWidgetItem) -> list[str]:
    return [item.child(i).text(0) for i in range(item.childCount())]


def test_trace_from_the_stock_area(qtbot: QtBot, window: MainWindow,
                                   chain: tuple[Network, str, str], screenshots: Path) -> None:
    _net, frame_wo, chair_wo = chain
    area = window.show_area("Stock")
    assert isinstance(area, StockArea)
    rows = {area.on_hand.model.row_values(r)["lot"]: r
            for r in range(area.on_hand.model.rowCount())}
    area.on_hand.table.selectRow(rows["S-1"])
    qtbot.mouseClick(area.trace_button, Qt.MouseButton.LeftButton)
    dialog = window.findChild(TraceLotDialog)
    assert isinstance(dialog, TraceLotDialog)
    qtbot.waitUntil(lambda: dialog.trace is not None, timeout=WAIT_MS)
    assert dialog.lot_edit.text() == "STEEL/S-1"
    steel = dialog.forward.topLevelItem(0)
    assert steel.text(0) == "STEEL lot S-1"
    frame = next(steel.child(i) for i in range(steel.childCount())
                 if steel.child(i).text(0) == f"FRAME lot {frame_wo}")
    assert frame.text(1) == "5.5"
    assert f"CHAIR lot {chair_wo}" in labels(frame)  # two levels up
    assert "receipt" in labels(steel)[0]

    # Backward from the chair, typed in the same dialog.
    dialog.lot_edit.setText(chair_wo)
    with qtbot.waitSignal(dialog.traced, timeout=WAIT_MS):
        qtbot.keyClick(dialog.lot_edit, Qt.Key.Key_Return)
    chair = dialog.backward.topLevelItem(0)
    assert chair.text(0) == f"CHAIR lot {chair_wo}" and f"made by {chair_wo} at HQ" in chair.text(2)
    parts = {chair.child(i).text(0): chair.child(i) for i in range(chair.childCount())}
    assert set(parts) == {f"FRAME lot {frame_wo}", "FABRIC lot F-1", "SCREW lot SC-1"}
    assert "received" in parts["FABRIC lot F-1"].text(2)
    assert set(labels(parts[f"FRAME lot {frame_wo}"])) == {"STEEL lot S-1", "SCREW lot SC-1"}
    dialog.grab().save(str(screenshots / "trace-lot.png"))

    dialog.lot_edit.setText("NOPE")
    qtbot.keyClick(dialog.lot_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "There is no lot 'NOPE'" in dialog.message.text(), timeout=WAIT_MS)
    dialog.reject()


def test_verify_audit_chain_from_the_tools_menu(qtbot: QtBot, window: MainWindow, db: Database,
                                                chain: tuple[Network, str, str]) -> None:
    action = next(a for a in window.findChildren(type(window.menuBar().actions()[0]))
                  if a.objectName() == "verify_audit_action")
    action.trigger()
    box = window.findChild(QMessageBox, "audit_result")
    assert isinstance(box, QMessageBox)
    qtbot.waitUntil(lambda: "intact" in box.text(), timeout=WAIT_MS)
    with db.read_session() as session:
        entries = session.scalar(text("SELECT COUNT(*) FROM audit_log"))
    assert box.text().startswith(f"The audit chain is intact: {entries:,} entries checked")
    box.done(0)
    box.deleteLater()
    QApplication.processEvents()

    with db.writer.begin() as connection:  # tamper behind the app's back
        connection.execute(text("DROP TRIGGER audit_log_no_update"))
        connection.execute(text("UPDATE audit_log SET actor = 'mallory' WHERE seq = 3"))
    action.trigger()
    qtbot.waitUntil(lambda: any("broken" in b.text() for b in window.findChildren(
        QMessageBox) if b.objectName() == "audit_result"), timeout=WAIT_MS)
    broken = next(b for b in window.findChildren(QMessageBox)
                  if b.objectName() == "audit_result" and "broken" in b.text())
    assert broken.icon() == QMessageBox.Icon.Critical
