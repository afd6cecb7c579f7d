"""The dashboard's open-work table: a row per site (then a totals row), a column per open
state (then a total column), with the count, site and state of each cell as roles."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QFont, QPalette

from dmdesk.gui.formatting import enum_label
from dmdesk.queries import dashboard as queries
from dmdesk.queries.dashboard import OpenWork

Index = QModelIndex | QPersistentModelIndex
COUNT_ROLE = Qt.ItemDataRole.UserRole + 1  # the cell's number, as an int
SITE_ROLE = Qt.ItemDataRole.UserRole + 2  # the row's site id (None on the totals row)
STATE_ROLE = Qt.ItemDataRole.UserRole + 3  # the column's state (None on Site and Total)


class OpenWorkModel(QAbstractTableModel):
    """Open work orders: a row per site (then a totals row), a column per open state (then a
    total column). Small by nature (one row per site), so it holds the whole table."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.work = OpenWork(queries.OPEN_STATE_VALUES, ())

    def set_work(self, work: OpenWork) -> None:
        self.beginResetModel()
        self.work = work
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.work.sites) + 1

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.work.states) + 2

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role != Qt.ItemDataRole.DisplayRole or orientation != Qt.Orientation.Horizontal:
            return None
        if section == 0:
            return self.tr("Site")
        if section <= len(self.work.states):
            return enum_label(self.work.states[section - 1]).capitalize()
        if section == len(self.work.states) + 1:
            return self.tr("Total")
        return None

    def state_of(self, column: int) -> str | None:
        return self.work.states[column - 1] if 1 <= column <= len(self.work.states) else None

    def count(self, row: int, column: int) -> int:
        state = self.state_of(column)
        if row < len(self.work.sites):
            site = self.work.sites[row]
            return site.count(state) if state else site.total
        return self.work.state_total(state) if state else self.work.total

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not (0 <= index.row() < self.rowCount()
                                       and 0 <= index.column() < self.columnCount()):
            return None
        row, column = index.row(), index.column()
        totals = row == len(self.work.sites)
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(row, column, totals)
        if role == COUNT_ROLE and column > 0:
            return self.count(row, column)
        if role == SITE_ROLE and not totals:
            return self.work.sites[row].site_id
        if role == STATE_ROLE:
            return self.state_of(column)
        return self._look(role, row, column, totals)

    def _text(self, row: int, column: int, totals: bool) -> str:
        if column == 0:
            if totals:
                return self.tr("All sites")
            site = self.work.sites[row]
            return f"{site.code} — {site.name}"
        return str(self.count(row, column))

    def _look(self, role: int, row: int, column: int, totals: bool) -> Any:
        if role == Qt.ItemDataRole.TextAlignmentRole and column > 0:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.FontRole and (totals or column == self.columnCount() - 1):
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.ForegroundRole and column > 0 and not self.count(row, column):
            return QPalette().brush(QPalette.ColorRole.PlaceholderText)
        if role == Qt.ItemDataRole.ToolTipRole and column == 0 and not totals:
            return enum_label(self.work.sites[row].kind)
        return None
