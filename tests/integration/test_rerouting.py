"""Rerouting a site's open work when it goes offline, on a network where the answer is known:
only HQ (Lisbon) and MP2 (Faro) can make chairs, so HQ's chairs must go to MP2."""

from __future__ import annotations

import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from dmdesk.db import models as m
from dmdesk.db.models_network import WorkOrderReroute
from dmdesk.domain.errors import NotFoundError
from dmdesk.domain.geo import distance_km
from dmdesk.queries.rerouting import propose_reroute, reroute_history
from dmdesk.services import sites, stock, work_orders
from dmdesk.services.context import ServiceContext
from dmdesk.services.rerouting import RerouteChoice, apply_reroute
from tests.integration.network_geo import TODAY, GeoNetwork, build_geo_network, order
from tests.integration.support import (
    assert_cache_matches_ledger,
    audit_entries,
    balance,
    db_fingerprint,
    location_of,
    on_hand,
)


@pytest.fixture
def geo(ctx: ServiceContext) -> GeoNetwork:
    geo = build_geo_network(ctx)
    net = geo.net
    stock.receive(ctx, net.frame, net.hq_stock, 10)
    stock.receive(ctx, net.fabric, net.hq_stock, 10, lot_code="F-7")
    stock.receive(ctx, net.screw, net.hq_stock, 100)
    stock.receive(ctx, net.screw, geo.mp2_stock, 8)  # MP2 holds some screws already
    return geo


def _chair_orders(ctx: ServiceContext, geo: GeoNetwork) -> tuple[work_orders.CreatedWorkOrder,
                                                                   ...]:
    net = geo.net
    due = TODAY + timedelta(days=21)
    draft = work_orders.create_work_order(ctx, net.chair, 1, net.hq, due)
    released = work_orders.create_work_order(ctx, net.chair, 2, net.hq, due)
    work_orders.release(ctx, released.id)
    started = work_orders.create_work_order(ctx, net.chair, 3, net.hq, due)
    work_orders.release(ctx, started.id)
    work_orders.start(ctx, started.id)
    work_orders.report_progress(ctx, started.id, 10, good=2, scrap=1, finished=True)
    return draft, released, started


def test_proposal_names_the_other_site_and_the_stock_to_move(ctx: ServiceContext,
                                                              geo: GeoNetwork) -> None:
    draft, released, started = _chair_orders(ctx, geo)
    with ctx.db.read_session() as session:
        proposal = propose_reroute(session, "hq", today=TODAY)
    assert proposal.site_code == "HQ"
    assert {move.number for move in proposal.moves} == {draft.number, released.number,
                                                        started.number}
    assert all(move.best is not None and move.best.site_code == "MP2"
               for move in proposal.moves)
    by_number = {move.number: move for move in proposal.moves}
    assert by_number[draft.number].stock == ()
    moving = {s.sku: s.quantity for s in by_number[released.number].stock}
    assert moving == {"FRAME": 2, "FABRIC": Decimal("1.5"), "SCREW": 8}
    started_move = by_number[started.number]
    assert started_move.in_progress
    assert started_move.progress[0].text == "10 Assemble: 2 good, 1 scrap of 3 (finished)"


