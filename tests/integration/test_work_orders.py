"""Work orders through their whole life, against real stock: reservations on release,
consumption and output on completion, holds, cancellations, refusals that write nothing."""

from __future__ import annotations

import hashlib
import uuid
from decimal import Decimal

import pytest
from sqlalchemy import select

from dmdesk.db import models as m
from dmdesk.domain.errors import (
    IllegalTransitionError,
    InsufficientStockError,
    NotFoundError,
    ValidationError,
)
from dmdesk.services import products, sites, stock, work_orders
from dmdesk.services.context import ServiceContext
from tests.integration.support import (
    Network,
    assert_cache_matches_ledger,
    audit_entries,
    balance,
    count_rows,
    db_fingerprint,
    moves_by_reference,
    on_hand,
)

D = Decimal
DUE = "2030-06-30"


def _order(ctx: ServiceContext, wo_id: uuid.UUID) -> m.WorkOrder:
    with ctx.db.read_session() as session:
        return session.get_one(m.WorkOrder, wo_id)


def _materials(ctx: ServiceContext, wo_id: uuid.UUID) -> dict[uuid.UUID, tuple[D, D]]:
    with ctx.db.read_session() as session:
        return {mat.product_id: (mat.required, mat.consumed) for mat in session.scalars(
            select(m.WOMaterial).where(m.WOMaterial.work_order_id == wo_id))}


def _reservations(ctx: ServiceContext) -> list[tuple[uuid.UUID, uuid.UUID, D]]:
    with ctx.db.read_session() as session:
        return sorted((r.product_id, r.location_id, r.quantity)
                      for r in session.scalars(select(m.Reservation)))


def _lot(ctx: ServiceContext, product_id: uuid.UUID, code: str) -> m.Lot:
    with ctx.db.read_session() as session:
        return session.scalars(select(m.Lot).where(m.Lot.product_id == product_id,
                                                   m.Lot.code == code)).one()


def _wo_audit(ctx: ServiceContext, wo_id: uuid.UUID) -> list[str]:
    return [e.action for e in audit_entries(ctx.db)
            if e.entity == "work_order" and e.entity_id == wo_id]


@pytest.fixture
def stocked(ctx: ServiceContext, network: Network) -> Network:
    """HQ holds 20 m STEEL and 100 SCREW."""
    stock.receive(ctx, network.steel, network.hq_stock, 20)
    stock.receive(ctx, network.screw, network.hq_stock, 100)
    return network


