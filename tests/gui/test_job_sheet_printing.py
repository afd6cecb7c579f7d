"""Job sheets printed from the Work orders area through Qt's print system to a REAL printer:
the CUPS queue "PDF" (cups-pdf, set up by .ci/run), whose output lands as a PDF in ~/PDF.

The printed pages are pictures (the sheet is rasterised onto the QPrinter), so the output is
read the way a person checks a printout: rendered with pdftoppm and its QR codes decoded with
zbarimg, one per sheet, in order. Also: the preview dialog shows the pages, Save as PDF writes
ReportLab's PDF (text searchable), and Cancel during a batch sends nothing to the spooler.
"""

from __future__ import annotations

import re
import subprocess
import threading
import uuid
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtPrintSupport import (
    QPrintDialog,
    QPrinter,
    QPrinterInfo,
    QPrintPreviewDialog,
    QPrintPreviewWidget,
)
from PySide6.QtWidgets import QFileDialog
from pytestqt.qtbot import QtBot

from dmdesk.gui.context import GuiContext
from dmdesk.gui.printing import print_job_sheets
from dmdesk.gui.tasks import Progress, TaskCancelledError
from dmdesk.gui.views.work_orders import WorkOrdersArea
from dmdesk.services import stock, work_orders
from tests.helpers import require_tool
from tests.integration.support import Network

DUE = "2030-06-30"
QUEUE = "PDF"


def _cups_output_folder() -> Path:
    """Where cups-pdf writes (its "Out" setting; ${HOME}/PDF by default)."""
    folder = "${HOME}/PDF"
    conf = Path("/etc/cups/cups-pdf.conf")
    if conf.is_file():
        for line in conf.read_text(errors="replace").splitlines():
            if line.startswith("Out "):
                folder = line.split(None, 1)[1].strip()
    return Path(folder.replace("${HOME}", str(Path.home())))


@pytest.fixture
def pdf_queue() -> Path:
    lpstat = require_tool("lpstat")
    require_tool("cupsd")
    running = subprocess.run([lpstat, "-r"], capture_output=True, text=True, check=False)
    if "is running" not in running.stdout:
        pytest.skip("the CUPS scheduler is not running (`bash .ci/run --setup-only` starts it)")
    if QPrinterInfo.printerInfo(QUEUE).isNull():
        pytest.skip(f"CUPS has no queue {QUEUE!r} (cups-pdf; `bash .ci/run --setup-only`)")
    return _cups_output_folder()


def _pdf_printer() -> QPrinter:
    """The cups-pdf queue, whatever the machine's default printer is."""
    return QPrinter(QPrinterInfo.printerInfo(QUEUE), QPrinter.PrinterMode.HighResolution)


def _jobs() -> list[str]:
    result = subprocess.run([require_tool("lpstat"), "-W", "all", "-o", QUEUE],
                            capture_output=True, text=True, check=False)
    return result.stdout.splitlines()


def _snapshot(folder: Path) -> dict[Path, int]:
    """The PDFs in cups-pdf's folder and when each was written. cups-pdf names its files after
    the job's title, so a run's output may replace an earlier file of the same name (left by
    an earlier run, or another checkout's): new or rewritten files are this run's."""
    return {p: p.stat().st_mtime_ns for p in folder.glob("*.pdf")} if folder.is_dir() else {}


def _wait_for_output(qtbot: QtBot, folder: Path, before: dict[Path, int], title: str) -> Path:
    """The new PDF cups-pdf wrote for the job titled ``title`` (it names files after it)."""
    stem = re.sub(r"[^A-Za-z0-9-]+", "_", title)
    found: list[Path] = []

    def written() -> bool:
        # Done when the queue has finished the job and the file reads as a whole PDF.
        pending = subprocess.run([require_tool("lpstat"), "-W", "not-completed", "-o", QUEUE],
                                 capture_output=True, text=True, check=False).stdout
        fresh = [p for p, written in _snapshot(folder).items()
                 if before.get(p) != written and p.name.startswith(stem)]
        if pending.strip() or not fresh:
            return False
        readable = subprocess.run([require_tool("pdfinfo"), str(fresh[0])],
                                  capture_output=True, check=False).returncode == 0
        if readable:
            found.append(fresh[0])
        return readable

    # CUPS runs the job through its filters (Ghostscript for cups-pdf): several seconds a page
    # on a busy two-core machine.
    qtbot.waitUntil(written, timeout=180_000)
    return found[0]


