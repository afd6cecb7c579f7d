"""The Documents area's Excel exports: a site, a period, and a button per export kind.

The buttons come from ``documents.excel.exports.EXPORT_KINDS`` (with their ``TITLES``), so a kind
added there appears here without a change. Each asks where to save, then writes the workbook
on the worker with a progress dialog whose Cancel stops it (the export's progress callback
raises; ``export_workbook`` only moves its file into place once complete, so a cancelled
export leaves nothing behind).
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from PySide6.QtCore import QDate, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QWidget,
)

from dmdesk.documents.excel.export_kinds import EXPORT_KINDS, KINDS, TITLES, PeriodUse
from dmdesk.documents.excel.exports import ExportResult, export_workbook
from dmdesk.gui.context import GuiContext
from dmdesk.gui.dialogs.save_file import ask_save_path
from dmdesk.gui.formatting import to_qdate
from dmdesk.gui.ops import run_op
from dmdesk.gui.tasks import Progress
from dmdesk.queries.network import all_sites

# Kinds whose figures are "now" (the period does not apply): the file name says today's date.
PERIOD_FREE = frozenset(kind.name for kind in KINDS if kind.period is PeriodUse.NOW)
PRESETS = ("All dates", "Last month", "This month", "This year", "Custom")


def preset_period(name: str, today: date) -> tuple[date | None, date | None]:
    """(first, last) day of a named period; (None, None) for all dates."""
    first_of_month = today.replace(day=1)
    if name == "Last month":
        last = first_of_month - timedelta(days=1)
        return last.replace(day=1), last
    if name == "This month":
        return first_of_month, today
    if name == "This year":
        return today.replace(month=1, day=1), today
    return None, None


def unkerned_width(label: QLabel) -> int:
    """The width of a caption's letters drawn one by one (as an access key's text is)."""
    metrics = label.fontMetrics()
    return sum(metrics.horizontalAdvance(ch) for ch in label.text().replace("&", ""))


class ExportPanel(QGroupBox):
    """Pickers and one button per export; ``written`` / ``failed`` carry a sentence."""

    written = Signal(str)
    failed = Signal(str)

    def __init__(self, gctx: GuiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTitle(self.tr("Excel exports for the accountant"))
        self.gctx = gctx
        self.dialog: QWidget | None = None  # the Save dialog open now (tests answer it)
        self.site = QComboBox(self)
        self.site.setObjectName("export_site")
        self.site.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.site.setMinimumContentsLength(10)
        self.preset = QComboBox(self)
        self.preset.setObjectName("export_period")
        for name in PRESETS:
            self.preset.addItem(self.tr(name), name)
        self.date_from = self._date_edit("export_from")
        self.date_to = self._date_edit("export_to")
        self.preset.currentIndexChanged.connect(lambda _i: self._apply_preset())
        for edit in (self.date_from, self.date_to):
            edit.userDateChanged.connect(lambda _d: self._custom())
        pickers = QHBoxLayout()
        for label, widget in ((self.tr("&Site"), self.site), (self.tr("&Period"), self.preset),
                              (self.tr("&From"), self.date_from), (self.tr("&To"), self.date_to)):
            caption = QLabel(label, self)
            caption.setBuddy(widget)
            # "To" showed as "Tc": Qt sizes a caption with its letters kerned together but
            # draws the access key's underlined letter apart, so the kerned width is too
            # narrow. Give it the width of its letters side by side, and never less.
            caption.setMinimumWidth(unkerned_width(caption))
            caption.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Preferred)
            if widget is not self.site:
                widget.setMinimumWidth(widget.sizeHint().width())
            pickers.addWidget(caption)
            pickers.addWidget(widget)
        pickers.addStretch(1)
        grid = QGridLayout(self)
        grid.addLayout(pickers, 0, 0, 1, 3)
        self.buttons: dict[str, QPushButton] = {}
        for number, kind in enumerate(EXPORT_KINDS):
            button = QPushButton(self.tr("{0}…").format(self.tr(TITLES.get(kind, kind))), self)
            button.setObjectName(f"export_{kind}")
            button.setToolTip(self.tr("Save the {0} export as an Excel workbook").format(kind))
            button.clicked.connect(lambda _=False, k=kind: self.export(k))
            grid.addWidget(button, 1 + number // 3, number % 3)
            self.buttons[kind] = button
        self.fill_sites()
        self._apply_preset()

    def _date_edit(self, name: str) -> QDateEdit:
        edit = QDateEdit(self)
        edit.setObjectName(name)
        edit.setCalendarPopup(True)
        edit.setDisplayFormat("yyyy-MM-dd")
        edit.setDate(QDate.currentDate())
        return edit

    def fill_sites(self) -> None:
        keep = self.site.currentData()
        with self.gctx.db.read_session() as session:
            sites = all_sites(session)
        self.site.blockSignals(True)
        self.site.clear()
        self.site.addItem(self.tr("All sites"), None)
        for site in sites:
            self.site.addItem(f"{site.code} — {site.name}", site.code)
            if site.code == keep:
                self.site.setCurrentIndex(self.site.count() - 1)
        self.site.blockSignals(False)

    def _apply_preset(self) -> None:
        name = self.preset.currentData()
        custom = name == "Custom"
        if not custom:
            first, last = preset_period(str(name), date.today())
            for edit, value in ((self.date_from, first), (self.date_to, last)):
                edit.blockSignals(True)
                edit.setDate(to_qdate(value) if value else QDate.currentDate())
                edit.blockSignals(False)
        show = name != "All dates"
        self.date_from.setEnabled(show)
        self.date_to.setEnabled(show)

    def _custom(self) -> None:
        index = self.preset.findData("Custom")
        if self.preset.currentIndex() != index:
            self.preset.blockSignals(True)
            self.preset.setCurrentIndex(index)
            self.preset.blockSignals(False)

    def period(self) -> tuple[date | None, date | None]:
        if self.preset.currentData() == "All dates":
            return None, None
        first, last = self.date_from.date().toPython(), self.date_to.date().toPython()
        assert isinstance(first, date) and isinstance(last, date)
        return first, last

    def file_name(self, kind: str) -> str:
        first, last = self.period()
        parts = [kind, self.site.currentData() or "all-sites"]
        if kind not in PERIOD_FREE and (first or last):
            parts.append(f"{first or 'start'}_to_{last or 'today'}")
        else:
            parts.append(date.today().isoformat())
        return "-".join(str(p) for p in parts) + ".xlsx"

    def export(self, kind: str) -> None:
        self.dialog = ask_save_path(self, self.tr("Save {0} as").format(TITLES.get(kind, kind)),
                                    self.file_name(kind), self.tr("Excel workbooks (*.xlsx)"),
                                    "xlsx", lambda path: self._export_to(kind, path))

    def _export_to(self, kind: str, path: Path) -> None:
        self.export_to(kind, path)

    def export_to(self, kind: str, path: Path) -> Progress:
        db, site = self.gctx.db, self.site.currentData()
        first, last = self.period()
        text = self.tr("Writing row {0:,} of {1:,}…")

        def work(progress: Progress) -> ExportResult:
            def report(done: int, total: int, _text: str) -> None:
                if done < total:  # the last call comes after the file is in place
                    progress.report(done, total, text.format(done, total))
            return export_workbook(db, kind, path, site=site, date_from=first, date_to=last,
                                   progress=report)

        return run_op(self.gctx.runner, work, what="an export", parent=self,
                      controls=list(self.buttons.values()), on_done=self._done,
                      report=self._failed, unexpected=self.tr("The export failed: {0}"),
                      long=self.tr("Exporting {0}").format(TITLES.get(kind, kind)))

    def _done(self, result: ExportResult) -> None:
        site = self.site.currentText()
        self.gctx.documents.add(result.path, f"{TITLES.get(result.kind, result.kind)}, {site}")
        message = self.tr("Wrote {0:,} rows of {1} to {2}.").format(
            result.rows, TITLES.get(result.kind, result.kind), result.path)
        self.gctx.notify(message)
        self.written.emit(message)

    def _failed(self, _error: BaseException, message: str) -> None:
        self.gctx.notify(message)
        self.failed.emit(message)