def test_full_lifecycle(ctx: ServiceContext, stocked: Network) -> None:
    n = stocked
    created = work_orders.create_work_order(ctx, n.frame, 4, n.hq, DUE, priority=2)
    assert created.number == "HQ-WO-00001"
    order = _order(ctx, created.id)
    assert (order.state, order.quantity, order.priority, order.bom_hash) == (
        "draft", D(4), 2, None)
    with ctx.db.read_session() as session:
        ops = [(o.sequence, o.name) for o in session.scalars(
            select(m.WOOperation).where(m.WOOperation.work_order_id == created.id)
            .order_by(m.WOOperation.sequence))]
    assert ops == [(10, "Cut tubes"), (20, "Weld frame")]
    assert count_rows(ctx.db, "reservation") == 0

    # release: 2.5 m x 4 x 110 % = 11 m of steel and 32 screws reserved, nothing moved
    assert work_orders.release(ctx, created.id) == []
    order = _order(ctx, created.id)
    assert order.state == "released" and order.released_at is not None
    assert order.bom_hash is not None and len(order.bom_hash) == 64
    assert _materials(ctx, created.id) == {n.steel: (D(11), D(0)), n.screw: (D(32), D(0))}
    assert balance(ctx.db, n.steel, n.hq_stock) == (D(20), D(11))
    assert balance(ctx.db, n.screw, n.hq_stock) == (D(100), D(32))
    assert _reservations(ctx) == sorted([(n.steel, n.hq_stock, D(11)),
                                         (n.screw, n.hq_stock, D(32))])
    # reserved stock is not available to others
    with pytest.raises(InsufficientStockError):
        stock.issue(ctx, n.steel, n.hq_stock, 10)
    stock.issue(ctx, n.steel, n.hq_stock, 9)
    assert balance(ctx.db, n.steel, n.hq_stock) == (D(11), D(11))

    work_orders.start(ctx, created.id)
    assert _order(ctx, created.id).started_at is not None
    work_orders.report_progress(ctx, created.id, 10, good=4)
    work_orders.report_progress(ctx, created.id, 20, good=3, scrap=1, finished=True)
    order = _order(ctx, created.id)
    assert (order.state, order.good_qty, order.scrap_qty) == ("in_progress", D(3), D(1))
    assert balance(ctx.db, n.steel, n.hq_stock) == (D(11), D(11))  # progress moves nothing

    reference = work_orders.complete(ctx, created.id)
    assert reference == "HQ-WO-00001"
    order = _order(ctx, created.id)
    assert (order.state, order.good_qty) == ("done", D(3))
    assert order.completed_at is not None
    assert balance(ctx.db, n.steel, n.hq_stock) == (D(0), D(0))
    assert balance(ctx.db, n.screw, n.hq_stock) == (D(68), D(0))
    assert balance(ctx.db, n.frame, n.hq_stock) == (D(3), D(0))  # the good output
    assert count_rows(ctx.db, "reservation") == 0
    assert _materials(ctx, created.id) == {n.steel: (D(11), D(11)), n.screw: (D(32), D(32))}
    moves = moves_by_reference(ctx.db, reference)
    assert sorted((mv.reason, mv.quantity) for mv in moves) == [
        ("production_consume", D(-32)), ("production_consume", D(-11)),
        ("production_output", D(3))]
    assert {mv.document_id for mv in moves} == {created.id}
    assert_cache_matches_ledger(ctx.db)
    assert _wo_audit(ctx, created.id) == ["create", "release", "start", "report", "report",
                                          "complete"]
    for action in ("start", "release", "hold", "cancel", "complete"):
        with pytest.raises(IllegalTransitionError, match="is done"):
            getattr(work_orders, action)(ctx, created.id)


def test_complete_straight_from_released_outputs_the_order_quantity(
        ctx: ServiceContext, stocked: Network) -> None:
    created = work_orders.create_work_order(ctx, stocked.frame, 2, stocked.hq, DUE)
    work_orders.release(ctx, created.id)
    work_orders.complete(ctx, created.id)
    assert on_hand(ctx.db, stocked.frame, stocked.hq_stock) == D(2)
    assert on_hand(ctx.db, stocked.steel, stocked.hq_stock) == D("14.5")  # 20 - 5.5


def test_lot_genealogy_when_components_are_lot_tracked(ctx: ServiceContext,
                                                       network: Network) -> None:
    n = network
    stock.receive(ctx, n.fabric, n.hq_stock, "1", lot_code="F-100")
    stock.receive(ctx, n.fabric, n.hq_stock, "5", lot_code="F-200")
    stock.receive(ctx, n.frame, n.hq_stock, 2)
    stock.receive(ctx, n.screw, n.hq_stock, 8)
    created = work_orders.create_work_order(ctx, n.chair, 2, n.hq, DUE)
    work_orders.release(ctx, created.id)  # 1.5 m2 fabric: all of F-100, then 0.5 of F-200
    f100, f200 = _lot(ctx, n.fabric, "F-100"), _lot(ctx, n.fabric, "F-200")
    assert balance(ctx.db, n.fabric, n.hq_stock, f100.id) == (D(1), D(1))
    assert balance(ctx.db, n.fabric, n.hq_stock, f200.id) == (D(5), D("0.5"))
    work_orders.start(ctx, created.id)
    work_orders.complete(ctx, created.id)

    out_lot = _lot(ctx, n.chair, created.number)
    assert out_lot.work_order_id == created.id
    assert balance(ctx.db, n.chair, n.hq_stock, out_lot.id) == (D(2), D(0))
    with ctx.db.read_session() as session:
        genealogy = sorted((g.component_lot_id, g.quantity, g.work_order_id) for g in
                           session.scalars(select(m.LotGenealogy).where(
                               m.LotGenealogy.output_lot_id == out_lot.id)))
    assert genealogy == sorted([(f100.id, D(1), created.id), (f200.id, D("0.5"), created.id)])
    assert balance(ctx.db, n.fabric, n.hq_stock, f100.id) == (D(0), D(0))
    assert balance(ctx.db, n.fabric, n.hq_stock, f200.id) == (D("4.5"), D(0))
    assert_cache_matches_ledger(ctx.db)