def _qr_per_page(pdf: Path, tmp_path: Path) -> list[str]:
    info = subprocess.run([require_tool("pdfinfo"), str(pdf)], capture_output=True, text=True,
                          check=True).stdout
    pages = int(re.search(r"^Pages:\s+(\d+)", info, re.MULTILINE).group(1))  # type: ignore[union-attr]
    codes = []
    for page in range(1, pages + 1):
        prefix = tmp_path / f"printed-{page}"
        subprocess.run([require_tool("pdftoppm"), "-r", "150", "-png", "-f", str(page), "-l",
                        str(page), "-singlefile", str(pdf), str(prefix)], check=True)
        result = subprocess.run([require_tool("zbarimg"), "--quiet", "--raw", "-Sdisable",
                                 "-Sqrcode.enable", str(prefix.with_suffix(".png"))],
                                capture_output=True, text=True, check=False)
        codes.append(result.stdout.strip())
    return codes


@pytest.fixture
def orders(gctx: GuiContext, net: Network) -> list[tuple[uuid.UUID, str]]:
    ctx = gctx.services
    stock.receive(ctx, net.steel, net.hq_stock, 40)
    stock.receive(ctx, net.screw, net.hq_stock, 200)
    made = [work_orders.create_work_order(ctx, net.frame, 2, net.hq, DUE),
            work_orders.create_work_order(ctx, net.chair, 1, net.hq, DUE),
            work_orders.create_work_order(ctx, net.frame, 3, net.hq, DUE)]
    work_orders.release(ctx, made[0].id)
    return [(m.id, m.number) for m in made]


@pytest.fixture
def area(qtbot: QtBot, gctx: GuiContext, orders: list[tuple[uuid.UUID, str]]
         ) -> WorkOrdersArea:
    widget = WorkOrdersArea(gctx)
    qtbot.addWidget(widget)
    widget.resize(1180, 760)
    widget.show()
    widget.set_filters(state=None)
    return widget


def _select(area: WorkOrdersArea, *ids: uuid.UUID) -> None:
    area.list.table.clearSelection()
    selection = area.list.table.selectionModel()
    for row in range(area.list.model.rowCount()):
        if area.list.model.row_id(row) in ids:
            index = area.list.model.index(row, 0)
            selection.select(index, selection.SelectionFlag.Select
                             | selection.SelectionFlag.Rows)


def test_print_reaches_the_cups_pdf_queue_with_a_readable_qr(
        qtbot: QtBot, area: WorkOrdersArea, gctx: GuiContext, pdf_queue: Path,
        orders: list[tuple[uuid.UUID, str]], tmp_path: Path, screenshots: Path) -> None:
    wo_id, number = orders[0]
    assert area.list.select_id(wo_id)
    printing = area.job_sheets.printing
    if QPrinterInfo.defaultPrinterName() in ("", QUEUE):  # what the app picks by itself
        assert printing.printer.printerName() == QUEUE
    printing.use_printer(_pdf_printer())
    before = _snapshot(pdf_queue)
    area.grab().save(str(screenshots / "work_orders_print_actions.png"))
    button = area.job_sheets.button
    assert button.isEnabled() and button.text() == "Print job sheet…"
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    dialog = printing.dialog
    assert isinstance(dialog, QPrintDialog)
    with qtbot.waitSignal(printing.done, timeout=60_000) as done:
        dialog.accept()
    assert f"Sent Job sheet {number} to {QUEUE}: 1 page." == done.args[0]
    printed = _wait_for_output(qtbot, pdf_queue, before, f"Job sheet {number}")
    assert _qr_per_page(printed, tmp_path) == [number]
    printed.unlink()


