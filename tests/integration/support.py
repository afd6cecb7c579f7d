"""Helpers for the integration tests: a small network built through the services, and checks
that read the database back with plain SQL (never through the code under test's caches)."""

from __future__ import annotations

import sqlite3
import uuid
from collections import defaultdict
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from sqlalchemy import select, text

from dmdesk.db import models as m
from dmdesk.db.audit import GENESIS_HASH, audit_hash, audit_record
from dmdesk.db.database import Database
from dmdesk.domain.quantity import QUANTITY_SCALE
from dmdesk.services import products, sites
from dmdesk.services.context import ServiceContext

# Tables whose row counts tell whether a service call wrote anything at all.
WRITE_TABLES = (
    "stock_move", "stock_balance", "outbox", "audit_log", "number_sequence", "transfer",
    "transfer_line", "lot", "reservation", "work_order", "wo_material", "setting", "product",
    "site", "location", "bom_line", "file_blob", "design_file", "contact", "customer_order",
    "customer_order_line", "lot_genealogy",
)


@dataclass(frozen=True)
class Network:
    """Ids of the small network every integration test can start from.

    HQ (own workshop, the local site), MP1 (a micro-producer), WH (a warehouse), each with its
    default STOCK location. Products: STEEL (m) and SCREW (pcs) raw materials, FABRIC (m2,
    lot-tracked), FRAME (pcs, made of 2.5 m STEEL + 10 % scrap and 8 SCREW), CHAIR (pcs, made of
    1 FRAME, 0.75 m2 FABRIC and 4 SCREW): a two-level BOM. FRAME and CHAIR have two operations.
    """

    hq: uuid.UUID
    mp: uuid.UUID
    wh: uuid.UUID
    hq_stock: uuid.UUID
    mp_stock: uuid.UUID
    wh_stock: uuid.UUID
    steel: uuid.UUID
    screw: uuid.UUID
    fabric: uuid.UUID
    frame: uuid.UUID
    chair: uuid.UUID


def location_of(db: Database, site_id: uuid.UUID, code: str = sites.DEFAULT_LOCATION
                ) -> uuid.UUID:
    with db.read_session() as session:
        return session.scalars(select(m.Location.id).where(
            m.Location.site_id == site_id, m.Location.code == code)).one()


def build_network(ctx: ServiceContext) -> Network:
    hq = sites.create_site(ctx, code="HQ", name="Head office workshop", kind="own_workshop",
                           capabilities="assembly,upholstery,welding")
    sites.set_local_site(ctx, "HQ")
    mp = sites.create_site(ctx, code="MP1", name="CNC shop", kind="micro_producer",
                           capabilities=["cnc", "laser-cut"])
    wh = sites.create_site(ctx, code="WH", name="Central warehouse", kind="warehouse")

    steel = products.create_product(ctx, sku="STEEL", name="Steel tube 20 mm",
                                    kind="raw_material", unit="m", standard_cost="4.25")
    screw = products.create_product(ctx, sku="SCREW", name="Screw M6", kind="raw_material",
                                    unit="pcs", standard_cost="0.05")
    fabric = products.create_product(ctx, sku="FABRIC", name="Upholstery fabric",
                                     kind="raw_material", unit="m2", lot_tracked=True)
    frame = products.create_product(ctx, sku="FRAME", name="Chair frame", kind="component",
                                    unit="pcs")
    chair = products.create_product(ctx, sku="CHAIR", name="Lounge chair", kind="finished",
                                    unit="pcs", price="249.00")
    products.add_bom_line(ctx, frame, steel, "2.5", scrap_pct="10")
    products.add_bom_line(ctx, frame, screw, 8)
    products.add_bom_line(ctx, chair, frame, 1)
    products.add_bom_line(ctx, chair, fabric, "0.75")
    products.add_bom_line(ctx, chair, screw, 4)
    products.add_operation(ctx, frame, name="Cut tubes", capability="laser-cut",
                           setup_minutes=15, run_minutes="4.5")
    products.add_operation(ctx, frame, name="Weld frame", capability="welding", run_minutes=12)
    products.add_operation(ctx, chair, name="Assemble", capability="assembly", run_minutes=20)
    products.add_operation(ctx, chair, name="Upholster", capability="upholstery",
                           run_minutes=35)
    return Network(
        hq=hq, mp=mp, wh=wh,
        hq_stock=location_of(ctx.db, hq), mp_stock=location_of(ctx.db, mp),
        wh_stock=location_of(ctx.db, wh),
        steel=steel, screw=screw, fabric=fabric, frame=frame, chair=chair,
    )


