"""A table model over any ``ListSpec``, fetched a page at a time.

Rows arrive by keyset paging as the view scrolls (``canFetchMore``/``fetchMore``), so a list of
a million moves costs one page to open and one page per scroll step to the end. Search, filters
and sort are applied in SQL; changing them resets the model to its first page.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
)

from dmdesk.gui.formatting import NUMERIC_KINDS, display
from dmdesk.queries.paging import ListSpec, Page, fetch_page
from dmdesk.services.database import Database

Index = QModelIndex | QPersistentModelIndex
ID_ROLE = Qt.ItemDataRole.UserRole + 1
RAW_ROLE = Qt.ItemDataRole.UserRole + 2


class PagedTableModel(QAbstractTableModel):
    PAGE_SIZE = 200
    # Rows kept in memory at most. Scrolling a whole million-move ledger into a view would
    # hold a gigabyte of rows; past this the view asks the user to search, filter or sort the
    # other way (each end of any list is one page away).
    MAX_ROWS = 20_000

    def __init__(self, db: Database, spec: ListSpec, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.db = db
        self.spec = spec
        self._rows: list[tuple[Any, ...]] = []
        self._last: Page | None = None
        self.search = ""
        self.filters: dict[str, Any] = {}
        self.sort_key = spec.default_sort or spec.columns[0].key
        self.descending = False
        self.refresh()

    # --- what the view asks ----------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.spec.columns)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        column = self.spec.columns[index.column()]
        value = self._rows[index.row()][index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return display(value, column.kind)
        if role == Qt.ItemDataRole.TextAlignmentRole and column.kind in NUMERIC_KINDS:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == ID_ROLE:
            return self._rows[index.row()][-1]
        if role == RAW_ROLE:
            return value
        return None

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if (role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal
                and 0 <= section < len(self.spec.columns)):
            return self.tr(self.spec.columns[section].label)
        return None

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008, N802
        return (not parent.isValid() and self._last is not None and self._last.has_more
                and len(self._rows) < self.MAX_ROWS)

    @property
    def truncated(self) -> bool:
        """More rows match than the model will hold."""
        return (self._last is not None and self._last.has_more
                and len(self._rows) >= self.MAX_ROWS)

    def fetchMore(self, parent: Index = QModelIndex()) -> None:  # noqa: B008, N802
        if not self.canFetchMore(parent):
            return
        assert self._last is not None
        page = self._fetch(after=self._last.last_key)
        # Recorded before the rows are announced: a view (or the model tester) may ask for
        # more from inside endInsertRows, and must then continue after this page.
        self._last = page
        if page.rows:
            start = len(self._rows)
            self.beginInsertRows(QModelIndex(), start, start + len(page.rows) - 1)
            self._rows.extend(tuple(row) for row in page.rows)
            self.endInsertRows()

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(self.spec.columns) or not self.spec.columns[column].sortable:
            return
        self.sort_key = self.spec.columns[column].key
        self.descending = order == Qt.SortOrder.DescendingOrder
        self.refresh()

    # --- what the app changes ----------------------------------------------------------------

    def set_search(self, text: str) -> None:
        if text != self.search:
            self.search = text
            self.refresh()

    def set_filter(self, name: str, value: Any) -> None:
        if value is None:
            self.filters.pop(name, None)
        else:
            self.filters[name] = value
        self.refresh()

    def refresh(self) -> None:
        page = self._fetch(after=None)
        self.beginResetModel()
        self._rows = [tuple(row) for row in page.rows]
        self._last = page
        self.endResetModel()

    def row_id(self, row: int) -> Any:
        """The row's unique key: a UUID for most lists (a rowid for stock balances)."""
        return self._rows[row][-1] if 0 <= row < len(self._rows) else None

    def row_values(self, row: int) -> dict[str, Any]:
        values = self._rows[row]
        return {c.key: values[i] for i, c in enumerate(self.spec.columns)}

    def _fetch(self, after: tuple[Any, ...] | None) -> Page:
        with self.db.read_session() as session:
            return fetch_page(session, self.spec, search=self.search, filters=self.filters,
                              sort=self.sort_key, descending=self.descending,
                              limit=self.PAGE_SIZE, after=after)
