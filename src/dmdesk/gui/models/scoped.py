"""Paged lists that wait before their first query: one record's rows (empty until the record
is named), or a list read only once the caller is ready."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject

from dmdesk.gui.models.paged_table import PagedTableModel
from dmdesk.queries.paging import ListSpec, Page
from dmdesk.services.database import Database


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
