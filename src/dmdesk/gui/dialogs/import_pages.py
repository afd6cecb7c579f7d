"""The import wizard's first pages: what and which file, a preview, and the column mapping."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWizardPage,
)

from dmdesk.documents.importing import KINDS, Preview, preview_file
from dmdesk.domain.errors import DomainError
from dmdesk.gui.ops import run_op
from dmdesk.gui.palette import ERROR_STYLE

if TYPE_CHECKING:
    from dmdesk.gui.dialogs.import_wizard import ImportState, ImportWizard

PREVIEW_ROWS = 20
NOT_IMPORTED = -1


def _cell(value: Any) -> str:
    return "" if value is None else str(value)


class WizardPage(QWizardPage):
    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__()
        # Kept here: QWizardPage.wizard() is None until the page is added.
        self.owner = wizard

    @property
    def state(self) -> ImportState:
        return self.owner.state


class SourcePage(WizardPage):
    """The kind of data and the file; Next reads the preview on the worker."""

    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__(wizard)
        self.setTitle(self.tr("What to import"))
        self.setSubTitle(self.tr("Choose what the file holds and the file (.xlsx or .csv). "
                                 "Nothing is written before the check page."))
        self.kind = QComboBox(self)
        for spec in KINDS.values():
            if spec.name in (wizard.state.kinds or KINDS):
                self.kind.addItem(spec.title, spec.name)
        self.kind.setCurrentIndex(max(self.kind.findData(wizard.state.kind), 0))
        self.path = QLineEdit(self)
        self.path.setPlaceholderText(self.tr("e.g. products.xlsx"))
        browse = QPushButton(self.tr("&Browse…"), self)
        browse.clicked.connect(self._browse)
        row = QHBoxLayout()
        row.addWidget(self.path, 1)
        row.addWidget(browse)
        self.columns = QLabel(self)
        self.columns.setWordWrap(True)
        self.update_existing = QCheckBox(
            self.tr("&Update products that already exist (matched by SKU)"), self)
        self.update_existing.setObjectName("import_update")
        self.update_existing.setToolTip(self.tr(
            "Rows whose SKU is in the database change that product: only the columns the "
            "file has, and an empty cell keeps the stored value. Without this, such rows are "
            "problems."))
        self.update_existing.toggled.connect(self._update_toggled)
        self.error = QLabel(self)
        self.error.setStyleSheet(ERROR_STYLE)
        self.error.setWordWrap(True)
        self.error.hide()
        form = QFormLayout(self)
        form.addRow(self.tr("&Kind:"), self.kind)
        file_label = QLabel(self.tr("&File:"), self)
        file_label.setBuddy(self.path)
        form.addRow(file_label, row)
        form.addRow("", self.columns)
        form.addRow("", self.update_existing)
        form.addRow(self.error)
        self.kind.currentIndexChanged.connect(self._changed)
        self.path.textChanged.connect(self._changed)
        self._loading = False
        self._changed()

    def _browse(self) -> None:
        name, _ = QFileDialog.getOpenFileName(
            self, self.tr("Import from"), str(Path.home()),
            self.tr("Spreadsheets (*.xlsx *.csv *.txt);;All files (*)"))
        if name:
            self.path.setText(name)

    def _changed(self) -> None:
        spec = KINDS[self.kind.currentData()]
        required = ", ".join(f"<b>{f.label}</b>" for f in spec.fields if f.required)
        optional = ", ".join(f.label for f in spec.fields if not f.required)
        self.columns.setText(self.tr("Columns: {0}; optional: {1}. The first row must name "
                                     "them.").format(required, optional))
        self.state.kind = spec.name
        self.state.preview = None
        updatable = spec.updater is not None
        if not updatable:
            self.update_existing.setChecked(False)
        self.update_existing.setVisible(updatable)
        self.update_existing.setEnabled(updatable)
        self.error.hide()
        self.completeChanged.emit()

    def _update_toggled(self, checked: bool) -> None:
        self.state.update = checked

    def isComplete(self) -> bool:  # noqa: N802
        return bool(self.path.text().strip()) and not self._loading

    def validatePage(self) -> bool:  # noqa: N802
        path = Path(self.path.text().strip()).expanduser()
        preview = self.state.preview
        if preview is not None and preview.path == path and preview.kind == self.state.kind:
            return True
        self._loading = True
        self.completeChanged.emit()
        run_op(self.owner.gctx.runner,
               lambda _p: preview_file(self.state.kind, path, PREVIEW_ROWS),
               what="previewing an import file", parent=self, on_done=self._previewed,
               report=self._failed, expected=(DomainError, OSError))
        return False

    def _previewed(self, preview: Preview) -> None:
        self._loading = False
        self.state.path = preview.path
        self.state.preview = preview
        self.state.mapping = dict(preview.guess)
        self.completeChanged.emit()
        self.owner.next()

    def _failed(self, _error: BaseException, message: str) -> None:
        self._loading = False
        self.error.setText(message)
        self.error.show()
        self.completeChanged.emit()


class PreviewPage(WizardPage):
    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__(wizard)
        self.setTitle(self.tr("Preview"))
        self.table = QTableWidget(self)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.about = QLabel(self)
        self.about.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.about)
        layout.addWidget(self.table, 1)

    def initializePage(self) -> None:  # noqa: N802
        preview = self.state.preview
        assert preview is not None
        shown = len(preview.rows)
        self.setSubTitle(self.tr("The first {0} rows of {1}, as read.").format(
            shown, preview.path.name))
        where = (self.tr("sheet “{0}”").format(preview.sheet) if preview.format == "xlsx"
                 else self.tr("CSV text"))
        if shown < PREVIEW_ROWS:
            size = self.tr("{0} data rows").format(shown)
        elif preview.estimated_rows:
            size = self.tr("about {0} data rows").format(f"{preview.estimated_rows:,}")
        else:
            size = self.tr("more than {0} data rows").format(shown)
        self.about.setText(self.tr("{0}: {1}, header on row {2}, {3}.").format(
            preview.path.name, where, preview.header_row, size))
        self.table.clear()
        self.table.setColumnCount(len(preview.header))
        self.table.setRowCount(shown)
        self.table.setHorizontalHeaderLabels(list(preview.header))
        self.table.setVerticalHeaderLabels([str(number) for number, _ in preview.rows])
        for r, (_number, values) in enumerate(preview.rows):
            for c, value in enumerate(values):
                item = QTableWidgetItem(_cell(value))
                if isinstance(value, int | float):
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight |
                                          Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(r, c, item)
        self.table.resizeColumnsToContents()


class ColumnsPage(WizardPage):
    """One row per field: which column of the file holds it (guessed, changeable)."""

    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__(wizard)
        self.setTitle(self.tr("Columns"))
        self.setSubTitle(self.tr("Which column holds each field (* required). Guessed from "
                                 "the headers; change any that is wrong."))
        self.table = QTableWidget(self)
        self.table.setColumnCount(3)
        self.table.setHorizontalHeaderLabels([self.tr("Field"), self.tr("Column in the file"),
                                              self.tr("First value")])
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.missing = QLabel(self)
        self.missing.setStyleSheet(ERROR_STYLE)
        self.missing.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.missing)
        self.combos: dict[str, QComboBox] = {}

    def initializePage(self) -> None:  # noqa: N802
        preview = self.state.preview
        assert preview is not None
        fields = KINDS[self.state.kind].fields
        self.table.setRowCount(len(fields))
        self.combos = {}
        for row, spec in enumerate(fields):
            label = QTableWidgetItem(f"{spec.label} *" if spec.required else spec.label)
            label.setFlags(Qt.ItemFlag.ItemIsEnabled)
            self.table.setItem(row, 0, label)
            box = QComboBox(self.table)
            box.setObjectName(f"map_{spec.name}")
            box.addItem(self.tr("(not imported)"), NOT_IMPORTED)
            for index, title in enumerate(preview.header):
                box.addItem(title or self.tr("column {0}").format(index + 1), index)
            box.setCurrentIndex(box.findData(self.state.mapping.get(spec.name, NOT_IMPORTED)))
            box.currentIndexChanged.connect(self._changed)
            self.combos[spec.name] = box
            self.table.setCellWidget(row, 1, box)
            self.table.setItem(row, 2, QTableWidgetItem())
        self.table.resizeColumnToContents(0)
        self.table.setColumnWidth(1, 260)
        self._changed()

    def _changed(self) -> None:
        preview = self.state.preview
        assert preview is not None
        self.state.mapping = {name: box.currentData() for name, box in self.combos.items()
                              if box.currentData() != NOT_IMPORTED}
        first = preview.rows[0][1] if preview.rows else ()
        for row, name in enumerate(self.combos):
            index = self.state.mapping.get(name)
            item = self.table.item(row, 2)
            if item is not None:
                item.setText(_cell(first[index]) if index is not None and first else "")
        self.missing.setText(self._problem())
        self.missing.setVisible(bool(self.missing.text()))
        self.completeChanged.emit()

    def _problem(self) -> str:
        fields = KINDS[self.state.kind].fields
        missing = [f.label for f in fields if f.required and f.name not in self.state.mapping]
        if missing:
            return self.tr("Choose a column for: {0}.").format(", ".join(missing))
        used = list(self.state.mapping.values())
        if len(used) != len(set(used)):
            return self.tr("A column can hold only one field; two fields use the same one.")
        return ""

    def isComplete(self) -> bool:  # noqa: N802
        return not self._problem()