# --- reading the database back ------------------------------------------------------------------


def count_rows(db: Database, table: str) -> int:
    with db.read_session() as session:
        return int(session.execute(text(f"SELECT COUNT(*) FROM {table}")).scalar_one())


def snapshot_counts(db: Database, tables: tuple[str, ...] = WRITE_TABLES) -> dict[str, int]:
    """Row counts of every table a service may write, to prove a refusal wrote nothing."""
    with db.read_session() as session:
        return {table: int(session.execute(text(f"SELECT COUNT(*) FROM {table}")).scalar_one())
                for table in tables}


def db_fingerprint(db: Database) -> dict[str, int | list[tuple[object, ...]]]:
    """Counts plus the contents of the tables whose rows are updated in place."""
    result: dict[str, int | list[tuple[object, ...]]] = dict(snapshot_counts(db))
    with db.read_session() as session:
        for table in ("stock_balance", "number_sequence", "setting", "work_order",
                      "transfer", "product", "site", "location", "lot"):
            rows = session.execute(text(f"SELECT * FROM {table} ORDER BY 1, 2")).all()
            result[f"{table}:rows"] = [tuple(row) for row in rows]
    return result


BalanceKey = tuple[bytes, bytes, bytes]


def ledger_sums(db: Database) -> dict[BalanceKey, Decimal]:
    """SUM(stock_move.quantity) per (product, location, lot), in raw SQL on scaled integers."""
    with db.read_session() as session:
        rows = session.execute(text(
            "SELECT product_id, location_id, COALESCE(lot_id, x''), SUM(quantity) "
            "FROM stock_move GROUP BY 1, 2, 3")).all()
    return {(bytes(p), bytes(loc), bytes(lot)): Decimal(total) / QUANTITY_SCALE
            for p, loc, lot, total in rows}


def balance_rows(db: Database) -> dict[BalanceKey, tuple[Decimal, Decimal]]:
    """(on_hand, reserved) of the stock_balance cache, from raw SQL."""
    with db.read_session() as session:
        rows = session.execute(text(
            "SELECT product_id, location_id, lot_key, on_hand, reserved FROM stock_balance")
        ).all()
    return {(bytes(p), bytes(loc), bytes(lot)): (Decimal(oh) / QUANTITY_SCALE,
                                                 Decimal(rs) / QUANTITY_SCALE)
            for p, loc, lot, oh, rs in rows}


def reservation_sums(db: Database) -> dict[BalanceKey, Decimal]:
    with db.read_session() as session:
        rows = session.execute(text(
            "SELECT product_id, location_id, COALESCE(lot_id, x''), SUM(quantity) "
            "FROM reservation GROUP BY 1, 2, 3")).all()
    return {(bytes(p), bytes(loc), bytes(lot)): Decimal(total) / QUANTITY_SCALE
            for p, loc, lot, total in rows}


def assert_cache_matches_ledger(db: Database) -> None:
    """stock_balance.on_hand == SUM(stock_move) and reserved == SUM(reservation), per key."""
    ledger = ledger_sums(db)
    reserved = reservation_sums(db)
    cache = balance_rows(db)
    problems = []
    for key in ledger.keys() | cache.keys() | reserved.keys():
        on_hand, held = cache.get(key, (Decimal(0), Decimal(0)))
        if on_hand != ledger.get(key, Decimal(0)):
            problems.append(f"on_hand {on_hand} != ledger {ledger.get(key, 0)} for {key}")
        if held != reserved.get(key, Decimal(0)):
            problems.append(f"reserved {held} != reservations {reserved.get(key, 0)} for {key}")
    assert not problems, "\n".join(problems)


