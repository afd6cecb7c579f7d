"""The read side of orders: a work order's detail before and after release and completion, a
customer order with its lines and the work orders serving them, and the form pick lists."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest

from dmdesk.domain.errors import NotFoundError
from dmdesk.domain.kinds import CustomerOrderState
from dmdesk.domain.work_order_states import WOState
from dmdesk.queries import lookup, orders
from dmdesk.queries.orders import MaterialRow, WorkOrderDetail
from dmdesk.services import contacts, customer_orders, products, sites, stock, work_orders
from dmdesk.services.context import ServiceContext
from dmdesk.services.customer_orders import OrderLineSpec
from tests.integration.support import Network

D = Decimal
DUE = "2030-06-30"


def _detail(ctx: ServiceContext, wo_id: uuid.UUID) -> WorkOrderDetail:
    with ctx.db.read_session() as session:
        return orders.work_order_detail(session, wo_id)


def _by_sku(detail: WorkOrderDetail) -> dict[str, MaterialRow]:
    return {row.sku: row for row in detail.materials}


@pytest.fixture
def stocked(ctx: ServiceContext, network: Network) -> Network:
    """HQ holds 20 m STEEL and 100 SCREW (enough for 4 frames: 11 m and 32 screws)."""
    stock.receive(ctx, network.steel, network.hq_stock, 20)
    stock.receive(ctx, network.screw, network.hq_stock, 100)
    return network


def test_draft_shows_the_bom_requirements_and_shortages(ctx: ServiceContext,
                                                        network: Network) -> None:
    stock.receive(ctx, network.steel, network.hq_stock, 5)
    wo = work_orders.create_work_order(ctx, network.frame, 4, network.hq, DUE, priority=2)
    detail = _detail(ctx, wo.id)
    assert (detail.number, detail.state, detail.sku, detail.quantity, detail.site_code,
            detail.priority) == (wo.number, WOState.DRAFT, "FRAME", D(4), "HQ", 2)
    assert not detail.materials_pinned and detail.bom_hash is None
    rows = _by_sku(detail)
    # 2.5 m per frame + 10 % scrap = 11 m; 8 screws per frame = 32.
    assert (rows["STEEL"].required, rows["STEEL"].available, rows["STEEL"].shortage) == (
        D(11), D(5), D(6))
    assert (rows["SCREW"].required, rows["SCREW"].reserved, rows["SCREW"].shortage) == (
        D(32), D(0), D(32))
    assert [s.sku for s in detail.short] == ["STEEL", "SCREW"]
    assert [(op.sequence, op.name) for op in detail.operations] == [
        (10, "Cut tubes"), (20, "Weld frame")]


def test_released_shows_reservations_and_no_shortage(ctx: ServiceContext,
                                                     stocked: Network) -> None:
    n = stocked
    products.add_design_file(ctx, n.frame, "frame.dxf", b"0 SECTION")
    wo = work_orders.create_work_order(ctx, n.frame, 4, n.hq, DUE)
    before = _detail(ctx, wo.id)
    assert (before.design_name, before.design_pinned) == ("frame.dxf", False)
    work_orders.release(ctx, wo.id)
    detail = _detail(ctx, wo.id)
    assert detail.state == WOState.RELEASED and detail.materials_pinned
    assert detail.bom_hash is not None and detail.design_pinned
    assert (detail.design_name, detail.design_version) == ("frame.dxf", 1)
    rows = _by_sku(detail)
    assert (rows["STEEL"].required, rows["STEEL"].reserved, rows["STEEL"].available) == (
        D(11), D(11), D(9))
    assert rows["SCREW"].reserved == D(32) and detail.short == ()
    assert {(r.sku, r.location, r.quantity) for r in detail.reservations} == {
        ("STEEL", "STOCK", D(11)), ("SCREW", "STOCK", D(32))}


def test_completed_shows_consumption_and_progress(ctx: ServiceContext,
                                                  stocked: Network) -> None:
    n = stocked
    wo = work_orders.create_work_order(ctx, n.frame, 4, n.hq, DUE)
    work_orders.release(ctx, wo.id)
    work_orders.start(ctx, wo.id)
    first, second = (op.sequence for op in _detail(ctx, wo.id).operations)
    work_orders.report_progress(ctx, wo.id, first, good=4)
    assert _detail(ctx, wo.id).reportable(first) == D(0)
    assert _detail(ctx, wo.id).reportable(second) == D(4)
    work_orders.report_progress(ctx, wo.id, second, good=3, scrap=1)
    work_orders.complete(ctx, wo.id)
    detail = _detail(ctx, wo.id)
    assert detail.state == WOState.DONE and detail.completed_at is not None
    assert (detail.good_qty, detail.scrap_qty) == (D(3), D(1))
    assert [(op.good, op.scrap) for op in detail.operations] == [(D(4), D(0)), (D(3), D(1))]
    rows = _by_sku(detail)
    assert (rows["STEEL"].consumed, rows["STEEL"].reserved, rows["STEEL"].shortage) == (
        D(11), D(0), D(0))
    assert detail.reservations == ()


def test_reportable_is_refused_for_an_unknown_operation(ctx: ServiceContext,
                                                        network: Network) -> None:
    wo = work_orders.create_work_order(ctx, network.frame, 4, network.hq, DUE)
    with pytest.raises(NotFoundError):
        _detail(ctx, wo.id).reportable(999)
    with ctx.db.read_session() as session, pytest.raises(NotFoundError):
        orders.work_order_detail(session, network.frame)


def test_customer_order_lists_lines_with_their_work_orders(ctx: ServiceContext,
                                                           network: Network) -> None:
    customer = contacts.create_contact(ctx, name="Casa Lda", address="Rua 1, Lisboa")
    created = customer_orders.create_customer_order(
        ctx, customer, DUE, [OrderLineSpec(network.chair, 5),
                             OrderLineSpec(network.frame, 2, "30.50")])
    chair_line, frame_line = created.line_ids
    first = work_orders.create_work_order(ctx, network.chair, 3, network.hq, DUE,
                                         customer_order_line_id=chair_line)
    second = work_orders.create_work_order(ctx, network.chair, 2, network.mp, DUE,
                                          customer_order_line_id=chair_line)
    work_orders.cancel(ctx, second.id)
    with ctx.db.read_session() as session:
        detail = orders.customer_order_detail(session, created.id)
        wo_detail = orders.work_order_detail(session, first.id)
    assert (detail.number, detail.customer_name, detail.ship_to, detail.state) == (
        created.number, "Casa Lda", "Rua 1, Lisboa", CustomerOrderState.OPEN)
    chair, frame = detail.lines
    assert (chair.sku, chair.quantity, chair.unit_price, chair.total) == (
        "CHAIR", D(5), D("249.00"), D("1245.00"))
    assert [(wo.number, wo.state, wo.site_code) for wo in chair.work_orders] == [
        (first.number, WOState.DRAFT, "HQ"), (second.number, WOState.CANCELLED, "MP1")]
    assert (chair.planned, chair.unplanned) == (D(3), D(2))
    assert (frame.unit_price, frame.work_orders) == (D("30.50"), ())
    assert detail.total == D("1245.00") + D("61.00")
    assert detail.line(frame_line) == frame
    assert (wo_detail.customer_order_number, wo_detail.customer_order_line_no,
            wo_detail.customer_name) == (created.number, 1, "Casa Lda")


def test_pick_lists_offer_what_the_services_accept(ctx: ServiceContext,
                                                   network: Network) -> None:
    paused = sites.create_site(ctx, code="PAU", name="Paused shop", kind="micro_producer",
                               status="paused")
    customer = contacts.create_contact(ctx, name="Casa Lda")
    contacts.create_contact(ctx, name="Supplier SA", role="supplier")
    created = customer_orders.create_customer_order(ctx, customer, DUE,
                                                    [OrderLineSpec(network.chair, 2)])
    closed = customer_orders.create_customer_order(ctx, customer, DUE,
                                                   [OrderLineSpec(network.chair, 1)])
    customer_orders.set_customer_order_state(ctx, closed.id, CustomerOrderState.FULFILLED)
    work_orders.create_work_order(ctx, network.chair, 1, network.hq, DUE,
                                 customer_order_line_id=created.line_ids[0])
    with ctx.db.read_session() as session:
        assert [s.code for s in orders.site_choices(session, active_only=True)] == ["HQ", "MP1"]
        every = orders.site_choices(session)
        assert [(s.code, s.active) for s in every] == [
            ("HQ", True), ("MP1", True), ("PAU", False)]
        assert paused in {s.id for s in every}
        makeable = [p.sku for p in orders.search_products(session, "", makeable_only=True)]
        assert makeable == ["CHAIR", "FRAME"]
        assert [p.sku for p in orders.search_products(session, "scr")] == ["SCREW"]
        assert [p.sku for p in orders.search_products(session, "tube")] == ["STEEL"]
        assert orders.search_products(session, "%") == []
        screw = lookup.product_by_sku(session, "screw")
        assert screw is not None and (screw.sku, screw.whole_only) == ("SCREW", True)
        assert lookup.product_by_sku(session, "NOPE") is None
        assert [c.name for c in orders.customer_choices(session)] == ["Casa Lda"]
        lines = orders.open_order_lines(session)
        assert [(ln.order_number, ln.sku, ln.planned, ln.unplanned) for ln in lines] == [
            (created.number, "CHAIR", D(1), D(1))]
        assert orders.order_line(session, closed.line_ids[0]).order_number == closed.number
        assert [ln.id for ln in orders.open_order_lines(session, "casa")] == [
            created.line_ids[0]]
        assert orders.open_order_lines(session, "nobody") == []
        found = orders.order_line_by_ref(session, created.number.lower(), 1)
        assert found is not None and found.id == created.line_ids[0]
        assert orders.order_line_by_ref(session, created.number, 2) is None
        with pytest.raises(NotFoundError):
            orders.order_line(session, network.chair)
