"""Job sheets through Qt's print system, so they print on any printer the OS knows.

The sheet is the ReportLab PDF of ``documents.jobsheet``; PySide6 has no QtPdf here, so PDFium
(``documents.pdf.pages``) rasterises each page at the printer's resolution, capped at
``MAX_DPI`` (300 dpi is sharp for text, QR and bar codes; 1200 dpi pages would be 140 MB each),
and the pages are drawn onto a ``QPrinter`` scaled to fit the paper.

Where the work happens (measured on an A4 sheet printed to the cups-pdf queue at 300 dpi: PDF
~0.05-0.09 s a sheet, rasterising ~0.04 s and painting ~0.1-0.2 s a page): all of it on the
task runner's worker thread, painting included. Qt allows a QPainter on a QPrinter outside the
GUI thread ("QPainter can be used in a thread to paint onto QImage, QPrinter, and QPicture
paint devices", Qt's threading docs), and the printer is handed over whole: the GUI thread does
not touch it until the task is done. Painting on the GUI thread instead would freeze the window
for the whole batch (50 sheets: ~10 s). One catch, measured: PySide6 keeps the GIL during
QPainter.drawImage, so one big drawImage per page still stalled the GUI thread ~200 ms a page;
pages are therefore drawn in strips (STRIP_ROWS), and PDFium's pixels are lent to QImage
without a copy (copying 35 MB also holds the GIL). tests/benchmarks/jobsheet_bench.py reports
the GUI thread's longest stall while a batch prints.

Cancel: every sheet is made before the first page is painted, so a Cancel while sheets are
being prepared sends nothing. Once painting has begun, Qt can withdraw the job only where the
print engine supports ``QPrinter.abort()`` (Windows); CUPS (Linux, macOS) cannot, the job is
already open, so painting stops at that page and the result says how many pages went out.
Only the preview paints on the GUI thread, because QPrintPreviewDialog asks for
its pages there; it then only draws images rasterised beforehand on the worker.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import groupby
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QRectF
from PySide6.QtGui import QImage, QPageSize, QPainter
from PySide6.QtPrintSupport import QPrinter, QPrinterInfo

from dmdesk.documents.jobsheet.sheet import default_page_size, render_job_sheets
from dmdesk.documents.pdf.pages import PageBitmap, PdfPages
from dmdesk.gui.tasks import Progress, TaskCancelledError
from dmdesk.services.database import Database

MAX_DPI = 300
# QPainter.drawImage keeps Python's GIL for the whole call (PySide6 does not release it), and
# a 300 dpi page takes ~200 ms to go into the print engine: the GUI thread would stall that
# long even though the painting is on the worker. Strips of 256 rows (~15 drawImage calls a
# page, the same total time) cut the longest stall to a few tens of ms. Each strip starts on
# an exact device row (300 dpi onto a 600/1200 dpi printer), so no seam shows on paper.
STRIP_ROWS = 256
# The preview keeps every page in memory (35 MB a page at 300 dpi): past this many pages it
# rasterises at PREVIEW_DPI_MANY instead, which still reads well on screen.
PREVIEW_FULL_PAGES = 8
PREVIEW_DPI_MANY = 150


def _tr(text: str) -> str:
    # QCoreApplication.translate is thread-safe: these texts are made on the worker.
    return QCoreApplication.translate("Printing", text)


class PrintError(Exception):
    """The print system refused (no printer, the printer could not start)."""


@dataclass(frozen=True)
class PrintResult:
    numbers: tuple[str, ...]
    pages: int  # pages sent to the printer
    printer: str
    total_pages: int = 0
    stopped: bool = False  # cancelled after painting began: only ``pages`` pages went out


def default_printer() -> QPrinter:
    """A printer for the OS's default queue (else its first one), with the locale's paper."""
    info = QPrinterInfo.defaultPrinter()
    if info.isNull():
        printers = QPrinterInfo.availablePrinters()
        info = printers[0] if printers else info
    printer = QPrinter(info, QPrinter.PrinterMode.HighResolution) if not info.isNull() \
        else QPrinter(QPrinter.PrinterMode.HighResolution)
    size = QPageSize.PageSizeId.Letter if default_page_size() == "Letter" \
        else QPageSize.PageSizeId.A4
    printer.setPageSize(QPageSize(size))
    return printer


def sheet_size_for(printer: QPrinter) -> str | None:
    """Lay the sheet out for the printer's paper when it is A4 or Letter (else the locale's)."""
    size = printer.pageLayout().pageSize().id()
    return {QPageSize.PageSizeId.A4: "A4", QPageSize.PageSizeId.Letter: "Letter"}.get(size)


def raster_dpi(printer: QPrinter) -> int:
    return max(72, min(printer.resolution(), MAX_DPI))


def doc_name(numbers: Sequence[str]) -> str:
    """The print job's title (what the queue shows and cups-pdf names its file after)."""
    if len(numbers) == 1:
        return _tr("Job sheet {0}").format(numbers[0])
    return _tr("Job sheets {0} and {1} more").format(numbers[0], len(numbers) - 1)


