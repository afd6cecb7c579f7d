"""Print, preview and save job sheets from anywhere in the app (Work orders, Documents).

``JobSheetPrinting`` owns one QPrinter for the session, so the printer, paper and copies the
user chose last are offered again. Print… shows Qt's print dialog, then prints every given
sheet as one job on the worker (see gui/printing.py for why the painting happens there) with a
cancellable progress dialog. Preview… prepares the pages on the worker and opens Qt's preview,
from which the user can also print. Save as PDF… writes ReportLab's PDF as it is (text stays
text), to a temporary file renamed into place.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeVar

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QImage
from PySide6.QtPrintSupport import QPrintDialog, QPrinter, QPrintPreviewDialog
from PySide6.QtWidgets import QDialog, QWidget

from dmdesk.documents.jobsheet.sheet import render_job_sheets
from dmdesk.domain.errors import DomainError
from dmdesk.gui.context import GuiContext
from dmdesk.gui.dialogs.save_file import ask_save_path
from dmdesk.gui.formatting import pages_text
from dmdesk.gui.ops import run_op
from dmdesk.gui.printing import (
    PrintError,
    PrintResult,
    default_printer,
    doc_name,
    preview_pages,
    preview_painter,
    print_job_sheets,
    raster_dpi,
    sheet_size_for,
)
from dmdesk.gui.tasks import Progress
from dmdesk.queries.jobsheet import job_sheets_refusal

T = TypeVar("T")


class JobSheetPrinting(QObject):
    """The job-sheet actions; ``done`` and ``failed`` carry a sentence for the user."""

    done = Signal(str)
    failed = Signal(str)
    busy_changed = Signal(bool)

    def __init__(self, gctx: GuiContext, parent: QWidget) -> None:
        super().__init__(parent)
        self.gctx = gctx
        self.widget = parent
        self._printer: QPrinter | None = None
        self.dialog: QDialog | None = None  # the dialog open now (tests answer it)
        self.busy = False

    @property
    def printer(self) -> QPrinter:
        if self._printer is None:
            self._printer = default_printer()
        return self._printer

    def use_printer(self, printer: QPrinter) -> None:
        """Print on ``printer`` from now on (the print dialog still lets the user change it)."""
        if not self.busy:
            self._printer = printer

    def _set_busy(self, busy: bool) -> None:
        self.busy = busy
        self.busy_changed.emit(busy)

    # --- Print… ---------------------------------------------------------------------------

    def print_sheets(self, numbers: Sequence[str]) -> None:
        if not self._ready(numbers):
            return
        dialog = QPrintDialog(self.printer, self.widget)
        dialog.setWindowTitle(self.tr("Print {0}").format(doc_name(numbers)))
        dialog.accepted.connect(lambda: self._print_accepted(numbers))
        self._show(dialog)

    def print_now(self, numbers: Sequence[str]) -> Progress | None:
        """Print on the current printer without asking (after the dialog, or a batch)."""
        numbers = tuple(numbers)
        if self.busy or not numbers:
            return None
        db, printer = self.gctx.db, self.printer
        title = (self.tr("Printing job sheet {0}").format(numbers[0]) if len(numbers) == 1
                 else self.tr("Printing {0} job sheets").format(len(numbers)))
        return self._run(lambda p: print_job_sheets(db, numbers, printer, p), self._printed,
                         title)

    def _print_accepted(self, numbers: Sequence[str]) -> None:
        self.print_now(numbers)

    def _printed(self, result: PrintResult) -> None:
        sheets = len(result.numbers)
        if result.stopped:
            self._finish(self.tr(
                "Printing stopped: {0} of {1} had already gone to {2}, which cannot "
                "take back a job it has started.").format(result.pages,
                                                          pages_text(result.total_pages),
                                                          result.printer))
            return
        self._finish(self.tr("Sent {0} to {1}: {2}.").format(
            doc_name(result.numbers) if sheets == 1 else self.tr("{0} job sheets").format(sheets),
            result.printer or self.tr("the printer"), pages_text(result.pages)))

    # --- Preview… ---------------------------------------------------------------------------

    def preview(self, numbers: Sequence[str]) -> None:
        if not self._ready(numbers):
            return
        numbers = tuple(numbers)
        db, size, dpi = self.gctx.db, sheet_size_for(self.printer), raster_dpi(self.printer)
        self._run(lambda p: preview_pages(db, numbers, size, p, dpi),
                  lambda images: self._show_preview(numbers, images),
                  self.tr("Preparing the preview"))

    def _show_preview(self, numbers: tuple[str, ...], images: list[QImage]) -> None:
        self._set_busy(False)
        dialog = QPrintPreviewDialog(self.printer, self.widget)
        dialog.setWindowTitle(self.tr("Preview: {0}").format(doc_name(numbers)))
        dialog.paintRequested.connect(preview_painter(images))
        dialog.resize(900, 1000)
        self._show(dialog)

    # --- Save as PDF… -----------------------------------------------------------------------

    def save_pdf(self, numbers: Sequence[str]) -> None:
        if not self._ready(numbers):
            return
        numbers = tuple(numbers)
        name = (f"job-sheet-{numbers[0]}.pdf" if len(numbers) == 1
                else f"job-sheets-{numbers[0]}-and-{len(numbers) - 1}-more.pdf")
        self.dialog = ask_save_path(self.widget, self.tr("Save job sheet as PDF"), name,
                                    self.tr("PDF files (*.pdf)"), "pdf",
                                    lambda path: self.save_pdf_to(numbers, path))

    def save_pdf_to(self, numbers: Sequence[str], path: Path) -> None:
        numbers = tuple(numbers)
        db, size = self.gctx.db, sheet_size_for(self.printer)
        self._run(lambda _p: render_job_sheets(db, numbers, path, page_size=size),
                  lambda pages: self._saved(numbers, path, pages),
                  self.tr("Saving {0}").format(path.name))

    def _saved(self, numbers: tuple[str, ...], path: Path, pages: int) -> None:
        self.gctx.documents.add(path, doc_name(numbers))
        self._finish(self.tr("Saved {0} ({1}) as {2}.").format(
            doc_name(numbers), pages_text(pages), path))

    # --- shared -------------------------------------------------------------------------------

    def _ready(self, numbers: Sequence[str]) -> bool:
        if self.busy:
            return False
        if not numbers:
            self.failed.emit(self.tr("Select at least one work order first."))
            return False
        # Before any dialog: an order whose product has not been shared with this site yet
        # (a producer's database) is said at once, not after choosing a printer or a file.
        with self.gctx.db.read_session() as session:
            refusal = job_sheets_refusal(session, numbers)
        if refusal:
            self.gctx.notify(refusal)
            self.failed.emit(refusal)
        return not refusal

    def _show(self, dialog: QDialog) -> None:
        self.dialog = dialog

        def closed(_result: int) -> None:
            if self.dialog is dialog:
                self.dialog = None
            dialog.deleteLater()

        dialog.finished.connect(closed)
        QDialog.open(dialog)  # QPrintDialog's binding hides the no-argument open()

    def _run(self, work: Callable[[Progress], T], on_done: Callable[[T], None],
             title: str) -> Progress:
        """Run ``work`` as an operation with a progress dialog; the actions wait till it
        ends."""
        self._set_busy(True)
        return run_op(self.gctx.runner, work, what="a job sheet action", parent=self.widget,
                      on_done=on_done, report=self._failed, on_cancel=self._cancelled,
                      unexpected=self.tr("Could not make the job sheet: {0}"),
                      expected=(DomainError, PrintError), long=title)

    def _cancelled(self) -> None:
        """A cancelled task delivers nothing: say so and give the actions back (once the
        runner has finished its turn)."""
        def give_back() -> None:
            if self.busy:
                self._set_busy(False)
                self.gctx.notify(self.tr("Cancelled."))
        QTimer.singleShot(0, give_back)

    def _finish(self, message: str) -> None:
        self._set_busy(False)
        self.gctx.notify(message)
        self.done.emit(message)

    def _failed(self, _error: BaseException, message: str) -> None:
        self._set_busy(False)
        self.gctx.notify(message)
        self.failed.emit(message)
