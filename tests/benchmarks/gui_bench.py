"""Desktop-app benchmarks on the large demo (issue: the desktop app).

    python tests/benchmarks/gui_bench.py [--db PATH]

Prints, each against a bare baseline measured in the same run:
  * start to first paint of the main window (target <= 1.5 s), vs a bare PySide6 window;
  * a keystroke in the product filter to updated rows (target <= 100 ms), vs the same LIKE
    query in raw sqlite3;
  * scrolling to the end of the 1M-row move history, per page fetch (target <= 100 ms), vs a
    raw keyset query per page;
  * resident memory with the large demo open after scrolling (target <= 250 MB), vs a bare
    PySide6 window.
The database must exist (build it with `dmdesk demo --scale large --db PATH` or run.py).
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
from pathlib import Path

DEFAULT_DB = Path("/tmp/dmdesk-bench-large.sqlite")

# A child process measures start-up: the parent passes its wall-clock time at spawn.
_CHILD = r"""
import json, os, sys, time
t0 = float(os.environ["BENCH_T0"])
os.environ["QT_QPA_PLATFORM"] = "offscreen"
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QMainWindow, QLabel
mode, db_path = sys.argv[1], sys.argv[2]
app = QApplication([])
painted = {}
class Spy(QObject):
    def eventFilter(self, obj, event):
        if event.type() == QEvent.Type.Paint and "t" not in painted:
            painted["t"] = time.time() - t0
        return False
if mode == "bare":
    window = QMainWindow(); window.setCentralWidget(QLabel("hello")); extra = None
else:
    from pathlib import Path
    from dmdesk.db.database import open_database
    from dmdesk.gui.app import build_window
    from dmdesk.gui.tasks import TaskRunner
    db = open_database(Path(db_path))
    window, extra = build_window(db, TaskRunner())
spy = Spy(); window.installEventFilter(spy)
window.resize(1280, 800); window.show()
while "t" not in painted:
    app.processEvents()
    if time.time() - t0 > 60: break
if mode == "app" and len(sys.argv) > 3:
    area = window.show_area("Stock"); area.tabs.setCurrentWidget(area.moves); app.processEvents()
    while area.moves.model.canFetchMore():
        area.moves.model.fetchMore(); area.moves.table.scrollToBottom(); app.processEvents()
