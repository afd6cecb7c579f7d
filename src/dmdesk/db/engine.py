"""SQLite engines with the pragmas dmdesk relies on.

Two engines share one file: writes begin with BEGIN IMMEDIATE, so a transaction takes the
write lock before it reads what it is about to change (no lost updates, no deadlock on lock
upgrade); reads begin with a plain BEGIN and see one consistent snapshot under WAL.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event

APPLICATION_ID = 0x444D444B  # "DMDK", in the SQLite header: marks a file as ours
BUSY_TIMEOUT_MS = 10_000


def _configure(dbapi_connection: sqlite3.Connection) -> None:
    # Hand transaction control to SQLAlchemy's begin event below, not to pysqlite's guesses.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.execute("PRAGMA journal_mode = WAL")
    # NORMAL under WAL loses no committed transaction when the process dies (only, at worst,
    # the last ones on power loss), and avoids an fsync per commit.
    cursor.execute("PRAGMA synchronous = NORMAL")
    cursor.execute("PRAGMA cache_size = -32000")
    cursor.execute("PRAGMA temp_store = MEMORY")
    cursor.close()


def make_engine(path: Path, *, immediate: bool) -> Engine:
    engine = create_engine(f"sqlite:///{path}", future=True)
    begin_sql = "BEGIN IMMEDIATE" if immediate else "BEGIN"

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        _configure(dbapi_connection)

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql(begin_sql)

    return engine
