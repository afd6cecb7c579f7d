"""Benchmark of job sheets: sheets per second against a bare ReportLab page with the same table.
A script, not a pytest test:

    python tests/benchmarks/jobsheet_bench.py [--db PATH] [--sheets N] [--rounds R]

Over the same work orders (those with the longest pick lists first), in one process and the same
run, alternating, best of ``--rounds``, two ways of making them:

- ``dmdesk``: ``documents.jobsheet.render_job_sheets(db, numbers, out)``: the whole sheet: the
  read of the orders, their pick lists and operations from the database, QR code, Code128, the
  header, pick list, operations, design file (with its thumbnail: the demo's drawings are
  SVG, drawn as vectors) and notes blocks, "page x of y", DejaVu Sans and DejaVu Sans Bold
  embedded (subset), temp file and rename. Its process-wide caches: font subsets (warm after
  the untimed first sheet, as in the app after its first print) and prepared thumbnails
  (documents.thumbnails: in memory, and on disk so that a new session does not parse a
  drawing again). The thumbnails are timed three ways, each with its own rounds:
  ``new-session`` (the memory cache emptied before each round, the disk cache kept: the
  app started again, printing sheets whose drawings were printed before; the target is
  judged on this one), ``warm`` (both caches kept: the same session printing again) and
  ``first-print`` (both emptied before each round: drawings never printed on this machine,
  each parsed by svglib once);
- ``bare``: the floor it is measured against (target: dmdesk >= 0.5 x bare): a ReportLab page
  with the same table: the sheet's pick list and operations rows (read beforehand, outside the
  clock) in one platypus ``LongTable`` with a grid, set in the fonts the sheet uses (DejaVu Sans,
  header row in DejaVu Sans Bold, both embedded as subsets, as a sheet that must print any
  script has to; fonts of its own, as plain ReportLab has them, without the sheet's caches:
  see ``bare_fonts``), no database, no codes, no other blocks. Fair because it is what
  ReportLab costs for a document with that table in those fonts. Shown too, for information,
  not as the target's baseline: ``bare-cached-fonts`` (the same page in dmdesk's fonts, with
  its caches of font subsets: the floor of a page sharing them) and ``bare-helvetica``
  (Helvetica: not embedded, Latin-1 only).

Both are timed two ways: ``single``: one PDF per order (as Save as PDF, and the app's print
of one order, make them); ``batch``: all the orders in one PDF (``dmdesk jobsheet N1 N2 ...``,
the batch print of selected orders), one sheet (or bare page) each.

Also reported: where a single sheet's time goes (reading its data, drawing), the time to print
the batch through Qt (pages rasterised at 300 dpi by PDFium and painted onto a QPrinter
writing a PDF file), and how long the GUI thread stalls while a worker prints, when PySide6 can
start offscreen.
"""

from __future__ import annotations

import argparse
import gc
import importlib.util
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
HELVETICA = ("Helvetica", "Helvetica-Bold")

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


