"""Producer scope benchmark. A script, not a pytest test:

    python tests/benchmarks/scope_bench.py [--db PATH] [--work DIR]

On a demo (the large one at /tmp/dmdesk-bench-large.sqlite when it exists; otherwise a bulk
demo a tenth of its size is built in the work folder, and the figures say so):
(a) the owner pushes everything to a real `dmdesk serve` (SQLite) on which one outside
    producer, the site holding about 1 % of the work orders, is registered (its feed is
    judged as ops are stored: the push's overhead is the server's cost of scoping);
(b) a full site (role site) makes its first sync, then the producer: bytes received and
    time of each (target: the producer's bytes <= 5 % of the full site's);
(c) in-process on the same server database, the server's cost of a pull per change: the
    producer's filtered pull against an unfiltered pull (target <= 2x);
(d) the judging done at push time, per op stored, for one producer.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))  # tests.sync_server_process
try:
    import dmdesk  # noqa: F401
except ImportError:
    sys.path.insert(0, str(REPO / "src"))

from sqlalchemy import delete, select  # noqa: E402
from tests.sync_server_process import RunningServer, running_server  # noqa: E402

from dmdesk.db.database import Database, open_database  # noqa: E402
from dmdesk.demo import build_demo  # noqa: E402
from dmdesk.demo.params import ScaleParams  # noqa: E402
from dmdesk.server import oplog  # noqa: E402
from dmdesk.server.admin import SiteAccount  # noqa: E402
from dmdesk.server.scope import ScopeEngine, StoredOp  # noqa: E402
from dmdesk.server.storage import feed, open_store, ops, scope_rows  # noqa: E402
from dmdesk.services.context import SETTING_SITE, ServiceContext  # noqa: E402
from dmdesk.sync import client  # noqa: E402

LARGE = Path("/tmp/dmdesk-bench-large.sqlite")
TENTH = ScaleParams(products=2_000, moves=100_000, work_orders=5_000, customers=60,
                    customer_orders=500)


def say(text: str) -> None:
    print(text, flush=True)


def demo(work: Path, given: Path | None) -> tuple[Path, str]:
    source = given or LARGE
    if source.exists():
        return source, f"the demo at {source}"
    if (work / "demo.sqlite").exists():  # built by an earlier run in this folder
        return work / "demo.sqlite", "a bulk demo a tenth of the large one (100,000 moves, " \
            "5,000 work orders)"
    path = work / "demo.sqlite"
    say(f"{source} is not there: building a bulk demo a tenth of the large one...")
    db = open_database(path)
    build_demo(ServiceContext(db), "large", params=TENTH)
    db.close()
    return path, "a bulk demo a tenth of the large one (100,000 moves, 5,000 work orders)"


def producer_site(db: Database) -> tuple[str, str, int, int]:
    """The owner's code; the site whose share of work orders is nearest 1 %, its count and
    the total."""
    with db.reader.connect() as conn:
        counts = conn.exec_driver_sql(
            "SELECT s.code, COUNT(*) FROM work_order w JOIN site s ON s.id = w.site_id "
            "GROUP BY s.code").all()
        owner = conn.exec_driver_sql(
            "SELECT value FROM setting WHERE key = ?", (SETTING_SITE,)).scalar()
    total = sum(n for _, n in counts)
    code, count = min(((c, n) for c, n in counts if c != owner),
                      key=lambda cn: abs(cn[1] / total - 0.01))
    return str(owner), str(code), int(count), total


def first_sync(server: RunningServer, path: Path, code: str, role: str | None
               ) -> tuple[int, float]:
    """(bytes of every pull page, seconds) of a new site's first sync (``role`` None: the
    site is on the server already: a new token)."""
    token = server.add_site(code, role=role) if role else server.token(code)
    db = open_database(path)
    client.setup(db, server.base_url, token)
    started = time.perf_counter()
    client.run_sync(db, push=False)
    seconds = time.perf_counter() - started
    db.close()
    total, after = 0, 0
    while True:  # the same pages again, counted as they travel
        request = urllib.request.Request(f"{server.base_url}/v1/pull?after={after}",
                                         headers=server.headers(token))
        with urllib.request.urlopen(request, timeout=600) as reply:
            body = reply.read()
        total += len(body)
        page = json.loads(body)
        after = page["last_seq"]
        if not page["more"]:
            return total, seconds


def server_cost(db_path: Path, producer: str, site: str) -> tuple[Any, ...]:
    """Seconds and changes of whole pulls done in-process: filtered and unfiltered."""
    store = open_store(str(db_path))
    results = []
    for code, role in ((site, "site"), (producer, "producer")):
        account = SiteAccount(code, code, role, True, False)
        started, changes, after, more = time.perf_counter(), 0, 0, True
        while more:
            rows, after, more = oplog._visible_rows(store, account, after, 5000)
            changes += len(rows)
        results.append((time.perf_counter() - started, changes))
    store.dispose()
    return tuple(results)


def judging_cost(db_path: Path, producer: str) -> tuple[float, int]:
    """Seconds to judge every stored op for the producer again, in batches of 1,000 as
    pushes come (in a transaction rolled back), and the number of ops."""
    store = open_store(str(db_path))
    count = 0
    with store.engine.connect() as connection:
        connection.exec_driver_sql("BEGIN")
        connection.execute(delete(scope_rows).where(scope_rows.c.site == producer))
        connection.execute(delete(feed).where(feed.c.site == producer))
        started = time.perf_counter()
        rows = connection.execute(select(ops).order_by(ops.c.seq)).mappings().all()
        for start in range(0, len(rows), 1000):
            batch = [StoredOp(int(r["seq"]), r["site"], r["entity"], r["entity_id"], r["op"],
                              json.loads(r["payload"])) for r in rows[start:start + 1000]]
            engine = ScopeEngine(connection, [producer])
            engine.preload_ops(batch)
            engine.apply(batch)
            engine.flush()
            count += len(batch)
        seconds = time.perf_counter() - started
        connection.exec_driver_sql("ROLLBACK")
    store.dispose()
    return seconds, count


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=None)
    parser.add_argument("--work", type=Path, default=None)
    parser.add_argument("--reuse", action="store_true",
                        help="reuse --work's server from an earlier run (skips (a))")
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="scope-bench-", dir="/tmp"))
    work.mkdir(parents=True, exist_ok=True)
    source, what = demo(work, args.db)
    owner_path = work / "owner.sqlite"
    if not args.reuse:
        shutil.copyfile(source, owner_path)
    owner = open_database(owner_path, backup=False)
    owner_code, producer, count, total = producer_site(owner)
    say(f"measured on {what}; producer {producer} holds {count} of {total:,} work orders "
        f"({100 * count / total:.1f} %)")
    full = f"F{int(time.time()) % 100000}"  # a new full site each run
    for old in ("full.sqlite", "producer.sqlite"):
        for path in work.glob(f"{old}*"):
            path.unlink()
    with running_server(None, work) as server:
        if not args.reuse:
            server.add_site(producer, role="producer")
            client.setup(owner, server.base_url, server.add_site(owner_code, role="owner"))
            started = time.perf_counter()
            pushed = client.run_sync(owner, pull=False).pushed
            push_s = time.perf_counter() - started
            say(f"(a) owner pushed {pushed:,} ops in {push_s:.1f} s, the producer's feed "
                "judged as they were stored")
        full_bytes, full_s = first_sync(server, work / "full.sqlite", full, "site")
        prod_bytes, prod_s = first_sync(server, work / "producer.sqlite", producer, None)
        say(f"(b) full site's first sync: {full_bytes / 1e6:,.1f} MB in {full_s:.1f} s")
        say(f"    producer's first sync:  {prod_bytes / 1e6:,.2f} MB in {prod_s:.2f} s = "
            f"{100 * prod_bytes / full_bytes:.2f} % of the bytes (target <= 5 %), "
            f"{100 * prod_s / full_s:.1f} % of the time")
    owner.close()
    (full_s2, full_n), (prod_s2, prod_n) = server_cost(work / "server.sqlite", producer,
                                                        full)
    per_full = full_s2 / max(full_n, 1) * 1e6
    per_prod = prod_s2 / max(prod_n, 1) * 1e6
    say(f"(c) server, unfiltered pull: {full_n:,} changes in {full_s2:.2f} s "
        f"({per_full:.1f} us per change)")
    say(f"    server, producer's pull: {prod_n:,} changes in {prod_s2:.3f} s "
        f"({per_prod:.1f} us per change) = {per_prod / per_full:.2f}x (target <= 2x)")
    judge_s, judged = judging_cost(work / "server.sqlite", producer)
    say(f"(d) server, judging at push time for one producer: {judged:,} ops in {judge_s:.1f} s "
        f"({judge_s / judged * 1e6:.0f} us per op stored, with reading and parsing them)")
    say(f"work files in {work} (delete when done)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
