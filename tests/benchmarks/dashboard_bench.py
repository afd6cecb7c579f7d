"""Opening the dashboard on the large demo (issue 6: running the network).

    python tests/benchmarks/dashboard_bench.py [--db PATH] [--runs N]

Prints, each against a bare baseline measured in the same run:
  * show to every chart painted: the main window (its first area is the dashboard) shown,
    the figures counted on the worker, all five charts painted; vs the least it could take, a
    bare QMainWindow shown and painted (in a fresh process) plus the figures' raw SQL;
  * the figures themselves: the dashboard's and the charts' queries through SQLAlchemy, vs the
    same aggregates in raw sqlite3 (median of N, warm cache).
The database must exist (`dmdesk demo --scale large --db PATH`, or tests/benchmarks/run.py).

The child waits in a QEventLoop, not a loop of processEvents(): PySide6 6.12's processEvents()
drops a reference to None on every call, and a long busy loop ends in "deallocating None".
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import statistics
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

DEFAULT_DB = Path("/tmp/dmdesk-bench-large.sqlite")

_CHILD = r"""
import json, os, sys, time
os.environ["QT_QPA_PLATFORM"] = "offscreen"
from PySide6.QtCore import QEvent, QEventLoop, QObject, QTimer
from PySide6.QtWidgets import QApplication, QLabel, QMainWindow
mode, db_path = sys.argv[1], sys.argv[2]
app = QApplication([])
loop = QEventLoop()
marks = {}
class Spy(QObject):
    def eventFilter(self, obj, event):
        if event.type() == QEvent.Type.Paint and "paint" not in marks:
            marks["paint"] = time.perf_counter()
            if mode == "bare":
                QTimer.singleShot(0, loop.quit)
        return False
built = time.perf_counter()
if mode == "bare":
    window = QMainWindow(); window.setCentralWidget(QLabel("hello"))
else:
    from pathlib import Path
    from dmdesk.db.database import open_database
    from dmdesk.gui.app import build_window
    from dmdesk.gui.tasks import TaskRunner
    runner = TaskRunner()
    window, _gctx = build_window(open_database(Path(db_path)), runner)
    dashboard = window.areas[0]
    dashboard.loaded.connect(lambda: marks.setdefault("loaded", time.perf_counter()))
    def painted():
        marks["charts"] = time.perf_counter()
        loop.quit()
    dashboard.charts_painted.connect(painted)
spy = Spy(); window.installEventFilter(spy)
window.resize(1280, 800)
shown = time.perf_counter()
window.show()
QTimer.singleShot(120_000, loop.quit)
loop.exec()
result = {"build_s": shown - built, "paint_s": marks["paint"] - shown}
if mode == "app":
    result.update(loaded_s=marks["loaded"] - shown, charts_s=marks["charts"] - shown)
    runner.shutdown()