def test_release_pins_the_latest_design_file(ctx: ServiceContext, stocked: Network) -> None:
    products.add_design_file(ctx, stocked.frame, "frame.pdf", b"rev A")
    products.add_design_file(ctx, stocked.frame, "frame.pdf", b"rev B")
    created = work_orders.create_work_order(ctx, stocked.frame, 1, stocked.hq, DUE)
    work_orders.release(ctx, created.id)
    products.add_design_file(ctx, stocked.frame, "frame.pdf", b"rev C")  # after release
    order = _order(ctx, created.id)
    assert order.design_sha256 == hashlib.sha256(b"rev B").hexdigest()
    with ctx.db.read_session() as session:
        assert session.get_one(m.DesignFile, order.design_file_id).version == 2


def test_bom_hash_changes_with_the_bom(ctx: ServiceContext, stocked: Network) -> None:
    first = work_orders.create_work_order(ctx, stocked.frame, 1, stocked.hq, DUE)
    work_orders.release(ctx, first.id)
    with ctx.db.read_session() as session:
        line = session.scalars(select(m.BomLine.id).where(
            m.BomLine.parent_id == stocked.frame, m.BomLine.component_id == stocked.screw)).one()
    products.update_bom_line(ctx, line, quantity=6)
    second = work_orders.create_work_order(ctx, stocked.frame, 1, stocked.hq, DUE)
    work_orders.release(ctx, second.id)
    assert _order(ctx, first.id).bom_hash != _order(ctx, second.id).bom_hash
    assert _materials(ctx, first.id)[stocked.screw] == (D(8), D(0))  # the copy is kept


def test_release_with_short_stock_is_refused_and_writes_nothing(ctx: ServiceContext,
                                                                network: Network) -> None:
    n = network
    stock.receive(ctx, n.steel, n.hq_stock, 5)
    stock.receive(ctx, n.steel, n.mp_stock, 50)  # at another site: does not count
    created = work_orders.create_work_order(ctx, n.frame, 4, n.hq, DUE)
    before = db_fingerprint(ctx.db)
    with pytest.raises(InsufficientStockError) as caught:
        work_orders.release(ctx, created.id)
    assert caught.value.shortages == [("STEEL", D(11), D(5)), ("SCREW", D(32), D(0))]
    assert "STEEL: need 11, available 5" in str(caught.value)
    assert db_fingerprint(ctx.db) == before
    assert _order(ctx, created.id).bom_hash is None
    assert count_rows(ctx.db, "wo_material") == 0


def test_release_with_short_stock_and_a_reason(ctx: ServiceContext, network: Network) -> None:
    n = network
    stock.receive(ctx, n.steel, n.hq_stock, 5)
    created = work_orders.create_work_order(ctx, n.frame, 4, n.hq, DUE)
    short = work_orders.release(ctx, created.id, override_reason="steel arrives Monday")
    assert [(s.sku, s.required, s.available, s.missing) for s in short] == [
        ("STEEL", D(11), D(5), D(6)), ("SCREW", D(32), D(0), D(32))]
    order = _order(ctx, created.id)
    assert (order.state, order.override_reason) == ("released", "steel arrives Monday")
    assert balance(ctx.db, n.steel, n.hq_stock) == (D(5), D(5))  # what there is, is reserved
    assert "steel arrives Monday" in audit_entries(ctx.db)[-1].details

    before = db_fingerprint(ctx.db)
    with pytest.raises(InsufficientStockError):
        work_orders.complete(ctx, created.id)
    assert db_fingerprint(ctx.db) == before
    work_orders.complete(ctx, created.id, override_reason="consumed from the floor stock")
    moves = moves_by_reference(ctx.db, created.number)
    assert {mv.override_reason for mv in moves} == {"consumed from the floor stock"}
    assert on_hand(ctx.db, n.steel, n.hq_stock) == D(-6)
    assert on_hand(ctx.db, n.frame, n.hq_stock) == D(4)
    assert _order(ctx, created.id).override_reason == "consumed from the floor stock"
    assert_cache_matches_ledger(ctx.db)


