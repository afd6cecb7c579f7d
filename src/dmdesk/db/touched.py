"""Which tables a write transaction wrote, whichever way it wrote them, and who is listening.

The screens refresh from what a piece of work changed (services/changes.py: ``Changes``), so the
list of tables has to be complete: the ORM's flushes, the ledger's set-based SQL, the sync's
merge on the driver connection and the triggers behind them all count. SQLite's authorizer sees
every table a statement may write when the statement is prepared, whatever issued it; setting it
expires the prepared statements, so even cached ones are prepared (and seen) again. A statement
that turned out to change no row still counts: a screen refreshed once too often is harmless,
one left stale is not.

``Database.write_session`` watches its transaction with ``watch_writes`` and, once it committed,
hands the tables to ``listening`` blocks open on the same thread (the GUI's operations run one
at a time on one worker thread, so a block there hears exactly its own work).
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

_WRITES = frozenset({sqlite3.SQLITE_INSERT, sqlite3.SQLITE_UPDATE, sqlite3.SQLITE_DELETE})
_local = threading.local()


@contextmanager
def watch_writes(raw: sqlite3.Connection) -> Iterator[set[str]]:
    """The tables statements prepared on ``raw`` while open may write (filled as they run)."""
    tables: set[str] = set()

    def authorize(action: int, table: str | None, _column: str | None, _schema: str | None,
                  _source: str | None) -> int:
        if action in _WRITES and table is not None and not table.startswith("sqlite_"):
            tables.add(table)
        return sqlite3.SQLITE_OK

    raw.set_authorizer(authorize)
    try:
        yield tables
    finally:
        raw.set_authorizer(None)


def _listeners() -> list[set[str]]:
    stack: list[set[str]] | None = getattr(_local, "stack", None)
    if stack is None:
        stack = _local.stack = []
    return stack


@contextmanager
def listening() -> Iterator[set[str]]:
    """The tables of every write transaction committed on this thread while open (nested
    blocks each hear everything committed inside them)."""
    heard: set[str] = set()
    stack = _listeners()
    stack.append(heard)
    try:
        yield heard
    finally:
        del stack[next(i for i, s in enumerate(stack) if s is heard)]  # by identity


def committed(tables: Iterable[str]) -> None:
    """Tell this thread's open ``listening`` blocks that ``tables`` changed (called once a
    transaction committed: a rolled-back one changed nothing)."""
    written = set(tables)
    for heard in _listeners():
        heard.update(written)
