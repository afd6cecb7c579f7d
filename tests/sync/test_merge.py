"""The merge on its own: changes read from one database's outbox (as the push sends them)
applied to another database, without a server in between. The server-backed tests are in
test_sync_*.py; these pin down codec and merge rules quickly."""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from dmdesk.db import models as m
from dmdesk.db.database import Database, open_database
from dmdesk.db.models_sync import SyncConflict
from dmdesk.domain.errors import ValidationError
from dmdesk.queries.integrity import check_database
from dmdesk.services import contacts, lots, products, stock
from dmdesk.services.context import ServiceContext
from dmdesk.sync import conflicts
from dmdesk.sync.merge import Merger
from dmdesk.sync.protocol import Change
from dmdesk.sync.pull import driver
from dmdesk.sync.push import mark_pushed, next_batch
from tests.integration.support import Network, build_network

_seq = itertools.count(1)


def relay(source: Database, target: Database, origin: str) -> int:
    """Everything unpushed at ``source`` applied at ``target``; returns the changes moved."""
    moved = 0
    while (batch := next_batch(source)) is not None:
        ops = json.loads(batch.body)["ops"]
        changes: list[Change] = [{**op, "seq": next(_seq), "origin": origin} for op in ops]
        with target.write_session() as session:
            Merger(driver(session), source_now()).apply(changes)
        mark_pushed(source, batch)
        moved += len(changes)
    return moved


def source_now() -> Any:
    from datetime import UTC, datetime
    return datetime.now(UTC)


@pytest.fixture
def pair(tmp_path: Path) -> Iterator[tuple[Database, Database, Network]]:
    hq = open_database(tmp_path / "hq.sqlite")
    network = build_network(ServiceContext(hq, actor="owner"))
    empty = open_database(tmp_path / "b.sqlite")
    yield hq, empty, network
    hq.close()
    empty.close()


def rows(db: Database, table: str) -> list[tuple[Any, ...]]:
    with db.reader.connect() as conn:
        return sorted(tuple(r) for r in conn.exec_driver_sql(f"SELECT * FROM {table}"))


SYNCED = ("site", "location", "product", "bom_line", "operation", "contact", "stock_move",
          "lot", "unit")


def test_relay_copies_rows_exactly_and_moves_fold_into_balances(pair: Any) -> None:
    hq, other, net = pair
    ctx = ServiceContext(hq, actor="owner")
    stock.receive(ctx, net.steel, net.hq_stock, "12.5")
    stock.receive(ctx, net.fabric, net.hq_stock, "3", lot_code="L1")
    relay(hq, other, "HQ")
    for table in SYNCED:
        assert rows(hq, table) == rows(other, table), table
    assert rows(hq, "stock_balance") == rows(other, "stock_balance")
    with other.reader.connect() as conn:
        assert conn.exec_driver_sql("SELECT COUNT(*) FROM outbox").scalar_one() == 0


def test_moves_are_a_union_never_twice(pair: Any) -> None:
    hq, other, net = pair
    stock.receive(ServiceContext(hq), net.steel, net.hq_stock, "5")
    relay(hq, other, "HQ")
    with hq.write_session() as session:  # send the same ops again, as a lost reply would
        session.connection().exec_driver_sql("UPDATE outbox SET pushed_at = NULL")
    relay(hq, other, "HQ")
    assert rows(hq, "stock_move") == rows(other, "stock_move")
    assert rows(hq, "stock_balance") == rows(other, "stock_balance")


def test_concurrent_field_edit_is_a_conflict_and_settling_propagates(pair: Any) -> None:
    hq, other, _net = pair
    customer = contacts.create_contact(ServiceContext(hq), kind="organisation",
                                       role="customer", name="Acme")
    relay(hq, other, "HQ")
    contacts.update_contact(ServiceContext(hq), customer, phone="111")
    contacts.update_contact(ServiceContext(other, actor="mp"), customer, phone="222")
    relay(hq, other, "HQ")  # other's edit is pending there: a conflict, its value stays
    with other.read_session() as session:
        assert session.get(m.Contact, customer).phone == "222"  # type: ignore[union-attr]
        open_ = session.scalars(select(SyncConflict)).all()
    assert [(c.field, json.loads(c.local_value), json.loads(c.remote_value))
            for c in open_] == [("phone", "222", "111")]
    conflicts.settle(ServiceContext(other, actor="mp"), open_[0].id, "remote")
    relay(other, hq, "MP1")
    for db in (hq, other):
        with db.read_session() as session:
            assert session.get(m.Contact, customer).phone == "111"  # type: ignore[union-attr]


def test_a_stale_edit_loses_to_a_newer_one(pair: Any) -> None:
    hq, other, net = pair
    products.update_product(ServiceContext(hq), net.steel, name="Steel tube 25 mm")
    relay(hq, other, "HQ")
    with other.read_session() as session:
        assert session.get(m.Product, net.steel).name == "Steel tube 25 mm"  # type: ignore[union-attr]
    assert Decimal(1) == Decimal("1.000")