@pytest.mark.parametrize("held_at", ["released", "in_progress"])
def test_hold_and_resume_return_to_the_previous_state(ctx: ServiceContext, stocked: Network,
                                                      held_at: str) -> None:
    created = work_orders.create_work_order(ctx, stocked.frame, 1, stocked.hq, DUE)
    work_orders.release(ctx, created.id)
    if held_at == "in_progress":
        work_orders.start(ctx, created.id)
    work_orders.hold(ctx, created.id, reason="machine down")
    order = _order(ctx, created.id)
    assert (order.state, order.held_from) == ("on_hold", held_at)
    assert balance(ctx.db, stocked.steel, stocked.hq_stock)[1] == D("2.75")  # still reserved
    with pytest.raises(IllegalTransitionError, match="is on hold"):
        work_orders.report_progress(ctx, created.id, 10, good=1)
    with pytest.raises(IllegalTransitionError):
        work_orders.hold(ctx, created.id)
    work_orders.resume(ctx, created.id)
    order = _order(ctx, created.id)
    assert (order.state, order.held_from) == (held_at, None)
    with pytest.raises(IllegalTransitionError, match=f"is {held_at.replace('_', ' ')}"):
        work_orders.resume(ctx, created.id)
    assert _wo_audit(ctx, created.id)[-2:] == ["hold", "resume"]


@pytest.mark.parametrize("cancel_from", ["draft", "released", "in_progress", "on_hold"])
def test_cancel_releases_the_reservations(ctx: ServiceContext, stocked: Network,
                                          cancel_from: str) -> None:
    other = work_orders.create_work_order(ctx, stocked.frame, 1, stocked.hq, DUE)
    work_orders.release(ctx, other.id)  # another order's reservation must survive
    created = work_orders.create_work_order(ctx, stocked.frame, 2, stocked.hq, DUE)
    if cancel_from != "draft":
        work_orders.release(ctx, created.id)
        assert balance(ctx.db, stocked.steel, stocked.hq_stock) == (D(20), D("8.25"))
    if cancel_from in ("in_progress", "on_hold"):
        work_orders.start(ctx, created.id)
        work_orders.report_progress(ctx, created.id, 10, good=1)
    if cancel_from == "on_hold":
        work_orders.hold(ctx, created.id)
    work_orders.cancel(ctx, created.id, reason="customer changed the order")
    order = _order(ctx, created.id)
    assert order.state == "cancelled"
    assert balance(ctx.db, stocked.steel, stocked.hq_stock) == (D(20), D("2.75"))
    assert balance(ctx.db, stocked.screw, stocked.hq_stock) == (D(100), D(8))
    assert _reservations(ctx) == sorted([(stocked.steel, stocked.hq_stock, D("2.75")),
                                         (stocked.screw, stocked.hq_stock, D(8))])
    assert _wo_audit(ctx, created.id)[-1] == "cancel"
    assert_cache_matches_ledger(ctx.db)
    with pytest.raises(IllegalTransitionError, match="is cancelled"):
        work_orders.release(ctx, created.id)


@pytest.mark.parametrize(("state", "action"), [
    ("draft", "start"), ("draft", "complete"), ("draft", "hold"), ("draft", "resume"),
    ("draft", "report"), ("released", "release"), ("released", "report"),
    ("released", "resume"), ("in_progress", "start"), ("in_progress", "release"),
])
def test_illegal_transitions_are_refused_and_write_nothing(ctx: ServiceContext,
                                                           stocked: Network, state: str,
                                                           action: str) -> None:
    created = work_orders.create_work_order(ctx, stocked.frame, 1, stocked.hq, DUE)
    if state != "draft":
        work_orders.release(ctx, created.id)
    if state == "in_progress":
        work_orders.start(ctx, created.id)
    before = db_fingerprint(ctx.db)
    with pytest.raises(IllegalTransitionError) as caught:
        if action == "report":
            work_orders.report_progress(ctx, created.id, 10, good=1)
        else:
            getattr(work_orders, action)(ctx, created.id)
    assert f"is {state.replace('_', ' ')}" in str(caught.value)
    assert db_fingerprint(ctx.db) == before


