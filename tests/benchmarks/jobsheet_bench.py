"""Benchmark of job sheets: sheets per second. A script, not a pytest test:

    python tests/benchmarks/jobsheet_bench.py [--db PATH] [--sheets N] [--out-dir DIR]

Two paths over the same work orders (those with the longest pick lists first), in one process
and the same run, alternating, best of ``--rounds``:

- ``dmdesk``: ``documents.jobsheet.render_job_sheets(db, [number], out)``: the whole sheet,
  one PDF per order as the app's batch print makes them: the read of the order, its pick list
  and operations from the database, QR code, Code128, DejaVu (embedded, subset) paragraphs,
  the pick list and operations tables, design thumbnail, "page x of y", temp file and rename;
- ``bare``: a bare ReportLab page with the same table: the pick list and operations rows (read
  beforehand, outside the clock) in one platypus ``Table`` in Helvetica, no codes, no
  paragraphs, no database: the floor the sheet is measured against (target: dmdesk sheets/s
  >= 0.5 x bare);
- ``bare-dejavu``: the same bare table set in DejaVu Sans, embedded (subset) as the sheet's
  text is: the floor for a sheet that must print any script.

Also reported: a batch of all the sheets in one PDF (``dmdesk jobsheet N1 N2 ...``) and the
time to print them through Qt (pages rasterised at 300 dpi by PDFium and painted onto a
QPrinter writing a PDF file), when PySide6 can start offscreen.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from contextlib import closing
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
try:
    import dmdesk  # noqa: F401 - installed (pip install -e .)?
except ImportError:  # run from a checkout: use its sources
    sys.path.insert(0, str(REPO / "src"))

DEFAULT_DBS = (Path("/tmp/dmdesk-bench-large.sqlite"), Path("/tmp/bench2.sqlite"))
RATIO_TARGET = 0.5

# Orders with the most BOM lines first, so the tables are not trivially short.
PICK_SQL = """
SELECT w.number FROM work_order w
JOIN (SELECT parent_id, COUNT(*) AS n FROM bom_line GROUP BY parent_id) b
  ON b.parent_id = w.product_id
ORDER BY b.n DESC, w.number LIMIT ?"""


def pick_orders(db_path: Path, count: int) -> list[str]:
    with closing(sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)) as connection:
        return [row[0] for row in connection.execute(PICK_SQL, (count,))]


def bare_rows(db: Any, numbers: Sequence[str]) -> list[list[list[str]]]:
    """The rows the bare page draws: header + pick list + operations, as plain strings."""
    from dmdesk.domain.quantity import format_quantity
    from dmdesk.queries.jobsheet import job_sheets_data

    with db.read_session() as session:
        sheets = job_sheets_data(session, numbers)
    tables = []
    for sheet in sheets:
        rows = [["#", "SKU", "Component", "Qty", "Unit", "Location", "Lot", "Picked"]]
        rows += [[str(r.line_no), r.sku, r.name, format_quantity(r.quantity), r.unit,
                  r.location or "", r.lot or "", ""] for r in sheet.pick_list]
        rows += [[str(op.sequence), op.name, op.capability, "", "", "", "", ""]
                  for op in sheet.operations]
        tables.append(rows)
    return tables


def render_bare(rows: list[list[str]], out: Path, font: str = "Helvetica") -> None:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.platypus import LongTable, SimpleDocTemplate, TableStyle

    doc = SimpleDocTemplate(str(out), pagesize=A4)
    table = LongTable(rows, repeatRows=1)
    table.setStyle(TableStyle([("FONTNAME", (0, 0), (-1, -1), font),
                               ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                               ("BACKGROUND", (0, 0), (-1, 0), colors.lightgrey)]))
    doc.build([table])


def timed(run: Callable[[], None]) -> float:
    started = time.perf_counter()
    run()
    return time.perf_counter() - started


def breakdown(db: Any, numbers: Sequence[str], out: Path) -> tuple[float, float]:
    """Seconds a sheet spends reading its data, and drawing the PDF from that data."""
    from reportlab.lib.pagesizes import A4

    from dmdesk.documents import jobsheet
    from dmdesk.queries.jobsheet import job_sheets_data

    started = time.perf_counter()
    with db.read_session() as session:
        sheets = [job_sheets_data(session, [number])[0] for number in numbers]
    read = time.perf_counter() - started
    draw = timed(lambda: [jobsheet._write([sheet], out / f"draw-{i}.pdf", A4)
                          for i, sheet in enumerate(sheets)])
    return read / len(numbers), draw / len(numbers)


def print_through_qt(pdf: Path, out_dir: Path) -> tuple[int, float] | None:
    """Pages and seconds to paint ``pdf`` onto a QPrinter (PDF file output) at 300 dpi."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    try:
        from PySide6.QtPrintSupport import QPrinter
        from PySide6.QtWidgets import QApplication
    except ImportError:
        return None
    from dmdesk.gui.printing import _paint
    from dmdesk.gui.tasks import Progress

    _app = QApplication.instance() or QApplication([])
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(out_dir / "jobsheet-bench-printed.pdf"))
    started = time.perf_counter()
    result = _paint(printer, [pdf], ("bench",), Progress(lambda d, t, s: None))
    return result.pages, time.perf_counter() - started


