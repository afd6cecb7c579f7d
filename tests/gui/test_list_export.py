"""A list's Export… button: the rows of the current search, filters and sort, all of them (not
only those on screen), as an .xlsx that LibreOffice reads back in the same order, with numbers
and dates as real cells."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog
from pytestqt.qtbot import QtBot

from dmdesk.documents.excel import list_export
from dmdesk.gui.context import GuiContext
from dmdesk.gui.views.list_area import ListArea
from dmdesk.gui.views.stock import StockArea
from dmdesk.gui.views.work_orders import WorkOrdersArea
from dmdesk.queries import lists
from dmdesk.services import stock, work_orders
from dmdesk.services.stock import ReceiptLine
from tests.gui.office import sheets_as_csv
from tests.integration.support import Network


def _save_as(qtbot: QtBot, list_area: ListArea, path: Path) -> str:
    exporter = list_area.exporter
    assert exporter is not None
    qtbot.mouseClick(exporter.button, Qt.MouseButton.LeftButton)
    dialog = exporter.dialog
    assert isinstance(dialog, QFileDialog)
    with qtbot.waitSignal(exporter.done, timeout=30_000) as done:
        dialog.selectFile(str(path))
        dialog.accept()
    return str(done.args[0])


def test_the_work_orders_list_exports_as_searched_and_sorted(
        qtbot: QtBot, gctx: GuiContext, net: Network, tmp_path: Path,
        screenshots: Path) -> None:
    ctx = gctx.services
    for product, quantity in ((net.frame, 2), (net.chair, 5), (net.frame, 7), (net.frame, 3)):
        work_orders.create_work_order(ctx, product, quantity, net.hq, "2030-06-30")
    area = WorkOrdersArea(gctx)
    qtbot.addWidget(area)
    area.resize(1180, 700)
    area.show()
    area.set_filters(state=None)
    area.list.search.setText("FRAME")
    qtbot.waitUntil(lambda: area.list.model.rowCount() == 3, timeout=5_000)
    header = area.list.table.horizontalHeader()
    keys = [c.key for c in area.list.model.spec.columns]
    header.setSortIndicator(keys.index("quantity"), Qt.SortOrder.DescendingOrder)
    area.grab().save(str(screenshots / "work_orders_export_button.png"))

    target = tmp_path / "frames.xlsx"
    message = _save_as(qtbot, area.list, target)
    assert message == f"Exported 3 rows of Work orders to {target}."
    sheets = sheets_as_csv(target, tmp_path)
    rows = sheets["Work orders"]
    assert rows[0][:4] == ["Number", "Product", "Name", "Quantity"]
    assert [(r[1], r[3]) for r in rows[1:]] == [("FRAME", "7"), ("FRAME", "3"),
                                                 ("FRAME", "2")]
    assert ["Search", "FRAME"] in sheets["About"]
    assert ["Sorted by", "Quantity, descending"] in sheets["About"]
    sheet = load_workbook(target)["Work orders"]
    quantity, due = sheet.cell(2, 4), sheet.cell(2, 8)
    assert quantity.data_type == "n" and quantity.value == 7
    assert isinstance(due.value, datetime) and due.value.date() == date(2030, 6, 30)
    assert due.number_format == "yyyy-mm-dd"
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref == "A1:K4"
    assert [d.path for d in gctx.documents.items] == [target]


def test_the_moves_list_exports_every_row_page_by_page(
        qtbot: QtBot, gctx: GuiContext, net: Network, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """More rows than one page of the export (made small here): every move, in list order."""
    monkeypatch.setattr(list_export, "PAGE_ROWS", 7)
    lines = [ReceiptLine(net.screw, net.hq_stock, n) for n in range(1, 24)]
    stock.receive_many(gctx.services, lines)
    area = StockArea(gctx)
    qtbot.addWidget(area)
    area.show()
    moves = area.moves
    assert moves.model.spec is lists.MOVES
    target = tmp_path / "moves.xlsx"
    _save_as(qtbot, moves, target)
    rows = sheets_as_csv(target, tmp_path)["Stock moves"]
    assert rows[0][0] == "When (UTC)"
    quantities = sorted(int(r[7]) for r in rows[1:])
    assert quantities == list(range(1, 24))
    shown = [moves.model.row_values(i)["quantity"] for i in range(moves.model.rowCount())]
    assert [int(r[7]) for r in rows[1:]] == [int(q) for q in shown]


def test_cancel_stops_a_list_export_and_leaves_no_file(
        qtbot: QtBot, gctx: GuiContext, net: Network, tmp_path: Path) -> None:
    # Enough rows for the export to report progress (every 2,000 rows) and so see Cancel.
    stock.receive_many(gctx.services, [ReceiptLine(net.screw, net.hq_stock, 1)] * 4500)
    area = StockArea(gctx)
    qtbot.addWidget(area)
    exporter = area.moves.exporter
    assert exporter is not None
    folder = tmp_path / "out"
    folder.mkdir()
    progress = exporter.export_to(folder / "moves.xlsx")
    progress.cancel()
    qtbot.waitUntil(lambda: not gctx.runner.busy, timeout=30_000)
    qtbot.waitUntil(exporter.button.isEnabled, timeout=5_000)
    assert list(folder.iterdir()) == []
    assert gctx.documents.items == []