def test_report_progress_limits(ctx: ServiceContext, stocked: Network) -> None:
    created = work_orders.create_work_order(ctx, stocked.frame, 4, stocked.hq, DUE)
    work_orders.release(ctx, created.id)
    work_orders.start(ctx, created.id)
    before = db_fingerprint(ctx.db)
    with pytest.raises(ValidationError, match="more than the order quantity"):
        work_orders.report_progress(ctx, created.id, 10, good=4, scrap=1)
    with pytest.raises(ValidationError, match=r"has no operation 15 \(it has: 10, 20\)"):
        work_orders.report_progress(ctx, created.id, 15, good=1)
    with pytest.raises(ValidationError, match="Report a good or a scrap"):
        work_orders.report_progress(ctx, created.id, 10)
    with pytest.raises(ValidationError, match="floating-point"):
        work_orders.report_progress(ctx, created.id, 10, good=1.0)
    with pytest.raises(ValidationError, match="good output of operation 10"):
        work_orders.report_progress(ctx, created.id, 20, good=1)  # nothing through op 10 yet
    assert db_fingerprint(ctx.db) == before
    work_orders.report_progress(ctx, created.id, 10, good=3, scrap=1)
    work_orders.report_progress(ctx, created.id, 20, good=2)
    with pytest.raises(ValidationError, match=r"good output of operation 10 \(3\)"):
        work_orders.report_progress(ctx, created.id, 20, good=1, scrap=1)
    work_orders.report_progress(ctx, created.id, 20, scrap=1)
    order = _order(ctx, created.id)
    assert (order.good_qty, order.scrap_qty) == (D(2), D(2))


def test_complete_refuses_when_everything_was_scrapped(ctx: ServiceContext,
                                                       stocked: Network) -> None:
    created = work_orders.create_work_order(ctx, stocked.frame, 1, stocked.hq, DUE)
    work_orders.release(ctx, created.id)
    work_orders.start(ctx, created.id)
    work_orders.report_progress(ctx, created.id, 10, scrap=1)
    with pytest.raises(ValidationError, match="Every unit was scrapped"):
        work_orders.complete(ctx, created.id)
    work_orders.complete(ctx, created.id, good_qty=0 + 1)
    assert on_hand(ctx.db, stocked.frame, stocked.hq_stock) == D(1)


def test_output_location_must_be_at_the_making_site(ctx: ServiceContext,
                                                    stocked: Network) -> None:
    created = work_orders.create_work_order(ctx, stocked.frame, 1, stocked.hq, DUE)
    work_orders.release(ctx, created.id)
    with pytest.raises(ValidationError, match="at the making site"):
        work_orders.complete(ctx, created.id, output_location_id=stocked.mp_stock)
    shelf = sites.create_location(ctx, stocked.hq, "FINISHED")
    work_orders.complete(ctx, created.id, output_location_id=shelf)
    assert on_hand(ctx.db, stocked.frame, shelf) == D(1)


def test_a_micro_producer_makes_from_its_own_stock(ctx: ServiceContext,
                                                   stocked: Network) -> None:
    n = stocked
    created = work_orders.create_work_order(ctx, n.frame, 1, n.mp, DUE)
    with pytest.raises(InsufficientStockError):  # HQ's stock is not at MP1
        work_orders.release(ctx, created.id)
    stock.receive(ctx, n.steel, n.mp_stock, 3)
    stock.receive(ctx, n.screw, n.mp_stock, 8)
    work_orders.release(ctx, created.id)
    work_orders.complete(ctx, created.id)
    assert on_hand(ctx.db, n.frame, n.mp_stock) == D(1)
    assert on_hand(ctx.db, n.steel, n.mp_stock) == D("0.25")
    assert balance(ctx.db, n.steel, n.hq_stock) == (D(20), D(0))


