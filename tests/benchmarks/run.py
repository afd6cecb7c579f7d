"""Benchmarks on the large demo database. A script, not a pytest test:

    python tests/benchmarks/run.py [--db PATH] [--skip-build] [--profile]

(a) builds the large demo (20,000 products, 1,000,000 moves, 50,000 work orders) and times
    it; with --skip-build an existing database at PATH is reused;
(b) reads the full on-hand (every product x location x lot) from the stock_balance cache and
    from the ledger (SUM over stock_move GROUP BY), both with raw sqlite3 in the same run;
(c) writes 20,000 receipt lines through the service layer (services.stock.receive_many,
    1,000 lines a call) and the same rows with raw sqlite3 executemany into stock_move.

Fairness of (c): both paths write into their own copy of the large database, so both see the
same index depths and the same cache and ledger sizes a real site would have (a fresh small
database would flatter both and hide the cost of looking balances up in a big table). Both
commit every 1,000 lines with the application's pragmas (WAL, synchronous=NORMAL, foreign
keys, 32 MB page cache). The raw rows (ids, scaled quantities, numbers) are prepared before
the clock starts, so the raw figure is the bare insert cost: a lower bound the service path,
which also validates, numbers, writes the outbox, the balances and the audit entry, is
measured against. Each path runs twice, alternating, on fresh copies, after dirty pages are
flushed to disk (a just-built database is still being written out, which would slow whichever
path ran first); the best run of each counts.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import random
import resource
import shutil
import sqlite3
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
try:
    import dmdesk  # noqa: F401 - installed (pip install -e .)?
except ImportError:  # run from a checkout: use its sources
    sys.path.insert(0, str(REPO / "src"))

from dmdesk.db.database import open_database  # noqa: E402
from dmdesk.db.ids import new_id  # noqa: E402
from dmdesk.demo import DemoSummary, build_demo  # noqa: E402
from dmdesk.services import stock  # noqa: E402
from dmdesk.services.context import ServiceContext  # noqa: E402
from dmdesk.services.stock import ReceiptLine  # noqa: E402

DEFAULT_DB = Path("/tmp/dmdesk-bench-large.sqlite")
LINES, PER_CALL, ROUNDS = 20_000, 1_000, 2
ONHAND_TARGET, WRITE_TARGET, BUILD_TARGET = 0.05, 0.25, 300.0
APP_PRAGMAS = ("PRAGMA journal_mode = WAL", "PRAGMA synchronous = NORMAL",
               "PRAGMA foreign_keys = ON", "PRAGMA cache_size = -32000",
               "PRAGMA temp_store = MEMORY")
CACHE_SQL = "SELECT product_id, location_id, lot_id, on_hand FROM stock_balance"
LEDGER_SQL = ("SELECT product_id, location_id, lot_id, SUM(quantity) FROM stock_move "
              "GROUP BY product_id, location_id, lot_id")
MOVE_COLUMNS = ("id", "product_id", "location_id", "lot_id", "quantity", "reason",
                "reference", "document_id", "note", "override_reason", "actor", "created_at")


def say(text: str) -> None:
    print(text, flush=True)


def connect(path: Path, read_only: bool = False) -> sqlite3.Connection:
    uri = f"file:{path}?mode=ro" if read_only else f"file:{path}"
    connection = sqlite3.connect(uri, uri=True, isolation_level=None)
    for pragma in APP_PRAGMAS[1:] if read_only else APP_PRAGMAS:
        connection.execute(pragma)
    return connection


def remove_database(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", ".build.json"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


# --- (a) build -------------------------------------------------------------------------------


@dataclass
class Build:
    seconds: float | None  # None: reused, and its build time was not recorded
    reused: bool
    summary: dict[str, Any]
    peak_rss_mb: float | None
    size_mb: float


def _progress() -> Callable[[int, int, str], None]:
    last = [0.0]

    def report(done: int, total: int, stage: str) -> None:
        now = time.perf_counter()
        if now - last[0] >= 10:
            last[0] = now
            say(f"    building: {stage} {done}/{total}")
    return report


def build(path: Path, skip: bool) -> Build:
    sidecar = Path(f"{path}.build.json")
    if skip and path.exists():
        info = json.loads(sidecar.read_text()) if sidecar.exists() else {}
        return Build(info.get("seconds"), True, info.get("summary", {}),
                     info.get("peak_rss_mb"), path.stat().st_size / 2**20)
    remove_database(path)
    say(f"(a) building the large demo into {path} ...")
    os.sync()
    db = open_database(path)
    try:
        summary: DemoSummary = build_demo(ServiceContext(db, actor="benchmark"), "large",
                                          _progress())
    finally:
        db.close()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux
    with closing(connect(path)) as connection:  # fold the WAL in: the size is the data's
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    info = {"seconds": summary.seconds, "summary": summary.__dict__, "peak_rss_mb": peak}
    sidecar.write_text(json.dumps(info, indent=2))
    return Build(summary.seconds, False, summary.__dict__, peak, path.stat().st_size / 2**20)


# --- (b) on-hand: cache against ledger ----------------------------------------------------------


def _best_of(connection: sqlite3.Connection, sql: str, runs: int = 3
             ) -> tuple[float, list[tuple[Any, ...]]]:
    connection.execute(sql).fetchall()  # warm up: both read from memory, not disk
    best, rows = float("inf"), []
    for _ in range(runs):
        started = time.perf_counter()
        rows = connection.execute(sql).fetchall()
        best = min(best, time.perf_counter() - started)
    return best, rows


@dataclass
class OnHand:
    cache_s: float
    ledger_s: float
    cache_rows: int
    ledger_rows: int
    agree: bool

    @property
    def ratio(self) -> float:
        return self.cache_s / self.ledger_s


def on_hand(path: Path) -> OnHand:
    say("(b) reading the full on-hand from the cache and from the ledger ...")
    connection = connect(path, read_only=True)
    try:
        cache_s, cache = _best_of(connection, CACHE_SQL)
        ledger_s, ledger = _best_of(connection, LEDGER_SQL)
    finally:
        connection.close()
    from_cache = {(p, loc, lot): q for p, loc, lot, q in cache if q}
    from_ledger = {(p, loc, lot): q for p, loc, lot, q in ledger if q}
    return OnHand(cache_s, ledger_s, len(cache), len(ledger), from_cache == from_ledger)


# --- (c) writes: service layer against raw executemany -------------------------------------------


@dataclass
class Writes:
    service_s: float
    raw_s: float
    prepare_s: float  # making the raw rows, outside the raw timing
    consistent: bool

    @property
    def service_rate(self) -> float:
        return LINES / self.service_s

    @property
    def raw_rate(self) -> float:
        return LINES / self.raw_s

    @property
    def ratio(self) -> float:
        return self.service_rate / self.raw_rate


def _receipt_lines(path: Path) -> list[ReceiptLine]:
    """20,000 lines of materials (not lot-tracked) into the warehouse's receiving aisle."""
    with closing(connect(path, read_only=True)) as connection:
        (location,) = connection.execute(
            "SELECT l.id FROM location l JOIN site s ON s.id = l.site_id "
            "WHERE s.code = 'WH' AND l.code = 'A01'").fetchone()
        products = [row[0] for row in connection.execute(
            "SELECT id FROM product WHERE kind = 'raw_material' AND NOT lot_tracked "
            "ORDER BY sku")]
    rng = random.Random(2024)
    return [ReceiptLine(uuid.UUID(bytes=rng.choice(products)), uuid.UUID(bytes=location),
                        Decimal(rng.randint(1, 500))) for _ in range(LINES)]


