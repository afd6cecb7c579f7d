"""Pieces the network areas (sites, contacts, dashboard) and their forms share: humane names for
stored enum values, a delegate that shows them in tables, small detail tables scoped to one
record, a grid of read-only facts, and a non-blocking error box.

(Candidates for a shared ``gui/labels.py`` and ``gui/widgets.py`` once other areas want them.)
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from enum import StrEnum
from typing import Any

from PySide6.QtCore import QCoreApplication, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFormLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QWidget,
)

from dmdesk.domain.quantity import format_quantity
from dmdesk.gui.models.paged_table import RAW_ROLE, PagedTableModel
from dmdesk.queries.paging import ListSpec, Page
from dmdesk.services.database import Database

# Every stored enum value, as people say it. Marked for translation under the "enum" context
# (QCoreApplication.translate("enum", ...) finds them); unknown values fall back to spaces.
_ENUM_TEXT = {
    "own_workshop": "own workshop",
    "micro_producer": "micro producer",
    "warehouse": "warehouse",
    "in_transit": "in transit",
    "active": "active",
    "paused": "paused",
    "offline": "offline",
    "internal": "internal",
    "transit": "transit",
    "organisation": "organisation",
    "person": "person",
    "customer": "customer",
    "producer": "producer",
    "supplier": "supplier",
    "other": "other",
    "draft": "draft",
    "released": "released",
    "in_progress": "in progress",
    "on_hold": "on hold",
    "done": "done",
    "cancelled": "cancelled",
}


def tr(text: str) -> str:
    return QCoreApplication.translate("network", text)


def enum_label(value: object) -> str:
    """``micro_producer`` -> "micro producer" (translated); empty for None."""
    if value is None or value == "":
        return ""
    raw = str(value)
    return QCoreApplication.translate("enum", _ENUM_TEXT.get(raw, raw.replace("_", " ")))


def enum_items(enum: type[StrEnum], exclude: Iterable[str] = ()) -> list[tuple[str, Any]]:
    """(label, value) pairs for a combo box, in the enum's order."""
    skip = set(exclude)
    return [(enum_label(item.value), item.value) for item in enum if item.value not in skip]


def tags_label(value: object) -> str:
    """The stored tag list ``cnc,laser-cut`` (or a tuple of tags) as "cnc, laser-cut"."""
    if isinstance(value, str):
        tags: Iterable[object] = value.split(",")
    elif isinstance(value, Iterable):
        tags = value
    else:
        return ""
    return ", ".join(str(tag).strip() for tag in tags if str(tag).strip())


def hours_label(value: Decimal) -> str:
    return tr("{0} h / week").format(format_quantity(value)) if value else tr("not set")


def percent_label(share: Decimal | None) -> str:
    return "—" if share is None else f"{share * 100:.1f} %"


