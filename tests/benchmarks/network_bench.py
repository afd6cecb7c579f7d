"""Benchmark of routing on the large demo. A script, not a pytest test:

    python tests/benchmarks/network_bench.py [--db PATH] [--lines N]

Routes N (1,000) customer order lines of the large demo (picked at random with a fixed seed)
through queries.routing.route_lines: one snapshot of the network (sites, every open work
order's remaining minutes, the sites' records), the lines, their products and components and
the stock of all of them per site in batches, then for each line the ranking and the reasons.
Measured against a bare baseline in the same run: the plain SQL candidate query alone (per
line, raw sqlite3: free stock per site of the product and of each of its components), which is
the floor any routing must pay to look at the stock.

Then rerouting: queries.rerouting.propose_reroute for the site with the most open work orders
(2,065 on the large demo), against the bare reads the proposal needs, raw sqlite3 in batches
of 400: the open work of the whole network with its operations (the load at every site), the
site's open orders, their operations and reserved stock, the ship-tos of the customer order
lines they serve and the operations of their products.

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
from dmdesk.queries.network_snapshot import OPEN_STATE_VALUES, NetworkSnapshot  # noqa: E402
from dmdesk.queries.rerouting import propose_reroute  # noqa: E402
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
OPEN = ", ".join(f"'{state}'" for state in OPEN_STATE_VALUES)
BUSIEST_SITE_SQL = f"""
SELECT s.code FROM work_order w JOIN site s ON s.id = w.site_id WHERE w.state IN ({OPEN})
GROUP BY s.code ORDER BY COUNT(*) DESC, s.code LIMIT 1
"""
NETWORK_LOAD_SQL = f"""
SELECT w.site_id, w.due_date, w.quantity, o.setup_minutes, o.run_minutes, o.good_qty,
       o.scrap_qty
FROM work_order w LEFT JOIN wo_operation o ON o.work_order_id = w.id WHERE w.state IN ({OPEN})
"""
SITE_ORDERS_SQL = f"""
SELECT w.id, w.product_id, w.customer_order_line_id FROM work_order w
JOIN site s ON s.id = w.site_id WHERE s.code = ? AND w.state IN ({OPEN})
ORDER BY w.due_date, w.priority, w.number
"""
# Each reads the rows of a batch of ids ({ids}: their placeholders).
OPERATIONS_SQL = """
SELECT work_order_id, sequence, name, good_qty, scrap_qty, finished_at FROM wo_operation
WHERE work_order_id IN ({ids}) ORDER BY sequence
"""
RESERVED_SQL = """
SELECT m.work_order_id, p.sku, p.unit, l.code, t.code, r.quantity FROM reservation r
JOIN wo_material m ON m.id = r.material_id JOIN product p ON p.id = r.product_id
JOIN location l ON l.id = r.location_id LEFT JOIN lot t ON t.id = r.lot_id
WHERE m.work_order_id IN ({ids}) ORDER BY m.line_no, r.id
"""
SHIP_TO_SQL = """
SELECT cl.id, o.ship_latitude, o.ship_longitude, c.latitude, c.longitude
FROM customer_order_line cl JOIN customer_order o ON o.id = cl.order_id
JOIN contact c ON c.id = o.customer_id WHERE cl.id IN ({ids})
"""
PRODUCT_OPERATIONS_SQL = """
SELECT product_id, capability, setup_minutes, run_minutes FROM operation
WHERE product_id IN ({ids})
"""


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


def busiest_site(path: Path) -> str:
    """The code of the site with the most open work orders."""
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as connection:
        return str(connection.execute(BUSIEST_SITE_SQL).fetchone()[0])


def reroute_baseline(path: Path, site: str) -> float:
    """Seconds for the bare reads a proposal for ``site`` needs, raw sqlite3, in batches."""
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        started = time.perf_counter()
        connection.execute(NETWORK_LOAD_SQL).fetchall()
        orders = connection.execute(SITE_ORDERS_SQL, (site,)).fetchall()
        ids = [order_id for order_id, _product, _line in orders]
        lines = list({line for _id, _product, line in orders if line is not None})
        products = list({product for _id, product, _line in orders})
        for sql, keys in ((OPERATIONS_SQL, ids), (RESERVED_SQL, ids), (SHIP_TO_SQL, lines),
                          (PRODUCT_OPERATIONS_SQL, products)):
            for start in range(0, len(keys), 400):
                batch = keys[start:start + 400]
                connection.execute(sql.format(ids=", ".join("?" * len(batch))),
                                   batch).fetchall()
        return time.perf_counter() - started
    finally:
        connection.close()


def _reroute(path: Path, site: str) -> tuple[float, int, int]:
    """Seconds to propose the moves of ``site`` (best of two), its open orders, and how many
    have another site to go to."""
    db = open_database(path, create=False, upgrade=False)
    try:
        best, moves, movable = float("inf"), 0, 0
        for _round in range(2):
            with db.read_session() as session:
                started = time.perf_counter()
                proposal = propose_reroute(session, site)
                best = min(best, time.perf_counter() - started)
            moves, movable = len(proposal.moves), len(proposal.movable)
        return best, moves, movable
    finally:
        db.close()


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
        site = busiest_site(copy)
        reroute_baseline(copy, site)  # warm the page cache for both paths alike
        reroute_bare = min(reroute_baseline(copy, site) for _ in range(2))
        reroute, moves, movable = _reroute(copy, site)
    total, loaded = min(timings)
    say(f"routing: {len(lines)} lines in {total:.2f} s = {len(lines) / total:,.0f} lines/s "
        f"(snapshot of the network {loaded * 1000:.0f} ms, then "
        f"{(total - loaded) / len(lines) * 1000:.2f} ms a line); {served} lines have a "
        "candidate")
    say(f"baseline (plain SQL candidate queries alone): {bare:.2f} s = "
        f"{len(lines) / bare:,.0f} lines/s")
    say(f"routing / baseline: {total / bare:.1f}x")
    say(f"one customer order from scratch (as the app routes one): {one_order * 1000:.0f} ms")
    say(f"rerouting {site}: {moves:,} open work orders proposed in {reroute:.2f} s "
        f"({reroute / max(moves, 1) * 1000:.2f} ms an order); {movable} have another site")
    say(f"baseline (bare SQL reads the proposal needs): {reroute_bare:.2f} s")
    say(f"rerouting / baseline: {reroute / reroute_bare:.1f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
