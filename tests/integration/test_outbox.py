"""The outbox: every service write leaves its change records in the same transaction; a refused
write leaves none; the clock stamps on them only go forward."""

from __future__ import annotations

import itertools
import json
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from dmdesk.db import migrate
from dmdesk.db import models as m
from dmdesk.domain.errors import DomainError
from dmdesk.domain.hlc import HLC
from dmdesk.services import contacts, customer_orders, products, sites, stock, work_orders
from dmdesk.services.context import ServiceContext
from tests.integration.support import (
    Network,
    count_rows,
    db_fingerprint,
    max_seq,
    outbox_entities,
)

Write = Callable[[ServiceContext, Network], object]


def _stocked(ctx: ServiceContext, n: Network) -> None:
    stock.receive(ctx, n.steel, n.hq_stock, 30)
    stock.receive(ctx, n.screw, n.hq_stock, 100)


def _released(ctx: ServiceContext, n: Network) -> uuid.UUID:
    _stocked(ctx, n)
    created = work_orders.create_work_order(ctx, n.frame, 1, n.hq, "2030-01-01")
    work_orders.release(ctx, created.id)
    return created.id


def _transfer(ctx: ServiceContext, n: Network) -> uuid.UUID:
    _stocked(ctx, n)
    stock.ship_transfer(ctx, n.hq_stock, n.mp_stock, [stock.TransferLineSpec(n.steel, 1)])
    with ctx.db.read_session() as session:
        return session.scalars(select(m.Transfer.id)).one()


def _customer(ctx: ServiceContext) -> uuid.UUID:
    return contacts.create_contact(ctx, name="Casa Lda")


# (setup, the write, entities its outbox rows must include)
WRITES: dict[str, tuple[Callable[[ServiceContext, Network], object] | None, Write, set[str]]] = {
    "create_site": (None, lambda c, n: sites.create_site(
        c, code="NEW", name="New", kind="warehouse"), {"site", "location"}),
    "update_site": (None, lambda c, n: sites.update_site(c, n.wh, name="Renamed"), {"site"}),
    "archive_site": (None, lambda c, n: sites.set_site_archived(c, n.wh), {"site"}),
    "create_location": (None, lambda c, n: sites.create_location(c, n.hq, "SHELF"),
                        {"location"}),
    "create_product": (None, lambda c, n: products.create_product(c, sku="P9", name="P9"),
                       {"product"}),
    "update_product": (None, lambda c, n: products.update_product(c, n.steel, price="2"),
                       {"product"}),
    "delete_product": (lambda c, n: products.create_product(c, sku="TMP", name="tmp"),
                       lambda c, n: products.delete_product(c, _sku(c, "TMP")), {"product"}),
    "add_bom_line": (None, lambda c, n: products.add_bom_line(c, n.chair, n.steel, 1),
                     {"bom_line"}),
    "add_operation": (None, lambda c, n: products.add_operation(c, n.chair, name="Pack"),
                      {"operation"}),
    "add_design_file": (None, lambda c, n: products.add_design_file(c, n.chair, "a", b"1"),
                        {"file_blob", "design_file"}),
    "set_reorder_point": (None, lambda c, n: products.set_reorder_point(c, n.steel, n.hq, 5),
                          {"reorder_point"}),
    "create_contact": (None, lambda c, n: _customer(c), {"contact"}),
    "customer_order": (None, lambda c, n: customer_orders.create_customer_order(
        c, _customer(c), "2030-01-01", [customer_orders.OrderLineSpec(n.chair, 1)]),
        {"customer_order", "customer_order_line"}),
    "receive": (None, lambda c, n: stock.receive(c, n.steel, n.hq_stock, 1), {"stock_move"}),
    "receive_lot": (None, lambda c, n: stock.receive(c, n.fabric, n.hq_stock, 1, lot_code="L"),
                    {"stock_move", "lot"}),
    "issue": (_stocked, lambda c, n: stock.issue(c, n.steel, n.hq_stock, 1), {"stock_move"}),
    "adjust": (None, lambda c, n: stock.adjust(c, n.steel, n.hq_stock, 2, note="x"),
               {"stock_move"}),
    "count": (None, lambda c, n: stock.count(c, n.steel, n.hq_stock, 2), {"stock_move"}),
    "ship": (_stocked, lambda c, n: stock.ship_transfer(
        c, n.hq_stock, n.mp_stock, [stock.TransferLineSpec(n.steel, 1)]),
        {"transfer", "transfer_line", "stock_move"}),
    "receive_transfer": (_transfer, lambda c, n: stock.receive_transfer(c, _only_transfer(c)),
                         {"transfer", "stock_move"}),
    "reverse": (_stocked, lambda c, n: stock.reverse(c, "HQ-MV-00001", note="x"),
                {"stock_move"}),
    "create_wo": (None, lambda c, n: work_orders.create_work_order(
        c, n.frame, 1, n.hq, "2030-01-01"), {"work_order", "wo_operation"}),
    "release": (_stocked, lambda c, n: _release_new(c, n), {"work_order", "wo_material"}),
    "start": (_released, lambda c, n: work_orders.start(c, _only_wo(c)), {"work_order"}),
    "complete": (_released, lambda c, n: work_orders.complete(c, _only_wo(c)),
                 {"work_order", "wo_material", "stock_move"}),
    "cancel": (_released, lambda c, n: work_orders.cancel(c, _only_wo(c)), {"work_order"}),
}