class MappedDelegate(QStyledItemDelegate):
    """Shows a column's raw value (the model's RAW_ROLE) through a function: enum labels,
    tag lists. Sorting and searching still happen in SQL on the stored value."""

    def __init__(self, show: Callable[[object], str], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._show = show

    def initStyleOption(self, option: QStyleOptionViewItem,  # noqa: N802
                        index: QModelIndex | QPersistentModelIndex) -> None:
        super().initStyleOption(option, index)
        option.text = self._show(index.data(RAW_ROLE))


ENUM_KINDS = frozenset({"enum"})


def humanize_columns(view: QTableView, spec: ListSpec, *, enums: Sequence[str] = (),
                     tags: Sequence[str] = ()) -> None:
    """Put enum labels on the ``enums`` columns (and any column of kind "enum") and tidy tag
    lists on the ``tags`` columns of a view over ``spec``."""
    for number, column in enumerate(spec.columns):
        if column.key in enums or column.kind in ENUM_KINDS:
            view.setItemDelegateForColumn(number, MappedDelegate(enum_label, view))
        elif column.key in tags:
            view.setItemDelegateForColumn(number, MappedDelegate(tags_label, view))


class ScopedModel(PagedTableModel):
    """A paged list of one record's rows (a site's locations, an organisation's people): empty
    until ``set_scope`` names the record, so it never lists every site's rows. (Any filter can
    be the scope: the dashboard's late list is scoped by the day it counts from.)"""

    def __init__(self, db: Database, spec: ListSpec, scope: str,
                 parent: QObject | None = None) -> None:
        self.scope = scope
        super().__init__(db, spec, parent)

    def set_scope(self, value: object) -> None:
        if value is None:
            self.filters.pop(self.scope, None)
        else:
            self.filters[self.scope] = value
        self.refresh()

    def _fetch(self, after: tuple[Any, ...] | None) -> Page:
        if self.filters.get(self.scope) is None:
            return Page([], 0, False)
        return super()._fetch(after)


class DeferredModel(PagedTableModel):
    """A paged list that stays empty until ``start``: its first query runs when the caller is
    ready (after the figures it goes with), not while the window is being built."""

    def __init__(self, db: Database, spec: ListSpec, parent: QObject | None = None) -> None:
        self.started = False
        super().__init__(db, spec, parent)

    def start(self) -> None:
        self.started = True
        self.refresh()

    def _fetch(self, after: tuple[Any, ...] | None) -> Page:
        return super()._fetch(after) if self.started else Page([], 0, False)


def small_table(model: PagedTableModel, parent: QWidget, name: str) -> QTableView:
    """A read-only, sortable table for a detail pane."""
    view = QTableView(parent)
    view.setObjectName(name)
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setAlternatingRowColors(True)
    view.verticalHeader().hide()
    view.verticalHeader().setDefaultSectionSize(22)
    header = view.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    header.setStretchLastSection(True)
    header.setSortIndicatorShown(True)
    keys = [c.key for c in model.spec.columns]
    column = keys.index(model.sort_key) if model.sort_key in keys else 0
    order = Qt.SortOrder.DescendingOrder if model.descending else Qt.SortOrder.AscendingOrder
    view.setSortingEnabled(True)  # sorts by the header's default first: the model forgets
    view.sortByColumn(column, order)
    humanize_columns(view, model.spec)
    fit_columns_on_reset(view, model)
    return view


def fit_columns(view: QTableView, widest: int = 240) -> None:
    """Size each column to its header and the rows on screen, none wider than ``widest``."""
    header = view.horizontalHeader()
    view.resizeColumnsToContents()
    for number in range(header.count()):
        if header.sectionSize(number) > widest:
            header.resizeSection(number, widest)


def fit_columns_on_reset(view: QTableView, model: PagedTableModel, widest: int = 240) -> None:
    model.modelReset.connect(lambda: fit_columns(view, widest))
    fit_columns(view, widest)


class Facts(QWidget):
    """Read-only label/value rows (Kind, Status, Address...) whose values can be selected and
    copied."""

    def __init__(self, rows: Sequence[tuple[str, str]], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QFormLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        layout.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.values: dict[str, QLabel] = {}
        self.captions: dict[str, QLabel] = {}
        for key, caption in rows:
            value = QLabel(self)
            value.setObjectName(f"fact_{key}")
            value.setWordWrap(True)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            label = QLabel(caption, self)
            label.setStyleSheet("color: palette(placeholder-text);")
            layout.addRow(label, value)
            self.values[key] = value
            self.captions[key] = label

    def set(self, key: str, text: str) -> None:
        self.values[key].setText(text or "—")

    def show_row(self, key: str, visible: bool) -> None:
        self.values[key].setVisible(visible)
        self.captions[key].setVisible(visible)

    def clear(self) -> None:
        for value in self.values.values():
            value.setText("")


def show_error(parent: QWidget, title: str, error: BaseException) -> QMessageBox:
    """Tell the user a background write was refused, without blocking (window-modal)."""
    text = str(error) or type(error).__name__
    box = QMessageBox(QMessageBox.Icon.Warning, title, text, QMessageBox.StandardButton.Ok,
                      parent)
    box.setObjectName("error_box")
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.open()
    return box