def test_apply_moves_orders_reservations_and_stock_and_keeps_history(
        ctx: ServiceContext, geo: GeoNetwork) -> None:
    net = geo.net
    draft, released, started = _chair_orders(ctx, geo)
    with ctx.db.read_session() as session:
        proposal = propose_reroute(session, net.hq, today=TODAY)
    choices = [RerouteChoice(move.work_order_id, move.best.site_id)
               for move in proposal.moves if move.best is not None]
    steps: list[tuple[int, int]] = []
    result = apply_reroute(ctx, net.hq, choices, reason="HQ roof repairs",
                           progress=lambda done, total, _text: steps.append((done, total)))
    assert steps == [(0, 3), (1, 3), (2, 3)]

    assert result.failed == () and result.status == "offline"
    assert {mv.number for mv in result.moved} == {draft.number, released.number,
                                                  started.number}
    with ctx.db.read_session() as session:
        assert session.get(m.Site, net.hq).status == "offline"  # type: ignore[union-attr]
        for created in (draft, released, started):
            order = session.get(m.WorkOrder, created.id)
            assert order is not None and order.site_id == geo.mp2
        kept = session.get(m.WorkOrder, started.id)
        assert kept is not None and kept.state == "in_progress"
        assert kept.operations[0].good_qty == 2 and kept.operations[0].scrap_qty == 1
        # Nothing stays reserved at HQ; MP2's 8 screws are reserved for the released order
        # (which needs 8), the in-progress order's screws follow from HQ.
        held = session.execute(select(m.Reservation.location_id)).scalars().all()
        assert set(held) == {geo.mp2_stock}
    moved_started = next(mv for mv in result.moved if mv.number == started.number)
    assert moved_started.progress_kept == ("10 Assemble: 2 good, 1 scrap of 3 (finished)",)
    assert moved_started.transfers  # its components follow it from HQ
    assert balance(ctx.db, net.screw, geo.mp2_stock) == (Decimal(8), Decimal(8))
    # Frames: 2 + 3 were reserved at HQ and are now in transit to MP2.
    assert on_hand(ctx.db, net.frame, net.hq_stock) == 5
    assert_cache_matches_ledger(ctx.db)
    with ctx.db.read_session() as session:
        history = reroute_history(session, site_id=net.hq)
        rows = session.scalars(select(WorkOrderReroute)).all()
    assert len(history) == len(rows) == 3
    assert {(h.from_site, h.to_site) for h in history} == {("HQ", "MP2")}
    assert any(h.progress.startswith("10 Assemble: 2 good") for h in history)
    assert all(h.reason == "HQ roof repairs" for h in history)
    actions = [e.action for e in audit_entries(ctx.db)]
    assert actions.count("reroute") == 3 and "set_status" in actions


def test_nowhere_to_go_is_explained_and_a_bad_choice_writes_nothing(
        ctx: ServiceContext, geo: GeoNetwork) -> None:
    net = geo.net
    frame = work_orders.create_work_order(ctx, net.frame, 4, net.hq, TODAY + timedelta(days=9))
    with ctx.db.read_session() as session:
        (move,) = propose_reroute(session, "HQ", today=TODAY).moves
    assert move.best is None
    assert "missing capability laser-cut, welding at MP2" in move.why_none
    assert "missing capability welding at MP1" in move.why_none
    before = db_fingerprint(ctx.db)
    result = apply_reroute(ctx, net.hq, [RerouteChoice(frame.id, net.wh)])
    assert result.moved == ()
    assert result.failed == ((frame.number, "WH is a warehouse: it does not make things."),)
    after = db_fingerprint(ctx.db)
    # Only the site's status changed (and its audit entry): the order stayed where it was.
    assert after["work_order:rows"] == before["work_order:rows"]
    assert after["reservation"] == before["reservation"]
    with ctx.db.read_session() as session, pytest.raises(NotFoundError,
                                                        match="There is no site NOPE"):
        propose_reroute(session, "NOPE")


def test_proposals_share_the_free_capacity(ctx: ServiceContext, geo: GeoNetwork) -> None:
    net = geo.net
    # MP2 (the only other chair maker) has 2 h a week: room for 2 chairs (110 min) this week,
    # not for a third (165 min).
    sites.update_site(ctx, geo.mp2, weekly_capacity_hours=2)
    due = TODAY + timedelta(days=7)
    first = work_orders.create_work_order(ctx, net.chair, 2, net.hq, due)
    second = work_orders.create_work_order(ctx, net.chair, 1, net.hq, due)
    with ctx.db.read_session() as session:
        moves = {mv.number: mv for mv in propose_reroute(session, "HQ", today=TODAY).moves}
    assert moves[first.number].best is not None
    assert moves[first.number].best.site_code == "MP2"
    assert moves[second.number].best is None
    assert f"no capacity before {due.isoformat()} at MP2" in moves[second.number].why_none


def test_a_cancelled_reroute_keeps_the_moves_already_made(ctx: ServiceContext,
                                                          geo: GeoNetwork) -> None:
    draft, released, _started = _chair_orders(ctx, geo)

    class CancelledError(Exception):
        pass

    def progress(done: int, _total: int, _text: str) -> None:
        if done == 1:
            raise CancelledError

    choices = [RerouteChoice(draft.id, geo.mp2), RerouteChoice(released.id, geo.mp2)]
    with pytest.raises(CancelledError):
        apply_reroute(ctx, geo.net.hq, choices, progress=progress)
    with ctx.db.read_session() as session:
        moved, kept = session.get(m.WorkOrder, draft.id), session.get(m.WorkOrder, released.id)
        assert moved is not None and moved.site_id == geo.mp2
        assert kept is not None and kept.site_id == geo.net.hq
    assert_cache_matches_ledger(ctx.db)