def test_a_batch_of_selected_orders_is_one_job_with_a_sheet_each(
        qtbot: QtBot, area: WorkOrdersArea, gctx: GuiContext, pdf_queue: Path,
        orders: list[tuple[uuid.UUID, str]], tmp_path: Path) -> None:
    _select(area, *(wo_id for wo_id, _n in orders))
    numbers = [n for _id, n in orders]
    assert area.job_sheets.numbers() == numbers
    assert area.job_sheets.button.text() == "Print 3 job sheets…"
    before = _snapshot(pdf_queue)
    printing = area.job_sheets.printing
    printing.use_printer(_pdf_printer())
    with qtbot.waitSignal(printing.done, timeout=60_000):
        printing.print_now(numbers)  # what Print does once its dialog is accepted
    printed = _wait_for_output(qtbot, pdf_queue, before,
                               f"Job sheets {numbers[0]} and 2 more")
    assert _qr_per_page(printed, tmp_path) == numbers
    printed.unlink()


def test_cancel_in_the_progress_dialog_says_cancelled(
        qtbot: QtBot, area: WorkOrdersArea, gctx: GuiContext, tmp_path: Path) -> None:
    """What the user sees when they press Cancel: the status says so and the actions return."""
    said: list[str] = []
    gctx.status = said.append
    printing = area.job_sheets.printing
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "never.pdf"))
    printing.use_printer(printer)
    gate = threading.Event()
    gctx.runner.run(lambda _p: gate.wait(10))  # keeps the print queued behind it
    progress = printing.print_now(["HQ-WO-00001", "HQ-WO-00002"])
    assert progress is not None and printing.busy
    progress.cancel()
    gate.set()
    qtbot.waitUntil(lambda: not printing.busy, timeout=10_000)
    assert said == ["Cancelled."]
    assert not (tmp_path / "never.pdf").exists()


def test_cancel_while_preparing_sends_nothing_to_the_spooler(
        gctx: GuiContext, pdf_queue: Path, orders: list[tuple[uuid.UUID, str]]) -> None:
    jobs = _jobs()
    printer = _pdf_printer()
    progress: Progress

    def seen(_done: int, _total: int, text: str) -> None:
        if text.startswith("Preparing job sheet"):
            progress.cancel()

    progress = Progress(seen)
    with pytest.raises(TaskCancelledError):
        print_job_sheets(gctx.db, [n for _id, n in orders], printer, progress)
    assert _jobs() == jobs


def test_cancel_while_painting_stops_at_that_page(
        qtbot: QtBot, gctx: GuiContext, pdf_queue: Path, orders: list[tuple[uuid.UUID, str]],
        tmp_path: Path) -> None:
    """CUPS cannot withdraw a started job: the page being painted is finished, no more."""
    printer = _pdf_printer()
    before = _snapshot(pdf_queue)
    progress: Progress

    def seen(_done: int, _total: int, text: str) -> None:
        if text.startswith("Printing page 2"):
            progress.cancel()

    progress = Progress(seen)
    numbers = [n for _id, n in orders]
    result = print_job_sheets(gctx.db, numbers, printer, progress)
    assert (result.stopped, result.pages, result.total_pages) == (True, 2, 3)
    printed = _wait_for_output(qtbot, pdf_queue, before, f"Job sheets {numbers[0]} and 2 more")
    assert _qr_per_page(printed, tmp_path) == numbers[:2]
    printed.unlink()