def gui_stall_while_printing(db: Any, numbers: Sequence[str] | None, out_dir: Path
                             ) -> tuple[float, float, float] | None:
    """Print the sheets on a worker thread (as the app does) while the GUI thread's event loop
    ticks every 10 ms: the longest and 99th-percentile gap between ticks (how long the window
    would not answer), and the print's seconds. Without numbers the worker only sleeps 3 s:
    the baseline (what the machine's load alone does to the ticks)."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    try:
        from PySide6.QtCore import QElapsedTimer, QEventLoop, QTimer
        from PySide6.QtPrintSupport import QPrinter
        from PySide6.QtWidgets import QApplication
    except ImportError:
        return None
    import threading

    from dmdesk.gui.printing import print_job_sheets
    from dmdesk.gui.tasks import Progress

    _app = QApplication.instance() or QApplication([])
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(out_dir / "jobsheet-bench-stall.pdf"))
    loop = QEventLoop()
    clock = QElapsedTimer()
    gaps: list[float] = []
    last = [0.0]

    def tick() -> None:
        now = clock.nsecsElapsed() / 1e9
        gaps.append(now - last[0])
        last[0] = now
        if done.is_set():
            loop.quit()

    done = threading.Event()
    timer = QTimer()
    timer.setInterval(10)
    timer.timeout.connect(tick)

    def work() -> None:
        try:
            if numbers is None:
                time.sleep(3)
            else:
                print_job_sheets(db, numbers, printer, Progress(lambda d, t, s: None))
        finally:
            done.set()  # the next tick ends the loop (this thread has no event loop)

    clock.start()
    timer.start()
    started = time.perf_counter()
    threading.Thread(target=work).start()
    loop.exec()
    seconds = time.perf_counter() - started
    timer.stop()
    done.wait()
    gaps.sort()
    return gaps[-1], gaps[int(len(gaps) * 0.99) - 1], seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=None)
    parser.add_argument("--sheets", type=int, default=60)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--out-dir", type=Path, default=Path(tempfile.gettempdir()))
    args = parser.parse_args()
    db_path = args.db or next((p for p in DEFAULT_DBS if p.exists()), None)
    if db_path is None or not db_path.exists():
        print("no database (build one: dmdesk demo --scale small --db PATH; pass --db PATH)")
        return 2

    from dmdesk.db.database import open_database
    from dmdesk.documents.fonts import register_fonts
    from dmdesk.documents.jobsheet import render_job_sheets

    numbers = pick_orders(db_path, args.sheets)
    db = open_database(db_path, create=False, upgrade=False)
    out = args.out_dir / "jobsheet-bench"
    out.mkdir(exist_ok=True)
    try:
        tables = bare_rows(db, numbers)
        render_job_sheets(db, numbers[:1], out / "warm.pdf")  # fonts registered once
        render_bare(tables[0], out / "warm-bare.pdf")
        dejavu = register_fonts()[0]
        best = {"dmdesk": float("inf"), "bare": float("inf"), "bare-dejavu": float("inf")}
        for _ in range(args.rounds):
            best["bare"] = min(best["bare"], timed(lambda: [
                render_bare(rows, out / f"bare-{i}.pdf") for i, rows in enumerate(tables)]))
            best["bare-dejavu"] = min(best["bare-dejavu"], timed(lambda: [
                render_bare(rows, out / f"bare-dejavu-{i}.pdf", dejavu)
                for i, rows in enumerate(tables)]))
            best["dmdesk"] = min(best["dmdesk"], timed(lambda: [
                render_job_sheets(db, [n], out / f"sheet-{i}.pdf")
                for i, n in enumerate(numbers)]))
        batch = out / "batch.pdf"
        batch_pages = 0

        def run_batch() -> None:
            nonlocal batch_pages
            batch_pages = render_job_sheets(db, numbers, batch)

        batch_seconds = timed(run_batch)
        split = breakdown(db, numbers, out)
        idle = gui_stall_while_printing(db, None, out)
        stall = gui_stall_while_printing(db, numbers[:20], out)
    finally:
        db.close()
    lines = sum(len(t) - 1 for t in tables)
    print(f"database {db_path}: {len(numbers)} work orders, {lines} pick-list and operation "
          f"rows (best of {args.rounds})")
    rates = {name: len(numbers) / seconds for name, seconds in best.items()}
    for name in ("bare", "bare-dejavu", "dmdesk"):
        print(f"{name:11} {len(numbers)} sheets in {best[name]:6.2f} s = {rates[name]:7.1f} "
              f"sheets/s")
    ratio = rates["dmdesk"] / rates["bare"]
    print(f"ratio dmdesk/bare: {ratio:.2f} (target >= {RATIO_TARGET}); dmdesk/bare-dejavu: "
          f"{rates['dmdesk'] / rates['bare-dejavu']:.2f}")
    print(f"where a sheet's time goes: reading its data {split[0] * 1000:.1f} ms, drawing the "
          f"PDF {split[1] * 1000:.1f} ms; the bare page {best['bare'] / len(numbers) * 1000:.1f}"
          f" ms")
    print(f"batch   {len(numbers)} sheets ({batch_pages} pages) in one PDF: {batch_seconds:.2f} s"
          f" = {len(numbers) / batch_seconds:.1f} sheets/s")
    printed = print_through_qt(batch, out)
    if printed is not None:
        pages, seconds = printed
        print(f"print   {pages} pages rasterised at 300 dpi and painted onto a QPrinter: "
              f"{seconds:.2f} s = {pages / seconds:.1f} pages/s")
    if stall is not None and idle is not None:
        print(f"gui     idle worker (baseline, 3 s): longest gap between 10 ms ticks "
              f"{idle[0] * 1000:.0f} ms, 99th percentile {idle[1] * 1000:.0f} ms")
        longest, p99, seconds = stall
        print(f"gui     printing 20 sheets on the worker ({seconds:.1f} s): the GUI thread's "
              f"longest gap between 10 ms ticks {longest * 1000:.0f} ms, 99th percentile "
              f"{p99 * 1000:.0f} ms")
    return 0 if ratio >= RATIO_TARGET else 1


if __name__ == "__main__":
    raise SystemExit(main())
