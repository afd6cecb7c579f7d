"""Sync server throughput. A script, not a pytest test:

    python tests/benchmarks/server_bench.py [--ops 50000] [--pg postgresql://...]

Starts a real `dmdesk serve` (SQLite in a temporary folder, or a fresh PostgreSQL database),
pushes ``--ops`` stock-move ops as the owner in batches of 1,000 (MAX_PUSH_OPS) over one
keep-alive HTTP connection, then pulls them all as another site in pages of 5,000.
Baseline, in the same run: the same rows written with raw sqlite3 executemany into a bare
table of the same shape (one transaction per 1,000), and read back with one SELECT. The
figures are ratios against that baseline, since the machine's speed varies from run to run.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import httpx
from tests.server import ops as o
from tests.sync_server_process import postgres_database, running_server

BATCH = 1000


def baseline(bodies: list[list[dict[str, object]]], folder: Path) -> tuple[float, float]:
    connection = sqlite3.connect(folder / "bare.sqlite", isolation_level=None)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=NORMAL")
    connection.execute("CREATE TABLE op (seq INTEGER PRIMARY KEY, site TEXT, op_id TEXT, "
                       "entity TEXT, entity_id TEXT, op TEXT, payload TEXT, hlc TEXT, "
                       "schema_version TEXT, UNIQUE(site, op_id))")
    rows = [[("HQ", op["op_id"], op["entity"], op["entity_id"], op["op"],
              json.dumps(op["payload"]), op["hlc"], op["schema_version"]) for op in batch]
            for batch in bodies]
    started = time.perf_counter()
    for batch_rows in rows:
        connection.execute("BEGIN")
        connection.executemany("INSERT INTO op (site, op_id, entity, entity_id, op, payload, "
                               "hlc, schema_version) VALUES (?,?,?,?,?,?,?,?)", batch_rows)
        connection.execute("COMMIT")
    write = time.perf_counter() - started
    started = time.perf_counter()
    read = connection.execute("SELECT * FROM op ORDER BY seq").fetchall()
    assert len(read) == sum(len(b) for b in bodies)
    return write, time.perf_counter() - started


def measure(db_url: str | None, bodies: list[list[dict[str, object]]],
            folder: Path) -> tuple[float, float]:
    with running_server(db_url, folder) as server:
        owner, reader = server.add_site("HQ", role="owner"), server.add_site("MP1")
        payloads = [json.dumps({"ops": batch}).encode() for batch in bodies]
        with httpx.Client(base_url=server.base_url, timeout=120) as client:
            started = time.perf_counter()
            for body in payloads:
                reply = client.post("/v1/push", content=body, headers=server.headers(owner))
                assert reply.status_code == 200, reply.text
            push = time.perf_counter() - started
            started, after, total = time.perf_counter(), 0, 0
            while True:
                page = client.get(f"/v1/pull?after={after}",
                                  headers=server.headers(reader)).json()
                total += len(page["changes"])
                after = page["last_seq"]
                if not page["more"]:
                    break
            pull = time.perf_counter() - started
        assert total == sum(len(b) for b in bodies)
    return push, pull


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--ops", type=int, default=50_000)
    parser.add_argument("--pg", default=None, help="also measure PostgreSQL (base URL)")
    args = parser.parse_args()
    bodies = [[o.move(o.new_key(), o.new_key(), "1") for _ in range(BATCH)]
              for _ in range(args.ops // BATCH)]
    count = len(bodies) * BATCH
    with tempfile.TemporaryDirectory() as folder:
        raw_write, raw_read = baseline(bodies, Path(folder))
        print(f"baseline (raw sqlite3): write {count / raw_write:,.0f} rows/s, "
              f"read {count / raw_read:,.0f} rows/s")
        backends: list[tuple[str, str | None]] = [("sqlite", None)]
        if args.pg:
            import os
            os.environ["DMDESK_TEST_PG_URL"] = args.pg
            backends.append(("postgresql", "pg"))
        for name, kind in backends:
            sub = Path(folder) / name
            sub.mkdir()
            if kind is None:
                push, pull = measure(None, bodies, sub)
            else:
                with postgres_database() as url:
                    push, pull = measure(url, bodies, sub)
            print(f"{name}: push {count / push:,.0f} ops/s ({raw_write / push:.2f}x raw write), "
                  f"pull {count / pull:,.0f} changes/s ({raw_read / pull:.3f}x raw read)")


if __name__ == "__main__":
    main()