def test_a_unique_clash_waits_with_an_alert_and_nothing_is_lost(pair: Any) -> None:
    hq, other, net = pair
    relay(hq, other, "HQ")
    stock.receive(ServiceContext(hq), net.fabric, net.hq_stock, "3", lot_code="L1")
    stock.receive(ServiceContext(other), net.fabric, net.hq_stock, "2", lot_code="L1")
    relay(hq, other, "HQ")
    with other.reader.connect() as conn:
        alerts = [r[0] for r in conn.exec_driver_sql(
            "SELECT message FROM sync_alert WHERE cleared_at IS NULL")]
        waiting = conn.exec_driver_sql("SELECT COUNT(*) FROM sync_deferred").scalar_one()
    assert len(alerts) == 1 and "code 'L1'" in alerts[0] and "renamed" in alerts[0]
    assert waiting == 2  # the lot and the move into it: kept, not applied, not dropped
    assert rows(other, "stock_balance") != rows(hq, "stock_balance")


def test_renaming_the_waiting_lot_lets_it_in_and_clears_the_alert(pair: Any) -> None:
    hq, other, net = pair
    relay(hq, other, "HQ")
    stock.receive(ServiceContext(hq), net.fabric, net.hq_stock, "3", lot_code="L1")
    stock.receive(ServiceContext(other), net.fabric, net.hq_stock, "2", lot_code="L1")
    stock.receive(ServiceContext(other), net.fabric, net.hq_stock, "1", lot_code="L2")
    relay(hq, other, "HQ")

    def waiting() -> tuple[int, int]:
        with other.reader.connect() as conn:
            return (conn.exec_driver_sql("SELECT COUNT(*) FROM sync_deferred").scalar_one(),
                    conn.exec_driver_sql("SELECT COUNT(*) FROM sync_alert WHERE kind = 'clash' "
                                         "AND cleared_at IS NULL").scalar_one())

    assert waiting() == (2, 1)
    # Renamed to a code the other database also has: the rename waits with the lot.
    lots.rename_lot_by_code(ServiceContext(hq), "FABRIC", "L1", "L2")
    relay(hq, other, "HQ")
    assert waiting() == (3, 1)
    done = lots.rename_lot_by_code(ServiceContext(hq), "FABRIC", "L2", "L1-HQ")
    relay(hq, other, "HQ")
    assert waiting() == (0, 0)
    with other.reader.connect() as conn:
        codes = sorted(r[0] for r in conn.exec_driver_sql(
            "SELECT code FROM lot JOIN product ON product.id = lot.product_id "
            "WHERE product.sku = 'FABRIC'"))
        [hlc] = conn.exec_driver_sql(
            "SELECT hlc FROM sync_clock WHERE entity = 'lot' AND entity_id = ? AND "
            "field = 'code'", (done.lot_id.bytes,)).one()
    with hq.reader.connect() as conn:
        [last] = conn.exec_driver_sql(
            "SELECT hlc FROM outbox WHERE entity = 'lot' ORDER BY seq DESC LIMIT 1").one()
    assert codes == ["L1", "L1-HQ", "L2"]
    assert hlc == last  # the code carries the rename's stamp, not the insert's
    assert check_database(other).problems == []  # the moves that waited are in the cache


def test_wire_timestamps_store_as_the_column_type_does() -> None:
    from datetime import UTC, datetime, timedelta, timezone

    from dmdesk.db.raw_insert import utc_text
    from dmdesk.sync.codec import codec

    to_db = codec("stock_move").to_db["created_at"]
    for moment in (datetime(2026, 1, 2, 3, 4, 5, 6789, tzinfo=UTC),
                   datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)):
        assert to_db(moment.isoformat()) == utc_text(moment)  # the fast path
        shifted = moment.astimezone(timezone(timedelta(hours=-5)))
        assert to_db(shifted.isoformat()) == utc_text(moment)  # parsed
    with pytest.raises(ValidationError):
        to_db("2026-01-02T03:04:05")  # no zone: refused, not guessed


def test_changes_arriving_before_the_rows_they_refer_to_wait_then_apply(pair: Any) -> None:
    hq, other, net = pair
    relay(hq, other, "HQ")
    stock.receive(ServiceContext(hq), net.fabric, net.hq_stock, "4", lot_code="LATE")
    batch = next_batch(hq)
    assert batch is not None
    ops = json.loads(batch.body)["ops"]
    changes: list[Change] = [{**op, "seq": next(_seq), "origin": "HQ"} for op in ops]
    lot_first = [c for c in changes if c["entity"] == "lot"]
    rest = [c for c in changes if c["entity"] != "lot"]
    with other.write_session() as session:  # the move comes first: it must wait, not break
        result = Merger(driver(session), source_now()).apply(rest)
    assert result.deferred >= 1
    with other.reader.connect() as conn:
        assert conn.exec_driver_sql("SELECT COUNT(*) FROM sync_deferred").scalar_one() >= 1
    with other.write_session() as session:  # the lot arrives: what waited goes in
        Merger(driver(session), source_now()).apply(lot_first)
    mark_pushed(hq, batch)
    for table in ("lot", "stock_move", "stock_balance"):
        assert rows(hq, table) == rows(other, table), table
    with other.reader.connect() as conn:
        assert conn.exec_driver_sql("SELECT COUNT(*) FROM sync_deferred").scalar_one() == 0