# Peak resident memory of this process (VmHWM; getrusage's maxrss can carry the parent's).
status = open("/proc/self/status").read()
rss_mb = int(status.split("VmHWM:")[1].split()[0]) / 1024
print(json.dumps({"paint_s": painted.get("t"), "rss_mb": rss_mb}))
"""


def _child(mode: str, db: Path, scroll_pages: int = 0) -> dict[str, float]:
    env = {**os.environ, "BENCH_T0": repr(time.time())}
    args = [sys.executable, "-c", _CHILD, mode, str(db)]
    if scroll_pages:
        args.append(str(scroll_pages))
    out = subprocess.run(args, capture_output=True, text=True, env=env, check=True).stdout
    return json.loads(out.strip().splitlines()[-1])  # type: ignore[no-any-return]


def _median(samples: list[float]) -> float:
    return statistics.median(samples)


def bench_startup(db: Path) -> tuple[float, float]:
    bare = _median([_child("bare", db)["paint_s"] for _ in range(3)])
    app = _median([_child("app", db)["paint_s"] for _ in range(3)])
    return app, bare


def bench_filter(db: Path) -> tuple[float, float]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from dmdesk.db.database import open_database
    from dmdesk.gui.models.paged_table import PagedTableModel
    from dmdesk.queries import lists

    _app = QApplication.instance() or QApplication([])
    database = open_database(db)
    model = PagedTableModel(database, lists.PRODUCTS)
    words = ["c", "ch", "cha", "chai", "chair", "chair o", "chair oa", "chair oak"]
    timings = []
    for _ in range(3):
        for word in words:
            started = time.perf_counter()
            model.set_search(word)
            model.rowCount()
            timings.append(time.perf_counter() - started)
    raw = sqlite3.connect(db)
    raw_timings = []
    for _ in range(3):
        for word in words:
            started = time.perf_counter()
            pattern = f"%{word.split()[-1]}%"
            raw.execute("SELECT sku, name FROM product WHERE sku LIKE ? OR name LIKE ? "
                        "ORDER BY sku LIMIT 201", (pattern, pattern)).fetchall()
            raw_timings.append(time.perf_counter() - started)
    database.close()
    return max(timings), _median(raw_timings)


def bench_scroll(db: Path) -> tuple[float, float, float, float]:
    """Per page fetch: the model scrolled to its row limit, and every keyset page of the
    whole million-row ledger; baseline: a raw keyset query on the moves table alone."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from dmdesk.db.database import open_database
    from dmdesk.gui.models.paged_table import PagedTableModel
    from dmdesk.queries import lists, paging

    _app = QApplication.instance() or QApplication([])
    database = open_database(db)
    model = PagedTableModel(database, lists.MOVES)
    model_times = []
    while model.canFetchMore():
        t = time.perf_counter()
        model.fetchMore()
        model_times.append(time.perf_counter() - t)
    page_times = []
    after = None
    with database.read_session() as session:
        while True:
            t = time.perf_counter()
            page = paging.fetch_page(session, lists.MOVES, limit=200, after=after)
            page_times.append(time.perf_counter() - t)
            if not page.has_more:
                break
            after = page.last_key
    database.close()
    raw = sqlite3.connect(db)
    key = b""
    raw_times = []
    while True:
        t = time.perf_counter()
        rows = raw.execute("SELECT id, product_id, location_id, quantity, reason, reference "
                           "FROM stock_move WHERE id > ? ORDER BY id LIMIT 201",
                           (key,)).fetchall()
        raw_times.append(time.perf_counter() - t)
        if len(rows) < 201:
            break
        key = rows[-2][0]
    page_times.sort()
    p99 = page_times[int(len(page_times) * 0.99)]
    return max(model_times), max(page_times), p99, _median(page_times) / _median(raw_times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", type=Path, default=DEFAULT_DB)
    args = parser.parse_args()
    if not args.db.exists():
        raise SystemExit(f"{args.db} does not exist; build it with "
                         "`dmdesk demo --scale large --db PATH` first.")
    print(f"{'measure':52} {'dmdesk':>12} {'baseline':>22} {'ratio':>18} {'target':>10}",
          flush=True)

    def show(row: tuple[str, str, str, str, str, bool]) -> None:
        name, value, base, ratio, target, ok = row
        print(f"{name:52} {value:>12} {base:>22} {ratio:>18} {target:>10} "
              f"{'PASS' if ok else 'MISS'}", flush=True)

    app, bare = bench_startup(args.db)
    show(("start to first paint", f"{app:.3f} s", f"bare {bare:.3f} s",
                 f"{app / bare:.1f}x", "<= 1.5 s", app <= 1.5))
    worst, raw = bench_filter(args.db)
    show(("keystroke in product filter (worst)", f"{worst * 1000:.1f} ms",
                 f"raw LIKE {raw * 1000:.1f} ms", f"{worst / raw:.1f}x", "<= 100 ms",
                 worst <= 0.1))
    model_worst, worst_page, p99, ratio = bench_scroll(args.db)
    show(("move history: model pages to its row limit (worst)", f"{model_worst * 1000:.1f} ms",
          "", "", "<= 100 ms", model_worst <= 0.1))
    show(("move history: every page of 1M moves (worst)", f"{worst_page * 1000:.1f} ms",
          f"p99 {p99 * 1000:.1f} ms", f"{ratio:.1f}x raw (median)", "<= 100 ms",
          worst_page <= 0.1))
    rss = _child("app", args.db, scroll_pages=50)["rss_mb"]
    bare_rss = _child("bare", args.db)["rss_mb"]
    show(("resident memory, large demo open, history at limit", f"{rss:.0f} MB",
          f"bare {bare_rss:.0f} MB", f"+{rss - bare_rss:.0f} MB", "<= 250 MB", rss <= 250))


if __name__ == "__main__":
    main()
