"""Benchmark of routing on the large demo. A script, not a pytest test:

    python tests/benchmarks/network_bench.py [--db PATH] [--lines N]

Routes N (1,000) customer order lines of the large demo (picked at random with a fixed seed)
through queries.routing.route_lines: one snapshot of the network (sites, every open work
order's remaining minutes, the sites' records), the lines, their products and components and
the stock of all of them per site in batches, then for each line the ranking and the reasons.
Measured against a bare baseline in the same run: the plain SQL candidate query alone (per
line, raw sqlite3: free stock per site of the product and of each of its components), which is
the floor any routing must pay to look at the stock.

The demo database is never changed: the script works on a copy (upgraded to this schema, which
adds the network tables). If the demo is missing it is built first (`dmdesk demo --scale
large`, about two minutes).
"""

from __future__ import annotations

import argparse
import random
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
try:
    import dmdesk  # noqa: F401 - installed (pip install -e .)?
except ImportError:  # run from a checkout: use its sources
    sys.path.insert(0, str(REPO / "src"))

from dmdesk.db.database import open_database  # noqa: E402
from dmdesk.queries.network_snapshot import NetworkSnapshot  # noqa: E402
from dmdesk.queries.routing import route_lines, route_order  # noqa: E402

DEFAULT_DB = Path("/tmp/dmdesk-bench-large.sqlite")
SEED = 6

STOCK_SQL = """
SELECT l.site_id, SUM(b.on_hand), SUM(b.reserved) FROM stock_balance b
JOIN location l ON l.id = b.location_id
WHERE b.product_id = ? AND l.kind = 'internal' AND l.archived = 0
GROUP BY l.site_id
"""
BOM_SQL = "SELECT component_id FROM bom_line WHERE parent_id = ? ORDER BY sequence"


def say(text: str) -> None:
    print(text, flush=True)


def ensure_demo(path: Path) -> None:
    if path.exists():
        return
    say(f"{path} is missing: building the large demo (about two minutes)...")
    subprocess.run([sys.executable, "-m", "dmdesk.cli", "demo", "--db", str(path),
                    "--scale", "large"], check=True)


def pick_lines(path: Path, count: int) -> list[tuple[bytes, bytes]]:
    """(line id, product id) of ``count`` customer order lines, seeded."""
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as connection:
        rows = connection.execute(
            "SELECT id, product_id FROM customer_order_line ORDER BY id").fetchall()
    random.Random(SEED).shuffle(rows)
    return [(bytes(a), bytes(b)) for a, b in rows[:count]]


def baseline(path: Path, lines: Sequence[tuple[bytes, bytes]]) -> float:
    """Seconds for the bare candidate queries of every line, raw sqlite3."""
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        started = time.perf_counter()
        for _line, product in lines:
            connection.execute(STOCK_SQL, (product,)).fetchall()
            for (component,) in connection.execute(BOM_SQL, (product,)).fetchall():
                connection.execute(STOCK_SQL, (component,)).fetchall()
        return time.perf_counter() - started
    finally:
        connection.close()


def _one_order(path: Path) -> float:
    """Seconds to route one open order with a fresh snapshot (best of three)."""
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as connection:
        number = connection.execute("SELECT number FROM customer_order WHERE state = 'open' "
                                    "ORDER BY number LIMIT 1").fetchone()[0]
    db = open_database(path, create=False, upgrade=False)
    try:
        best = float("inf")
        for _round in range(3):
            with db.read_session() as session:
                started = time.perf_counter()
                route_order(session, number)
                best = min(best, time.perf_counter() - started)
        return best
    finally:
        db.close()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=DEFAULT_DB)
    parser.add_argument("--lines", type=int, default=1000)
    args = parser.parse_args(argv)
    ensure_demo(args.db)
    with tempfile.TemporaryDirectory(prefix="dmdesk-network-bench-") as folder:
        copy = Path(folder) / "network.sqlite"
        say(f"copying {args.db} ...")
        shutil.copyfile(args.db, copy)
        db = open_database(copy, create=False, backup=False)  # upgraded: network tables
        db.close()
        lines = pick_lines(copy, args.lines)
        say(f"{len(lines)} customer order lines picked (seed {SEED})")
        baseline(copy, lines[:50])  # warm the page cache for both paths alike
        bare = min(baseline(copy, lines) for _ in range(2))
        db = open_database(copy, create=False, upgrade=False)
        try:
            timings, served = [], 0
            for _round in range(2):
                with db.read_session() as session:
                    started = time.perf_counter()
                    snapshot = NetworkSnapshot(session)
                    loaded = time.perf_counter() - started
                    routed = route_lines(session, [uuid.UUID(bytes=line)
                                                   for line, _product in lines],
                                         network=snapshot)
                    timings.append((time.perf_counter() - started, loaded))
                    served = sum(1 for r in routed if r.candidates)
        finally:
            db.close()
        one_order = _one_order(copy)
    total, loaded = min(timings)
    say(f"routing: {len(lines)} lines in {total:.2f} s = {len(lines) / total:,.0f} lines/s "
        f"(snapshot of the network {loaded * 1000:.0f} ms, then "
        f"{(total - loaded) / len(lines) * 1000:.2f} ms a line); {served} lines have a "
        "candidate")
    say(f"baseline (plain SQL candidate queries alone): {bare:.2f} s = "
        f"{len(lines) / bare:,.0f} lines/s")
    say(f"routing / baseline: {total / bare:.1f}x")
    say(f"one customer order from scratch (as the app routes one): {one_order * 1000:.0f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
