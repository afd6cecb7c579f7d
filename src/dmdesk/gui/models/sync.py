"""The Sync area's conflict table and its status-bar wording."""

from __future__ import annotations

import json
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QCoreApplication,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
)

from dmdesk.sync.conflicts import ConflictView
from dmdesk.sync.state import Overview

Index = QModelIndex | QPersistentModelIndex
ROOT = QModelIndex()


def _tr(text: str) -> str:
    return QCoreApplication.translate("sync", text)


def shown(value: Any) -> str:
    if value is None:
        return _tr("(empty)")
    if isinstance(value, str):
        return value or _tr("(empty)")
    return json.dumps(value)


def status_text(view: Overview) -> str:
    """The status bar's sync label: the one thing most worth knowing first."""
    if not view.configured:
        return _tr("Sync: not set up")
    if view.open_conflicts:
        return _tr("Sync: {0} conflicts to settle").format(view.open_conflicts)
    if view.last_error:
        return _tr("Sync: error (see the Sync area)")
    if view.pending:
        return _tr("Sync: {0} changes to send").format(view.pending)
    if view.last_sync_at is None:
        return _tr("Sync: not synced yet")
    return _tr("Sync: synced {0}").format(view.last_sync_at.astimezone().strftime("%H:%M"))


class ConflictModel(QAbstractTableModel):
    """Open conflicts (a handful at most, so held whole): record, field, both values."""

    HEADERS = ("Record", "Field", "Mine", "Theirs", "From", "Detected")

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.items: list[ConflictView] = []

    def set_items(self, items: list[ConflictView]) -> None:
        self.beginResetModel()
        self.items = items
        self.endResetModel()

    def rowCount(self, parent: Index = ROOT) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.items)

    def columnCount(self, parent: Index = ROOT) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if (orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole
                and 0 <= section < len(self.HEADERS)):
            return _tr(self.HEADERS[section])
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self.items):
            return None
        if role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return None
        item = self.items[index.row()]
        values = (f"{item.entity.replace('_', ' ')} {item.label}", item.field.replace("_", " "),
                  shown(item.local_value), shown(item.remote_value), item.origin,
                  item.detected_at.astimezone().strftime("%Y-%m-%d %H:%M"))
        return values[index.column()]
