"""Checking and importing a file: every row checked first, then all written in one transaction.

``check_file`` is the dry run: it reads the database (no lock) and lists every problem.
``import_file`` opens one write transaction, checks again under its lock (the database may have
changed since the preview), and only when no row has a problem reads the file a second time and
writes each row through the services, so outbox and audit rows are written as for any change.
Any refusal rolls the whole transaction back: one bad row and nothing is written.

``update``: rows whose key is already in the database update that record instead of being a
problem (only kinds with an ``updater``: products); the result's ``plan`` says how many rows
create, update and change nothing.

``progress(done, total, text)`` is called every few hundred rows; it may raise (the GUI's Cancel
does) to stop, and the transaction is rolled back. ``total`` is an estimate (0: unknown).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from dmdesk.db.database import Database
from dmdesk.documents.importing.base import Checker, ImportKind, RowView, UpdatePlan
from dmdesk.documents.importing.kinds import get_kind
from dmdesk.documents.importing.mapping import column_labels, missing_columns, resolve_mapping
from dmdesk.documents.importing.problems import ImportRefusedError, Problem, Problems
from dmdesk.documents.importing.reader import Table, open_table
from dmdesk.domain.errors import DomainError, ValidationError
from dmdesk.domain.progress import Progress, no_progress
from dmdesk.services.context import ServiceContext, UnitOfWork

REPORT_EVERY = 250


@dataclass(frozen=True)
class ImportResult:
    kind: str
    path: Path
    sheet: str
    rows: int
    problems: tuple[Problem, ...]
    problem_count: int
    summary: str  # "120 products"
    written: bool
    seconds: float
    plan: UpdatePlan | None = None  # update mode: created, updated (which fields), unchanged

    @property
    def ok(self) -> bool:
        return self.problem_count == 0


@dataclass
class _Pass:
    kind: ImportKind
    checker: Checker[Any]
    problems: Problems
    rows: int = 0
    sheet: str = ""


@contextmanager
def _opened(kind: ImportKind, path: Path, mapping: Mapping[str, int] | None,
            overrides: Mapping[str, str] | None
            ) -> Iterator[tuple[Table, dict[str, int], dict[str, str]]]:
    with open_table(path, kind.sheet_names) as table:
        resolved = resolve_mapping(kind, path.name, table.header, mapping, overrides)
        yield table, resolved, column_labels(kind, table.header, resolved)


def _run_pass(session: Session, kind: ImportKind, path: Path,
              mapping: Mapping[str, int] | None, overrides: Mapping[str, str] | None,
              progress: Progress, update: bool, uow: UnitOfWork | None = None) -> _Pass:
    """One read of the file: check every row; with ``uow`` (the file already checked) also
    write each row."""
    checker = _checker(kind, update)(session)
    checker.source = path.name
    state = _Pass(kind, checker, Problems())
    text = f"Importing {kind.title.lower()}" if uow else f"Checking {kind.title.lower()}"
    with _opened(kind, path, mapping, overrides) as (table, resolved, labels):
        state.sheet = table.sheet
        missing_columns(kind, resolved, table.header_row, state.problems)
        if state.problems:
            return state
        progress(0, table.estimated_rows, text)
        for number, values in table.rows:
            state.rows += 1
            record = checker.check(RowView(number, values, resolved, labels, state.problems))
            if uow is not None and record is not None:
                _write(uow, checker, record, number)
            if state.rows % REPORT_EVERY == 0:
                progress(state.rows, max(table.estimated_rows, state.rows), text)
        checker.finish(state.problems, labels)
        if uow is not None:
            checker.flush(uow)
        progress(state.rows, state.rows, text)
    return state


def _checker(kind: ImportKind, update: bool) -> Callable[[Session], Checker[Any]]:
    if not update:
        return kind.checker
    if kind.updater is None:
        raise ValidationError(f"{kind.title} cannot be updated by an import, only added.",
                              field="update")
    return kind.updater


def _write(uow: UnitOfWork, checker: Checker[Any], record: Any, number: int) -> None:
    try:
        checker.write(uow, record)
    except DomainError as exc:  # the services refuse what the check let through: say where
        raise ImportRefusedError([Problem(number, "", str(exc))], 1) from exc


def _result(state: _Pass, path: Path, written: bool, started: float) -> ImportResult:
    rows = state.rows
    return ImportResult(state.kind.name, path, state.sheet, rows, tuple(state.problems.items),
                        state.problems.count, state.checker.summary(rows), written,
                        time.perf_counter() - started, state.checker.plan())


def check_file(db: Database, kind: str, path: Path | str, *,
               mapping: Mapping[str, int] | None = None,
               overrides: Mapping[str, str] | None = None,
               progress: Progress = no_progress, update: bool = False) -> ImportResult:
    """The dry run: every problem of the file, nothing written. File-level refusals (empty,
    not a spreadsheet, encrypted, no header) raise a DomainError."""
    spec, file = get_kind(kind), Path(path).expanduser()
    started = time.perf_counter()
    with db.read_session() as session:
        state = _run_pass(session, spec, file, mapping, overrides, progress, update)
    return _result(state, file, False, started)


def import_file(ctx: ServiceContext, kind: str, path: Path | str, *,
                mapping: Mapping[str, int] | None = None,
                overrides: Mapping[str, str] | None = None,
                progress: Progress = no_progress, update: bool = False) -> ImportResult:
    """Import all rows in one transaction, or raise ImportRefusedError (with every problem)
    and write nothing."""
    spec, file = get_kind(kind), Path(path).expanduser()
    started = time.perf_counter()
    with ctx.transaction() as uow:
        checked = _run_pass(uow.session, spec, file, mapping, overrides, progress, update)
        if checked.problems:
            raise ImportRefusedError(checked.problems.items, checked.problems.count)
        state = _run_pass(uow.session, spec, file, mapping, overrides, progress, update, uow)
        plan = state.checker.plan()
        counts = {} if plan is None else {"created": plan.created, "updated": plan.updated}
        uow.audit("import", spec.name, None, file=file.name, sheet=state.sheet,
                  rows=state.rows, **counts)
    return _result(state, file, True, started)
