"""Opening a dmdesk database safely: refuse what is not ours or is newer, back up, upgrade.

This is where the engines are made; nothing is created at import time. The app and the CLI
call ``open_database`` at start (their composition root); tests call it with a temporary path.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from dmdesk.db import migrate
from dmdesk.db.backup import BackupFolderError, backup_dir_for
from dmdesk.db.backup_daily import rotating_backup
from dmdesk.db.engine import APPLICATION_ID, make_engine
from dmdesk.db.touched import committed, watch_writes
from dmdesk.domain.errors import DatabaseRefusedError

log = logging.getLogger(__name__)
SQLITE_MAGIC = b"SQLite format 3\x00"


@dataclass
class Database:
    path: Path
    writer: Engine
    reader: Engine
    schema_version: str
    backup_path: Path | None = None
    _write_sessions: sessionmaker[Session] = field(init=False, repr=False)
    _read_sessions: sessionmaker[Session] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._write_sessions = sessionmaker(self.writer, expire_on_commit=False)
        self._read_sessions = sessionmaker(self.reader, expire_on_commit=False)

    @contextmanager
    def write_session(self) -> Iterator[Session]:
        """One write transaction (BEGIN IMMEDIATE): committed on success, else rolled back.
        The tables it wrote (whatever issued the SQL: the ORM, Core, the driver connection)
        are told, once committed, to whoever listens on this thread (db/touched.py)."""
        with self._write_sessions() as session:
            with session.begin():
                raw = session.connection().connection.driver_connection
                assert isinstance(raw, sqlite3.Connection)
                with watch_writes(raw) as tables:
                    yield session
            committed(tables)

    @contextmanager
    def read_session(self) -> Iterator[Session]:
        with self._read_sessions() as session, session.begin():
            yield session

    def close(self) -> None:
        self.writer.dispose()
        self.reader.dispose()


@dataclass(frozen=True)
class FileState:
    exists_with_data: bool
    application_id: int
    revision: str | None
    tables: list[str]


def inspect_file(path: Path) -> FileState:
    """Look at a file without changing it (opened read-only)."""
    if not path.exists() or path.stat().st_size == 0:
        return FileState(False, 0, None, [])
    with path.open("rb") as handle:
        header = handle.read(16)
    if header != SQLITE_MAGIC:
        raise DatabaseRefusedError(
            f"{path} is not a dmdesk database (it is not an SQLite file). "
            "Choose another file, or a new name to create a database."
        )
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        app_id = connection.execute("PRAGMA application_id").fetchone()[0]
        tables = [row[0] for row in connection.execute(
            "SELECT name FROM sqlite_master WHERE type='table' ORDER BY name")]
        revision = None
        if "alembic_version" in tables:
            row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
            revision = row[0] if row else None
    except sqlite3.DatabaseError as exc:
        raise DatabaseRefusedError(f"{path} cannot be read as a database: {exc}.") from exc
    finally:
        connection.close()
    return FileState(True, int(app_id), revision, tables)


def _refuse_foreign(path: Path, state: FileState) -> None:
    if state.application_id == APPLICATION_ID:
        return
    if not state.tables:
        return  # an empty SQLite file: ours to fill
    shown = ", ".join(state.tables[:5]) + ("..." if len(state.tables) > 5 else "")
    raise DatabaseRefusedError(
        f"{path} is an SQLite database, but not a dmdesk one (its tables: {shown}). "
        "It was left untouched."
    )


def _refuse_newer(path: Path, revision: str | None) -> None:
    if revision is not None and revision not in migrate.known_revisions():
        raise DatabaseRefusedError(
            f"{path} was written by a newer version of dmdesk (schema {revision}); "
            f"this version knows schemas up to {migrate.head_revision()}. "
            "Update dmdesk to open it. The file was left untouched."
        )


def _backup_before_upgrade(path: Path, head: str) -> Path:
    """A copy before the schema changes: in the chosen folder, else (it cannot be used, and
    the setting that names it cannot be changed before the upgrade) beside the database."""
    try:
        return rotating_backup(path, f"before-{head}")
    except BackupFolderError as exc:
        log.warning("backing up beside the database instead: %s", exc)
        return rotating_backup(path, f"before-{head}", folder=backup_dir_for(path))


def open_database(path: Path, *, create: bool = True, upgrade: bool = True,
                  backup: bool = True) -> Database:
    """Open (creating or upgrading as needed) the database at ``path``.

    A file that is not ours, or is newer than this code, raises DatabaseRefusedError before
    anything is written. An older schema is upgraded after a backup copy is taken.
    """
    path = Path(path).expanduser().resolve()
    state = inspect_file(path)
    if not state.exists_with_data and not create:
        raise DatabaseRefusedError(
            f"There is no dmdesk database at {path}. To make a new one: dmdesk init --db "
            f"{path} --site CODE --name NAME.")
    _refuse_foreign(path, state)
    _refuse_newer(path, state.revision)
    path.parent.mkdir(parents=True, exist_ok=True)

    head = migrate.head_revision()
    backup_path = None
    needs_upgrade = state.revision != head
    if needs_upgrade and not upgrade:
        raise DatabaseRefusedError(
            f"{path} has schema {state.revision or 'none'}, this version needs {head}; "
            "run `dmdesk db upgrade` first."
        )
    if needs_upgrade and backup and state.revision is not None:
        backup_path = _backup_before_upgrade(path, head)

    writer = make_engine(path, immediate=True)
    if needs_upgrade:
        if state.application_id != APPLICATION_ID:
            with writer.connect() as connection:
                raw = connection.connection.driver_connection
                assert raw is not None
                raw.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        migrate.upgrade(writer)
    reader = make_engine(path, immediate=False)
    return Database(path, writer, reader, head, backup_path)