def test_the_proposal_reports_progress_and_stops_when_told(ctx: ServiceContext,
                                                           geo: GeoNetwork) -> None:
    _chair_orders(ctx, geo)
    seen: list[tuple[int, int]] = []
    with ctx.db.read_session() as session:
        proposal = propose_reroute(session, "hq", today=TODAY,
                                   progress=lambda done, total, _text: seen.append((done, total)))
    assert seen == [(0, 3), (1, 3), (2, 3)]
    assert len(proposal.moves) == 3

    class StopError(Exception):
        pass

    def stop_at_second(done: int, _total: int, _text: str) -> None:
        if done == 1:
            raise StopError

    with ctx.db.read_session() as session, pytest.raises(StopError):
        propose_reroute(session, "hq", today=TODAY, progress=stop_at_second)


def _chair_order(ctx: ServiceContext, geo: GeoNetwork, site: uuid.UUID, qty: int, days: int,
                 *, state: str = "draft", line: uuid.UUID | None = None) -> uuid.UUID:
    """A chair order at ``site`` due in ``days``: a draft, released (components reserved)
    or in progress (``qty - 1`` assembled)."""
    made = work_orders.create_work_order(ctx, geo.net.chair, qty, site,
                                        TODAY + timedelta(days=days),
                                        customer_order_line_id=line)
    if state != "draft":
        work_orders.release(ctx, made.id)
    if state == "in_progress":
        work_orders.start(ctx, made.id)
        work_orders.report_progress(ctx, made.id, 10, good=qty - 1)
    return made.id


def test_two_sites_down_each_proposal_keeps_its_own_orders_apart(
        ctx: ServiceContext, geo: GeoNetwork) -> None:
    """The proposal reads every order's operations, ship-to and reserved stock in batches:
    with orders of two sites interleaved by due date, each move still carries its own."""
    net = geo.net
    stock.receive(ctx, net.frame, geo.mp2_stock, 10)
    stock.receive(ctx, net.fabric, geo.mp2_stock, 10, lot_code="F-9")
    stock.receive(ctx, net.screw, geo.mp2_stock, 100)
    _porto, porto_line = order(ctx, geo.porto_customer, net.chair, 1)
    _lisbon, lisbon_line = order(ctx, geo.lisbon_customer, net.chair, 5)
    # (site, quantity, due in days, state, customer line): HQ's and MP2's dues interleave.
    specs = [(net.hq, 1, 5, "released", porto_line), (geo.mp2, 4, 7, "in_progress", None),
             (net.hq, 2, 9, "draft", None), (geo.mp2, 5, 11, "draft", lisbon_line),
             (net.hq, 3, 13, "in_progress", None)]
    ids = [_chair_order(ctx, geo, site, qty, days, state=state, line=line)
           for site, qty, days, state, line in specs]
    with ctx.db.read_session() as session:
        proposals = {site: propose_reroute(session, site, today=TODAY)
                     for site in (net.hq, geo.mp2)}
        places: list[tuple[uuid.UUID, m.Site | m.Contact | None]] = [
            (net.hq, session.get(m.Site, net.hq)), (geo.mp2, session.get(m.Site, geo.mp2)),
            (porto_line, session.get(m.Contact, geo.porto_customer)),
            (lisbon_line, session.get(m.Contact, geo.lisbon_customer))]
        points = {key: (row.latitude, row.longitude) for key, row in places if row}
    for site, other in ((net.hq, geo.mp2), (geo.mp2, net.hq)):
        mine = [(wo_id, spec) for wo_id, spec in zip(ids, specs, strict=True)
                if spec[0] == site]
        moves = proposals[site].moves
        assert [mv.work_order_id for mv in moves] == [wo_id for wo_id, _spec in mine]
        for move, (_wo_id, (_site, qty, days, state, line)) in zip(moves, mine, strict=True):
            assert (move.quantity, move.due_date, move.state) == (
                Decimal(qty), TODAY + timedelta(days=days), state)
            assert [p.of for p in move.progress] == [qty, qty]
            assert move.progress[0].good == (qty - 1 if state == "in_progress" else 0)
            reserved = {(s.sku, s.quantity, s.location_id) for s in move.stock}
            held_at = location_of(ctx.db, site)
            assert reserved == (set() if state == "draft" else {
                ("FRAME", qty, held_at), ("FABRIC", Decimal("0.75") * qty, held_at),
                ("SCREW", 4 * qty, held_at)})
            assert move.best is not None and move.best.site_id == other
            # Ranked towards the customer's ship-to, else towards the site it leaves.
            expected = distance_km(points[other], points[line or site])
            assert move.best.distance_km == pytest.approx(expected)
