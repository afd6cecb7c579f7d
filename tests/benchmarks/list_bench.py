"""Long lists on the large demo (issue 20): the on-hand list paged to its end, and the move
history's jump to the middle and count.

    python tests/benchmarks/list_bench.py [--db PATH] [--old]

Defaults to the large demo (/tmp/dmdesk-bench-large.sqlite: 1M moves, 20,000 products), opened
read-only (nothing is written). Each figure is set against a bare baseline measured in the same
run with raw sqlite3 on the same file:
  * the whole on-hand list, page after page by keyset (200 rows, as the app's lists fetch) in
    every sortable order, against the bare GROUP BY over the whole ledger that computes the
    same balances (target: the default order no slower, <= 1.0x); the rows are checked to be
    those of the old single query sorted whole, in the same order;
  * with --old, the default order paged the old way too (every balance sorted on each page);
  * the move history: the page in the middle (OFFSET) and the count of its rows, against raw
    sqlite3 doing just that on stock_move.
"""

from __future__ import annotations

import argparse
import dataclasses
import sqlite3
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
try:
    import dmdesk  # noqa: F401 - installed (pip install -e .)?
except ImportError:  # run from a checkout: use its sources
    sys.path.insert(0, str(REPO / "src"))

from sqlalchemy import Engine, create_engine, event  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from dmdesk.queries.lists import MOVES, ON_HAND  # noqa: E402
from dmdesk.queries.paging import ListSpec, count, fetch_page  # noqa: E402

DEFAULT_DB = Path("/tmp/dmdesk-bench-large.sqlite")
PAGE = 200
TARGET = 1.0
PRAGMAS = ("PRAGMA cache_size = -32000", "PRAGMA temp_store = MEMORY")
LEDGER_SQL = ("SELECT product_id, location_id, lot_id, SUM(quantity) FROM stock_move "
              "GROUP BY product_id, location_id, lot_id")


def _engine(path: Path) -> Engine:
    engine = create_engine(f"sqlite:///file:{path}?mode=ro&uri=true")

    @event.listens_for(engine, "connect")
    def _pragmas(connection: Any, _record: Any) -> None:
        for pragma in PRAGMAS:
            connection.execute(pragma)

    return engine


def _best(fn: Callable[[], Any], runs: int = 2) -> tuple[float, Any]:
    best, result = float("inf"), None
    for _ in range(runs):
        started = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - started)
    return best, result


def _raw(path: Path, sql: str) -> list[Any]:
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        for pragma in PRAGMAS:
            connection.execute(pragma)
        return connection.execute(sql).fetchall()
    finally:
        connection.close()


def _paged_to_end(engine: Engine, spec: ListSpec, sort: str) -> list[tuple[Any, ...]]:
    rows: list[tuple[Any, ...]] = []
    after = None
    with Session(engine) as session:
        while True:
            page = fetch_page(session, spec, sort=sort, limit=PAGE, after=after)
            rows += [tuple(row) for row in page.rows]
            if not page.has_more:
                return rows
            after = page.last_key


def _whole(engine: Engine, spec: ListSpec, sort: str) -> list[tuple[Any, ...]]:
    with Session(engine) as session:
        return [tuple(r) for r in fetch_page(session, spec, sort=sort, limit=10**7).rows]


def on_hand(path: Path, engine: Engine, old: bool) -> float:
    _raw(path, LEDGER_SQL)  # warm the cache: every figure reads from memory
    bare_s, ledger = _best(lambda: _raw(path, LEDGER_SQL))
    print(f"bare GROUP BY over the ledger: {bare_s:.2f} s ({len(ledger):,} groups)")
    old_spec = dataclasses.replace(ON_HAND, base_by_sort={})
    default = ON_HAND.default_sort
    worst_default = float("inf")
    for column in (c for c in ON_HAND.columns if c.sortable):
        seconds, rows = _best(lambda key=column.key: _paged_to_end(engine, ON_HAND, key),
                              runs=2 if column.key == default else 1)
        same = ""
        if column.key in ON_HAND.base_by_sort or column.key == default:
            same = f", same rows and order as one sorted query: " \
                   f"{'yes' if rows == _whole(engine, old_spec, column.key) else 'NO'}"
        mark = "  <- default" if column.key == default else ""
        print(f"  on-hand by {column.key:<13} {seconds:6.2f} s, {seconds / bare_s:5.2f}x bare, "
              f"{len(rows):,} rows in {-(-len(rows) // PAGE)} pages{same}{mark}")
        if column.key == default:
            worst_default = seconds / bare_s
    if old:
        seconds, _rows = _best(lambda: _paged_to_end(engine, old_spec, default), runs=1)
        print(f"  on-hand by {default:<13} {seconds:6.2f} s, {seconds / bare_s:5.2f}x bare "
              "(old way: every balance sorted for each page)")
    return worst_default


def moves(path: Path, engine: Engine) -> None:
    total = _raw(path, "SELECT COUNT(*) FROM stock_move")[0][0]
    middle = total // 2
    bare_count_s, _n = _best(lambda: _raw(path, "SELECT COUNT(*) FROM stock_move"))
    bare_jump_s, _r = _best(lambda: _raw(
        path, f"SELECT * FROM stock_move ORDER BY id LIMIT {PAGE} OFFSET {middle}"))
    with Session(engine) as session:
        count_s, counted = _best(lambda: count(session, MOVES))
        jump_s, page = _best(lambda: fetch_page(session, MOVES, offset=middle, limit=PAGE))
    print(f"move history count: {count_s * 1000:7.1f} ms ({counted:,} moves), bare COUNT(*) "
          f"{bare_count_s * 1000:.1f} ms: {count_s / bare_count_s:.2f}x")
    print(f"move history middle page (offset {middle:,}): {jump_s * 1000:7.1f} ms "
          f"({len(page.rows)} rows), bare OFFSET {bare_jump_s * 1000:.1f} ms: "
          f"{jump_s / bare_jump_s:.2f}x")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", type=Path, default=DEFAULT_DB,
                        help=f"the database (default: the large demo, {DEFAULT_DB}); read only")
    parser.add_argument("--old", action="store_true",
                        help="also page the default order the old way (slow: ~10 s or more)")
    args = parser.parse_args(argv)
    path = args.db.expanduser().resolve()
    if not path.exists():
        raise SystemExit(f"{path} does not exist: build it with `dmdesk demo --scale large "
                         f"--db {path}` or tests/benchmarks/run.py.")
    print(f"database: {path} ({path.stat().st_size / 1e6:,.0f} MB), read only; pages of {PAGE}")
    engine = _engine(path)
    try:
        ratio = on_hand(path, engine, args.old)
        moves(path, engine)
    finally:
        engine.dispose()
    verdict = "PASS" if ratio <= TARGET else "MISS"
    print(f"\non-hand list paged to its end / bare GROUP BY: {ratio:.2f}x "
          f"(target <= {TARGET:.1f}x): {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