def render_bare(tables: Sequence[list[list[str]]], out: Path,
                fonts: tuple[str, str] = HELVETICA) -> None:
    """One PDF at ``out``, a page per table (or as many as it takes)."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.platypus import Flowable, LongTable, PageBreak, SimpleDocTemplate, TableStyle

    doc = SimpleDocTemplate(str(out), pagesize=A4)
    story: list[Flowable] = []
    for rows in tables:
        if story:
            story.append(PageBreak())
        table = LongTable(rows, repeatRows=1)
        table.setStyle(TableStyle([("FONT", (0, 0), (-1, -1), fonts[0], 8.5, 10.5),
                                   ("FONT", (0, 0), (-1, 0), fonts[1], 8.5, 10.5),
                                   ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                                   ("BACKGROUND", (0, 0), (-1, 0), colors.lightgrey)]))
        story.append(table)
    doc.build(story)


def bare_fonts() -> tuple[str, str]:
    """The sheet's fonts (the same DejaVu Sans files) as plain ReportLab has them: their own
    TTFont objects, without dmdesk's per-process caches of font subsets, widths and ToUnicode
    maps (documents/pdf/font_subsets.py), which are part of what is measured, not of the floor.

    ``pdfmetrics.registerFont`` would not do: a font whose face (PostScript name) is already
    registered is registered as that same object, so "BareDejaVuSans" would be dmdesk's
    DejaVuSans with its caches (the figures before 2026-11-25 were measured so, which made
    the floor lower than plain ReportLab's). Put in ReportLab's table of fonts by hand."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    from dmdesk.paths import resources_dir

    names = ("BareDejaVuSans", "BareDejaVuSans-Bold")
    for name, file in zip(names, ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf"), strict=True):
        font = TTFont(name, str(resources_dir() / "fonts" / file))
        pdfmetrics._fonts[name] = font
        assert pdfmetrics.getFont(name) is font and "addObjects" not in font.__dict__
    return names


def cached_fonts() -> tuple[str, str]:
    """dmdesk's own registered fonts, with its caches: the bare page drawn so is shown for
    information (``bare-cached-fonts``), as the floor of a page that shares dmdesk's font
    caches."""
    from dmdesk.documents.pdf.fonts import register_fonts

    return register_fonts()


def timed(run: Callable[[], object]) -> float:
    """Seconds ``run`` takes, the garbage collector off (as timeit does): a collection of
    what an earlier way left behind would otherwise be charged to whichever way runs next."""
    gc.collect()
    gc.disable()
    try:
        started = time.perf_counter()
        run()
        return time.perf_counter() - started
    finally:
        gc.enable()


def breakdown(db: Any, numbers: Sequence[str], out: Path) -> tuple[float, float]:
    """Seconds a sheet spends reading its data, and drawing the PDF from that data."""
    from reportlab.lib.pagesizes import A4

    from dmdesk.documents.jobsheet import sheet as jobsheet
    from dmdesk.queries.jobsheet import job_sheets_data

    started = time.perf_counter()
    with db.read_session() as session:
        sheets = [job_sheets_data(session, [number])[0] for number in numbers]
    read = time.perf_counter() - started
    draw = timed(lambda: [jobsheet._write([sheet], out / f"draw-{i}.pdf", A4)
                          for i, sheet in enumerate(sheets)])
    return read / len(numbers), draw / len(numbers)


def _pdf_printer(path: Path) -> Any:
    """A high-resolution QPrinter writing a PDF file (a QApplication made if there is none)."""
    from PySide6.QtPrintSupport import QPrinter
    from PySide6.QtWidgets import QApplication

    global _app
    _app = QApplication.instance() or QApplication([])  # kept alive while printing
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(path))
    return printer


_app: Any = None


def print_through_qt(pdf: Path, out_dir: Path) -> tuple[int, float] | None:
    """Pages and seconds to paint ``pdf`` onto a QPrinter (PDF file output) at 300 dpi."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    if importlib.util.find_spec("PySide6") is None:
        return None
    from dmdesk.gui.printing import _paint
    from dmdesk.gui.tasks import Progress

    printer = _pdf_printer(out_dir / "jobsheet-bench-printed.pdf")
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
    except ImportError:
        return None
    import threading

    from dmdesk.gui.printing import print_job_sheets
    from dmdesk.gui.tasks import Progress

    printer = _pdf_printer(out_dir / "jobsheet-bench-stall.pdf")
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


REGIMES = ("new-session", "warm", "first-print")
TARGET_REGIME = "new-session"


def before_round(regime: str, fresh: Path) -> None:
    """Set the thumbnail caches up as ``regime`` says (see the module's docstring)."""
    from dmdesk.documents.pdf.thumbnails import clear_memory_cache

    if regime == "first-print":
        os.environ["DMDESK_CACHE_DIR"] = str(fresh)  # a disk cache nothing was written to
    elif regime:
        os.environ["DMDESK_CACHE_DIR"] = str(fresh.parent / "kept")
    if regime in ("new-session", "first-print"):
        clear_memory_cache()


def report(best: dict[tuple[str, str, str], float], count: int) -> dict[str, float]:
    """Print each way's rate, and the ratios against bare; return the target's ratios."""
    ratios = {}
    for label in ("single", "batch"):
        rows = [(name, regime) for kind, name, regime in best if kind == label]
        bare = best[(label, "bare", "")]
        helvetica = best[(label, "bare-helvetica", "")]
        cached = best[(label, "bare-cached-fonts", "")]
        for name, regime in rows:
            seconds = best[(label, name, regime)]
            shown = f"{name} {regime}".strip()
            extra = ""
            if name == "dmdesk":
                target = " (target >= 0.5: judged here)" if regime == TARGET_REGIME else ""
                extra = (f"; ratio to bare {bare / seconds:.2f}{target}, to "
                         f"bare-cached-fonts {cached / seconds:.2f}, to bare-helvetica "
                         f"{helvetica / seconds:.2f}")
                if regime == TARGET_REGIME:
                    ratios[label] = bare / seconds
            print(f"{label:6} {shown:24} {count} sheets in {seconds:6.3f} s = "
                  f"{count / seconds:7.1f} sheets/s ({seconds / count * 1000:5.2f} ms each)"
                  f"{extra}")
    return ratios


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
    from dmdesk.documents.jobsheet.sheet import render_job_sheets
    from dmdesk.documents.pdf.fonts import register_fonts
    numbers = pick_orders(db_path, args.sheets)
    db = open_database(db_path, create=False, upgrade=False)
    out = args.out_dir / "jobsheet-bench"
    out.mkdir(exist_ok=True)
    caches = Path(tempfile.mkdtemp(prefix="jobsheet-bench-cache-"))  # never the user's cache
    os.environ["DMDESK_CACHE_DIR"] = str(caches / "kept")
    try:
        tables = bare_rows(db, numbers)
        render_job_sheets(db, numbers[:1], out / "warm.pdf")  # fonts registered once
        register_fonts()
        dejavu = bare_fonts()
        cached = cached_fonts()
        render_bare(tables[:1], out / "warm-bare.pdf", dejavu)
        render_bare(tables[:1], out / "warm-bare-cached.pdf", cached)

        def bare_single(tag: str, fonts: tuple[str, str]) -> None:
            for i, rows in enumerate(tables):
                render_bare([rows], out / f"bare-{tag}-{i}.pdf", fonts)

        def dmdesk_single(tag: str) -> None:
            for i, number in enumerate(numbers):
                render_job_sheets(db, [number], out / f"sheet-{tag}-{i}.pdf")

        ways: dict[tuple[str, str], Callable[[], object]] = {
            ("single", "bare"): lambda: bare_single("dejavu", dejavu),
            ("single", "bare-helvetica"): lambda: bare_single("helvetica", HELVETICA),
            ("single", "bare-cached-fonts"): lambda: bare_single("cached", cached),
            ("single", "dmdesk"): lambda: dmdesk_single("one"),
            ("batch", "bare"): lambda: render_bare(tables, out / "bare-batch.pdf", dejavu),
            ("batch", "bare-helvetica"): lambda: render_bare(tables, out / "helv-batch.pdf"),
            ("batch", "bare-cached-fonts"): lambda: render_bare(tables, out / "cached-batch.pdf",
                                                                cached),
            ("batch", "dmdesk"): lambda: render_job_sheets(db, numbers, out / "batch.pdf"),
        }
        best: dict[tuple[str, str, str], float] = {
            (kind, name, regime): float("inf") for kind, name in ways
            for regime in (REGIMES if name == "dmdesk" else ("",))}
        for round_no in range(args.rounds):
            for (kind, name, regime) in best:
                before_round(regime, caches / f"empty-{round_no}-{kind}")
                best[(kind, name, regime)] = min(best[(kind, name, regime)],
                                                 timed(ways[(kind, name)]))
        split = breakdown(db, numbers, out)
        idle = gui_stall_while_printing(db, None, out)
        stall = gui_stall_while_printing(db, numbers[:20], out)
    finally:
        db.close()
    lines = sum(len(t) - 1 for t in tables)
    count = len(numbers)
    print(f"database {db_path}: {count} work orders, {lines} pick-list and operation rows "
          f"(best of {args.rounds})")
    ratios = report(best, count)
    print(f"where a single sheet's time goes: reading its data {split[0] * 1000:.1f} ms, "
          f"drawing the PDF {split[1] * 1000:.1f} ms")
    printed = print_through_qt(out / "batch.pdf", out)
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
    ratio = min(ratios.values())
    return 0 if ratio >= RATIO_TARGET else 1


if __name__ == "__main__":
    raise SystemExit(main())
