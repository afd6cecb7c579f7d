"""A read-only table of rows already formatted for display: the detail panes' materials,
operations, order lines, checks and scorecard weeks."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

from dmdesk.gui.palette import ERROR_RED

Index = QModelIndex | QPersistentModelIndex


@dataclass(frozen=True)
class DetailRow:
    cells: tuple[str, ...]
    key: Any = None
    tooltip: str = ""
    warn: frozenset[int] = frozenset()  # columns shown in the warning colour


class RowsModel(QAbstractTableModel):
    """Rows already formatted for display: a detail pane's materials, operations or lines
    (a handful of rows, read in one query with the detail, so no paging)."""

    KEY_ROLE = Qt.ItemDataRole.UserRole + 1

    def __init__(self, headers: Sequence[str], right: Collection[int] = (),
                 parent: QObject | None = None, tips: Sequence[str] = ()) -> None:
        super().__init__(parent)
        self._headers = list(headers)
        self._tips = list(tips)
        self._right = frozenset(right)
        self._rows: list[DetailRow] = []

    def set_rows(self, rows: Sequence[DetailRow]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def key(self, row: int) -> Any:
        return self._rows[row].key if 0 <= row < len(self._rows) else None

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._headers)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row, column = self._rows[index.row()], index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return row.cells[column] if column < len(row.cells) else ""
        if role == Qt.ItemDataRole.TextAlignmentRole and column in self._right:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole and row.tooltip:
            return row.tooltip
        if role == Qt.ItemDataRole.ForegroundRole and column in row.warn:
            return QBrush(QColor(ERROR_RED))
        if role == self.KEY_ROLE:
            return row.key
        return None

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(self._headers):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self._headers[section]
        if role == Qt.ItemDataRole.ToolTipRole and section < len(self._tips):
            return self._tips[section] or None
        return None
