"""The demo builder: a believable network whose data keeps every rule.

The small demo is built once (through the services) and inspected with SQL. The large demo
takes minutes, so its bulk path is exercised at a tiny scale with the same checks, plus the
ones that matter for rows written without the ORM: outbox payloads identical to what change
capture writes, HLC stamps that sort, numbers the services continue from.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import inspect, select

from dmdesk.db import models as m
from dmdesk.db.audit import GENESIS_HASH, audit_hash, audit_record
from dmdesk.db.changes import IMMUTABLE_TABLES, LOCAL_TABLES, dumps, to_json_value
from dmdesk.db.database import Database, open_database
from dmdesk.demo import DemoSummary, ScaleParams, build_demo
from dmdesk.demo.params import Scale
from dmdesk.domain.errors import ValidationError
from dmdesk.queries.integrity import check_database
from dmdesk.services import products, stock, work_orders
from dmdesk.services.context import ServiceContext
from tests.conftest import SmallDemo

TINY_BULK = ScaleParams(products=300, moves=6_000, work_orders=400, customers=12,
                        customer_orders=40, days=60)
WO_STATES = {"draft", "released", "in_progress", "on_hold", "done", "cancelled"}
MOVE_REASONS = {"receipt", "issue", "transfer_out", "transfer_in", "production_consume",
                "production_output", "scrap", "adjustment", "count"}


@dataclass
class Built:
    path: Path
    db: Database
    ctx: ServiceContext
    summary: DemoSummary
    stages: set[str] = field(default_factory=set)

    def sql(self, query: str, *args: object) -> list[tuple[object, ...]]:
        with sqlite3.connect(f"file:{self.path}?mode=ro", uri=True) as connection:
            return connection.execute(query, args).fetchall()

    def one(self, query: str, *args: object) -> object:
        return self.sql(query, *args)[0][0]


def _build(path: Path, scale: Scale, params: ScaleParams | None = None, seed: int = 7) -> Built:
    db = open_database(path)
    ctx = ServiceContext(db, actor="demo-test")
    stages: set[str] = set()
    summary = build_demo(ctx, scale, lambda _done, _total, stage: stages.add(stage),
                         seed=seed, params=params)
    return Built(path, db, ctx, summary, stages)


@pytest.fixture(scope="module")
def small(small_demo: SmallDemo, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Built]:
    """The session's small demo (tests/conftest.py builds it once for every test that
    needs it), as build_demo left it: its summary and progress stages too."""
    path = small_demo.copy_to(tmp_path_factory.mktemp("small") / "demo.sqlite")
    db = open_database(path)
    assert isinstance(small_demo.summary, DemoSummary)
    yield Built(path, db, ServiceContext(db, actor="demo-test"), small_demo.summary,
                set(small_demo.stages))
    db.close()


@pytest.fixture(scope="module")
def bulk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Built]:
    built = _build(tmp_path_factory.mktemp("bulk") / "demo.sqlite", "large", TINY_BULK)
    yield built
    built.db.close()


# --- invariants shared by both paths ----------------------------------------------------------


def assert_cache_equals_ledger(built: Built) -> None:
    """stock_balance.on_hand is SUM(stock_move.quantity) per (product, location, lot), both
    ways round (a cache row without moves must be zero), and nothing is negative."""
    ledger_not_in_cache = built.one("""
        SELECT COUNT(*) FROM (
            SELECT product_id, location_id, COALESCE(lot_id, x''), SUM(quantity)
              FROM stock_move GROUP BY product_id, location_id, lot_id
            EXCEPT
            SELECT product_id, location_id, lot_key, on_hand FROM stock_balance)""")
    cache_not_in_ledger = built.one("""
        SELECT COUNT(*) FROM (
            SELECT product_id, location_id, lot_key, on_hand FROM stock_balance
             WHERE on_hand <> 0
            EXCEPT
            SELECT product_id, location_id, COALESCE(lot_id, x''), SUM(quantity)
              FROM stock_move GROUP BY product_id, location_id, lot_id)""")
    assert (ledger_not_in_cache, cache_not_in_ledger) == (0, 0)
    assert built.one("SELECT COUNT(*) FROM stock_balance WHERE on_hand < 0") == 0


def assert_reserved_equals_reservations(built: Built) -> None:
    mismatches = built.one("""
        SELECT COUNT(*) FROM stock_balance AS b
          LEFT JOIN (SELECT product_id, location_id, COALESCE(lot_id, x'') AS lot_key,
                            SUM(quantity) AS total
                       FROM reservation GROUP BY product_id, location_id, lot_id) AS r
            ON r.product_id = b.product_id AND r.location_id = b.location_id
           AND r.lot_key = b.lot_key
         WHERE b.reserved <> COALESCE(r.total, 0)""")
    orphans = built.one("""
        SELECT COUNT(*) FROM reservation AS r
         WHERE NOT EXISTS (SELECT 1 FROM stock_balance AS b
                            WHERE b.product_id = r.product_id AND b.location_id = r.location_id
                              AND b.lot_key = COALESCE(r.lot_id, x''))""")
    assert (mismatches, orphans) == (0, 0)
    assert built.one("SELECT COUNT(*) FROM stock_balance WHERE reserved > on_hand") == 0


def assert_outbox_covers_every_synced_row(built: Built) -> None:
    tables = [name for (name,) in built.sql("SELECT name FROM sqlite_master WHERE type='table'")]
    for table in tables:
        if table in LOCAL_TABLES or table in {"alembic_version", "unit"}:
            continue  # units are seeded by the migration on every site
        rows = built.one(f"SELECT COUNT(*) FROM {table}")
        ops = built.one("SELECT COUNT(*) FROM outbox WHERE entity = ? AND op = 'insert'", table)
        assert rows == ops, f"{table}: {rows} rows, {ops} outbox inserts"
    stamps = [stamp for (stamp,) in built.sql("SELECT hlc FROM outbox ORDER BY seq")]
    assert stamps == sorted(set(stamps)), "HLC stamps must be unique and increase as text"


def assert_audit_chain_intact(built: Built) -> None:
    with built.db.read_session() as session:
        previous = GENESIS_HASH
        for entry in session.scalars(select(m.AuditEntry).order_by(m.AuditEntry.seq)):
            assert entry.prev_hash == previous, f"audit entry {entry.seq} is not linked"
            assert entry.hash == audit_hash(previous, audit_record(entry)), entry.seq
            previous = entry.hash


def assert_numbers_continue(built: Built) -> None:
    """number_sequence holds the last number used of each kind, so the next never collides."""
    used = {
        "WO": built.one("SELECT MAX(CAST(SUBSTR(number, 7) AS INTEGER)) FROM work_order"),
        "TR": built.one("SELECT MAX(CAST(SUBSTR(number, 7) AS INTEGER)) FROM transfer"),
        "CO": built.one("SELECT MAX(CAST(SUBSTR(number, 7) AS INTEGER)) FROM customer_order"),
        "MV": built.one("SELECT MAX(CAST(SUBSTR(reference, 7) AS INTEGER)) FROM stock_move "
                        "WHERE reference LIKE 'WH-MV-%'"),
    }
    saved = dict(built.sql("SELECT kind, last FROM number_sequence WHERE prefix = 'WH'"))
    assert saved == used
    for table, column in (("work_order", "number"), ("transfer", "number"),
                          ("customer_order", "number"), ("stock_move", "reference")):
        assert built.one(f"SELECT COUNT(*) FROM {table} WHERE {column} NOT LIKE 'WH-%'") == 0


def assert_history_in_the_past(built: Built, days: int) -> None:
    first, last = built.sql("SELECT MIN(created_at), MAX(created_at) FROM stock_move")[0]
    first_at = datetime.fromisoformat(str(first)).replace(tzinfo=UTC)
    last_at = datetime.fromisoformat(str(last)).replace(tzinfo=UTC)
    assert last_at - first_at > timedelta(days=days * 0.8)
    assert last_at < datetime.now(UTC)


def assert_work_order_states_consistent(built: Built) -> None:
    """Each state has the stamps and figures its transitions leave, and no others."""
    wrong = built.sql("""
        SELECT number, state FROM work_order
         WHERE (state = 'draft' AND (released_at IS NOT NULL OR started_at IS NOT NULL))
            OR (state = 'released' AND (released_at IS NULL OR completed_at IS NOT NULL))
            OR (state IN ('in_progress', 'on_hold') AND (released_at IS NULL
                OR completed_at IS NOT NULL))
            OR (state = 'in_progress' AND started_at IS NULL)
            OR (state = 'done' AND (released_at IS NULL OR started_at IS NULL
                OR completed_at IS NULL OR good_qty <= 0))
            OR (state <> 'done' AND completed_at IS NOT NULL)
            OR (state = 'on_hold' AND held_from IS NULL)""")
    assert wrong == []
    # Output is posted once, by completion, and equals the order's good quantity.
    output = built.sql("""
        SELECT w.number FROM work_order w
          LEFT JOIN (SELECT document_id, SUM(quantity) AS made FROM stock_move
                      WHERE reason = 'production_output' GROUP BY document_id) o
            ON o.document_id = w.id
         WHERE (w.state = 'done') <> (o.made IS NOT NULL)
            OR (w.state = 'done' AND o.made <> w.good_qty)""")
    assert output == []


def assert_all_invariants(built: Built) -> None:
    report = check_database(built.db)  # what `dmdesk db check` runs
    assert report.ok, report.problems
    assert_cache_equals_ledger(built)
    assert_reserved_equals_reservations(built)
    assert_outbox_covers_every_synced_row(built)
    assert_audit_chain_intact(built)
    assert_numbers_continue(built)
    assert_work_order_states_consistent(built)


# --- the small demo ---------------------------------------------------------------------------


@pytest.mark.slow
def test_small_demo_keeps_every_invariant(small: Built) -> None:
    assert_all_invariants(small)
    assert_history_in_the_past(small, 182)
    assert {"sites", "products", "history", "done"} <= small.stages


@pytest.mark.slow
def test_small_demo_network(small: Built) -> None:
    kinds = dict(small.sql("SELECT kind, COUNT(*) FROM site GROUP BY kind"))
    assert kinds["own_workshop"] >= 3 and kinds["warehouse"] >= 1 and kinds["in_transit"] == 1
    producers_with_people = small.one("""
        SELECT COUNT(*) FROM site AS s
         WHERE s.kind = 'micro_producer' AND s.capabilities <> ''
           AND EXISTS (SELECT 1 FROM contact c WHERE c.site_id = s.id
                        AND c.kind = 'organisation' AND c.role = 'producer')
           AND EXISTS (SELECT 1 FROM contact c WHERE c.site_id = s.id AND c.kind = 'person')""")
    assert producers_with_people >= 4
    capabilities = {cap for (caps,) in small.sql("SELECT capabilities FROM site")
                    for cap in str(caps).split(",") if cap}
    assert {"cnc", "3d-print", "upholstery", "welding", "sewing", "assembly",
            "painting"} <= capabilities
    locations = small.sql("""SELECT s.code, COUNT(l.id) FROM site s JOIN location l
                              ON l.site_id = s.id WHERE s.kind <> 'in_transit' GROUP BY s.id""")
    assert all(2 <= count <= 4 for _code, count in locations), locations
    assert small.one("SELECT COUNT(*) FROM site WHERE latitude IS NULL AND kind <> "
                     "'in_transit'") == 0
    assert small.one("SELECT value FROM setting WHERE key = 'local_site_code'") == "WH"
    customers = small.sql("SELECT address FROM contact WHERE role = 'customer' AND kind = "
                          "'organisation' AND latitude IS NOT NULL")
    towns = {str(address).rsplit(" ", 1)[-1] for (address,) in customers}
    assert len(customers) >= 20 and len(towns) >= 4


@pytest.mark.slow
def test_small_demo_catalogue(small: Built) -> None:
    assert 190 <= small.summary.products <= 210
    kinds = {kind for (kind,) in small.sql("SELECT DISTINCT kind FROM product")}
    assert kinds == {"raw_material", "component", "finished"}
    raw_units = {u for (u,) in small.sql("SELECT DISTINCT unit FROM product "
                                         "WHERE kind = 'raw_material'")}
    assert {"kg", "m", "m2", "pcs"} <= raw_units
    depth = small.one("""
        WITH RECURSIVE tree(parent_id, component_id, depth) AS (
            SELECT parent_id, component_id, 1 FROM bom_line
            UNION ALL
            SELECT t.parent_id, b.component_id, t.depth + 1
              FROM tree t JOIN bom_line b ON b.parent_id = t.component_id)
        SELECT MAX(depth) FROM tree""")
    assert isinstance(depth, int) and depth >= 3
    assert small.one("SELECT COUNT(*) FROM operation WHERE capability = ''") == 0
    assert small.one("SELECT COUNT(DISTINCT product_id) FROM design_file") >= 30
    assert small.one("SELECT COUNT(*) FROM design_file WHERE version > 1") >= 1
    assert small.one("SELECT COUNT(*) FROM reorder_point") >= 50
    assert small.one("SELECT COUNT(*) FROM product WHERE lot_tracked") >= 1


@pytest.mark.slow
def test_small_demo_work_and_stock(small: Built) -> None:
    states = dict(small.sql("SELECT state, COUNT(*) FROM work_order GROUP BY state"))
    assert set(states) == WO_STATES
    assert small.summary.moves >= 5_000
    reasons = {r for (r,) in small.sql("SELECT DISTINCT reason FROM stock_move")}
    assert reasons == MOVE_REASONS
    receipts_in_batches = small.one("SELECT COUNT(*) FROM (SELECT reference FROM stock_move "
                                    "WHERE reason = 'receipt' GROUP BY reference "
                                    "HAVING COUNT(*) > 1)")
    assert isinstance(receipts_in_batches, int) and receipts_in_batches >= 5
    transfers = dict(small.sql("SELECT state, COUNT(*) FROM transfer GROUP BY state"))
    assert transfers.get("received", 0) > 0 and transfers.get("shipped", 0) > 0
    assert small.one("SELECT COUNT(*) FROM customer_order_line") > small.one(
        "SELECT COUNT(*) FROM customer_order")
    assert small.one("SELECT COUNT(*) FROM work_order WHERE customer_order_line_id "
                     "IS NOT NULL") >= 20
    assert small.one("SELECT COUNT(*) FROM lot_genealogy") > 0


def assert_reserving_orders_are_reserved(built: Built) -> None:
    """Released, in-progress and held orders have their materials reserved in full, except
    those released short on purpose (they carry the planner's reason)."""
    short = built.sql("""
        SELECT w.number, mat.line_no, mat.required, COALESCE(SUM(r.quantity), 0)
          FROM work_order w
          JOIN wo_material mat ON mat.work_order_id = w.id
          LEFT JOIN reservation r ON r.material_id = mat.id
         WHERE w.state IN ('released', 'in_progress', 'on_hold') AND w.override_reason = ''
         GROUP BY mat.id HAVING COALESCE(SUM(r.quantity), 0) <> mat.required""")
    assert short == []
    without_materials = built.one("""
        SELECT COUNT(*) FROM work_order w WHERE w.state IN ('released', 'in_progress',
               'on_hold') AND NOT EXISTS (SELECT 1 FROM wo_material mat
                                           WHERE mat.work_order_id = w.id)""")
    assert without_materials == 0
    reserved = built.one("""SELECT COUNT(DISTINCT w.id) FROM work_order w
                             JOIN wo_material mat ON mat.work_order_id = w.id
                             JOIN reservation r ON r.material_id = mat.id
                            WHERE w.state IN ('released', 'in_progress')""")
    assert isinstance(reserved, int) and reserved >= 2
    assert built.one("SELECT COUNT(*) FROM reservation r JOIN wo_material mat "
                     "ON mat.id = r.material_id JOIN work_order w ON w.id = mat.work_order_id "
                     "WHERE w.state NOT IN ('released', 'in_progress', 'on_hold')") == 0


@pytest.mark.slow
def test_small_demo_reservations(small: Built) -> None:
    assert_reserving_orders_are_reserved(small)
    assert small.one("SELECT COUNT(*) FROM work_order WHERE override_reason <> ''") >= 1


def test_demo_refuses_a_database_with_products(tmp_path: Path) -> None:
    db = open_database(tmp_path / "used.sqlite")
    try:
        ctx = ServiceContext(db)
        products.create_product(ctx, sku="MINE-1", name="Something of mine")
        with pytest.raises(ValidationError, match="already has data"):
            build_demo(ctx, "small")
        with db.read_session() as session:
            assert session.scalars(select(m.Site)).first() is None  # nothing was written
    finally:
        db.close()


def test_demo_refuses_an_unknown_scale(tmp_path: Path) -> None:
    db = open_database(tmp_path / "new.sqlite")
    try:
        with pytest.raises(ValidationError, match="Unknown demo scale"):
            build_demo(ServiceContext(db), "huge")  # type: ignore[arg-type]
    finally:
        db.close()


# --- the bulk path, at a tiny scale -------------------------------------------------------------


def test_bulk_demo_keeps_every_invariant(bulk: Built) -> None:
    assert_all_invariants(bulk)
    assert_history_in_the_past(bulk, TINY_BULK.days)
    assert_reserving_orders_are_reserved(bulk)


def test_bulk_demo_meets_its_targets(bulk: Built) -> None:
    assert bulk.summary.products == TINY_BULK.products
    assert bulk.summary.moves == TINY_BULK.moves
    assert bulk.summary.work_orders == TINY_BULK.work_orders
    assert bulk.summary.customer_orders == TINY_BULK.customer_orders
    states = {s for (s,) in bulk.sql("SELECT DISTINCT state FROM work_order")}
    assert states == WO_STATES
    reasons = {r for (r,) in bulk.sql("SELECT DISTINCT reason FROM stock_move")}
    assert reasons == MOVE_REASONS
    assert bulk.one("SELECT COUNT(*) FROM wo_operation") > bulk.summary.work_orders
    assert bulk.one("SELECT COUNT(*) FROM wo_material") > 0


def test_bulk_demo_is_spread_over_transactions_with_audit_per_batch(bulk: Built) -> None:
    batches = dict(bulk.sql("SELECT entity, COUNT(*) FROM audit_log "
                            "WHERE action = 'demo_bulk_insert' GROUP BY entity"))
    assert batches["stock_move"] >= 1 and batches["work_order"] >= 1
    counted = bulk.one("SELECT SUM(json_extract(details, '$.count')) FROM audit_log "
                       "WHERE action = 'demo_bulk_insert' AND entity = 'stock_move'")
    assert counted == bulk.summary.moves


SAMPLED = (m.Product, m.BomLine, m.Operation, m.DesignFile, m.FileBlob, m.ReorderPoint,
           m.CustomerOrder, m.CustomerOrderLine, m.WorkOrder, m.WOMaterial, m.WOOperation,
           m.Lot, m.LotGenealogy, m.Transfer, m.TransferLine, m.StockMove)


def test_bulk_outbox_payloads_match_change_capture(bulk: Built) -> None:
    """The payload of a bulk row is what change capture would write for it: every column
    through to_json_value, read back through the model's types."""
    with bulk.db.read_session() as session:
        for model in SAMPLED:
            obj = session.scalars(select(model).limit(1)).first()
            assert obj is not None, model.__tablename__
            mapper = inspect(obj).mapper
            expected = {a.key: to_json_value(getattr(obj, a.key)) for a in mapper.column_attrs}
            key = mapper.primary_key_from_instance(obj)
            entity_id = (key[0].bytes if len(key) == 1 and hasattr(key[0], "bytes")
                         else dumps({"key": [to_json_value(k) for k in key]}).encode())
            payload = session.scalar(select(m.OutboxOp.payload).where(
                m.OutboxOp.entity == model.__tablename__, m.OutboxOp.entity_id == entity_id))
            assert payload is not None, model.__tablename__
            if model.__tablename__ in IMMUTABLE_TABLES:
                # Immutable rows are their own payload: the outbox only points at them.
                assert payload == "", model.__tablename__
                continue
            assert json.loads(payload) == expected, model.__tablename__


def test_services_carry_on_after_the_bulk_demo(tmp_path: Path) -> None:
    """Numbers continue, balances update, a drafted order can be released: the bulk rows
    are ordinary rows to the services. (Its own database: this test changes it.)"""
    bulk = _build(tmp_path / "carry-on.sqlite", "large", ScaleParams(
        products=150, moves=2_000, work_orders=200, customers=6, customer_orders=10, days=40))
    ctx = bulk.ctx
    last_wo = bulk.one("SELECT last FROM number_sequence WHERE kind = 'WO'")
    assert isinstance(last_wo, int)
    with bulk.db.read_session() as session:
        draft = session.scalars(select(m.WorkOrder).where(m.WorkOrder.state == "draft")
                                .order_by(m.WorkOrder.number)).first()
        assert draft is not None
        raw = session.scalars(select(m.Product).where(m.Product.kind == "raw_material",
                                                      m.Product.unit == "kg")).first()
        location = session.scalars(select(m.Location).where(
            m.Location.kind == "internal").order_by(m.Location.code)).first()
        assert raw is not None and location is not None
    created = work_orders.create_work_order(ctx, draft.product_id, 1, draft.site_id,
                                           "2030-01-01")
    assert created.number == f"WH-WO-{last_wo + 1:05d}"
    work_orders.release(ctx, draft.id, override_reason="checking the demo")
    stock.receive(ctx, raw.id, location.id, Decimal("1.5"),
                  lot_code="TEST-1" if raw.lot_tracked else None)
    assert_cache_equals_ledger(bulk)
    assert_reserved_equals_reservations(bulk)
    assert_outbox_covers_every_synced_row(bulk)
    assert_audit_chain_intact(bulk)
    bulk.db.close()


class CancelledError(Exception):
    """What the GUI's task runner raises from a progress callback when the user cancels."""


def test_a_cancelled_bulk_build_leaves_a_consistent_database(tmp_path: Path) -> None:
    """The GUI cancels a build by raising from the progress callback: what was committed by
    then must still pass every check (the open transaction is rolled back)."""
    params = ScaleParams(products=300, moves=40_000, work_orders=600, customers=6,
                         customer_orders=30, days=60)

    def cancel_late(done: int, _total: int, stage: str) -> None:
        if stage == "history" and done >= 50:
            raise CancelledError

    db = open_database(tmp_path / "cancelled.sqlite")
    try:
        with pytest.raises(CancelledError):
            build_demo(ServiceContext(db), "large", cancel_late, params=params)
        built = Built(tmp_path / "cancelled.sqlite", db, ServiceContext(db),
                      DemoSummary(0, 0, 0, 0, 0, 0, 0.0))
        moves = built.one("SELECT COUNT(*) FROM stock_move")
        assert isinstance(moves, int) and 0 < moves < params.moves  # stopped part-way
        assert_all_invariants(built)
    finally:
        db.close()


def test_demo_content_is_deterministic_for_a_seed(tmp_path: Path) -> None:
    params = ScaleParams(products=120, moves=1_500, work_orders=150, customers=6,
                         customer_orders=12, days=40)
    query = ("SELECT p.sku, p.name, s.code, SUM(m.quantity), COUNT(*) FROM stock_move m "
             "JOIN product p ON p.id = m.product_id JOIN location l ON l.id = m.location_id "
             "JOIN site s ON s.id = l.site_id GROUP BY p.sku, s.code, m.reason "
             "ORDER BY 1, 3, 4")
    runs = []
    for n, seed in enumerate((3, 3, 4)):
        built = _build(tmp_path / f"run{n}.sqlite", "large", params, seed=seed)
        runs.append(built.sql(query))
        built.db.close()
    assert runs[0] == runs[1]
    assert runs[0] != runs[2]
