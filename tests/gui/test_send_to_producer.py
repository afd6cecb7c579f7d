"""Work orders > Send to producer…: two selected orders become one zip for the producer,
written on the worker after a Save dialog that suggests ``<PRODUCER>-<date>.zip``; orders of
two producers are refused before anything is asked or written."""

from __future__ import annotations

import threading
import uuid
import zipfile
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog
from pytestqt.qtbot import QtBot

from dmdesk.gui.context import GuiContext
from dmdesk.gui.views.work_orders import WorkOrdersArea
from dmdesk.services import products, stock, work_orders
from tests.integration.support import Network

SVG = b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>'


@pytest.fixture
def orders(gctx: GuiContext, net: Network) -> list[tuple[uuid.UUID, str]]:
    """Two FRAME orders at MP1 (one released with the drawing) and one at HQ."""
    ctx = gctx.services
    stock.receive(ctx, net.steel, net.mp_stock, 40)
    stock.receive(ctx, net.screw, net.mp_stock, 200)
    products.add_design_file(ctx, net.frame, "frame.svg", SVG, media_type="image/svg+xml")
    made = [work_orders.create_work_order(ctx, net.frame, 2, net.mp, "2030-06-30"),
            work_orders.create_work_order(ctx, net.frame, 3, net.mp, "2030-07-31"),
            work_orders.create_work_order(ctx, net.frame, 1, net.hq, "2030-05-31")]
    work_orders.release(ctx, made[0].id)
    return [(m.id, m.number) for m in made]


@pytest.fixture
def area(qtbot: QtBot, gctx: GuiContext, orders: list[tuple[uuid.UUID, str]]
         ) -> WorkOrdersArea:
    widget = WorkOrdersArea(gctx)
    qtbot.addWidget(widget)
    widget.resize(1180, 760)
    widget.show()
    widget.set_filters(state=None)
    widget.sending.today = lambda: date(2030, 6, 1)
    return widget


def _select(area: WorkOrdersArea, *ids: uuid.UUID) -> None:
    area.list.table.clearSelection()
    selection = area.list.table.selectionModel()
    for row in range(area.list.model.rowCount()):
        if area.list.model.row_id(row) in ids:
            selection.select(area.list.model.index(row, 0),
                             selection.SelectionFlag.Select | selection.SelectionFlag.Rows)


def test_two_selected_orders_go_into_one_zip(
        qtbot: QtBot, area: WorkOrdersArea, gctx: GuiContext,
        orders: list[tuple[uuid.UUID, str]], tmp_path: Path, screenshots: Path) -> None:
    (first_id, first), (second_id, second), _hq = orders
    _select(area, first_id, second_id)
    sending = area.sending
    button = area.findChild(type(sending.button), "send_to_producer_button")
    assert button is sending.button and button.isEnabled()
    area.grab().save(str(screenshots / "work_orders_send_to_producer.png"))
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    dialog = sending.dialog
    assert isinstance(dialog, QFileDialog)
    assert Path(dialog.selectedFiles()[0]).name == "MP1-2030-06-01.zip"
    target = tmp_path / "MP1-2030-06-01.zip"
    with qtbot.waitSignal(sending.done, timeout=60_000) as done:
        dialog.selectFile(str(target))
        dialog.accept()
    assert str(target) in done.args[0]
    with zipfile.ZipFile(target) as archive:
        assert set(archive.namelist()) == {
            "README.txt", "job-sheets.pdf", "pick-list.xlsx", f"{first}/FRAME-v1-frame.svg",
            f"{second}/FRAME-v1-frame.svg"}
        assert archive.read(f"{first}/FRAME-v1-frame.svg") == SVG
        readme = archive.read("README.txt").decode()
        archive.extract("pick-list.xlsx", tmp_path)
    assert "make 2 pcs of FRAME" in readme and "due by 2030-07-31" in readme
    rows = list(openpyxl.load_workbook(tmp_path / "pick-list.xlsx")["Pick list"]
                .iter_rows(min_row=2, values_only=True))
    assert [(r[0], r[1], r[3]) for r in rows] == [
        (first, "STEEL", 5.5), (first, "SCREW", 16), (second, "STEEL", 8.25),
        (second, "SCREW", 24)]
    assert [d.path for d in gctx.documents.items] == [target]
    assert not list(tmp_path.glob(".MP1*"))
    qtbot.waitUntil(lambda: button.isEnabled(), timeout=5_000)


def test_orders_of_two_producers_are_refused_before_the_dialog(
        qtbot: QtBot, area: WorkOrdersArea, orders: list[tuple[uuid.UUID, str]],
        tmp_path: Path) -> None:
    (first_id, _first), _second, (hq_id, _hq) = orders
    _select(area, first_id, hq_id)
    with qtbot.waitSignal(area.sending.failed, timeout=5_000) as failed:
        area.sending.action.trigger()
    assert "one producer" in failed.args[0] and "MP1" in failed.args[0]
    assert "HQ" in failed.args[0]
    assert area.sending.dialog is None
    assert area.detail.message.text() == failed.args[0]


def test_cancel_leaves_no_file(qtbot: QtBot, area: WorkOrdersArea, gctx: GuiContext,
                               orders: list[tuple[uuid.UUID, str]], tmp_path: Path,
                               messages: list[str]) -> None:
    (first_id, first), _second, _hq = orders
    _select(area, first_id)
    gate = threading.Event()
    gctx.runner.run(lambda _p: gate.wait(10))  # holds the worker until the cancel is in
    folder = tmp_path / "out"
    folder.mkdir()
    target = folder / "p.zip"
    progress = area.sending.send_to([first], target)
    assert progress is not None and area.sending.busy
    assert not area.sending.button.isEnabled()
    progress.cancel()
    gate.set()
    qtbot.waitUntil(lambda: not area.sending.busy, timeout=30_000)
    assert list(folder.iterdir()) == []  # not the zip, nor its temporary file
    assert messages[-1] == "Cancelled: no package was written."
    assert area.sending.button.isEnabled()
