"""Routing from the Customer orders area, on the network where the answer is known
(tests.integration.network_geo): Route… on a line shows the ranked sites with reasons and score
parts; the one button ships or makes; the line then says where it is routed, and the database
holds the transfer or the work order."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from dmdesk.db import models as m
from dmdesk.gui.context import GuiContext
from dmdesk.gui.dialogs.route_line import RouteDialog
from dmdesk.gui.views.customer_orders import CustomerOrdersArea
from dmdesk.services import stock, work_orders
from tests.gui.support import showing
from tests.integration.network_geo import TODAY, GeoNetwork, build_geo_network, order
from tests.integration.support import on_hand

WAIT_MS = 15_000
pytestmark = pytest.mark.actor("owner")
ROUTED = 6  # the lines table's "Routed" column


@pytest.fixture
def geo(gctx: GuiContext) -> GeoNetwork:
    return build_geo_network(gctx.services)


def open_route(qtbot: QtBot, gctx: GuiContext, order_id: object) -> tuple[CustomerOrdersArea,
                                                                         RouteDialog]:
    area = showing(qtbot, CustomerOrdersArea(gctx), (1280, 760))
    area.state_filter.setCurrentIndex(area.state_filter.findData(None))
    assert area.list.select_id(order_id)
    area.detail.lines_table.selectRow(0)
    assert area.detail.route.isEnabled()
    qtbot.mouseClick(area.detail.route, Qt.MouseButton.LeftButton)
    dialog = area.dialog
    assert isinstance(dialog, RouteDialog)
    qtbot.waitUntil(lambda: dialog.routing is not None, timeout=WAIT_MS)
    return area, dialog


def routed_text(area: CustomerOrdersArea) -> str:
    model = area.detail.lines_model
    return str(model.data(model.index(0, ROUTED)))


def order_id_of(gctx: GuiContext, number: str) -> object:
    with gctx.db.read_session() as session:
        return session.scalar(select(m.CustomerOrder.id).where(m.CustomerOrder.number == number))


def test_ship_from_the_stock_near_the_customer(qtbot: QtBot, gctx: GuiContext,
                                               geo: GeoNetwork, screenshots: Path) -> None:
    net = geo.net
    stock.receive(gctx.services, net.chair, net.mp_stock, 5)
    number, line_id = order(gctx.services, geo.porto_customer, net.chair, 3)
    area, dialog = open_route(qtbot, gctx, order_id_of(gctx, number))
    assert routed_text(area) == "not yet"
    assert dialog.table.rowCount() == 3  # MP1 ships; HQ and MP2 could make
    assert dialog.table.item(0, 0).text().startswith("MP1")  # type: ignore[union-attr]
    assert dialog.table.item(0, 1).text() == "ship from stock"  # type: ignore[union-attr]
    reasons = [dialog.reasons.item(i).text() for i in range(dialog.reasons.count())]
    assert any("holds 5 pcs of CHAIR" in r for r in reasons)
    parts = {dialog.parts.item(r, 0).text() for r in range(dialog.parts.rowCount())}  # type: ignore[union-attr]
    assert parts == {"distance", "load", "materials", "lead time", "record"}
    assert dialog.go.text() == "Ship 3 pcs from MP1"
    dialog.grab().save(str(screenshots / "route-dialog.png"))
    with qtbot.waitSignal(dialog.routed, timeout=WAIT_MS):
        qtbot.mouseClick(dialog.go, Qt.MouseButton.LeftButton)
    assert dialog.outcome is not None and dialog.outcome.transfer_numbers
    [transfer_number] = dialog.outcome.transfer_numbers
    assert transfer_number in dialog.message.text()
    with gctx.db.read_session() as session:
        transfer = session.scalars(select(m.Transfer).where(
            m.Transfer.number == transfer_number)).one()
        assert transfer.from_location_id == net.mp_stock
    assert routed_text(area) == f"ship from MP1 ({transfer_number})"
    assert not dialog.go.isEnabled()  # one decision per dialog
    area.grab().save(str(screenshots / "customer-order-routed.png"))
    assert line_id is not None


def test_make_at_the_nearest_capable_site(qtbot: QtBot, gctx: GuiContext,
                                          geo: GeoNetwork) -> None:
    net = geo.net
    number, line_id = order(gctx.services, geo.lisbon_customer, net.chair, 2)
    area, dialog = open_route(qtbot, gctx, order_id_of(gctx, number))
    sites = [dialog.table.item(r, 0).text()[:3] for r in range(dialog.table.rowCount())]  # type: ignore[union-attr]
    assert sites == ["HQ ", "MP2"]
    dialog.table.selectRow(1)  # the owner prefers Faro
    assert dialog.go.text() == "Make 2 pcs at MP2"
    with qtbot.waitSignal(dialog.routed, timeout=WAIT_MS):
        qtbot.mouseClick(dialog.go, Qt.MouseButton.LeftButton)
    assert dialog.outcome is not None
    with gctx.db.read_session() as session:
        made = session.scalars(select(m.WorkOrder).where(
            m.WorkOrder.customer_order_line_id == line_id)).one()
        assert (made.site_id, made.state, made.quantity) == (geo.mp2, "draft", 2)
    assert routed_text(area).startswith(f"make at MP2 ({made.number}")
    assert "buy them" in dialog.message.text()  # no component is held anywhere


def test_nobody_can_serve_it_says_why(qtbot: QtBot, gctx: GuiContext, geo: GeoNetwork) -> None:
    number, _line = order(gctx.services, geo.lisbon_customer, geo.net.frame, 1)
    _area, dialog = open_route(qtbot, gctx, order_id_of(gctx, number))
    assert dialog.table.rowCount() == 0
    assert "No site can serve it" in dialog.notes.text()
    assert "laser-cut" in dialog.notes.text()
    assert not dialog.go.isEnabled()


def click_route(qtbot: QtBot, area: CustomerOrdersArea) -> RouteDialog:
    """Route… on the selected line, as the user clicks it; the dialog once ranked."""
    assert area.detail.route.isEnabled()
    qtbot.mouseClick(area.detail.route, Qt.MouseButton.LeftButton)
    dialog = area.dialog
    assert isinstance(dialog, RouteDialog)
    qtbot.waitUntil(lambda: dialog.routing is not None, timeout=WAIT_MS)
    return dialog


def line_transfers(gctx: GuiContext, line_id: object) -> list[tuple[str, object, object]]:
    with gctx.db.read_session() as session:
        rows = session.execute(
            select(m.Transfer.number, m.Transfer.from_location_id, m.TransferLine.quantity)
            .join(m.TransferLine, m.TransferLine.transfer_id == m.Transfer.id)
            .where(m.Transfer.customer_order_line_id == line_id)).all()
    return [(number, source, qty) for number, source, qty in rows]


def test_route_twice_on_a_line_plans_it_once(qtbot: QtBot, gctx: GuiContext, geo: GeoNetwork,
                                             screenshots: Path) -> None:
    """Issue 17, as a new user tried it: Route… → Ship from MP1 on a 3-piece line, then
    Route… again: the second dialog offers nothing, and the database holds one transfer."""
    net = geo.net
    stock.receive(gctx.services, net.chair, net.mp_stock, 8)
    number, line_id = order(gctx.services, geo.porto_customer, net.chair, 3)
    area, first = open_route(qtbot, gctx, order_id_of(gctx, number))
    assert first.go.text() == "Ship 3 pcs from MP1"
    with qtbot.waitSignal(first.routed, timeout=WAIT_MS):
        qtbot.mouseClick(first.go, Qt.MouseButton.LeftButton)
    [(transfer, source, quantity)] = line_transfers(gctx, line_id)
    assert (source, quantity) == (net.mp_stock, 3)
    first.reject()
    assert area.detail.selected_line() is not None
    assert area.detail.lines_model.index(0, 5).data() == "3 of 3"
    assert area.detail.hint.text() == f"Line 1: 3 of 3 pcs planned: {transfer} (3 pcs)."

    second = click_route(qtbot, area)
    assert second is not first
    assert second.table.rowCount() == 0 and not second.go.isEnabled()
    assert second.body.isHidden() and second.go.isHidden()  # nothing to choose from
    assert second.notes.text() == (f"Nothing left to plan: 3 of 3 pcs planned: {transfer} "
                                   "(3 pcs).")
    second.grab().save(str(screenshots / "route-dialog-fully-planned.png"))
    second.reject()
    assert [t[0] for t in line_transfers(gctx, line_id)] == [transfer]
    assert on_hand(gctx.db, net.chair, net.mp_stock) == 5


def test_route_offers_only_what_is_left(qtbot: QtBot, gctx: GuiContext, geo: GeoNetwork,
                                        screenshots: Path) -> None:
    net = geo.net
    stock.receive(gctx.services, net.chair, net.mp_stock, 5)
    number, line_id = order(gctx.services, geo.porto_customer, net.chair, 3)
    made = work_orders.create_work_order(gctx.services, net.chair, 2, net.hq,
                                         TODAY + timedelta(days=20), customer_order_line_id=line_id)
    area, dialog = open_route(qtbot, gctx, order_id_of(gctx, number))
    assert dialog.notes.text().splitlines()[0] == (
        f"2 of 3 pcs planned: {made.number} (2 pcs); the sites are ranked for the 1 pcs left.")
    assert dialog.go.text() == "Ship 1 pcs from MP1"
    dialog.grab().save(str(screenshots / "route-dialog-open-quantity.png"))
    with qtbot.waitSignal(dialog.routed, timeout=WAIT_MS):
        qtbot.mouseClick(dialog.go, Qt.MouseButton.LeftButton)
    [(transfer, _source, quantity)] = line_transfers(gctx, line_id)
    assert quantity == 1
    dialog.reject()
    assert area.detail.hint.text() == (
        f"Line 1: 3 of 3 pcs planned: {transfer} (1 pcs), {made.number} (2 pcs).")