def _sku(ctx: ServiceContext, sku: str) -> uuid.UUID:
    with ctx.db.read_session() as session:
        return session.scalars(select(m.Product.id).where(m.Product.sku == sku)).one()


def _only_transfer(ctx: ServiceContext) -> uuid.UUID:
    with ctx.db.read_session() as session:
        return session.scalars(select(m.Transfer.id)).one()


def _only_wo(ctx: ServiceContext) -> uuid.UUID:
    with ctx.db.read_session() as session:
        return session.scalars(select(m.WorkOrder.id)).one()


def _release_new(ctx: ServiceContext, n: Network) -> object:
    created = work_orders.create_work_order(ctx, n.frame, 1, n.hq, "2030-01-01")
    return work_orders.release(ctx, created.id)


@pytest.mark.parametrize("name", list(WRITES))
def test_every_write_leaves_outbox_rows(ctx: ServiceContext, network: Network,
                                        name: str) -> None:
    setup, write, entities = WRITES[name]
    if setup is not None:
        setup(ctx, network)
    seq = max_seq(ctx.db, "outbox")
    write(ctx, network)
    written = outbox_entities(ctx.db, seq)
    assert written, f"{name} wrote no outbox row"
    assert entities <= {entity for entity, _op in written}
    # local caches and bookkeeping never leave the site
    assert not {e for e, _ in written} & {"stock_balance", "reservation", "audit_log",
                                          "outbox", "number_sequence", "setting"}


def test_one_outbox_row_per_stock_move_pointing_at_it(ctx: ServiceContext,
                                                       network: Network) -> None:
    result = stock.receive_many(ctx, [stock.ReceiptLine(network.steel, network.hq_stock, "1.5"),
                                      stock.ReceiptLine(network.screw, network.wh_stock, 3)])
    with ctx.db.read_session() as session:
        rows = list(session.scalars(select(m.OutboxOp).where(
            m.OutboxOp.entity == "stock_move").order_by(m.OutboxOp.seq)))
    assert [uuid.UUID(bytes=r.entity_id) for r in rows] == result.move_ids
    # A move never changes, so its outbox entry refers to the row instead of copying it.
    assert all(r.payload == "" for r in rows)
    with ctx.db.read_session() as session:
        move = session.get(m.StockMove, uuid.UUID(bytes=rows[0].entity_id))
        assert move is not None and move.quantity == Decimal("1.500")
    assert all(r.op == "insert" and r.pushed_at is None for r in rows)
    assert {r.schema_version for r in rows} == {migrate.head_revision()}
    assert len({r.op_id for r in rows}) == len(rows)


def test_updates_carry_only_the_changed_fields(ctx: ServiceContext, network: Network) -> None:
    seq = max_seq(ctx.db, "outbox")
    products.update_product(ctx, network.steel, price="3.5", name="Steel tube 20 mm")
    with ctx.db.read_session() as session:
        row = session.scalars(select(m.OutboxOp).where(m.OutboxOp.seq > seq)).one()
    payload = json.loads(row.payload)
    assert row.op == "update" and uuid.UUID(bytes=row.entity_id) == network.steel
    assert payload.keys() == {"price", "updated_at"}
    assert payload["price"] == "3.5000"


def test_hlc_stamps_increase_across_transactions(ctx: ServiceContext, network: Network) -> None:
    for _ in range(20):  # many transactions within the same millisecond or two
        stock.receive(ctx, network.screw, network.hq_stock, 1)
    with ctx.db.read_session() as session:
        stamps = [HLC.decode(h) for h in session.scalars(
            select(m.OutboxOp.hlc).order_by(m.OutboxOp.seq))]
    assert all(a < b for a, b in itertools.pairwise(stamps))
    assert {s.site for s in stamps[-20:]} == {"HQ"}


def _stamps(ctx: ServiceContext) -> list[HLC]:
    with ctx.db.read_session() as session:
        return [HLC.decode(h) for h in session.scalars(
            select(m.OutboxOp.hlc).order_by(m.OutboxOp.seq))]


