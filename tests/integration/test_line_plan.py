"""Planning never exceeds the order (issue 17): a customer order line knows what transfers and
work orders serve it (db/line_plan.py); routing and work orders plan only what is open, and
planning more is refused with the documents named, writing nothing."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest
from sqlalchemy import select

from dmdesk.db import models as m
from dmdesk.db.line_plan import LinePlan, line_plan
from dmdesk.domain.errors import ValidationError
from dmdesk.queries import orders
from dmdesk.queries.routing import route_line, route_order
from dmdesk.services import work_orders
from dmdesk.services.context import ServiceContext
from dmdesk.services.routing import apply_route
from dmdesk.services.stock import receive
from tests.integration.network_geo import TODAY, GeoNetwork, build_geo_network, order
from tests.integration.support import db_fingerprint, on_hand

D = Decimal


@pytest.fixture
def geo(ctx: ServiceContext) -> GeoNetwork:
    return build_geo_network(ctx)


def plan_of(ctx: ServiceContext, line_id: uuid.UUID) -> LinePlan:
    with ctx.db.read_session() as session:
        return line_plan(session, line_id)


def transfers_of(ctx: ServiceContext, line_id: uuid.UUID) -> list[tuple[str, Decimal]]:
    with ctx.db.read_session() as session:
        rows = session.execute(
            select(m.Transfer.number, m.TransferLine.quantity)
            .join(m.TransferLine, m.TransferLine.transfer_id == m.Transfer.id)
            .where(m.Transfer.customer_order_line_id == line_id)
            .order_by(m.Transfer.number)).all()
    return [(number, qty) for number, qty in rows]


def test_shipping_a_line_twice_is_refused(ctx: ServiceContext, geo: GeoNetwork) -> None:
    """The scenario of the issue: Ship from a site, then again, on a 3-piece line."""
    net = geo.net
    receive(ctx, net.chair, net.mp_stock, 8)
    number, line = order(ctx, geo.porto_customer, net.chair, 3)
    first = apply_route(ctx, line, net.mp, "ship")
    [transfer] = first.transfer_numbers
    assert transfers_of(ctx, line) == [(transfer, D(3))]
    plan = plan_of(ctx, line)
    assert (plan.planned, plan.open, plan.over) == (D(3), D(0), D(0))
    assert plan.summary() == f"3 of 3 pcs planned: {transfer} (3 pcs)"

    before = db_fingerprint(ctx.db)
    with pytest.raises(ValidationError) as refused:
        apply_route(ctx, line, net.mp, "ship")
    assert str(refused.value) == (f"{number} line 1 is fully planned (3 of 3 pcs planned: "
                                  f"{transfer} (3 pcs)): nothing is left to plan.")
    with pytest.raises(ValidationError, match="fully planned"):
        apply_route(ctx, line, net.hq, "make")
    assert db_fingerprint(ctx.db) == before
    assert on_hand(ctx.db, net.chair, net.mp_stock) == 5

    with ctx.db.read_session() as session:
        routing = route_line(session, line, today=TODAY)
        detail = orders.customer_order_detail(session, routing.order_id)
    assert routing.fully_planned and routing.candidates == ()
    assert routing.why_none == f"Nothing left to plan: 3 of 3 pcs planned: {transfer} (3 pcs)."
    assert (detail.lines[0].planned, detail.lines[0].unplanned) == (D(3), D(0))


def test_routing_offers_and_plans_only_the_open_quantity(ctx: ServiceContext,
                                                         geo: GeoNetwork) -> None:
    net = geo.net
    receive(ctx, net.chair, net.mp_stock, 5)
    number, line = order(ctx, geo.porto_customer, net.chair, 3)
    made = work_orders.create_work_order(ctx, net.chair, 2, net.hq, TODAY,
                                         customer_order_line_id=line)
    with ctx.db.read_session() as session:
        [routing] = route_order(session, number, today=TODAY)
    assert (routing.quantity, routing.open) == (D(3), D(1))
    assert routing.notes[0] == (f"2 of 3 pcs planned: {made.number} (2 pcs); the sites are "
                                "ranked for the 1 pcs left.")
    best = routing.candidates[0]
    assert (best.site_code, best.action) == ("MP1", "ship")
    assert any("(needs 1)" in r for r in best.reasons)

    result = apply_route(ctx, line, net.mp, "ship")
    assert transfers_of(ctx, line) == [(result.transfer_numbers[0], D(1))]
    assert on_hand(ctx.db, net.chair, net.mp_stock) == 4
    assert plan_of(ctx, line).summary() == (
        f"3 of 3 pcs planned: {result.transfer_numbers[0]} (1 pcs), {made.number} (2 pcs)")


def test_make_plans_the_open_quantity(ctx: ServiceContext, geo: GeoNetwork) -> None:
    net = geo.net
    _number, line = order(ctx, geo.lisbon_customer, net.chair, 4)
    work_orders.create_work_order(ctx, net.chair, 1, geo.mp2, TODAY,
                                  customer_order_line_id=line)
    result = apply_route(ctx, line, net.hq, "make")
    with ctx.db.read_session() as session:
        made = session.get_one(m.WorkOrder, result.work_order_id)
    assert made.quantity == 3 and made.customer_order_line_id == line
    assert plan_of(ctx, line).open == 0


def test_a_work_order_beyond_the_open_quantity_is_refused(ctx: ServiceContext,
                                                          geo: GeoNetwork) -> None:
    net = geo.net
    number, line = order(ctx, geo.lisbon_customer, net.chair, 3)
    before = db_fingerprint(ctx.db)
    with pytest.raises(ValidationError) as refused:
        work_orders.create_work_order(ctx, net.chair, 4, net.hq, TODAY,
                                      customer_order_line_id=line)
    assert str(refused.value) == (f"{number} line 1 has 3 pcs left to plan (0 of 3 pcs "
                                  "planned); 4 pcs would plan more than ordered.")
    assert refused.value.field == "quantity"
    with pytest.raises(ValidationError, match=f"{number} line 1 is for CHAIR"):
        work_orders.create_work_order(ctx, net.frame, 1, net.hq, TODAY,
                                      customer_order_line_id=line)
    assert db_fingerprint(ctx.db) == before

    first = work_orders.create_work_order(ctx, net.chair, 2, net.hq, TODAY,
                                          customer_order_line_id=line)
    before = db_fingerprint(ctx.db)
    with pytest.raises(ValidationError) as refused:
        work_orders.create_work_order(ctx, net.chair, 2, net.mp, TODAY,
                                      customer_order_line_id=line)
    assert str(refused.value) == (f"{number} line 1 has 1 pcs left to plan (2 of 3 pcs "
                                  f"planned: {first.number} (2 pcs)); 2 pcs would plan more "
                                  "than ordered.")
    assert db_fingerprint(ctx.db) == before
    work_orders.create_work_order(ctx, net.chair, 1, net.hq, TODAY, customer_order_line_id=line)
    assert plan_of(ctx, line).open == 0
    # A work order for no line is not limited by any.
    work_orders.create_work_order(ctx, net.chair, 9, net.hq, TODAY)


def test_a_cancelled_work_order_frees_its_quantity(ctx: ServiceContext,
                                                   geo: GeoNetwork) -> None:
    net = geo.net
    number, line = order(ctx, geo.lisbon_customer, net.chair, 3)
    first = apply_route(ctx, line, net.hq, "make")
    assert first.work_order_id is not None
    with ctx.db.read_session() as session:
        assert route_line(session, line, today=TODAY).fully_planned
    work_orders.cancel(ctx, first.work_order_id, reason="customer changed the fabric")
    plan = plan_of(ctx, line)
    assert (plan.planned, plan.open) == (D(0), D(3))
    assert plan.summary() == "0 of 3 pcs planned"  # the cancelled order is not named
    assert [(d.number, d.state, d.quantity) for d in plan.documents] == [
        (first.work_order_number, "cancelled", D(0))]
    with ctx.db.read_session() as session:
        routing = route_line(session, line, today=TODAY)
        [open_line] = orders.open_order_lines(session, number)
    assert routing.open == 3 and routing.candidates
    assert (open_line.planned, open_line.unplanned) == (D(0), D(3))
    again = apply_route(ctx, line, geo.mp2, "make")
    assert plan_of(ctx, line).summary() == (
        f"3 of 3 pcs planned: {again.work_order_number} (3 pcs)")


def test_a_work_order_closed_short_counts_what_it_made(ctx: ServiceContext,
                                                       geo: GeoNetwork) -> None:
    net = geo.net
    _number, line = order(ctx, geo.lisbon_customer, net.chair, 3)
    made = work_orders.create_work_order(ctx, net.chair, 3, net.hq, TODAY,
                                         customer_order_line_id=line)
    work_orders.release(ctx, made.id, override_reason="test: no stock needed")
    work_orders.start(ctx, made.id)
    work_orders.complete(ctx, made.id, good_qty=2, override_reason="test: no stock needed")
    plan = plan_of(ctx, line)
    assert (plan.planned, plan.open, plan.ready) == (D(2), D(1), D(2))
    assert plan.shipped == 0  # no shipments exist yet
    work_orders.create_work_order(ctx, net.chair, 1, geo.mp2, TODAY,
                                  customer_order_line_id=line)
    assert plan_of(ctx, line).open == 0


def test_plans_of_many_lines_in_one_query(ctx: ServiceContext, geo: GeoNetwork) -> None:
    net = geo.net
    receive(ctx, net.chair, net.mp_stock, 2)
    _n1, shipped = order(ctx, geo.porto_customer, net.chair, 2)
    _n2, untouched = order(ctx, geo.porto_customer, net.chair, 5)
    apply_route(ctx, shipped, net.mp, "ship")
    with ctx.db.read_session() as session:
        lines = orders.open_order_lines(session)
    assert [(ln.id, ln.planned, ln.unplanned) for ln in lines] == [
        (shipped, D(2), D(0)), (untouched, D(0), D(5))]
