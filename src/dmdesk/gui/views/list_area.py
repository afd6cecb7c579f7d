"""A list with a search box, sortable columns and a detail pane: the shape of most areas.

Typing in the search box filters in SQL after a short pause (so a fast typist costs one
query, not one per key). Enter or double-click opens the selected row's detail. Export… (given
the GUI context) saves every row of the current search, filters and sort as an .xlsx workbook.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QItemSelection, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from dmdesk.gui.context import GuiContext
from dmdesk.gui.models.paged_table import PagedTableModel
from dmdesk.gui.views.list_export import ListExporter
from dmdesk.queries.paging import ListSpec
from dmdesk.services.database import Database

SEARCH_DELAY_MS = 150
MIN_COLUMN_WIDTH, MAX_COLUMN_WIDTH = 60, 260


class ListTable(QTableView):
    """A table view where Enter opens the current row."""

    activated_row = Signal(int)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentIndex().isValid():
            self.activated_row.emit(self.currentIndex().row())
            return
        super().keyPressEvent(event)


class ListArea(QWidget):
    """Search box + table + optional detail pane over one ``ListSpec``."""

    selection_changed = Signal(object)  # the selected row's id, or None
    opened = Signal(object)  # id of the row the user opened

    def __init__(self, db: Database, spec: ListSpec, parent: QWidget | None = None, *,
                 gctx: GuiContext | None = None, title: str = "") -> None:
        super().__init__(parent)
        self.db = db
        self.model = PagedTableModel(db, spec, self)
        self.search = QLineEdit(self)
        self.search.setPlaceholderText(self.tr("Search {0}… (Ctrl+F)").format(self.tr(spec.name)))
        self.search.setClearButtonEnabled(True)
        self.search.setObjectName("search")
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self._apply_search)
        self.search.textChanged.connect(lambda _text: self._search_timer.start())

        self.table = ListTable(self)
        self.table.setModel(self.model)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(self._default_sort_column(), Qt.SortOrder.AscendingOrder)
        self.table.horizontalHeader().sortIndicatorChanged.connect(self._keep_sortable)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(24)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.doubleClicked.connect(lambda index: self._open(index.row()))
        self.table.activated_row.connect(self._open)
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        self.model.modelReset.connect(lambda: self.selection_changed.emit(None))

        self.limit_note = QLabel(self)
        self.limit_note.setObjectName("limit_note")
        self.limit_note.setWordWrap(True)
        self.limit_note.hide()
        self.model.rowsInserted.connect(self._update_limit_note)
        self.model.modelReset.connect(self._update_limit_note)

        self.toolbar = QHBoxLayout()
        self.toolbar.addWidget(self.search, 1)
        top = QHBoxLayout()
        top.addLayout(self.toolbar, 1)  # views add their filters and buttons here
        self.exporter = ListExporter(gctx, self.model, title or spec.name.capitalize(), self) \
            if gctx is not None else None
        if self.exporter is not None:
            top.addWidget(self.exporter.button)
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.addWidget(self.table)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addLayout(top)
        layout.addWidget(self.splitter, 1)
        layout.addWidget(self.limit_note)
        self._size_columns()

    def _default_sort_column(self) -> int:
        keys = [c.key for c in self.model.spec.columns]
        return keys.index(self.model.sort_key) if self.model.sort_key in keys else 0

    def _size_columns(self) -> None:
        """Fit the first page's contents once, within bounds; later pages and refreshes keep
        the widths (and whatever the user dragged them to)."""
        self.table.resizeColumnsToContents()
        header = self.table.horizontalHeader()
        for i in range(len(self.model.spec.columns)):
            header.resizeSection(i, max(MIN_COLUMN_WIDTH,
                                        min(header.sectionSize(i), MAX_COLUMN_WIDTH)))

    def _update_limit_note(self) -> None:
        if self.model.truncated:
            self.limit_note.setText(self.tr(
                "Showing the first {0} rows. Search, filter or sort the other way to see the "
                "others.").format(f"{self.model.rowCount():,}"))
        self.limit_note.setVisible(self.model.truncated)

    def _keep_sortable(self, column: int, _order: Qt.SortOrder) -> None:
        """A click on a column the list cannot sort by puts the indicator back."""
        columns = self.model.spec.columns
        if 0 <= column < len(columns) and not columns[column].sortable:
            header = self.table.horizontalHeader()
            header.blockSignals(True)
            order = (Qt.SortOrder.DescendingOrder if self.model.descending
                     else Qt.SortOrder.AscendingOrder)
            header.setSortIndicator(self._default_sort_column(), order)
            header.blockSignals(False)

    def set_detail(self, widget: QWidget) -> None:
        self.splitter.addWidget(widget)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)

    def _apply_search(self) -> None:
        self.model.set_search(self.search.text().strip())

    def _open(self, row: int) -> None:
        row_id = self.model.row_id(row)
        if row_id is not None:
            self.opened.emit(row_id)

    def _selection_changed(self, _selected: QItemSelection, _deselected: QItemSelection) -> None:
        self.selection_changed.emit(self.current_id())

    def current_id(self) -> Any:
        index = self.table.currentIndex()
        rows = self.table.selectionModel().selectedRows()
        row = rows[0].row() if rows else (index.row() if index.isValid() else -1)
        return self.model.row_id(row)

    def selected_ids(self) -> list[Any]:
        ids = [self.model.row_id(i.row()) for i in self.table.selectionModel().selectedRows()]
        return [i for i in ids if i is not None]

    def current_values(self) -> dict[str, Any] | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.row_values(rows[0].row()) if rows else None

    def select_id(self, row_id: Any) -> bool:
        for row in range(self.model.rowCount()):
            if self.model.row_id(row) == row_id:
                self.table.selectRow(row)
                return True
        return False

    def refresh(self) -> None:
        keep = self.current_id()
        self.model.refresh()
        if keep is not None:
            self.select_id(keep)

    def focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()