@contextmanager
def _copy(path: Path, name: str) -> Iterator[Path]:
    target = path.with_name(f"{path.stem}-{name}{path.suffix}")
    remove_database(target)
    shutil.copyfile(path, target)
    for suffix in ("-wal",):  # a WAL not yet folded in (a reused database) goes with it
        if Path(f"{path}{suffix}").exists():
            shutil.copyfile(f"{path}{suffix}", f"{target}{suffix}")
    try:
        yield target
    finally:
        remove_database(target)


def _service_writes(path: Path, lines: list[ReceiptLine], profile: bool) -> tuple[float, bool]:
    db = open_database(path, backup=False)
    ctx = ServiceContext(db, actor="benchmark")
    profiler = cProfile.Profile() if profile else None
    try:
        if profiler:
            profiler.enable()
        started = time.perf_counter()
        for start in range(0, LINES, PER_CALL):
            stock.receive_many(ctx, lines[start:start + PER_CALL], note="benchmark")
        seconds = time.perf_counter() - started
        if profiler:
            profiler.disable()
    finally:
        db.close()
    if profiler:
        say("    where the service path spends its time (cProfile, top 20 by own time):")
        pstats.Stats(profiler, stream=sys.stdout).sort_stats("tottime").print_stats(20)
    with closing(connect(path, read_only=True)) as connection:  # cache still == ledger
        off = connection.execute(
            "SELECT COUNT(*) FROM (SELECT product_id, location_id, COALESCE(lot_id, x''), "
            "SUM(quantity) FROM stock_move GROUP BY 1, 2, 3 EXCEPT SELECT product_id, "
            "location_id, lot_key, on_hand FROM stock_balance)").fetchone()[0]
    return seconds, off == 0


