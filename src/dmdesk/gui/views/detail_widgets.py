"""Building blocks of the order detail panes: state words and badges, a read-only table and
captions. (Their facts grid is gui/widgets/facts.py: FactGrid; their table model is
gui/models/rows.py: RowsModel.)"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from PySide6.QtCore import (
    QT_TRANSLATE_NOOP,
    QCoreApplication,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QTableView,
    QWidget,
)

from dmdesk.domain.quantity import format_quantity
from dmdesk.domain.work_order_states import WOState
from dmdesk.gui.models.rows import RowsModel
from dmdesk.gui.palette import WORK_ORDER_STATE
from dmdesk.queries import lists
from dmdesk.queries.dashboard_charts import COMPLETED_FILTERS

Index = QModelIndex | QPersistentModelIndex

OPEN = "open"  # the state filter's "every state that is not final"
LATE = "late"  # the state filter's "open and due before today"

# Columns the list shows, and their widths; the rest (name, unit, good, scrap) are hidden so
# the detail pane has room. The product's name is in the detail.
LIST_WIDTHS = {"number": 105, "product": 115, "quantity": 65, "site": 50, "state": 85,
               "due_date": 85, "priority": 55}

# The list shows states as words ("in progress"), not as stored ("in_progress"); the dashboard
# can narrow it to the orders completed in a week.
WORK_ORDER_LIST = replace(
    lists.WORK_ORDERS,
    columns=tuple(replace(c, kind="enum") if c.key == "state" else c
                  for c in lists.WORK_ORDERS.columns),
    filters={**lists.WORK_ORDERS.filters, **COMPLETED_FILTERS})

_STATE_NAMES = {
    WOState.DRAFT: str(QT_TRANSLATE_NOOP("WorkOrders", "draft")),
    WOState.RELEASED: str(QT_TRANSLATE_NOOP("WorkOrders", "released")),
    WOState.IN_PROGRESS: str(QT_TRANSLATE_NOOP("WorkOrders", "in progress")),
    WOState.ON_HOLD: str(QT_TRANSLATE_NOOP("WorkOrders", "on hold")),
    WOState.DONE: str(QT_TRANSLATE_NOOP("WorkOrders", "done")),
    WOState.CANCELLED: str(QT_TRANSLATE_NOOP("WorkOrders", "cancelled")),
}


def state_label(state: str) -> str:
    """The state as a person says it, translated: 'in progress', not 'in_progress'."""
    return QCoreApplication.translate("WorkOrders", _STATE_NAMES[WOState(state)])


def badge_style(color: str) -> str:
    """White on ``color``, in a pill: a state beside an order's number."""
    return (f"background: {color}; color: white; "
            "border-radius: 9px; padding: 2px 10px; font-weight: 600;")


def state_badge_style(state: str) -> str:
    return badge_style(WORK_ORDER_STATE[WOState(state)])


def qty_text(value: Decimal, unit: str = "") -> str:
    return f"{format_quantity(value)} {unit}".strip()


# --- a small read-only table model for the detail panes -----------------------------------------


def detail_table(model: RowsModel, parent: QWidget, stretch: int = 0) -> QTableView:
    view = QTableView(parent)
    view.setModel(model)
    view.verticalHeader().hide()
    view.verticalHeader().setDefaultSectionSize(22)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setAlternatingRowColors(True)
    view.setWordWrap(False)
    header = view.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
    return view


def caption(text: str, parent: QWidget) -> QLabel:
    label = QLabel(text, parent)
    font = label.font()
    font.setBold(True)
    label.setFont(font)
    return label


# --- the detail pane -----------------------------------------------------------------------------


def title_label(parent: QWidget, name: str) -> QLabel:
    """The big, bold, selectable document number at the top of a detail pane."""
    label = QLabel(parent)
    label.setObjectName(name)
    font = label.font()
    font.setPointSizeF(font.pointSizeF() * 1.4)
    font.setBold(True)
    label.setFont(font)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


def number_and_badge(page: QWidget, number_name: str,
                     badge_name: str) -> tuple[QLabel, QLabel, QHBoxLayout]:
    """The order's number and, beside it, its state's badge (named as given), in a row."""
    number = title_label(page, number_name)
    badge = QLabel(page)
    badge.setObjectName(badge_name)
    row = QHBoxLayout()
    row.addWidget(number)
    row.addWidget(badge)
    row.addStretch(1)
    return number, badge, row
