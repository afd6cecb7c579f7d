"""Stock use cases against a real ledger: receive, issue, scrap, adjust, count, transfer,
reverse; refusals write nothing."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select

from dmdesk.db import models as m
from dmdesk.domain.errors import (
    DomainError,
    IllegalTransitionError,
    InsufficientStockError,
    NotFoundError,
    ValidationError,
)
from dmdesk.services import sites, stock
from dmdesk.services.context import ServiceContext
from tests.integration.support import (
    Network,
    assert_cache_matches_ledger,
    audit_entries,
    balance,
    db_fingerprint,
    moves_by_reference,
    on_hand,
    outbox_entities,
    snapshot_counts,
)

D = Decimal


def _lot_id(ctx: ServiceContext, product_id: uuid.UUID, code: str) -> uuid.UUID:
    with ctx.db.read_session() as session:
        return session.scalars(select(m.Lot.id).where(m.Lot.product_id == product_id,
                                                      m.Lot.code == code)).one()


def _moves(ctx: ServiceContext, ids: list[uuid.UUID]) -> list[m.StockMove]:
    with ctx.db.read_session() as session:
        found = {mv.id: mv for mv in session.scalars(
            select(m.StockMove).where(m.StockMove.id.in_(ids)))}
    return [found[i] for i in ids]


# --- receive ---------------------------------------------------------------------------------


def test_receive_writes_a_move_the_cache_an_outbox_row_and_an_audit_entry(
        ctx: ServiceContext, network: Network) -> None:
    audit_before = len(audit_entries(ctx.db))
    result = stock.receive(ctx, network.steel, network.hq_stock, "12.5", note="PO 881")
    assert result.reference == "HQ-MV-00001"
    [move] = _moves(ctx, result.move_ids)
    assert (move.quantity, move.reason, move.reference, move.note, move.actor) == (
        D("12.5"), "receipt", "HQ-MV-00001", "PO 881", "tester")
    assert move.lot_id is None and move.document_id is None and move.override_reason == ""
    assert move.created_at.tzinfo is not None
    assert balance(ctx.db, network.steel, network.hq_stock) == (D("12.5"), D(0))
    assert on_hand(ctx.db, network.steel, network.hq_stock) == D("12.5")
    assert ("stock_move", "insert") in outbox_entities(ctx.db)
    entries = audit_entries(ctx.db)[audit_before:]
    assert [(e.action, e.entity, e.actor) for e in entries] == [
        ("receipt", "stock_move", "tester")]


def test_receive_many_is_one_reference(ctx: ServiceContext, network: Network) -> None:
    result = stock.receive_many(ctx, [
        stock.ReceiptLine(network.steel, network.hq_stock, "3"),
        stock.ReceiptLine(network.screw, network.hq_stock, 500),
        stock.ReceiptLine(network.fabric, network.mp_stock, "7.25", lot_code="F-1"),
    ])
    assert len(result.move_ids) == 3
    assert {mv.reference for mv in _moves(ctx, result.move_ids)} == {result.reference}
    assert on_hand(ctx.db, network.fabric, network.mp_stock,
                   _lot_id(ctx, network.fabric, "F-1")) == D("7.25")
    assert_cache_matches_ledger(ctx.db)


def test_a_lot_tracked_product_needs_a_lot_code(ctx: ServiceContext, network: Network) -> None:
    before = snapshot_counts(ctx.db)
    with pytest.raises(ValidationError, match="FABRIC is tracked by lot") as caught:
        stock.receive(ctx, network.fabric, network.hq_stock, 1)
    assert caught.value.field == "lot"
    assert snapshot_counts(ctx.db) == before
    stock.receive(ctx, network.fabric, network.hq_stock, 1, lot_code="F-9")
    stock.receive(ctx, network.fabric, network.hq_stock, 2, lot_code="F-9")  # same lot again
    lot = _lot_id(ctx, network.fabric, "F-9")
    assert balance(ctx.db, network.fabric, network.hq_stock, lot) == (D(3), D(0))


# --- issue: shortages, overrides, and nothing written on refusal -------------------------------


def test_issue_within_stock(ctx: ServiceContext, network: Network) -> None:
    stock.receive(ctx, network.screw, network.hq_stock, 100)
    result = stock.issue(ctx, network.screw, network.hq_stock, 40)
    [move] = _moves(ctx, result.move_ids)
    assert (move.quantity, move.reason, move.override_reason) == (D(-40), "issue", "")
    assert balance(ctx.db, network.screw, network.hq_stock) == (D(60), D(0))
    stock.issue(ctx, network.screw, network.hq_stock, 60)  # down to exactly zero
    assert on_hand(ctx.db, network.screw, network.hq_stock) == 0


def test_issuing_more_than_available_writes_nothing(ctx: ServiceContext,
                                                    network: Network) -> None:
    stock.receive(ctx, network.steel, network.hq_stock, "5")
    before = db_fingerprint(ctx.db)
    with pytest.raises(InsufficientStockError) as caught:
        stock.issue(ctx, network.steel, network.hq_stock, "5.001")
    assert caught.value.shortages == [("STEEL", D("5.001"), D("5"))]
    assert "STEEL: wanted 5.001, available 5" in str(caught.value)
    assert db_fingerprint(ctx.db) == before  # no move, outbox row, audit entry nor number
    # and the next document still gets the next number
    assert stock.receive(ctx, network.steel, network.hq_stock, 1).reference == "HQ-MV-00002"


def test_issue_with_override_goes_through_and_keeps_the_reason(ctx: ServiceContext,
                                                               network: Network) -> None:
    stock.receive(ctx, network.steel, network.hq_stock, "5")
    result = stock.issue(ctx, network.steel, network.hq_stock, "8",
                         override_reason="  stock count pending, shelf has more  ")
    [move] = _moves(ctx, result.move_ids)
    assert move.override_reason == "stock count pending, shelf has more"
    assert balance(ctx.db, network.steel, network.hq_stock) == (D(-3), D(0))
    assert audit_entries(ctx.db)[-1].details.count("stock count pending") == 1
    assert_cache_matches_ledger(ctx.db)


def test_blank_override_is_no_override(ctx: ServiceContext, network: Network) -> None:
    with pytest.raises(InsufficientStockError):
        stock.issue(ctx, network.steel, network.hq_stock, 1, override_reason="   ")


def test_override_is_not_recorded_when_it_was_not_needed(ctx: ServiceContext,
                                                         network: Network) -> None:
    stock.receive(ctx, network.steel, network.hq_stock, 5)
    result = stock.issue(ctx, network.steel, network.hq_stock, 1, override_reason="just in case")
    assert _moves(ctx, result.move_ids)[0].override_reason == ""


def test_issue_from_one_lot_does_not_see_another(ctx: ServiceContext, network: Network) -> None:
    stock.receive(ctx, network.fabric, network.hq_stock, 2, lot_code="A")
    stock.receive(ctx, network.fabric, network.hq_stock, 9, lot_code="B")
    lot_a = _lot_id(ctx, network.fabric, "A")
    with pytest.raises(InsufficientStockError):
        stock.issue(ctx, network.fabric, network.hq_stock, 3, lot_id=lot_a)
    stock.issue(ctx, network.fabric, network.hq_stock, 2, lot_id=lot_a)
    assert on_hand(ctx.db, network.fabric, network.hq_stock) == D(9)


@pytest.mark.parametrize("qty", ["1.5", "0.001", Decimal("2.5")])
def test_counted_units_refuse_fractions(ctx: ServiceContext, network: Network,
                                        qty: object) -> None:
    stock.receive(ctx, network.screw, network.hq_stock, 10)
    before = db_fingerprint(ctx.db)
    with pytest.raises(ValidationError, match="whole number"):
        stock.issue(ctx, network.screw, network.hq_stock, qty)
    with pytest.raises(ValidationError, match="whole number"):
        stock.receive(ctx, network.screw, network.hq_stock, qty)
    with pytest.raises(ValidationError, match="whole number"):
        stock.adjust(ctx, network.screw, network.hq_stock, qty, note="found some")
    assert db_fingerprint(ctx.db) == before


@pytest.mark.parametrize("qty", [1.0, 0.5, "NaN", "inf", "-1", 0, "0.0001", "lots"])
def test_malformed_quantities_are_refused(ctx: ServiceContext, network: Network,
                                          qty: object) -> None:
    before = db_fingerprint(ctx.db)
    for call in (lambda: stock.receive(ctx, network.steel, network.hq_stock, qty),
                 lambda: stock.issue(ctx, network.steel, network.hq_stock, qty,
                                     override_reason="x"),
                 lambda: stock.scrap(ctx, network.steel, network.hq_stock, qty,
                                     override_reason="x")):
        with pytest.raises(ValidationError):
            call()
    assert db_fingerprint(ctx.db) == before


def test_archived_location_is_refused(ctx: ServiceContext, network: Network) -> None:
    shelf = sites.create_location(ctx, network.hq, "SHELF")
    stock.receive(ctx, network.steel, shelf, 4)
    sites.set_location_archived(ctx, shelf)
    before = db_fingerprint(ctx.db)
    with pytest.raises(ValidationError, match="SHELF is archived") as caught:
        stock.receive(ctx, network.steel, shelf, 1)
    assert caught.value.field == "location"
    with pytest.raises(ValidationError, match="archived"):
        stock.issue(ctx, network.steel, shelf, 1)
    assert db_fingerprint(ctx.db) == before
    sites.set_location_archived(ctx, shelf, archived=False)
    stock.issue(ctx, network.steel, shelf, 4)


@pytest.mark.parametrize("operation", ["receive", "issue", "scrap", "adjust", "count"])
@pytest.mark.parametrize("unknown", ["product", "location"])
def test_unknown_product_or_location_is_not_found(ctx: ServiceContext, network: Network,
                                                  operation: str, unknown: str) -> None:
    product = uuid.uuid4() if unknown == "product" else network.steel
    location = uuid.uuid4() if unknown == "location" else network.hq_stock
    calls: dict[str, Callable[[], object]] = {
        "receive": lambda: stock.receive(ctx, product, location, 1),
        "issue": lambda: stock.issue(ctx, product, location, 1, override_reason="x"),
        "scrap": lambda: stock.scrap(ctx, product, location, 1, override_reason="x"),
        "adjust": lambda: stock.adjust(ctx, product, location, "-1", note="x"),
        "count": lambda: stock.count(ctx, product, location, 3),
    }
    before = db_fingerprint(ctx.db)
    with pytest.raises(NotFoundError) as caught:
        calls[operation]()
    assert caught.value.field == unknown
    assert db_fingerprint(ctx.db) == before


def test_count_of_unknown_product_is_refused_even_when_it_matches_nothing(
        ctx: ServiceContext, network: Network) -> None:
    """Counting zero of a product that does not exist must not be recorded as a count."""
    before = db_fingerprint(ctx.db)
    with pytest.raises(NotFoundError):
        stock.count(ctx, uuid.uuid4(), network.hq_stock, 0)
    assert db_fingerprint(ctx.db) == before


# --- scrap, adjust, count -------------------------------------------------------------------------


def test_scrap_is_an_outbound_move(ctx: ServiceContext, network: Network) -> None:
    stock.receive(ctx, network.steel, network.hq_stock, 3)
    with pytest.raises(InsufficientStockError):
        stock.scrap(ctx, network.steel, network.hq_stock, 4)
    result = stock.scrap(ctx, network.steel, network.hq_stock, "0.5", note="bent")
    [move] = _moves(ctx, result.move_ids)
    assert (move.quantity, move.reason, move.note) == (D("-0.5"), "scrap", "bent")


def test_adjust_is_signed_and_needs_a_note(ctx: ServiceContext, network: Network) -> None:
    with pytest.raises(ValidationError, match="note is required"):
        stock.adjust(ctx, network.steel, network.hq_stock, "2", note="  ")
    with pytest.raises(ValidationError):
        stock.adjust(ctx, network.steel, network.hq_stock, 0, note="nothing")
    stock.adjust(ctx, network.steel, network.hq_stock, "2", note="found offcuts")
    result = stock.adjust(ctx, network.steel, network.hq_stock, "-0.75", note="measured")
    [move] = _moves(ctx, result.move_ids)
    assert (move.quantity, move.reason) == (D("-0.75"), "adjustment")
    assert on_hand(ctx.db, network.steel, network.hq_stock) == D("1.25")


def test_count_posts_the_difference(ctx: ServiceContext, network: Network) -> None:
    stock.receive(ctx, network.screw, network.hq_stock, 100)
    up = stock.count(ctx, network.screw, network.hq_stock, 103)
    assert up is not None
    assert [(mv.quantity, mv.reason) for mv in _moves(ctx, up.move_ids)] == [(D(3), "count")]
    moves_before = snapshot_counts(ctx.db)["stock_move"]
    assert stock.count(ctx, network.screw, network.hq_stock, 103) is None  # agrees
    assert snapshot_counts(ctx.db)["stock_move"] == moves_before
    assert audit_entries(ctx.db)[-1].action == "count"
    down = stock.count(ctx, network.screw, network.hq_stock, 0)
    assert down is not None and _moves(ctx, down.move_ids)[0].quantity == D(-103)
    assert balance(ctx.db, network.screw, network.hq_stock) == (D(0), D(0))
    with pytest.raises(ValidationError):
        stock.count(ctx, network.screw, network.hq_stock, "-1")
    with pytest.raises(ValidationError, match="whole number"):
        stock.count(ctx, network.screw, network.hq_stock, "2.5")


# --- transfers --------------------------------------------------------------------------------


def test_transfer_ship_and_receive(ctx: ServiceContext, network: Network) -> None:
    stock.receive(ctx, network.steel, network.hq_stock, 20)
    stock.receive(ctx, network.fabric, network.hq_stock, 6, lot_code="F-1")
    lot = _lot_id(ctx, network.fabric, "F-1")
    shipped = stock.ship_transfer(ctx, network.hq_stock, network.mp_stock, [
        stock.TransferLineSpec(network.steel, "7.5"),
        stock.TransferLineSpec(network.fabric, 2, lot_id=lot),
    ], note="truck 12")
    assert shipped.reference == "HQ-TR-00001"
    with ctx.db.read_session() as session:
        transfer = session.scalars(select(m.Transfer)).one()
        transit = transfer.transit_location_id
    assert (transfer.state, transfer.received_at, transfer.note) == ("shipped", None, "truck 12")
    moves = _moves(ctx, shipped.move_ids)
    assert sorted((mv.location_id == transit, mv.quantity, mv.reason) for mv in moves) == [
        (False, D("-7.5"), "transfer_out"), (False, D(-2), "transfer_out"),
        (True, D(2), "transfer_in"), (True, D("7.5"), "transfer_in")]
    assert {mv.document_id for mv in moves} == {transfer.id}
    assert on_hand(ctx.db, network.steel, network.hq_stock) == D("12.5")
    assert on_hand(ctx.db, network.steel, transit) == D("7.5")
    assert on_hand(ctx.db, network.steel, network.mp_stock) == 0

    received = stock.receive_transfer(ctx, transfer.id)
    assert received.reference == "HQ-TR-00001" and len(received.move_ids) == 4
    assert on_hand(ctx.db, network.steel, transit) == 0
    assert on_hand(ctx.db, network.fabric, transit, lot) == 0
    assert on_hand(ctx.db, network.steel, network.mp_stock) == D("7.5")
    assert on_hand(ctx.db, network.fabric, network.mp_stock, lot) == D(2)
    with ctx.db.read_session() as session:
        done = session.get_one(m.Transfer, transfer.id)
    assert done.state == "received" and done.received_at is not None
    before = db_fingerprint(ctx.db)
    with pytest.raises(IllegalTransitionError, match="already received"):
        stock.receive_transfer(ctx, transfer.id)
    assert db_fingerprint(ctx.db) == before
    assert_cache_matches_ledger(ctx.db)


def test_a_short_transfer_writes_nothing(ctx: ServiceContext, network: Network) -> None:
    stock.receive(ctx, network.steel, network.hq_stock, 2)
    stock.ship_transfer(ctx, network.hq_stock, network.wh_stock,  # makes the in-transit site
                        [stock.TransferLineSpec(network.steel, 1)])
    before = db_fingerprint(ctx.db)
    with pytest.raises(InsufficientStockError):
        stock.ship_transfer(ctx, network.hq_stock, network.mp_stock, [
            stock.TransferLineSpec(network.steel, "0.5"),
            stock.TransferLineSpec(network.screw, 1)])
    assert db_fingerprint(ctx.db) == before  # no transfer, lines, moves, outbox, number
    result = stock.ship_transfer(ctx, network.hq_stock, network.mp_stock,
                                 [stock.TransferLineSpec(network.screw, 1)],
                                 override_reason="screws are in the van already")
    assert result.reference == "HQ-TR-00002"
    assert {mv.override_reason for mv in _moves(ctx, result.move_ids)} == {
        "screws are in the van already"}


@pytest.mark.parametrize("case", ["same", "to_transit", "from_transit", "no_lines",
                                  "unknown_destination"])
def test_transfer_rules(ctx: ServiceContext, network: Network, case: str) -> None:
    stock.receive(ctx, network.steel, network.hq_stock, 10)
    stock.ship_transfer(ctx, network.hq_stock, network.wh_stock,
                        [stock.TransferLineSpec(network.steel, 1)])
    with ctx.db.read_session() as session:
        transit = session.scalars(select(m.Location.id).where(
            m.Location.kind == "transit")).one()
    line = [stock.TransferLineSpec(network.steel, 1)]
    source, destination, lines = {
        "same": (network.hq_stock, network.hq_stock, line),
        "to_transit": (network.hq_stock, transit, line),
        "from_transit": (transit, network.mp_stock, line),
        "no_lines": (network.hq_stock, network.mp_stock, []),
        "unknown_destination": (network.hq_stock, uuid.uuid4(), line),
    }[case]
    before = db_fingerprint(ctx.db)
    with pytest.raises(NotFoundError if case == "unknown_destination" else ValidationError):
        stock.ship_transfer(ctx, source, destination, lines)
    assert db_fingerprint(ctx.db) == before


def test_transfer_within_one_site_also_passes_through_transit(ctx: ServiceContext,
                                                              network: Network) -> None:
    shelf = sites.create_location(ctx, network.hq, "SHELF")
    stock.receive(ctx, network.screw, network.hq_stock, 10)
    shipped = stock.ship_transfer(ctx, network.hq_stock, shelf,
                                  [stock.TransferLineSpec(network.screw, 4)])
    with ctx.db.read_session() as session:
        transfer_id = session.scalars(select(m.Transfer.id)).one()
    stock.receive_transfer(ctx, transfer_id)
    assert on_hand(ctx.db, network.screw, shelf) == D(4)
    assert len(moves_by_reference(ctx.db, shipped.reference)) == 4


def test_unknown_transfer(ctx: ServiceContext) -> None:
    with pytest.raises(NotFoundError):
        stock.receive_transfer(ctx, uuid.uuid4())


# --- reverse -----------------------------------------------------------------------------------


def test_reverse_posts_opposite_moves_and_only_once(ctx: ServiceContext,
                                                    network: Network) -> None:
    receipt = stock.receive_many(ctx, [stock.ReceiptLine(network.steel, network.hq_stock, 4),
                                       stock.ReceiptLine(network.screw, network.hq_stock, 9)])
    reversal = stock.reverse(ctx, receipt.reference, note="wrong delivery note")
    assert reversal.reference == "HQ-MV-00002"
    moves = _moves(ctx, reversal.move_ids)
    assert sorted((mv.product_id == network.steel, mv.quantity) for mv in moves) == [
        (False, D(-9)), (True, D(-4))]
    assert {mv.reason for mv in moves} == {"adjustment"}
    assert all(mv.note == f"reversal of {receipt.reference}: wrong delivery note"
               for mv in moves)
    assert on_hand(ctx.db, network.steel, network.hq_stock) == 0
    # the original moves are untouched
    assert [mv.quantity for mv in _moves(ctx, receipt.move_ids)] == [D(4), D(9)]
    before = db_fingerprint(ctx.db)
    with pytest.raises(IllegalTransitionError, match="already been reversed"):
        stock.reverse(ctx, receipt.reference, note="again")
    assert db_fingerprint(ctx.db) == before


def test_reverse_refusals(ctx: ServiceContext, network: Network) -> None:
    receipt = stock.receive(ctx, network.steel, network.hq_stock, 4)
    stock.issue(ctx, network.steel, network.hq_stock, 3)
    shipped = stock.ship_transfer(ctx, network.hq_stock, network.mp_stock,
                                  [stock.TransferLineSpec(network.steel, 1)])
    before = db_fingerprint(ctx.db)
    with pytest.raises(ValidationError, match="note is required"):
        stock.reverse(ctx, receipt.reference, note=" ")
    with pytest.raises(ValidationError, match="No stock moves"):
        stock.reverse(ctx, "HQ-MV-99999", note="typo")
    with pytest.raises(IllegalTransitionError, match="belongs to a transfer"):
        stock.reverse(ctx, shipped.reference, note="undo")
    with pytest.raises(InsufficientStockError):  # the received goods are gone
        stock.reverse(ctx, receipt.reference, note="undo")
    assert db_fingerprint(ctx.db) == before


def test_reversing_one_reference_does_not_block_a_reference_it_prefixes(
        ctx: ServiceContext, network: Network) -> None:
    """HQ-MV-10000 and HQ-MV-100001 are different documents: reversing the second must not
    make the first look 'already reversed' (the numbers grow past five digits)."""
    def receive_numbered(last: int) -> str:
        with ctx.transaction() as uow:
            uow.session.execute(m.NumberSequence.__table__.delete())
            uow.session.add(m.NumberSequence(prefix="HQ", kind="MV", last=last))
        return stock.receive(ctx, network.steel, network.hq_stock, 1).reference

    short, long = receive_numbered(9_999), receive_numbered(100_000)
    assert (short, long) == ("HQ-MV-10000", "HQ-MV-100001")
    stock.reverse(ctx, long, note="duplicate")
    stock.reverse(ctx, short, note="duplicate too")
    assert on_hand(ctx.db, network.steel, network.hq_stock) == 0


def test_every_refusal_is_a_domain_error_with_a_message(ctx: ServiceContext,
                                                        network: Network) -> None:
    with pytest.raises(DomainError) as caught:
        stock.issue(ctx, network.chair, network.wh_stock, 1)
    assert "CHAIR" in caught.value.message
    assert caught.value.field == "quantity"


def test_shipping_to_an_archived_location_is_refused(ctx: ServiceContext,
                                                     network: Network) -> None:
    """Otherwise the goods leave, and then can never be received: stuck in transit."""
    closed = sites.create_location(ctx, network.mp, "CLOSED")
    sites.set_location_archived(ctx, closed)
    stock.receive(ctx, network.steel, network.hq_stock, 5)
    before = db_fingerprint(ctx.db)
    with pytest.raises(ValidationError, match="archived"):
        stock.ship_transfer(ctx, network.hq_stock, closed,
                            [stock.TransferLineSpec(network.steel, 1)])
    assert db_fingerprint(ctx.db) == before


def test_the_already_reversed_check_searches_an_index_not_the_whole_ledger(
        ctx: ServiceContext, network: Network) -> None:
    """On a million moves a full scan for the reversal's note took 0.6 s per reversal: the
    query must go through an index (SQLite's plan says SEARCH, not SCAN stock_move)."""
    from sqlalchemy import event

    receipt = stock.receive(ctx, network.steel, network.hq_stock, 4)
    seen: list[tuple[str, Any]] = []

    def capture(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any,
                executemany: bool) -> None:
        if "stock_move.note LIKE" in statement:
            seen.append((statement, parameters))

    event.listen(ctx.db.writer, "before_cursor_execute", capture)
    try:
        stock.reverse(ctx, receipt.reference, note="wrong delivery")
    finally:
        event.remove(ctx.db.writer, "before_cursor_execute", capture)
    assert len(seen) == 1
    statement, parameters = seen[0]
    with ctx.db.writer.connect() as connection:
        raw = connection.connection.driver_connection
        assert raw is not None
        plan = [row[3] for row in raw.execute(f"EXPLAIN QUERY PLAN {statement}", parameters)]
    assert any(step.startswith("SEARCH stock_move USING INDEX") for step in plan), plan
    assert not any(step.startswith("SCAN stock_move") for step in plan), plan