def _raw_writes(path: Path, lines: list[ReceiptLine]) -> tuple[float, float]:
    """(seconds inserting, seconds making the rows: ids, scaled quantities, numbers)."""
    stamp = time.strftime("%Y-%m-%d %H:%M:%S.000000", time.gmtime())
    prepared = time.perf_counter()
    rows = [(new_id().bytes, line.product_id.bytes, line.location_id.bytes, None,
             int(Decimal(line.quantity) * 1000), "receipt", f"RAW-MV-{n // PER_CALL:05d}", None,
             "benchmark", "", "benchmark", stamp) for n, line in enumerate(lines)]
    preparing = time.perf_counter() - prepared
    sql = (f"INSERT INTO stock_move ({', '.join(MOVE_COLUMNS)}) "
           f"VALUES ({', '.join('?' * len(MOVE_COLUMNS))})")
    connection = connect(path)
    try:
        started = time.perf_counter()
        for start in range(0, LINES, PER_CALL):
            connection.execute("BEGIN IMMEDIATE")
            connection.executemany(sql, rows[start:start + PER_CALL])
            connection.execute("COMMIT")
        return time.perf_counter() - started, preparing
    finally:
        connection.close()


def writes(path: Path, profile: bool) -> Writes:
    say(f"(c) writing {LINES:,} receipt lines, service layer against raw sqlite3 "
        f"(best of {ROUNDS}) ...")
    lines = _receipt_lines(path)
    service_times: list[float] = []
    raw_times: list[tuple[float, float]] = []
    consistent = True
    for round_no in range(ROUNDS):
        with _copy(path, "service") as service_copy:
            os.sync()
            seconds, agree = _service_writes(service_copy, lines, profile and round_no == 0)
            service_times.append(seconds)
            consistent = consistent and agree
        with _copy(path, "raw") as raw_copy:
            os.sync()
            raw_times.append(_raw_writes(raw_copy, lines))
    say(f"    runs: service {', '.join(f'{t:.2f}' for t in service_times)} s; "
        f"raw {', '.join(f'{t:.2f}' for t, _ in raw_times)} s")
    raw_s, prepare_s = min(raw_times)
    return Writes(min(service_times), raw_s, prepare_s, consistent)


# --- report ------------------------------------------------------------------------------------


def verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def report(built: Build, onhand: OnHand, written: Writes) -> None:
    if built.seconds is None:
        build_figure, build_ok = "reused (build time not recorded)", "-"
    else:
        what = "reused; built in" if built.reused else "built in"
        build_figure = f"{what} {built.seconds:.1f} s"
        build_ok = verdict(built.seconds < BUILD_TARGET)
    peak = f", peak RSS {built.peak_rss_mb:.0f} MB" if built.peak_rss_mb else ""
    raw_and_rows = written.raw_s + written.prepare_s
    rows = [
        ("(a) large demo build", f"{build_figure}{peak}", f"< {BUILD_TARGET:.0f} s",
         build_ok),
        ("    database size", f"{built.size_mb:,.0f} MB", "", ""),
        ("(b) on-hand from cache", f"{onhand.cache_s * 1000:.1f} ms, "
                                   f"{onhand.cache_rows:,} rows", "", ""),
        ("    on-hand from ledger", f"{onhand.ledger_s * 1000:.1f} ms, "
                                    f"{onhand.ledger_rows:,} rows", "", ""),
        ("    cache / ledger time", f"{onhand.ratio:.4f}x (results agree: "
                                    f"{'yes' if onhand.agree else 'NO'})",
         f"<= {ONHAND_TARGET}x", verdict(onhand.ratio <= ONHAND_TARGET and onhand.agree)),
        ("(c) service receive_many", f"{written.service_rate:,.0f} lines/s "
                                     f"({written.service_s:.2f} s)", "", ""),
        ("    raw executemany", f"{written.raw_rate:,.0f} rows/s ({written.raw_s:.2f} s)",
         "", ""),
        ("    service / raw rate", f"{written.ratio:.3f}x (cache == ledger after: "
                                   f"{'yes' if written.consistent else 'NO'})",
         f">= {WRITE_TARGET}x", verdict(written.ratio >= WRITE_TARGET and written.consistent)),
        ("    (raw incl. making rows)", f"{LINES / raw_and_rows:,.0f} rows/s; service / that "
                                        f"{raw_and_rows / written.service_s:.3f}x", "info", ""),
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    say("")
    say("  ".join(h.ljust(w) for h, w in zip(("figure", "measured", "target", ""), widths,
                                            strict=True)))
    say("  ".join("-" * w for w in widths))
    for row in rows:
        say("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)))
    if built.summary:
        say(f"\nlarge demo: {built.summary}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", type=Path, default=DEFAULT_DB,
                        help=f"the large demo database (default {DEFAULT_DB})")
    parser.add_argument("--skip-build", action="store_true",
                        help="reuse the database at --db if it exists")
    parser.add_argument("--profile", action="store_true",
                        help="profile the service write path (cProfile) and print where the "
                             "time goes")
    args = parser.parse_args(argv)
    path = args.db.expanduser().resolve()
    built = build(path, args.skip_build)
    onhand = on_hand(path)
    written = writes(path, args.profile)
    report(built, onhand, written)
    return 0


if __name__ == "__main__":
    sys.exit(main())
