"""Benchmark of the small demo build (what `dmdesk --demo` does on a fresh machine). A script,
not a pytest test; it prints figures and judges nothing:

    python tests/benchmarks/demo_bench.py [--rounds N] [--profile] [--keep PATH]

Each round builds the small demo (six months of business played through the services) into a
new file and prints the wall time, the process's CPU time (the fairer figure on a busy
machine: other processes inflate the wall time, not this one's CPU), what was made, and the
write transactions, service calls and audit entries behind it. The best round counts. With
``--profile`` one more round runs under cProfile and the functions that took the most time
are printed (cumulative, then own time).

Target (issue 19): the small demo ready in under 20 s on the development machine.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import sqlite3
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
try:
    import dmdesk  # noqa: F401 - installed (pip install -e .)?
except ImportError:  # run from a checkout: use its sources
    sys.path.insert(0, str(REPO / "src"))

from dmdesk.db.database import open_database  # noqa: E402
from dmdesk.demo import DemoSummary, build_demo  # noqa: E402
from dmdesk.services.context import ServiceContext  # noqa: E402

TARGET_S = 20.0


@dataclass(frozen=True)
class Round:
    wall: float
    cpu: float
    summary: DemoSummary
    audit_entries: int  # one per service call


def build_once(path: Path, profile: cProfile.Profile | None = None) -> Round:
    path.unlink(missing_ok=True)
    db = open_database(path)
    try:
        wall, cpu = time.perf_counter(), time.process_time()
        if profile is not None:
            profile.enable()
        summary = build_demo(ServiceContext(db, actor="bench"), "small")
        if profile is not None:
            profile.disable()
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    finally:
        db.close()
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as connection:
        audit = connection.execute("SELECT COUNT(*) FROM audit_log").fetchone()[0]
    return Round(wall, cpu, summary, int(audit))


def show(n: int, result: Round) -> None:
    s = result.summary
    print(f"round {n}: wall {result.wall:6.1f} s  cpu {result.cpu:6.1f} s  "
          f"({s.products} products, {s.moves} moves, {s.work_orders} work orders, "
          f"{s.customer_orders} customer orders, {s.sites} sites; {result.audit_entries} "
          f"audited service calls)", flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--profile", action="store_true",
                        help="one more round under cProfile; print where the time went")
    parser.add_argument("--keep", type=Path, default=None,
                        help="build here and keep the file (default: a temporary folder)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="dmdesk-demo-bench-") as folder:
        path = args.keep or Path(folder) / "demo.sqlite"
        rounds = [build_once(path) for _ in range(args.rounds)]
        for n, result in enumerate(rounds, start=1):
            show(n, result)
        best = min(rounds, key=lambda r: r.wall)
        print(f"best: wall {best.wall:.1f} s, cpu {min(r.cpu for r in rounds):.1f} s "
              f"(target: under {TARGET_S:.0f} s wall on the development machine)")
        if args.profile:
            profile = cProfile.Profile()
            build_once(path, profile)
            stats = pstats.Stats(profile).strip_dirs()
            stats.sort_stats("cumulative").print_stats(30)
            stats.sort_stats("tottime").print_stats(20)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
