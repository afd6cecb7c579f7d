"""Any list of the app, as the user sees it (search, filters, sort), as an .xlsx workbook.

The rows are read with the list's own ``ListSpec`` by keyset pages (so the ledger's million
moves stream with bounded memory) and written by ``excel_writer.TableWriter``: real number and
date cells with formats, a frozen header, an autofilter, fitted widths, and an "About" sheet
saying what the list was filtered and sorted by, and when it was made. Times are written in
UTC, as the other exports do, and their headers say so. The workbook is written to a temporary
name beside ``out`` and renamed when complete.
"""

from __future__ import annotations

import enum
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from sqlalchemy.orm import Session

from dmdesk import __version__
from dmdesk.documents.excel.exports import ReadableDatabase
from dmdesk.documents.excel.writer import (
    Col,
    Counter,
    Kind,
    TableWriter,
    discard_workbook,
    save_workbook,
    sheet_title,
    write_about,
    xlsx_target,
)
from dmdesk.domain.progress import Progress
from dmdesk.queries.paging import Column, ListSpec, count, fetch_page

PAGE_ROWS = 5000
_KINDS: dict[str, Kind] = {"qty": "qty", "money": "money", "date": "date",
                           "datetime": "datetime", "int": "int"}


@dataclass(frozen=True)
class ListView:
    """What the user's list shows: the spec and its search, filters and sort."""

    spec: ListSpec
    search: str = ""
    filters: Mapping[str, Any] | None = None
    sort: str | None = None
    descending: bool = False
    title: str = ""  # e.g. "Work orders"; the spec's name when empty

    @property
    def name(self) -> str:
        return self.title or self.spec.name.capitalize()


@dataclass(frozen=True)
class ListExportResult:
    path: Path
    rows: int


def _column(column: Column) -> Col:
    kind = _KINDS.get(column.kind, "text")
    header = f"{column.label} (UTC)" if kind == "datetime" else column.label
    return Col(header, kind)


def _cell(value: Any, kind: str) -> Any:
    if isinstance(value, enum.Enum):
        value = value.value
    if isinstance(value, uuid.UUID):
        return str(value)
    if kind == "enum" and isinstance(value, str):
        return value.replace("_", " ")  # as the list shows it: "in progress"
    return value


def _rows(session: Session, view: ListView) -> Iterator[tuple[Any, ...]]:
    kinds = [c.kind for c in view.spec.columns]
    after: tuple[Any, ...] | None = None
    while True:
        page = fetch_page(session, view.spec, search=view.search, filters=view.filters,
                          sort=view.sort, descending=view.descending, limit=PAGE_ROWS,
                          after=after)
        for row in page.rows:
            yield tuple(_cell(value, kind) for value, kind in zip(row, kinds, strict=False))
        if not page.has_more:
            return
        after = page.last_key


def _describe_filters(filters: Mapping[str, Any] | None) -> str:
    parts = []
    for name, value in (filters or {}).items():
        if value is None:
            continue
        shown = ", ".join(map(str, value)) if isinstance(value, list | tuple) else str(value)
        parts.append(f"{name.replace('_', ' ')}: {shown}")
    return "; ".join(parts) or "none"


def _about(db: ReadableDatabase, view: ListView, rows: int, made: datetime
           ) -> list[tuple[str, Any, Kind]]:
    sort = view.spec.column(view.sort or view.spec.default_sort or view.spec.columns[0].key)
    return [
        ("File", f"dmdesk list: {view.name}", "text"),
        ("Search", view.search or "none", "text"),
        ("Filters", _describe_filters(view.filters), "text"),
        ("Sorted by", f"{sort.label}, {'descending' if view.descending else 'ascending'}",
         "text"),
        ("Rows", rows, "int"),
        ("Made", made.astimezone().replace(tzinfo=None), "datetime"),
        ("Time zone", "Made is local time; times in the sheet are UTC.", "text"),
        ("Made by", f"dmdesk {__version__}", "text"),
        ("Database", str(db.path), "text"),
    ]


def export_list(db: ReadableDatabase, view: ListView, out: Path | str, *,
                progress: Progress | None = None,
                now: Callable[[], datetime] = lambda: datetime.now(UTC)) -> ListExportResult:
    """Write every row of ``view`` (not only those loaded on screen) to ``out`` (.xlsx)."""
    target = xlsx_target(out)
    with db.read_session() as session:
        total = count(session, view.spec, search=view.search, filters=view.filters)
        workbook = Workbook(write_only=True)
        write_about(workbook, _about(db, view, total, now()))
        counter = Counter(total, progress)
        columns: Sequence[Col] = [_column(c) for c in view.spec.columns]
        try:
            TableWriter(workbook, sheet_title(view.name), columns, counter).write(
                _rows(session, view))
        except BaseException:  # cancelled (the progress callback raised) or failed
            discard_workbook(workbook)
            raise
        save_workbook(workbook, target)
    counter.finish()
    return ListExportResult(target, counter.done)
