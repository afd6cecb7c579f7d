"""Sync benchmark on the large demo. A script, not a pytest test:

    python tests/benchmarks/sync_bench.py [--db PATH] [--work DIR] [--skip-raw]

(a) setup, timed but not the figure: a copy of the large demo (1,000,000 moves; built first
    if PATH does not exist) is set up as the owner on a real `dmdesk serve` process on
    127.0.0.1 (SQLite) and pushes its whole outbox;
(b) the figure: an empty database set up as another site pulls all of it (the initial sync
    of a new site): changes per second, against the same rows written with raw sqlite3
    executemany into another empty database in the same run (target >= 0.1x). The raw rows are
    read into memory before the clock starts, so the baseline is the bare insert cost; the
    pull also fetches over HTTP, decodes JSON, merges per field, folds the stock balances and
    checks for negative stock;
(c) an incremental sync of 100 changes (50 receipts and 50 product edits at the owner): the
    owner's push and the other site's pull, round-trip time.
"""

from __future__ import annotations

import argparse
import shutil
import sqlite3
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))  # tests.sync_server_process
try:
    import dmdesk  # noqa: F401
except ImportError:
    sys.path.insert(0, str(REPO / "src"))

from tests.sync_server_process import running_server  # noqa: E402

from dmdesk.db import models as m  # noqa: E402
from dmdesk.db.changes import LOCAL_TABLES  # noqa: E402
from dmdesk.db.database import Database, open_database  # noqa: E402
from dmdesk.demo import build_demo  # noqa: E402
from dmdesk.queries.integrity import balances_match_ledger  # noqa: E402
from dmdesk.services import products, stock  # noqa: E402
from dmdesk.services.context import SETTING_SITE, ServiceContext  # noqa: E402
from dmdesk.sync import client  # noqa: E402

DEFAULT_DB = Path("/tmp/dmdesk-bench-large.sqlite")
TARGET = 0.1


def say(text: str) -> None:
    print(text, flush=True)


def site_code(db: Database) -> str:
    with db.reader.connect() as conn:
        row = conn.exec_driver_sql("SELECT value FROM setting WHERE key = ?",
                                   (SETTING_SITE,)).first()
    return str(row[0]) if row else "HQ"


def raw_rows(source: Path) -> list[tuple[str, list[str], list[tuple[Any, ...]]]]:
    """Every synced row of ``source``, parents before children, read into memory."""
    tables = [t for t in m.Base.metadata.sorted_tables if t.name not in LOCAL_TABLES
              and t.name != "unit"]  # units are seeded by the migration
    out = []
    with sqlite3.connect(source) as conn:
        for table in tables:
            columns = [c.name for c in table.columns]
            rows = conn.execute(f"SELECT {', '.join(columns)} FROM {table.name}").fetchall()
            out.append((table.name, columns, rows))
    return out


def raw_insert(target: Path, data: list[tuple[str, list[str], list[tuple[Any, ...]]]]
               ) -> float:
    """Seconds to executemany the rows into an empty database with the app's pragmas."""
    open_database(target).close()
    conn = sqlite3.connect(target, isolation_level=None)
    for pragma in ("foreign_keys = ON", "journal_mode = WAL", "synchronous = NORMAL",
                   "cache_size = -32000"):
        conn.execute(f"PRAGMA {pragma}")
    started = time.perf_counter()
    conn.execute("BEGIN")
    for name, columns, rows in data:
        for start in range(0, len(rows), 5000):  # commit per 5,000 rows, as a pull batch does
            conn.executemany(
                f"INSERT INTO {name} ({', '.join(columns)}) "
                f"VALUES ({', '.join('?' for _ in columns)})", rows[start:start + 5000])
            conn.execute("COMMIT")
            conn.execute("BEGIN")
    conn.execute("COMMIT")
    seconds = time.perf_counter() - started
    conn.close()
    return seconds


