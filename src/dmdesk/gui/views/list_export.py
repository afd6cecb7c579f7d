"""A list's Export… button: every row of the list's current search, filters and sort (not only
the rows loaded on screen) into an .xlsx workbook, on the worker with progress and Cancel."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QPushButton, QWidget

from dmdesk.documents.excel.list_export import ListExportResult, ListView, export_list
from dmdesk.gui.context import GuiContext
from dmdesk.gui.dialogs.save_file import ask_save_path
from dmdesk.gui.models.paged_table import PagedTableModel
from dmdesk.gui.ops import run_op
from dmdesk.gui.tasks import Progress


class ListExporter(QObject):
    done = Signal(str)
    failed = Signal(str)

    def __init__(self, gctx: GuiContext, model: PagedTableModel, title: str,
                 parent: QWidget) -> None:
        super().__init__(parent)
        self.gctx = gctx
        self.model = model
        self.title = title
        self.widget = parent
        self.dialog: QWidget | None = None  # the Save dialog open now (tests answer it)
        self.button = QPushButton(self.tr("Export…"), parent)
        self.button.setObjectName("export_list")
        self.button.setToolTip(self.tr("Save the rows of this list, as searched, filtered "
                                       "and sorted, as an Excel workbook"))
        self.button.clicked.connect(self.ask)

    def view(self) -> ListView:
        model = self.model
        return ListView(model.spec, model.search, dict(model.filters), model.sort_key,
                        model.descending, self.title)

    def ask(self) -> None:
        name = f"{self.title.lower().replace(' ', '-')}-{date.today().isoformat()}.xlsx"
        self.dialog = ask_save_path(self.widget, self.tr("Export {0}").format(self.title), name,
                                    self.tr("Excel workbooks (*.xlsx)"), "xlsx", self._export)

    def _export(self, path: Path) -> None:
        self.export_to(path)

    def export_to(self, path: Path) -> Progress:
        db, view = self.gctx.db, self.view()
        text = self.tr("Writing row {0:,} of {1:,}…")

        def work(progress: Progress) -> ListExportResult:
            def report(done: int, total: int, _text: str) -> None:
                if done < total:
                    progress.report(done, total, text.format(done, total))
            return export_list(db, view, path, progress=report)

        return run_op(self.gctx.runner, work, what="a list export", parent=self.widget,
                      controls=[self.button], on_done=self._done, report=self._failed,
                      unexpected=self.tr("The export failed: {0}"),
                      long=self.tr("Exporting {0}").format(self.title))

    def _done(self, result: ListExportResult) -> None:
        self.gctx.documents.add(result.path, self.tr("{0} list").format(self.title))
        message = self.tr("Exported {0:,} rows of {1} to {2}.").format(
            result.rows, self.title, result.path)
        self.gctx.notify(message)
        self.done.emit(message)

    def _failed(self, _error: BaseException, message: str) -> None:
        self.gctx.notify(message)
        self.failed.emit(message)
