"""``ServiceContext.batch``: many use cases in one write transaction (the demo builds a day
of business so). Each call is still stamped, captured and audited as if alone; the batch
commits once, or not at all."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from dmdesk.db import models as m
from dmdesk.db.audit import GENESIS_HASH, audit_hash, audit_record
from dmdesk.db.database import Database, open_database
from dmdesk.domain.errors import DuplicateError
from dmdesk.services import products, sites, stock
from dmdesk.services.context import ServiceContext


class StepClock:
    """A clock that moves a minute at each reading, so each call's stamp can be told apart."""

    def __init__(self) -> None:
        self.now = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        self.now += timedelta(minutes=1)
        return self.now


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = open_database(tmp_path / "batch.sqlite")
    yield database
    database.close()


def _count(db: Database, model: type[m.Base]) -> int:
    with db.read_session() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_a_batch_commits_once_with_each_call_audited_and_stamped(db: Database) -> None:
    ctx = ServiceContext(db, actor="batcher", clock=StepClock())
    with ctx.batch() as batch:
        for n in range(3):
            products.create_product(batch, sku=f"B-{n}", name=f"Batched {n}")
        assert _count(db, m.Product) == 0  # nothing is visible outside before the commit
        with batch.reading() as session:  # but the batch reads its own writes
            assert session.scalar(select(func.count()).select_from(m.Product)) == 3
    assert _count(db, m.Product) == 3
    with db.read_session() as session:
        entries = list(session.scalars(select(m.AuditEntry).order_by(m.AuditEntry.seq)))
        created = [p.created_at for p in session.scalars(
            select(m.Product).order_by(m.Product.sku))]
        outbox = session.scalar(select(func.count()).select_from(m.OutboxOp).where(
            m.OutboxOp.entity == "product", m.OutboxOp.op == "insert"))
        stamps = list(session.scalars(select(m.OutboxOp.hlc).order_by(m.OutboxOp.seq)))
    assert [e.action for e in entries] == ["create"] * 3
    times = [e.at for e in entries]
    assert times == sorted(set(times)) and len(set(created)) == 3  # a clock reading per call
    previous = GENESIS_HASH
    for entry in entries:
        assert entry.prev_hash == previous and entry.hash == audit_hash(previous,
                                                                        audit_record(entry))
        previous = entry.hash
    assert outbox == 3 and stamps == sorted(set(stamps))


def test_an_error_in_a_batch_leaves_nothing_of_it(db: Database) -> None:
    ctx = ServiceContext(db, actor="batcher")
    products.create_product(ctx, sku="KEEP", name="Made before the batch")
    with pytest.raises(DuplicateError), ctx.batch() as batch:
        products.create_product(batch, sku="GONE-1", name="Rolled back")
        products.create_product(batch, sku="KEEP", name="A duplicate SKU")
    with db.read_session() as session:
        assert list(session.scalars(select(m.Product.sku))) == ["KEEP"]
        assert session.scalar(select(func.count()).select_from(m.AuditEntry)) == 1


def test_each_call_in_a_batch_sees_what_the_earlier_ones_changed(db: Database) -> None:
    """Balances are changed by set-based statements: a later call must not act on a copy
    an earlier call loaded (a count that agrees with the books posts nothing)."""
    ctx = ServiceContext(db, actor="batcher")
    site = sites.create_site(ctx, code="LIS", name="Lisbon", kind="own_workshop")
    with db.read_session() as session:
        location = session.scalar(select(m.Location.id).where(m.Location.site_id == site))
    assert location is not None
    product = products.create_product(ctx, sku="BOLT", name="Bolt", unit="pcs")
    with ctx.batch() as batch:
        stock.receive(batch, product, location, 5)
        stock.issue(batch, product, location, 2)
        assert stock.count(batch, product, location, 3) is None
        stock.issue(batch, product, location, 1)
        counted = stock.count(batch, product, location, 1)
    assert counted is not None
    with db.read_session() as session:
        on_hand = session.scalar(select(m.StockBalance.on_hand).where(
            m.StockBalance.product_id == product))
    assert on_hand == Decimal(1)


def test_a_batch_inside_a_batch_joins_it(db: Database) -> None:
    ctx = ServiceContext(db)
    with ctx.batch() as outer:
        with outer.batch() as inner:
            products.create_product(inner, sku="IN-1", name="Inner")
        assert _count(db, m.Product) == 0  # the outer batch commits
    assert _count(db, m.Product) == 1