def test_hlc_stamps_do_not_go_back_with_the_wall_clock(ctx: ServiceContext,
                                                       network: Network) -> None:
    stock.receive(ctx, network.screw, network.hq_stock, 1)
    # Within the skew the sync server allows (5 minutes), a clock set back never makes a
    # stamp go back.
    late = ServiceContext(ctx.db, actor="tester",
                          clock=lambda: datetime.now(UTC) - timedelta(minutes=4))
    stock.receive(late, network.screw, network.hq_stock, 1)
    stamps = _stamps(ctx)
    assert stamps[-1] > stamps[-2]


def test_a_stamp_saved_while_the_clock_ran_hours_ahead_is_not_resumed(
        ctx: ServiceContext, network: Network) -> None:
    """The server refuses ops stamped beyond the skew (and the site reverts them); resuming
    from such a stamp would put every later change of this site in the future too."""
    ahead = ServiceContext(ctx.db, actor="tester",
                           clock=lambda: datetime.now(UTC) + timedelta(hours=3))
    stock.receive(ahead, network.screw, network.hq_stock, 1)
    stock.receive(ctx, network.screw, network.hq_stock, 1)  # the clock set right again
    stamps = _stamps(ctx)
    now_ms = datetime.now(UTC).timestamp() * 1000
    assert stamps[-2].wall_ms > now_ms + 2 * 3_600_000
    assert abs(stamps[-1].wall_ms - now_ms) < 60_000


def test_a_transaction_that_fails_leaves_no_outbox_row(ctx: ServiceContext) -> None:
    before = db_fingerprint(ctx.db)
    with pytest.raises(RuntimeError), ctx.transaction() as uow:
        uow.session.add(m.Site(code="GHOST", name="Ghost", kind="warehouse"))
        uow.session.flush()  # the outbox row is written here, inside the transaction
        assert uow.session.scalar(select(m.OutboxOp.entity).order_by(
            m.OutboxOp.seq.desc()).limit(1)) == "site"
        raise RuntimeError("crash before commit")
    assert db_fingerprint(ctx.db) == before


def _draft(ctx: ServiceContext, n: Network, qty: int = 1) -> uuid.UUID:
    return work_orders.create_work_order(ctx, n.chair, qty, n.hq, "2030-01-01").id


def _nothing(ctx: ServiceContext, n: Network) -> object:
    return None


Setup = Callable[[ServiceContext, Network], object]
Refused = Callable[[ServiceContext, Network, object], object]

# (set-up that succeeds, the write that is refused)
REFUSALS: dict[str, tuple[Setup, Refused]] = {
    "duplicate_sku": (_nothing, lambda c, n, _: products.create_product(c, sku="steel",
                                                                       name="x")),
    "bom_cycle": (_nothing, lambda c, n, _: products.add_bom_line(c, n.steel, n.chair, 1)),
    "unit_change": (lambda c, n: stock.receive(c, n.steel, n.hq_stock, 1),
                    lambda c, n, _: products.update_product(c, n.steel, unit="kg")),
    "delete_referenced": (_nothing, lambda c, n, _: products.delete_product(c, n.screw)),
    "issue_short": (_nothing, lambda c, n, _: stock.issue(c, n.steel, n.hq_stock, 10_000)),
    "ship_short": (_nothing, lambda c, n, _: stock.ship_transfer(
        c, n.hq_stock, n.mp_stock, [stock.TransferLineSpec(n.steel, 10_000)])),
    "release_short": (lambda c, n: _draft(c, n, 100),
                      lambda c, n, wo: work_orders.release(c, wo)),  # type: ignore[arg-type]
    "illegal_transition": (_draft, lambda c, n, wo: work_orders.start(c, wo)),  # type: ignore[arg-type]
    "unknown_product": (_nothing, lambda c, n, _: stock.receive(c, uuid.uuid4(), n.hq_stock, 1)),
    "order_archived_product": (
        lambda c, n: (products.set_product_archived(c, n.frame), _customer(c))[1],
        lambda c, n, customer: customer_orders.create_customer_order(
            c, customer, "2030-01-01",  # type: ignore[arg-type]
            [customer_orders.OrderLineSpec(n.chair, 1),
             customer_orders.OrderLineSpec(n.frame, 1)])),
}


@pytest.mark.parametrize("name", list(REFUSALS))
def test_a_refused_write_leaves_no_outbox_row(ctx: ServiceContext, network: Network,
                                              name: str) -> None:
    setup, refused = REFUSALS[name]
    prepared = setup(ctx, network)
    outbox_before = count_rows(ctx.db, "outbox")
    before = db_fingerprint(ctx.db)
    with pytest.raises(DomainError):
        refused(ctx, network, prepared)
    assert count_rows(ctx.db, "outbox") == outbox_before
    assert db_fingerprint(ctx.db) == before
