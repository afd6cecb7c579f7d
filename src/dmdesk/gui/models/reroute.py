"""The rows of the reroute dialog: one per open work order, a tick to move it, and the site to
move it to (the best candidate, or another one picked in a combo box while editing).

A model rather than a QTableWidget: a site can have thousands of open orders, and building a
widget per cell costs time and, with PySide 6.12, one lost reference to None per Qt call that
returns nothing (enough of them crash the interpreter).
"""

from __future__ import annotations

import uuid
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QComboBox, QStyledItemDelegate, QStyleOptionViewItem, QWidget

from dmdesk.domain.quantity import format_quantity
from dmdesk.gui.formatting import enum_label
from dmdesk.gui.palette import ERROR_RED
from dmdesk.queries.rerouting import ProposedMove
from dmdesk.queries.routing import Candidate

Index = QModelIndex | QPersistentModelIndex
COLUMNS = ("Move", "Work order", "Product", "To make", "State", "Due", "Move to",
           "Stock to move", "Progress kept")
TICK, SITE = 0, 6


def candidate_text(c: Candidate) -> str:
    late = ", late" if c.late else ""
    return f"{c.site_code} (score {c.score:.0f}, ready {c.ready_date.isoformat()}{late})"


class MovesModel(QAbstractTableModel):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.moves: list[ProposedMove] = []
        self.ticked: list[bool] = []
        self.site: list[int] = []  # which candidate: 0 the best, then the alternatives

    def set_moves(self, moves: list[ProposedMove]) -> None:
        self.beginResetModel()
        self.moves = moves
        self.ticked = [m.best is not None for m in moves]
        self.site = [0] * len(moves)
        self.endResetModel()

    @staticmethod
    def candidates(move: ProposedMove) -> list[Candidate]:
        return [c for c in (move.best, *move.alternatives) if c is not None]

    def set_all(self, ticked: bool) -> None:
        self.ticked = [ticked and m.best is not None for m in self.moves]
        if self.moves:
            self.dataChanged.emit(self.index(0, TICK), self.index(len(self.moves) - 1, TICK))

    def chosen(self) -> tuple[tuple[uuid.UUID, uuid.UUID], ...]:
        return tuple((m.work_order_id, self.candidates(m)[self.site[row]].site_id)
                     for row, m in enumerate(self.moves) if self.ticked[row])

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.moves)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if (orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole
                and 0 <= section < len(COLUMNS)):
            return self.tr(COLUMNS[section])
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        movable = self.moves[index.row()].best is not None
        base = Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsEnabled
        if index.column() == TICK and movable:
            return base | Qt.ItemFlag.ItemIsUserCheckable
        if index.column() == SITE and movable:
            return base | Qt.ItemFlag.ItemIsEditable
        return base

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.moves):
            return None
        move, column = self.moves[index.row()], index.column()
        if role == Qt.ItemDataRole.CheckStateRole and column == TICK:
            return (Qt.CheckState.Checked if self.ticked[index.row()]
                    else Qt.CheckState.Unchecked)
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(index.row(), move, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tip(index.row(), move, column)
        if role == Qt.ItemDataRole.ForegroundRole and column == SITE and move.best is None:
            return QBrush(QColor(ERROR_RED))
        if role == Qt.ItemDataRole.EditRole and column == SITE:
            return self.site[index.row()]
        return None

    def _text(self, row: int, move: ProposedMove, column: int) -> str:
        if column == SITE:
            found = self.candidates(move)
            return (candidate_text(found[self.site[row]]) if found
                    else self.tr("nowhere: {0}").format(move.why_none))
        if column == 7:
            return "; ".join(s.text for s in move.stock) or self.tr("nothing reserved")
        if column == 8:
            return ("; ".join(p.text for p in move.progress if p.good or p.scrap)
                    or self.tr("not started"))
        cells = ("", move.number, move.product_sku, format_quantity(move.remaining),
                 enum_label(move.state), move.due_date.isoformat())
        return cells[column] if column < len(cells) else ""

    def _tip(self, row: int, move: ProposedMove, column: int) -> str:
        if column == SITE:
            found = self.candidates(move)
            return "\n".join(found[self.site[row]].reasons) if found else move.why_none
        if column == 7:
            return "\n".join(s.text for s in move.stock)
        if column == 8:
            return "\n".join(p.text for p in move.progress)
        return ""

    def setData(self, index: Index, value: Any,  # noqa: N802
                role: int = Qt.ItemDataRole.EditRole) -> bool:
        if not index.isValid() or self.moves[index.row()].best is None:
            return False
        if index.column() == TICK and role == Qt.ItemDataRole.CheckStateRole:
            self.ticked[index.row()] = Qt.CheckState(value) == Qt.CheckState.Checked
        elif index.column() == SITE and role == Qt.ItemDataRole.EditRole:
            self.site[index.row()] = int(value)
        else:
            return False
        self.dataChanged.emit(index, index)
        return True


class SiteDelegate(QStyledItemDelegate):
    """The "Move to" cell edits as a combo box of the order's candidate sites."""

    def createEditor(self, parent: QWidget, option: QStyleOptionViewItem,  # noqa: N802
                     index: Index) -> QWidget:
        model = index.model()
        assert isinstance(model, MovesModel)
        box = QComboBox(parent)
        box.setObjectName("move_to")
        for candidate in model.candidates(model.moves[index.row()]):
            box.addItem(candidate_text(candidate), candidate.site_id)
            box.setItemData(box.count() - 1, "\n".join(candidate.reasons),
                            Qt.ItemDataRole.ToolTipRole)
        return box

    def setEditorData(self, editor: QWidget, index: Index) -> None:  # noqa: N802
        if isinstance(editor, QComboBox):
            editor.setCurrentIndex(int(index.data(Qt.ItemDataRole.EditRole)))

    def setModelData(self, editor: QWidget, model: Any, index: Index) -> None:  # noqa: N802
        if isinstance(editor, QComboBox):
            model.setData(index, editor.currentIndex(), Qt.ItemDataRole.EditRole)