@pytest.mark.parametrize(("case", "error"), [
    ("warehouse", ValidationError), ("raw_material", ValidationError),
    ("fraction", ValidationError), ("float", ValidationError), ("archived", ValidationError),
    ("paused_site", ValidationError), ("bad_priority", ValidationError),
    ("bad_date", ValidationError), ("unknown_product", NotFoundError),
    ("unknown_site", NotFoundError), ("unknown_order_line", NotFoundError),
])
def test_create_refusals(ctx: ServiceContext, network: Network, case: str,
                         error: type[Exception]) -> None:
    n = network
    args: dict[str, object] = {"product_id": n.frame, "qty": 2, "site_id": n.hq,
                               "due_date": DUE}
    if case == "warehouse":
        args["site_id"] = n.wh
    elif case == "raw_material":
        args["product_id"] = n.steel
    elif case == "fraction":
        args["qty"] = "1.5"
    elif case == "float":
        args["qty"] = 2.0
    elif case == "archived":
        products.set_product_archived(ctx, n.frame)
    elif case == "paused_site":
        sites.update_site(ctx, n.hq, status="paused")
    elif case == "bad_priority":
        args["priority"] = 9
    elif case == "bad_date":
        args["due_date"] = "31/12/2030"
    elif case == "unknown_product":
        args["product_id"] = uuid.uuid4()
    elif case == "unknown_site":
        args["site_id"] = uuid.uuid4()
    elif case == "unknown_order_line":
        args["customer_order_line_id"] = uuid.uuid4()
    before = db_fingerprint(ctx.db)
    with pytest.raises(error):
        work_orders.create_work_order(ctx, **args)  # type: ignore[arg-type]
    assert db_fingerprint(ctx.db) == before


def test_update_work_order(ctx: ServiceContext, stocked: Network) -> None:
    created = work_orders.create_work_order(ctx, stocked.frame, 2, stocked.hq, DUE)
    work_orders.update_work_order(ctx, created.id, quantity=3, site_id=stocked.mp,
                                 priority=1, notes="rush")
    order = _order(ctx, created.id)
    assert (order.quantity, order.site_id, order.priority, order.notes) == (
        D(3), stocked.mp, 1, "rush")
    with pytest.raises(ValidationError):
        work_orders.update_work_order(ctx, created.id, site_id=stocked.wh)
    work_orders.update_work_order(ctx, created.id, site_id=stocked.hq)
    work_orders.release(ctx, created.id)
    with pytest.raises(IllegalTransitionError, match="only in draft"):
        work_orders.update_work_order(ctx, created.id, quantity=5)
    work_orders.update_work_order(ctx, created.id, due_date="2030-07-01")
    assert str(_order(ctx, created.id).due_date) == "2030-07-01"


def test_update_keeps_counted_units_whole(ctx: ServiceContext, stocked: Network) -> None:
    """Creating a work order for 1.5 pcs is refused; editing a draft to 1.5 pcs must be too."""
    created = work_orders.create_work_order(ctx, stocked.frame, 2, stocked.hq, DUE)
    with pytest.raises(ValidationError, match="whole number"):
        work_orders.update_work_order(ctx, created.id, quantity="1.5")
    assert _order(ctx, created.id).quantity == D(2)


def test_unknown_work_order(ctx: ServiceContext) -> None:
    for action in ("release", "start", "complete", "hold", "resume", "cancel"):
        with pytest.raises(NotFoundError):
            getattr(work_orders, action)(ctx, uuid.uuid4())


def test_stock_in_an_archived_location_is_neither_reserved_nor_consumed(
        ctx: ServiceContext, network: Network) -> None:
    """An archived location is closed: the ledger refuses moves there, so a release must not
    reserve from it (the completion could then never post its consumption)."""
    n = network
    old = sites.create_location(ctx, n.hq, "OLD-SHELF")  # sorts before STOCK
    stock.receive(ctx, n.steel, old, 50)
    stock.receive(ctx, n.screw, old, 50)
    sites.set_location_archived(ctx, old)
    stock.receive(ctx, n.steel, n.hq_stock, 20)
    stock.receive(ctx, n.screw, n.hq_stock, 100)
    created = work_orders.create_work_order(ctx, n.frame, 2, n.hq, DUE)
    assert work_orders.release(ctx, created.id) == []
    assert {loc for _, loc, _ in _reservations(ctx)} == {n.hq_stock}
    work_orders.complete(ctx, created.id)
    assert on_hand(ctx.db, n.steel, old) == D(50)
    assert on_hand(ctx.db, n.steel, n.hq_stock) == D("14.5")


def test_stock_in_an_archived_location_does_not_cover_a_shortage(
        ctx: ServiceContext, network: Network) -> None:
    n = network
    old = sites.create_location(ctx, n.hq, "OLD-SHELF")
    stock.receive(ctx, n.steel, old, 50)
    stock.receive(ctx, n.screw, old, 50)
    sites.set_location_archived(ctx, old)
    created = work_orders.create_work_order(ctx, n.frame, 1, n.hq, DUE)
    with pytest.raises(InsufficientStockError):
        work_orders.release(ctx, created.id)