print(json.dumps(result))
"""


def _child(mode: str, db: Path) -> dict[str, float]:
    out = subprocess.run([sys.executable, "-c", _CHILD, mode, str(db)], capture_output=True,
                         text=True, check=True).stdout
    return json.loads(out.strip().splitlines()[-1])  # type: ignore[no-any-return]


OPEN = ("draft", "released", "in_progress", "on_hold")
_IN_OPEN = "state IN ('draft', 'released', 'in_progress', 'on_hold')"
RAW_FIGURES = (
    f"SELECT site_id, state, COUNT(*) FROM work_order WHERE {_IN_OPEN} GROUP BY 1, 2",
    f"SELECT site_id, COUNT(*) FROM work_order WHERE due_date < :today AND {_IN_OPEN} "
    "GROUP BY 1",
    "SELECT COUNT(*) FROM (SELECT rp.minimum, COALESCE(SUM(b.on_hand), 0) AS on_hand "
    "  FROM reorder_point rp LEFT JOIN location l ON l.site_id = rp.site_id "
    "  AND l.kind = 'internal' LEFT JOIN stock_balance b ON b.product_id = rp.product_id "
    "  AND b.location_id = l.id GROUP BY rp.id) WHERE on_hand < minimum",
    "SELECT date(completed_at, 'weekday 0', '-6 days'), SUM(good_qty), COUNT(*) "
    "FROM work_order WHERE state = 'done' AND date(completed_at) >= :first GROUP BY 1",
    "SELECT l.site_id, SUM(b.on_hand * p.standard_cost) FROM stock_balance b "
    "JOIN location l ON l.id = b.location_id JOIN product p ON p.id = b.product_id GROUP BY 1",
    "SELECT site_id, COUNT(*), SUM(date(completed_at) <= due_date) FROM work_order "
    "WHERE state = 'done' GROUP BY 1",
)


def bench_raw_sql(db: Path, runs: int) -> tuple[float, float]:
    today = date.today()
    params = {"today": today.isoformat(),
              "first": (today - timedelta(days=today.weekday(), weeks=11)).isoformat()}
    connection = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    timings = []
    for _ in range(runs + 1):  # the first warms the cache, as the app's does
        started = time.perf_counter()
        for query in RAW_FIGURES:
            connection.execute(query, params).fetchall()
        timings.append(time.perf_counter() - started)
    connection.close()
    return timings[0], statistics.median(timings[1:])


def bench_queries(db: Path, runs: int) -> tuple[float, float]:
    """(first count on a freshly opened database, median of the next ``runs``)"""
    from dmdesk.db.database import open_database
    from dmdesk.queries.dashboard import dashboard
    from dmdesk.queries.dashboard_charts import chart_data

    database = open_database(db)
    timings = []
    for _ in range(runs + 1):
        started = time.perf_counter()
        with database.read_session() as session:
            figures = dashboard(session, date.today())
            chart_data(session, date.today(), figures.open_work)
        timings.append(time.perf_counter() - started)
    database.close()
    return timings[0], statistics.median(timings[1:])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", type=Path, default=DEFAULT_DB)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    if not args.db.exists():
        raise SystemExit(f"{args.db} does not exist; build it with "
                         "`dmdesk demo --scale large --db PATH` first.")
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    _child("app", args.db)  # once, so an upgrade of the file or a cold disk is not measured
    apps = [_child("app", args.db) for _ in range(args.runs)]
    bares = [_child("bare", args.db) for _ in range(args.runs)]

    def median(samples: list[dict[str, float]], key: str) -> float:
        return statistics.median(s[key] for s in samples)

    charts, loaded, first = (median(apps, k) for k in ("charts_s", "loaded_s", "paint_s"))
    build, bare = median(apps, "build_s"), median(bares, "paint_s")
    (cold, queries), (raw_cold, raw) = (bench_queries(args.db, args.runs),
                                        bench_raw_sql(args.db, args.runs))
    print(f"{'measure (median of ' + str(args.runs) + ')':46} {'dmdesk':>10} {'baseline':>24} "
          f"{'ratio':>8}")
    rows = (
        ("show -> every chart painted", charts,
         f"bare paint + raw SQL {(bare + raw_cold) * 1000:.0f} ms", charts / (bare + raw_cold)),
        ("show -> figures counted (worker)", loaded, "", None),
        ("show -> first paint of the window", first, f"bare window paint {bare * 1000:.0f} ms",
         first / bare),
        ("dashboard + chart queries, first (SQLAlchemy)", cold,
         f"raw sqlite3 {raw_cold * 1000:.0f} ms", cold / raw_cold),
        ("dashboard + chart queries, warm (SQLAlchemy)", queries,
         f"raw sqlite3 {raw * 1000:.0f} ms", queries / raw),
        ("building the window before show", build, "", None),
    )
    for name, seconds, base, ratio in rows:
        print(f"{name:46} {seconds * 1000:>7.0f} ms {base:>24} "
              f"{'' if ratio is None else f'{ratio:.1f}x':>8}", flush=True)
    print(f"charts painted {(charts - loaded) * 1000:.0f} ms after the figures arrived; "
          f"target: every chart within 1 s of show ({'PASS' if charts <= 1.0 else 'MISS'})")


if __name__ == "__main__":
    main()
