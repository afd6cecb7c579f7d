"""Routing customer order lines on a hand-built network where the right answer is known."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest

from dmdesk.db import models as m
from dmdesk.db.database import Database
from dmdesk.domain.errors import NotFoundError, ValidationError
from dmdesk.queries.routing import LineRouting, route_line, route_lines, route_order
from dmdesk.services import sites, stock
from dmdesk.services.context import ServiceContext
from dmdesk.services.routing import apply_route
from dmdesk.services.work_orders import create_work_order
from tests.integration.network_geo import TODAY, GeoNetwork, build_geo_network, order
from tests.integration.support import db_fingerprint, on_hand


@pytest.fixture
def geo(ctx: ServiceContext) -> GeoNetwork:
    return build_geo_network(ctx)


def _route(db: Database, line_id: uuid.UUID) -> LineRouting:
    with db.read_session() as session:
        return route_line(session, line_id, today=TODAY)


def test_stock_near_the_customer_ships_first(ctx: ServiceContext, geo: GeoNetwork) -> None:
    net = geo.net
    stock.receive(ctx, net.chair, net.wh_stock, 5)
    stock.receive(ctx, net.chair, net.mp_stock, 5)
    _number, line = order(ctx, geo.porto_customer, net.chair, 3)
    routing = _route(ctx.db, line)
    ranked = [(c.site_code, c.action) for c in routing.candidates]
    # Porto stock ships first, Leiria's next; making in Lisbon or Faro comes after.
    assert ranked[:2] == [("MP1", "ship"), ("WH", "ship")]
    assert set(ranked[2:]) == {("HQ", "make"), ("MP2", "make")}
    best = routing.candidates[0]
    assert best.distance_km is not None and best.distance_km < 5
    assert any("holds 5 pcs of CHAIR" in r for r in best.reasons)
    assert {p.name for p in best.parts} == {"distance", "load", "materials", "lead time",
                                            "record"}
    assert routing.notes == ()


def test_making_goes_to_the_nearest_capable_site(ctx: ServiceContext,
                                                 geo: GeoNetwork) -> None:
    _number, line = order(ctx, geo.lisbon_customer, geo.net.chair, 2)
    routing = _route(ctx.db, line)
    assert [(c.site_code, c.action) for c in routing.candidates] == [("HQ", "make"),
                                                                      ("MP2", "make")]
    hq, mp2 = routing.candidates
    assert hq.score > mp2.score
    assert hq.distance_km is not None and mp2.distance_km is not None
    assert hq.distance_km < 10 < 200 < mp2.distance_km < 260  # Lisbon-Faro is ~ 220 km
    assert any("assembly, upholstery" in r for r in hq.reasons)
    # Nothing is in stock anywhere: each component must be bought.
    assert {c.sku for c in hq.components} == {"FRAME", "FABRIC", "SCREW"}
    assert all(c.from_site_id is None for c in hq.components)


def test_make_creates_the_work_order_and_brings_missing_components(
        ctx: ServiceContext, geo: GeoNetwork) -> None:
    net = geo.net
    stock.receive(ctx, net.frame, net.wh_stock, 5)
    stock.receive(ctx, net.fabric, net.hq_stock, 3, lot_code="F-1")
    stock.receive(ctx, net.screw, net.hq_stock, 2)
    stock.receive(ctx, net.screw, net.mp_stock, 100)
    _number, line = order(ctx, geo.lisbon_customer, net.chair, 2)
    best = _route(ctx.db, line).candidates[0]
    assert (best.site_code, best.action) == ("HQ", "make")
    missing = {c.sku: (c.missing, c.from_site_code) for c in best.components}
    assert missing == {"FRAME": (Decimal(2), "WH"), "SCREW": (Decimal(6), "MP1")}

    result = apply_route(ctx, line, net.hq, "make")
    assert result.work_order_number.startswith("HQ-WO-")
    assert len(result.transfer_numbers) == 2
    # The components are on their way to HQ (in transit), taken from WH and MP1.
    assert on_hand(ctx.db, net.frame, net.wh_stock) == 3
    assert on_hand(ctx.db, net.screw, net.mp_stock) == 94
    with ctx.db.read_session() as session:
        wo = session.get(m.WorkOrder, result.work_order_id)
        assert wo is not None and wo.site_id == net.hq and wo.customer_order_line_id == line
        assert wo.quantity == 2 and wo.state == "draft"
    # A second make for the same line is refused, and writes nothing.
    before = db_fingerprint(ctx.db)
    with pytest.raises(ValidationError, match=r"is fully planned \(2 of 2 pcs planned: HQ-WO-"):
        apply_route(ctx, line, geo.mp2, "make")
    assert db_fingerprint(ctx.db) == before


def test_ship_creates_a_transfer_to_the_dispatching_site(ctx: ServiceContext,
                                                         geo: GeoNetwork) -> None:
    net = geo.net
    stock.receive(ctx, net.chair, net.wh_stock, 5)
    _number, line = order(ctx, geo.lisbon_customer, net.chair, 3)
    result = apply_route(ctx, line, net.wh, "ship")
    assert result.action == "ship" and len(result.transfer_numbers) == 1
    assert on_hand(ctx.db, net.chair, net.wh_stock) == 2


def test_without_coordinates_routing_falls_back_to_capacity(ctx: ServiceContext,
                                                            geo: GeoNetwork) -> None:
    net = geo.net
    # HQ is busy: 30 chairs (55 min each) due before the new order; MP2 is free.
    create_work_order(ctx, net.chair, 30, net.hq, TODAY)
    _number, line = order(ctx, geo.nowhere_customer, net.chair, 2, days=30)
    routing = _route(ctx.db, line)
    assert routing.notes and "no coordinates" in routing.notes[0]
    assert [c.site_code for c in routing.candidates] == ["MP2", "HQ"]
    assert all(c.distance_km is None for c in routing.candidates)
    assert all("distance" not in {p.name for p in c.parts} for c in routing.candidates)


def test_nothing_can_make_it_says_why(ctx: ServiceContext, geo: GeoNetwork) -> None:
    net = geo.net
    stock.receive(ctx, net.frame, net.wh_stock, 2)
    number, _line = order(ctx, geo.lisbon_customer, net.frame, 3)
    before = db_fingerprint(ctx.db)
    with ctx.db.read_session() as session:
        (routing,) = route_order(session, number, today=TODAY)
    assert routing.candidates == ()
    assert "missing capability laser-cut at HQ" in routing.why_none
    assert "missing capability welding at MP1" in routing.why_none
    assert "WH has 2" in routing.why_none
    assert db_fingerprint(ctx.db) == before


def test_no_capacity_and_offline_sites_are_named(ctx: ServiceContext, geo: GeoNetwork) -> None:
    net = geo.net
    sites.update_site(ctx, net.hq, status="offline")
    sites.update_site(ctx, geo.mp2, weekly_capacity_hours=1)
    _number, line = order(ctx, geo.lisbon_customer, net.chair, 10, days=7)
    routing = _route(ctx.db, line)
    assert routing.candidates == ()
    assert f"no capacity before {routing.due_date.isoformat()} at MP2" in routing.why_none
    assert "offline or paused: HQ offline" in routing.why_none


def test_every_maker_offline_is_said_in_one_sentence(ctx: ServiceContext,
                                                     geo: GeoNetwork) -> None:
    net = geo.net
    stock.receive(ctx, net.chair, net.wh_stock, 5)
    for site, status in ((net.hq, "offline"), (net.mp, "paused"), (geo.mp2, "offline"),
                         (net.wh, "paused")):
        sites.update_site(ctx, site, status=status)
    _number, line = order(ctx, geo.lisbon_customer, net.chair, 2)
    routing = _route(ctx.db, line)
    assert routing.candidates == ()
    assert routing.why_none == (
        "No site can serve it: every site that makes things is offline or paused (HQ offline, "
        "MP1 paused, MP2 offline); no site holds 2 pcs of CHAIR (WH holds some but is offline "
        "or paused).")


def test_bad_input_is_refused_with_a_clear_message(ctx: ServiceContext,
                                                    geo: GeoNetwork) -> None:
    with ctx.db.read_session() as session, pytest.raises(NotFoundError,
                                                        match="no customer order 'CO-NOPE'"):
        route_order(session, "CO-NOPE")
    _number, line = order(ctx, geo.lisbon_customer, geo.net.chair, 2)
    before = db_fingerprint(ctx.db)
    with pytest.raises(ValidationError, match="WH is a warehouse"):
        apply_route(ctx, line, geo.net.wh, "make")
    with pytest.raises(ValidationError, match="MP1 lacks the capability assembly, upholstery"):
        apply_route(ctx, line, geo.net.mp, "make")
    with pytest.raises(ValidationError, match="holds only 0 pcs"):
        apply_route(ctx, line, geo.net.wh, "ship")
    with pytest.raises(ValidationError, match="Unknown routing action"):
        apply_route(ctx, line, geo.net.wh, "teleport")
    assert db_fingerprint(ctx.db) == before


def test_a_batch_ranks_as_single_lines_do(ctx: ServiceContext, geo: GeoNetwork) -> None:
    net = geo.net
    stock.receive(ctx, net.chair, net.wh_stock, 5)
    lines = [order(ctx, customer, product, 2)[1] for customer, product in (
        (geo.lisbon_customer, net.chair), (geo.porto_customer, net.chair),
        (geo.nowhere_customer, net.frame))]
    with ctx.db.read_session() as session:
        batch = route_lines(session, lines, today=TODAY)
        single = [route_line(session, line, today=TODAY) for line in lines]
        with pytest.raises(NotFoundError, match="Unknown customer order line"):
            route_lines(session, [*lines, uuid.uuid4()], today=TODAY)
    assert batch == single
    assert [r.line_id for r in batch] == lines