def on_hand(db: Database, product_id: uuid.UUID, location_id: uuid.UUID,
            lot_id: uuid.UUID | None = None) -> Decimal:
    """On hand from the ledger (not the cache), summed in raw SQL over the scaled integers."""
    sql = ("SELECT COALESCE(SUM(quantity), 0) FROM stock_move "
           "WHERE product_id = :product AND location_id = :location")
    params: dict[str, bytes] = {"product": product_id.bytes, "location": location_id.bytes}
    if lot_id is not None:
        sql += " AND lot_id = :lot"
        params["lot"] = lot_id.bytes
    with db.read_session() as session:
        total = session.execute(text(sql), params).scalar_one()
    return Decimal(int(total)) / QUANTITY_SCALE


def balance(db: Database, product_id: uuid.UUID, location_id: uuid.UUID,
            lot_id: uuid.UUID | None = None) -> tuple[Decimal, Decimal]:
    """(on_hand, reserved) from the cache; (0, 0) when there is no row."""
    key = lot_id.bytes if lot_id is not None else b""
    with db.read_session() as session:
        row = session.execute(select(m.StockBalance.on_hand, m.StockBalance.reserved).where(
            m.StockBalance.product_id == product_id, m.StockBalance.location_id == location_id,
            m.StockBalance.lot_key == key)).first()
    return (row[0], row[1]) if row else (Decimal(0), Decimal(0))


def audit_entries(db: Database) -> list[m.AuditEntry]:
    with db.read_session() as session:
        return list(session.scalars(select(m.AuditEntry).order_by(m.AuditEntry.seq)))


def audit_chain_problems(db: Database) -> list[str]:
    """Recompute the hash chain: each prev_hash is the previous hash, each hash its content's."""
    problems = []
    prev = GENESIS_HASH
    for entry in audit_entries(db):
        if entry.prev_hash != prev:
            problems.append(f"entry {entry.seq}: prev_hash does not link to entry before it")
        if entry.hash != audit_hash(entry.prev_hash, audit_record(entry)):
            problems.append(f"entry {entry.seq}: hash does not match its content")
        prev = entry.hash
    return problems


def moves_by_reference(db: Database, reference: str) -> list[m.StockMove]:
    with db.read_session() as session:
        return list(session.scalars(select(m.StockMove).where(
            m.StockMove.reference == reference).order_by(m.StockMove.id)))


def outbox_entities(db: Database, after_seq: int = 0) -> list[tuple[str, str]]:
    with db.read_session() as session:
        return [(e, o) for e, o in session.execute(
            select(m.OutboxOp.entity, m.OutboxOp.op).where(m.OutboxOp.seq > after_seq)
            .order_by(m.OutboxOp.seq))]


def max_seq(db: Database, table: str) -> int:
    with db.read_session() as session:
        return int(session.execute(text(f"SELECT COALESCE(MAX(seq), 0) FROM {table}"))
                   .scalar_one())


def totals_by_product(db: Database) -> dict[uuid.UUID, Decimal]:
    totals: dict[uuid.UUID, Decimal] = defaultdict(Decimal)
    for (product, _loc, _lot), qty in ledger_sums(db).items():
        totals[uuid.UUID(bytes=product)] += qty
    return dict(totals)


@contextmanager
def raw_connection(path: Path) -> Iterator[sqlite3.Connection]:
    """A plain sqlite3 connection (autocommit off), closed afterwards."""
    with closing(sqlite3.connect(path)) as connection:
        yield connection


def checkpoint(db: Database) -> None:
    """Fold the WAL into the main file, so the file alone is the whole database."""
    with db.writer.connect() as connection:
        raw = connection.connection.driver_connection
        assert raw is not None
        raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
