"""Backups on opening the large demo (issue 20: "a backup never blocks the window; opening
writes no backup when one of today exists; total backup disk bounded and shown").

    python tests/benchmarks/backup_bench.py [--db PATH] [--code SRC]

Defaults to the large demo (/tmp/dmdesk-bench-large.sqlite, 1M moves), which it never
changes: it works on a copy beside it (``NAME-backup-bench.sqlite``, removed afterwards).
Each figure is measured in a fresh process that opens the app (``gui.app.open_session``)
offscreen, against bare baselines from the same run:
  * start to first paint, vs a bare PySide6 window;
  * how long a worker task queued right after the paint waits (a list's first read would),
    vs the same task in a bare TaskRunner;
  * start until the backup is decided (and written), and the bytes it wrote, vs a bare copy
    with sqlite3's backup API;
in two cases: no backup yet (the first opening of a day after a change: one is written), and
one of today present (none is written). ``--code SRC`` runs the app from another checkout's
``src`` (e.g. main's, for a before/after).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

DEFAULT_DB = Path("/tmp/dmdesk-bench-large.sqlite")
REPO_SRC = Path(__file__).resolve().parents[2] / "src"

# The child: open the app on the database, note the first paint, queue a no-op on the worker
# and note when it runs, then wait for the backup (this code's thread, or older code's worker
# task) and report the times and the bytes the backup folder gained.
_CHILD = r"""
import json, os, sys, time
t0 = float(os.environ["BENCH_T0"])
os.environ["QT_QPA_PLATFORM"] = "offscreen"
from pathlib import Path
from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QApplication, QLabel, QMainWindow
mode, db_path = sys.argv[1], Path(sys.argv[2])
app = QApplication([]); app.setOrganizationName("dmdesk-bench")
painted = {}
class Spy(QObject):
    def eventFilter(self, obj, event):
        if event.type() == QEvent.Type.Paint and "t" not in painted:
            painted["t"] = time.time() - t0
        return False
spy = Spy()
def folder_bytes():
    folder = Path(f"{db_path}.backups")
    return sum(p.stat().st_size for p in folder.glob("*.sqlite")) if folder.is_dir() else 0
before = folder_bytes()
if mode == "bare":
    from dmdesk.gui.tasks import TaskRunner
    runner = TaskRunner(); window = QMainWindow(); window.setCentralWidget(QLabel("hello"))
    window.installEventFilter(spy); window.show()
else:
    from dmdesk.gui.app import open_session
    import dmdesk.gui.main_window as mw
    original_show = mw.MainWindow.show
    def show(self):
        self.installEventFilter(spy); original_show(self)
    mw.MainWindow.show = show
    session = open_session(db_path)
    runner = session.gctx.runner
while "t" not in painted and time.time() - t0 < 120:
    app.processEvents()
probe = {}
queued = time.time()
runner.run(lambda _p: None, on_done=lambda _r: probe.setdefault("t", time.time() - queued))
while "t" not in probe and time.time() - t0 < 300:
    app.processEvents(); time.sleep(0.001)
if mode != "bare":
    backups = getattr(session, "backups", None)
    if backups is not None:
        while backups.last is None and time.time() - t0 < 300:
            app.processEvents(); time.sleep(0.005)
    else:
        runner.wait_idle(300)
settled = time.time() - t0
if mode != "bare":
    session.close()
print(json.dumps({"paint_s": painted.get("t"), "probe_s": probe.get("t"),
                  "settled_s": settled, "written": folder_bytes() - before}))
"""


def _child(mode: str, db: Path, code: Path) -> dict[str, float]:
    env = {**os.environ, "BENCH_T0": repr(time.time()), "PYTHONPATH": str(code)}
    with tempfile.TemporaryDirectory() as home:  # the app's QSettings go there, not to ~
        env["XDG_CONFIG_HOME"] = home
        done = subprocess.run([sys.executable, "-c", _CHILD, mode, str(db)],
                              capture_output=True, text=True, env=env, check=False)
    if done.returncode != 0:
        raise SystemExit(f"the {mode} child failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def _bare_copy(db: Path) -> tuple[float, int]:
    """sqlite3's backup API over the whole file, as bare as it gets."""
    target = db.with_name(db.name + ".bare-copy")
    target.unlink(missing_ok=True)
    started = time.perf_counter()
    source = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    dest = sqlite3.connect(target)
    source.backup(dest)
    dest.close()
    source.close()
    seconds = time.perf_counter() - started
    size = target.stat().st_size
    target.unlink()
    return seconds, size


def _fresh_copy(source: Path, code: Path) -> Path:
    """A copy at the code's schema (an older demo is upgraded first, without a backup, so
    the openings measured are ordinary ones), its WAL folded in."""
    copy = source.with_name(f"{source.stem}-backup-bench{source.suffix}")
    _remove(copy)
    shutil.copyfile(source, copy)
    upgrade = ("import sys; from pathlib import Path; from dmdesk.db.database import "
               "open_database; open_database(Path(sys.argv[1]), backup=False).close()")
    subprocess.run([sys.executable, "-c", upgrade, str(copy)], check=True,
                   env={**os.environ, "PYTHONPATH": str(code)})
    return copy


def _remove(copy: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{copy}{suffix}").unlink(missing_ok=True)
    shutil.rmtree(f"{copy}.backups", ignore_errors=True)


def _row(name: str, got: dict[str, float], bare: dict[str, float]) -> str:
    return (f"{name:<26} paint {got['paint_s']:6.2f} s ({got['paint_s'] / bare['paint_s']:4.1f}x "
            f"bare)  worker wait {got['probe_s'] * 1000:7.1f} ms ({bare['probe_s'] * 1000:.1f} "
            f"ms bare)  settled {got['settled_s']:6.2f} s  written {got['written'] / 1e6:7.1f} MB")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", type=Path, default=DEFAULT_DB,
                        help=f"database to open (default: the large demo, {DEFAULT_DB})")
    parser.add_argument("--code", type=Path, default=REPO_SRC,
                        help="the src folder of the dmdesk to run (default: this checkout's)")
    args = parser.parse_args(argv)
    source = args.db.expanduser().resolve()
    if not source.exists():
        raise SystemExit(f"{source} does not exist: build it with `dmdesk demo --scale large "
                         f"--db {source}` or tests/benchmarks/run.py.")
    print(f"database: {source} ({source.stat().st_size / 1e6:,.0f} MB), code: {args.code}",
          flush=True)
    copy = _fresh_copy(source, args.code)
    try:
        bare_copy_s, bare_bytes = _bare_copy(copy)
        bare = _child("bare", copy, args.code)
        first = _child("app", copy, args.code)  # no backup yet: one is written
        again = _child("app", copy, args.code)  # one of today exists
    finally:
        _remove(copy)
    print(f"{'bare copy (backup API)':<26} {bare_copy_s:.2f} s, {bare_bytes / 1e6:,.1f} MB")
    print(_row("open, no backup yet", first, bare))
    print(_row("open, one of today", again, bare))
    after_paint = first["settled_s"] - first["paint_s"]
    print(f"backup on open, first paint until written: {after_paint:.2f} s, "
          f"{after_paint / bare_copy_s:.2f}x the bare copy")
    return 0


if __name__ == "__main__":
    sys.exit(main())