def test_preview_shows_the_pages_and_save_as_pdf_keeps_the_text(
        qtbot: QtBot, area: WorkOrdersArea, gctx: GuiContext,
        orders: list[tuple[uuid.UUID, str]], tmp_path: Path, screenshots: Path) -> None:
    wo_id, number = orders[0]
    assert area.list.select_id(wo_id)
    printing = area.job_sheets.printing
    said: list[str] = []
    gctx.status = said.append
    area.job_sheets.preview_action.trigger()
    qtbot.waitUntil(lambda: isinstance(printing.dialog, QPrintPreviewDialog), timeout=30_000)
    preview = printing.dialog
    assert preview is not None
    widget = preview.findChild(QPrintPreviewWidget)
    qtbot.waitUntil(lambda: widget.pageCount() == 1, timeout=10_000)
    preview.grab().save(str(screenshots / "job_sheet_preview.png"))
    preview.reject()

    area.job_sheets.save_action.trigger()
    dialog = printing.dialog
    assert isinstance(dialog, QFileDialog)
    target = tmp_path / "sheet"
    with qtbot.waitSignal(printing.done, timeout=30_000):
        dialog.selectFile(str(target))
        dialog.accept()
    saved = tmp_path / "sheet.pdf"
    text = subprocess.run([require_tool("pdftotext"), "-layout", str(saved), "-"],
                          capture_output=True, text=True, check=True).stdout
    assert number in text and "Chair frame" in text and "STEEL" in text
    assert [d.path for d in gctx.documents.items] == [saved]
    assert not list(tmp_path.glob(".sheet.pdf*"))  # no temporary file left behind
    qtbot.waitUntil(lambda: not printing.busy, timeout=5_000)
    qtbot.wait(50)
    assert said == [f"Saved Job sheet {number} (1 page) as {saved}."]


def test_an_unknown_order_is_named_and_nothing_is_printed(
        qtbot: QtBot, area: WorkOrdersArea, gctx: GuiContext, pdf_queue: Path) -> None:
    jobs = _jobs()
    printing = area.job_sheets.printing
    with qtbot.waitSignal(printing.failed, timeout=30_000) as failed:
        printing.print_now(["HQ-WO-99999"])
    assert "HQ-WO-99999" in failed.args[0]
    assert _jobs() == jobs
    assert not printing.busy


def test_the_page_range_of_the_print_dialog_is_honoured(
        gctx: GuiContext, orders: list[tuple[uuid.UUID, str]], tmp_path: Path) -> None:
    """Pages 2 to 3 of three one-page sheets: the second and third orders, in grey as asked (a
    PDF-file printer, so the pages can be read back at once)."""
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "range.pdf"))
    printer.setPrintRange(QPrinter.PrintRange.PageRange)
    printer.setFromTo(2, 3)
    printer.setColorMode(QPrinter.ColorMode.GrayScale)
    numbers = [n for _id, n in orders]
    result = print_job_sheets(gctx.db, numbers, printer, Progress(lambda d, t, s: None))
    assert (result.pages, result.total_pages, result.stopped) == (2, 2, False)
    assert _qr_per_page(tmp_path / "range.pdf", tmp_path) == numbers[1:]
    images = subprocess.run([require_tool("pdfimages"), "-list", str(tmp_path / "range.pdf")],
                            capture_output=True, text=True, check=True).stdout.splitlines()[2:]
    assert images and all(line.split()[5] == "gray" for line in images)  # the dialog's grey


def test_ctrl_p_opens_the_print_dialog_for_the_selection(
        qtbot: QtBot, area: WorkOrdersArea, orders: list[tuple[uuid.UUID, str]]) -> None:
    _select(area, orders[0][0], orders[2][0])
    area.activateWindow()
    area.list.table.setFocus()
    qtbot.waitUntil(area.list.table.hasFocus, timeout=5_000)
    qtbot.keyClick(area.list.table, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    dialog = area.job_sheets.printing.dialog
    assert isinstance(dialog, QPrintDialog)
    assert dialog.windowTitle() == f"Print Job sheets {orders[0][1]} and 1 more"
    dialog.reject()