def incremental(owner: Database, replica: Database) -> tuple[float, float, int]:
    ctx = ServiceContext(owner, actor="bench")
    with owner.reader.connect() as conn:
        product_ids = [bytes(r[0]) for r in conn.exec_driver_sql(
            "SELECT id FROM product WHERE kind = 'raw_material' AND NOT lot_tracked "
            "LIMIT 50")]
        location = bytes(conn.exec_driver_sql(
            "SELECT id FROM location WHERE kind = 'internal' LIMIT 1").scalar_one())
    import uuid
    for raw in product_ids:
        stock.receive(ctx, uuid.UUID(bytes=raw), uuid.UUID(bytes=location), "5")
        products.update_product(ctx, uuid.UUID(bytes=raw), description=f"edit {time.time()}")
    started = time.perf_counter()
    pushed = client.run_sync(owner, pull=False).pushed
    middle = time.perf_counter()
    pulled = client.run_sync(replica, push=False).pulled
    ended = time.perf_counter()
    assert pulled == pushed, (pushed, pulled)
    return middle - started, ended - middle, pulled


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=DEFAULT_DB)
    parser.add_argument("--work", type=Path, default=None)
    parser.add_argument("--skip-raw", action="store_true")
    parser.add_argument("--reuse", action="store_true",
                        help="reuse --work's owner and server from an earlier run (skips (a))")
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="sync-bench-", dir="/tmp"))
    work.mkdir(parents=True, exist_ok=True)
    if not args.db.exists():
        say(f"building the large demo at {args.db} (a few minutes)...")
        db = open_database(args.db)
        build_demo(ServiceContext(db), "large")
        db.close()
    owner_path = work / "owner.sqlite"
    if not args.reuse:
        say(f"copying {args.db} to {owner_path}...")
        shutil.copyfile(args.db, owner_path)
    owner = open_database(owner_path, backup=False)
    code = f"B{int(time.time()) % 100000}"  # a new site each run
    replica = open_database(work / f"replica-{code}.sqlite")
    with running_server(None, work) as server:
        if args.reuse:  # the owner pushed everything in the earlier run; only the port moved
            with owner.write_session() as session:
                session.connection().exec_driver_sql(
                    "UPDATE sync_state SET server_url = ?, token = ?",
                    (server.base_url, server.token(site_code(owner))))
        else:
            client.setup(owner, server.base_url,
                         server.add_site(site_code(owner), role="owner"))
            started = time.perf_counter()
            push = client.run_sync(owner, pull=False)
            push_s = time.perf_counter() - started
            say(f"(a) owner pushed {push.pushed:,} ops in {push_s:.1f} s "
                f"({push.pushed / push_s:,.0f} ops/s)")
        client.setup(replica, server.base_url, server.add_site(code, role="accountant"))

        started = time.perf_counter()
        pull = client.run_sync(replica, push=False)
        pull_s = time.perf_counter() - started
        pull_rate = pull.pulled / pull_s
        say(f"(b) new site pulled {pull.pulled:,} changes ({pull.applied:,} applied, "
            f"{pull.deferred} waiting) in {pull_s:.1f} s: {pull_rate:,.0f} changes/s")
        with replica.reader.connect() as conn:
            moves = conn.exec_driver_sql("SELECT COUNT(*) FROM stock_move").scalar_one()
        with replica.read_session() as session:
            bad = len(balances_match_ledger(session))
        say(f"    replica holds {moves:,} moves; balances differing from the ledger: {bad}")

        if not args.skip_raw:
            data = raw_rows(owner_path)
            count = sum(len(rows) for _, _, rows in data)
            raw_s = raw_insert(work / "raw.sqlite", data)
            raw_rate = count / raw_s
            say(f"    raw executemany of the same {count:,} rows: {raw_s:.1f} s "
                f"({raw_rate:,.0f} rows/s)")
            ratio = pull_rate / raw_rate
            say(f"    initial sync / raw = {ratio:.3f}x (target >= {TARGET}x): "
                f"{'OK' if ratio >= TARGET else 'BELOW TARGET'}")
            del data

        push_t, pull_t, changes = incremental(owner, replica)
        say(f"(c) incremental sync of {changes} changes: push {push_t * 1000:.0f} ms, pull "
            f"{pull_t * 1000:.0f} ms, round trip {(push_t + pull_t) * 1000:.0f} ms")
    owner.close()
    replica.close()
    say(f"work files in {work} (delete when done)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
