"""The Stock area driven through its real widgets; the database is checked afterwards."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QLabel, QLineEdit
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from dmdesk.db import models as m
from dmdesk.gui.context import GuiContext
from dmdesk.gui.dialogs.form import FormDialog
from dmdesk.gui.dialogs.stock_dialogs import ReceiveDialog, TakeDialog, TransferDialog
from dmdesk.gui.models.paged_table import PagedTableModel
from dmdesk.gui.views.stock import StockArea
from dmdesk.queries import lists, paging
from dmdesk.services import stock
from tests.integration.support import Network


def _type(qtbot: QtBot, dialog: FormDialog, name: str, text: str) -> None:
    edit = dialog.findChild(QLineEdit, name)
    assert edit is not None, name
    edit.clear()
    qtbot.keyClicks(edit, text)


def _choose(dialog: FormDialog, name: str, label_start: str) -> None:
    box = dialog.findChild(QComboBox, name)
    assert box is not None, name
    index = next(i for i in range(box.count()) if box.itemText(i).startswith(label_start))
    box.setCurrentIndex(index)


def _error(dialog: FormDialog, name: str) -> str:
    label = dialog.findChild(QLabel, f"error_{name}")
    assert label is not None
    return label.text() if label.isVisible() else ""


def _ok(qtbot: QtBot, dialog: FormDialog) -> None:
    assert dialog.ok_button.isEnabled()
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)


def _on_hand(gctx: GuiContext, product_id: object, location_id: object) -> Decimal:
    with gctx.db.read_session() as session:
        rows = session.scalars(select(m.StockMove.quantity).where(
            m.StockMove.product_id == product_id, m.StockMove.location_id == location_id))
        return sum(rows, Decimal(0))


@pytest.fixture
def area(qtbot: QtBot, gctx: GuiContext, net: Network) -> StockArea:
    widget = StockArea(gctx)
    qtbot.addWidget(widget)
    widget.resize(1280, 800)
    widget.show()
    return widget


def test_receive_through_the_dialog_posts_a_move(qtbot: QtBot, gctx: GuiContext,
                                                 net: Network, area: StockArea) -> None:
    dialog = area.open_dialog(lambda: ReceiveDialog(gctx, area))
    assert isinstance(dialog, ReceiveDialog)
    _type(qtbot, dialog, "product", "steel")
    _choose(dialog, "location", "HQ / STOCK")
    _type(qtbot, dialog, "quantity", "12.5")
    assert "Steel tube" in dialog.product_hint.text()
    _ok(qtbot, dialog)
    qtbot.waitUntil(lambda: not dialog.isVisible())
    assert _on_hand(gctx, net.steel, net.hq_stock) == Decimal("12.5")
    qtbot.waitUntil(lambda: area.on_hand.model.rowCount() == 1)
    assert area.on_hand.model.row_values(0)["on_hand"] == Decimal("12.5")
    assert area.on_hand.model.row_values(0)["available"] == Decimal("12.5")


def test_bad_input_is_named_next_to_the_field_and_nothing_is_written(
        qtbot: QtBot, gctx: GuiContext, net: Network, area: StockArea) -> None:
    dialog = area.open_dialog(lambda: ReceiveDialog(gctx, area))
    assert isinstance(dialog, ReceiveDialog)
    _type(qtbot, dialog, "product", "NOPE")
    assert "No product has the SKU 'NOPE'" in _error(dialog, "product")
    _type(qtbot, dialog, "product", "SCREW")
    _type(qtbot, dialog, "quantity", "abc")
    assert "is not a number" in _error(dialog, "quantity")
    _type(qtbot, dialog, "quantity", "1.5")
    assert "whole number" in _error(dialog, "quantity")
    _type(qtbot, dialog, "quantity", "-3")
    assert "must not be negative" in _error(dialog, "quantity")
    assert not dialog.ok_button.isEnabled()
    dialog.reject()
    with gctx.db.read_session() as session:
        assert session.scalar(select(m.StockMove.id)) is None


def test_issue_beyond_stock_asks_for_a_reason_and_records_it(
        qtbot: QtBot, gctx: GuiContext, net: Network, area: StockArea) -> None:
    stock.receive(gctx.services, net.screw, net.hq_stock, 5)
    dialog = area.open_dialog(lambda: TakeDialog(gctx, parent=area))
    assert isinstance(dialog, TakeDialog)
    _type(qtbot, dialog, "product", "SCREW")
    _choose(dialog, "location", "HQ / STOCK")
    _type(qtbot, dialog, "quantity", "8")
    _ok(qtbot, dialog)
    qtbot.waitUntil(lambda: dialog.banner.isVisible())
    assert "Not enough stock" in dialog.banner.text()
    assert dialog.isVisible() and dialog.override is not None
    assert _on_hand(gctx, net.screw, net.hq_stock) == 5
    qtbot.keyClicks(dialog.override, "count was wrong, 3 more on the shelf")
    _ok(qtbot, dialog)
    qtbot.waitUntil(lambda: not dialog.isVisible())
    assert _on_hand(gctx, net.screw, net.hq_stock) == -3
    with gctx.db.read_session() as session:
        reasons = set(session.scalars(select(m.StockMove.override_reason)))
    assert "count was wrong, 3 more on the shelf" in reasons


def test_transfer_between_sites_ship_then_receive(qtbot: QtBot, gctx: GuiContext,
                                                  net: Network, area: StockArea) -> None:
    stock.receive(gctx.services, net.screw, net.hq_stock, 40)
    dialog = area.open_dialog(lambda: TransferDialog(gctx, area))
    assert isinstance(dialog, TransferDialog)
    _type(qtbot, dialog, "product", "SCREW")
    _choose(dialog, "source", "HQ / STOCK")
    _choose(dialog, "destination", "HQ / STOCK")
    assert "other than the source" in _error(dialog, "destination")
    _choose(dialog, "destination", "MP1 / STOCK")
    _type(qtbot, dialog, "quantity", "15")
    _ok(qtbot, dialog)
    qtbot.waitUntil(lambda: not dialog.isVisible())
    assert _on_hand(gctx, net.screw, net.hq_stock) == 25
    assert _on_hand(gctx, net.screw, net.mp_stock) == 0
    area.tabs.setCurrentWidget(area.transit)
    qtbot.waitUntil(lambda: area.transit.model.rowCount() == 1)
    area.transit.table.selectRow(0)
    qtbot.mouseClick(area.receive_transfer_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: _on_hand(gctx, net.screw, net.mp_stock) == 15)
    qtbot.waitUntil(lambda: area.transit.model.rowCount() == 0)


def test_history_of_a_row_shows_its_moves(qtbot: QtBot, gctx: GuiContext, net: Network,
                                          area: StockArea) -> None:
    stock.receive(gctx.services, net.screw, net.hq_stock, 40)
    stock.issue(gctx.services, net.screw, net.hq_stock, 4)
    stock.receive(gctx.services, net.steel, net.hq_stock, 9)
    area.refresh()
    row = next(r for r in range(area.on_hand.model.rowCount())
               if area.on_hand.model.row_values(r)["product"] == "SCREW")
    area.on_hand.table.selectRow(row)
    area.show_history_of_selection()
    assert area.tabs.currentWidget() is area.moves
    reasons = [area.moves.model.row_values(r)["reason"]
               for r in range(area.moves.model.rowCount())]
    assert reasons == ["issue", "receipt"]  # newest first


@pytest.mark.parametrize("spec", [lists.ON_HAND, lists.MOVES, lists.TRANSFERS],
                         ids=lambda s: s.name)
def test_models_pass_the_model_tester(qtmodeltester: object, gctx: GuiContext, net: Network,
                                      spec: lists.ListSpec,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    for product in (net.screw, net.steel):
        for location in (net.hq_stock, net.wh_stock):
            stock.receive(gctx.services, product, location, 10)
            stock.ship_transfer(gctx.services, location, net.mp_stock,
                                [stock.TransferLineSpec(product, 2)])
    monkeypatch.setattr(PagedTableModel, "PAGE_SIZE", 2)  # several pages: fetchMore is used
    model = PagedTableModel(gctx.db, spec)
    assert model.rowCount() == 2 and model.canFetchMore()
    qtmodeltester.check(model)  # type: ignore[attr-defined]
    while model.canFetchMore():
        model.fetchMore()
    with gctx.db.read_session() as session:
        assert model.rowCount() == paging.count(session, spec) >= 4
    ids = [model.row_id(r) for r in range(model.rowCount())]
    assert len(set(ids)) == len(ids)


def test_screenshot(qtbot: QtBot, gctx: GuiContext, net: Network, area: StockArea,
                    screenshots: Path) -> None:
    stock.receive(gctx.services, net.screw, net.hq_stock, 400)
    stock.receive(gctx.services, net.steel, net.wh_stock, "120.5")
    stock.receive(gctx.services, net.fabric, net.hq_stock, "35", lot_code="F-2026-11")
    area.refresh()
    assert area.grab().save(str(screenshots / "stock-area.png"))


def test_a_long_history_stops_at_the_row_limit_and_says_so(
        qtbot: QtBot, gctx: GuiContext, net: Network, monkeypatch: pytest.MonkeyPatch) -> None:
    lines = [stock.ReceiptLine(net.screw, net.hq_stock, n + 1) for n in range(30)]
    stock.receive_many(gctx.services, lines)
    monkeypatch.setattr(PagedTableModel, "PAGE_SIZE", 4)
    monkeypatch.setattr(PagedTableModel, "MAX_ROWS", 10)
    area = StockArea(gctx)
    qtbot.addWidget(area)
    area.show()
    model = area.moves.model
    while model.canFetchMore():
        model.fetchMore()
    assert model.rowCount() == 12 and model.truncated  # three pages: the third crosses 10
    assert area.moves.limit_note.isVisibleTo(area.moves)
    assert "first 12 rows" in area.moves.limit_note.text()
    # The other end of the list is one click away: oldest first shows receipt number 1.
    model.sort(0, Qt.SortOrder.AscendingOrder)
    assert model.row_values(0)["quantity"] == 1
    area.moves.search.setText("SCREW")
    qtbot.waitUntil(lambda: model.search == "SCREW")
