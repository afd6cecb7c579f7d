"""Small read-only tables for detail panes, sized to what they show, with stored words (enum
values, tag lists) shown as people say them."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QWidget,
)

from dmdesk.gui.formatting import enum_label, tags_label
from dmdesk.gui.models.paged_table import RAW_ROLE, PagedTableModel
from dmdesk.queries.paging import ListSpec


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
