"""A site's Reorder tab: what is below its reorder point there, how much to bring in (forecast
from the last months of customer orders) and from where (a transfer from a site with surplus, a
work order, or a purchase), with "Export to Excel…" for the buyer. Read and written on the
worker (queries.reorder, documents.excel.reorder_export)."""

from __future__ import annotations

import uuid
from datetime import date
from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFileDialog, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from dmdesk.domain.errors import DomainError
from dmdesk.domain.quantity import format_quantity
from dmdesk.gui.context import GuiContext
from dmdesk.gui.models.rows import DetailRow, RowsModel
from dmdesk.gui.ops import run_op
from dmdesk.gui.tasks import Progress
from dmdesk.gui.views.detail_widgets import detail_table, qty_text
from dmdesk.queries.reorder import ReorderSuggestion, reorder_suggestions


class SiteReorderTab(QWidget):
    loaded = Signal()
    exported = Signal(object)  # the path written

    def __init__(self, gctx: GuiContext, parent: QWidget | None = None, *,
                 today: date | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("reorder_tab")
        self.gctx, self.today = gctx, today
        self.site_id: uuid.UUID | None = None
        self.site_code = ""
        self.suggestions: list[ReorderSuggestion] = []
        self.file_dialog: QFileDialog | None = None
        self._generation = 0
        self.model = RowsModel([self.tr("Product"), self.tr("Available"), self.tr("Minimum"),
                                self.tr("Forecast / month"), self.tr("Suggested"),
                                self.tr("How"), self.tr("Why")], right=(1, 2, 3, 4),
                               parent=self)
        self.table = detail_table(self.model, self, stretch=6)
        self.table.setObjectName("reorder_table")
        self.summary = QLabel(self)
        self.summary.setWordWrap(True)
        self.export_button = QPushButton(self.tr("Export to &Excel…"), self)
        self.export_button.setObjectName("export_reorder")
        self.export_button.clicked.connect(self.ask_export)
        top = QHBoxLayout()
        top.addWidget(self.summary, 1)
        top.addWidget(self.export_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)

    def show_site(self, site_id: object, code: str = "") -> None:
        self._generation += 1
        self.site_id = site_id if isinstance(site_id, uuid.UUID) else None
        self.site_code = code
        if self.site_id is None:
            return
        generation, db, wanted, today = self._generation, self.gctx.db, self.site_id, self.today
        self.summary.setText(self.tr("Forecasting from the customer orders of the last "
                                     "months…"))
        self.export_button.setEnabled(False)
        self.model.set_rows([])

        def read(_progress: Progress) -> list[ReorderSuggestion]:
            with db.read_session() as session:
                return reorder_suggestions(session, wanted, today=today)

        run_op(self.gctx.runner, read, what="reading reorder suggestions", parent=self,
               on_done=lambda rows: self._show(generation, rows),
               report=lambda _error, message: self.summary.setText(message))

    def _show(self, generation: int, rows: list[ReorderSuggestion]) -> None:
        if generation != self._generation:
            return
        self.suggestions = rows
        self.summary.setText(self.tr("{0} items below their reorder point.").format(len(rows))
                             if rows else self.tr("Nothing is below its reorder point here."))
        self.export_button.setEnabled(bool(rows))
        self.model.set_rows([self._row(s) for s in rows])
        self.loaded.emit()

    def _row(self, s: ReorderSuggestion) -> DetailRow:
        how = {"transfer": self.tr("transfer from {0}"), "make": self.tr("make at {0}"),
               "buy": self.tr("buy")}.get(s.action, s.action).format(s.source_site_code)
        demand = ", ".join(format_quantity(d) for d in s.demand)
        tip = self.tr("{0} — {1}\nMonthly demand, oldest first: {2}\nForecast: {3}").format(
            s.sku, s.name, demand, s.forecast_method)
        return DetailRow((s.sku, qty_text(s.available, s.unit), qty_text(s.minimum, s.unit),
                          qty_text(s.forecast_per_month, s.unit), qty_text(s.quantity, s.unit),
                          how, s.reason), s.product_id, tip, frozenset({1}))

    # --- Excel -----------------------------------------------------------------------------

    def ask_export(self) -> QFileDialog:
        """A save dialog (non-blocking); choosing a file writes the workbook there."""
        name = f"reorder-{self.site_code or 'site'}-{date.today().isoformat()}.xlsx"
        dialog = QFileDialog(self, self.tr("Export reorder suggestions"), str(Path.home() / name),
                             self.tr("Excel workbook (*.xlsx)"))
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setDefaultSuffix("xlsx")
        dialog.fileSelected.connect(lambda path: self.export_to(Path(path)))
        dialog.finished.connect(dialog.deleteLater)
        self.file_dialog = dialog
        dialog.open()
        return dialog

    def export_to(self, path: Path) -> None:
        from dmdesk.documents.excel.reorder_export import export_reorder

        db, code, today = self.gctx.db, self.site_code, self.today
        cannot = self.tr("Could not export: {0}")
        run_op(self.gctx.runner,
               lambda _p: export_reorder(db, path, site=code or None, today=today),
               what="exporting reorder suggestions", parent=self,
               controls=[self.export_button],
               on_done=lambda result: self._exported(result.path, result.rows),
               report=lambda error, message: self.summary.setText(
                   cannot.format(message) if isinstance(error, DomainError) else message),
               unexpected=cannot, long=self.tr("Exporting to Excel"))

    def _exported(self, path: Path, rows: int) -> None:
        self.gctx.notify(self.tr("Wrote {0} suggestions to {1}.").format(rows, path))
        self.exported.emit(path)