def _image(bitmap: PageBitmap) -> QImage:
    # BGRx bytes are Format_RGB32 on little-endian machines (x86, ARM as run by desktops).
    form = QImage.Format.Format_Grayscale8 if bitmap.grayscale else QImage.Format.Format_RGB32
    return QImage(bitmap.data, bitmap.width, bitmap.height, bitmap.stride, form)


def draw_page(painter: QPainter, image: QImage, strip_rows: int = 0) -> None:
    """Draw a page image as large as the painter's device allows, keeping its proportions;
    with ``strip_rows``, as horizontal strips of that many rows (see STRIP_ROWS)."""
    area = QRectF(painter.viewport())
    scale = min(area.width() / image.width(), area.height() / image.height())
    width, height = image.width() * scale, image.height() * scale
    left = area.x() + (area.width() - width) / 2
    top = area.y() + (area.height() - height) / 2
    if strip_rows <= 0:
        painter.drawImage(QRectF(left, top, width, height), image)
        return
    for row in range(0, image.height(), strip_rows):
        rows = min(strip_rows, image.height() - row)
        painter.drawImage(QRectF(left, top + row * scale, width, rows * scale), image,
                          QRectF(0, row, image.width(), rows))


# --- on the worker -------------------------------------------------------------------------


def _render_each(db: Database, numbers: Sequence[str], folder: Path, size: str | None,
                 progress: Progress) -> list[Path]:
    """One PDF per sheet, so the batch shows progress and can stop between sheets."""
    paths: list[Path] = []
    for index, number in enumerate(numbers):
        progress.report(index, len(numbers), _tr("Preparing job sheet {0} ({1} of {2})…")
                        .format(number, index + 1, len(numbers)))
        path = folder / f"{index:05d}.pdf"
        render_job_sheets(db, [number], path, page_size=size)
        paths.append(path)
    return paths


def print_job_sheets(db: Database, numbers: Sequence[str], printer: QPrinter,
                     progress: Progress) -> PrintResult:
    """Print one job sheet per number on ``printer``, as one print job (on the worker)."""
    numbers = tuple(numbers)
    if not numbers:
        raise PrintError(_tr("Select at least one work order to print."))
    with tempfile.TemporaryDirectory(prefix="dmdesk-print-") as temp:
        # Every sheet is made (and every number checked) before the first page is painted.
        paths = _render_each(db, numbers, Path(temp), sheet_size_for(printer), progress)
        return _paint(printer, paths, numbers, progress)


def _paint(printer: QPrinter, paths: Sequence[Path], numbers: tuple[str, ...],
           progress: Progress) -> PrintResult:
    printer.setDocName(doc_name(numbers))
    printer.setFullPage(True)  # the sheet has its own margins; draw it on the whole paper
    dpi = raster_dpi(printer)
    # The print dialog's "Grayscale": pages go to the printer in grey (a quarter of the data).
    grey = printer.colorMode() == QPrinter.ColorMode.GrayScale
    pages: list[tuple[Path, int]] = []
    for path in paths:
        with PdfPages(path) as pdf:
            pages += [(path, index) for index in range(pdf.count)]
    pages = _in_range(printer, pages)
    total = len(pages)
    painter = QPainter()
    if not painter.begin(printer):
        raise PrintError(_tr("The printer {0} could not start a print job.").format(
            printer.printerName() or _tr("(none)")))
    done = 0
    try:
        for path, group in groupby(pages, key=lambda page: page[0]):
            with PdfPages(path) as pdf:
                for _path, index in group:
                    if progress.cancelled:
                        return _stop(printer, numbers, done, total)
                    progress.report(done, total, _tr("Printing page {0} of {1}…")
                                    .format(done + 1, total))
                    if done:
                        printer.newPage()
                    with pdf.render(index, dpi, grayscale=grey) as bitmap:
                        draw_page(painter, _image(bitmap), STRIP_ROWS)
                    done += 1
    except TaskCancelledError:
        return _stop(printer, numbers, done, total)
    finally:
        painter.end()
    return PrintResult(numbers, done, printer.printerName(), total)


def _in_range(printer: QPrinter, pages: list[tuple[Path, int]]) -> list[tuple[Path, int]]:
    """The pages the print dialog's "Pages from ... to ..." asked for (all by default)."""
    if printer.printRange() != QPrinter.PrintRange.PageRange or printer.fromPage() < 1:
        return pages
    last = printer.toPage() if printer.toPage() >= printer.fromPage() else len(pages)
    return pages[printer.fromPage() - 1:last]


def _stop(printer: QPrinter, numbers: tuple[str, ...], done: int, total: int) -> PrintResult:
    """Cancel after painting began: withdraw the job if the engine can, else end it here."""
    if printer.abort():
        raise TaskCancelledError
    return PrintResult(numbers, done, printer.printerName(), total, stopped=True)


def preview_pages(db: Database, numbers: Sequence[str], size: str | None,
                  progress: Progress, printer_dpi: int = MAX_DPI) -> list[QImage]:
    """The pages of the sheets as images, for the preview dialog to draw (on the worker)."""
    with tempfile.TemporaryDirectory(prefix="dmdesk-preview-") as temp:
        paths = _render_each(db, numbers, Path(temp), size, progress)
        images: list[QImage] = []
        pdfs = [PdfPages(path) for path in paths]
        try:
            pages = sum(pdf.count for pdf in pdfs)
            dpi = min(printer_dpi, MAX_DPI if pages <= PREVIEW_FULL_PAGES else PREVIEW_DPI_MANY)
            for pdf in pdfs:
                for index in range(pdf.count):
                    progress.report(len(images), pages,
                                    _tr("Preparing page {0} of {1}…").format(
                                        len(images) + 1, pages))
                    with pdf.render(index, dpi) as bitmap:
                        # A copy owns its pixels: PDFium's buffer is freed at the block's end.
                        images.append(_image(bitmap).copy())
        finally:
            for pdf in pdfs:
                pdf.close()
    return images


# --- on the GUI thread (preview only) ---------------------------------------------------------


def preview_painter(images: Sequence[QImage]) -> Callable[[QPrinter], None]:
    """A slot for QPrintPreviewDialog.paintRequested that draws the ready-made pages."""

    def paint(printer: QPrinter) -> None:
        printer.setFullPage(True)
        painter = QPainter()
        if not painter.begin(printer):
            return
        try:
            for number, image in enumerate(images):
                if number:
                    printer.newPage()
                draw_page(painter, image)
        finally:
            painter.end()

    return paint
