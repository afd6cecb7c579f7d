"""Consistent copies of a live database, through SQLite's online backup API, kept by age.

A copy is one backup step over the whole file (one read transaction: a snapshot, while other
connections go on writing under WAL), written under a ``.partial`` name and renamed when
complete, so a copy cut short (the app closed, the disk full) is never taken for a backup.
Backups are named ``STEM-<UTC time>-<label>.sqlite``; their times, read back from the names,
decide which are kept (``domain/backup_retention.py``: 7 daily and 4 weekly).

Where they go: the folder set for this database (the ``backup_folder`` setting, changed in
the app's File > Backups… or with ``dmdesk settings set backup_folder``), else
``NAME.backups/`` beside the database.
"""

from __future__ import annotations

import os
import re
import sqlite3
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from dmdesk.domain.backup_retention import stamps_to_keep
from dmdesk.domain.errors import DomainError

SETTING_BACKUP_FOLDER = "backup_folder"
STAMP_FORMAT = "%Y%m%dT%H%M%S%fZ"
STALE_PARTIAL_S = 3600  # a .partial older than this was left by a copy that died


class BackupFolderError(DomainError):
    """The folder backups should go to cannot be used."""


@dataclass(frozen=True)
class Backup:
    path: Path
    stamp: datetime
    label: str
    size: int


@dataclass(frozen=True)
class BackupUsage:
    folder: Path
    count: int
    total_bytes: int
    newest: datetime | None


def backup_dir_for(db_path: Path) -> Path:
    """The default folder: beside the database."""
    return db_path.parent / f"{db_path.name}.backups"


def configured_folder(db_path: Path) -> str:
    """The folder set for this database ("" when none), read without opening it for writing
    (it may be an older schema about to be upgraded, or open in the app)."""
    try:
        connection = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    except sqlite3.Error:
        return ""
    try:
        row = connection.execute("SELECT value FROM setting WHERE key = ?",
                                 (SETTING_BACKUP_FOLDER,)).fetchone()
    except sqlite3.Error:  # no setting table yet (a new or very old file)
        return ""
    finally:
        connection.close()
    return str(row[0]) if row and row[0] else ""


def resolve_folder(db_path: Path, folder: Path | str | None = None) -> Path:
    """``folder`` if given, else the one set for the database, else the default."""
    chosen = str(folder) if folder else configured_folder(db_path)
    return Path(chosen).expanduser() if chosen else backup_dir_for(db_path)


def usable_folder(folder: Path) -> Path:
    """Create ``folder`` if needed; a clear BackupFolderError when it cannot hold backups."""
    advice = ("Choose another folder (File > Backups… in the app, or `dmdesk settings set "
              "backup_folder FOLDER`).")
    if not folder.is_absolute():
        raise BackupFolderError(f"The backup folder {folder} is not a full path. {advice}")
    if folder.exists() and not folder.is_dir():
        raise BackupFolderError(f"The backup folder {folder} is a file, not a folder. {advice}")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise BackupFolderError(f"The backup folder {folder} cannot be created "
                                f"({exc.strerror or exc}). {advice}") from exc
    if not os.access(folder, os.W_OK | os.X_OK):
        raise BackupFolderError(f"The backup folder {folder} cannot be written to. {advice}")
    return folder


def backup_to(db_path: Path, target: Path) -> Path:
    """Copy ``db_path`` into ``target`` (a new file) while others may be writing to it."""
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.exists():
        raise FileExistsError(f"{target} already exists; choose another name.")
    partial = target.with_name(target.name + ".partial")
    source = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        dest = sqlite3.connect(partial)
        try:
            source.backup(dest)  # all pages in one step: one consistent snapshot
        finally:
            dest.close()
        partial.replace(target)
    finally:
        source.close()
        partial.unlink(missing_ok=True)
    return target


def _pattern(stem: str) -> re.Pattern[str]:
    return re.compile(rf"^{re.escape(stem)}-(\d{{8}}T\d{{12}}Z)-(.+)\.sqlite$")


def list_backups(folder: Path, stem: str) -> list[Backup]:
    """The backups of the database named ``stem`` in ``folder``, oldest first."""
    if not folder.is_dir():
        return []
    pattern, found = _pattern(stem), []
    for path in folder.iterdir():
        match = pattern.match(path.name)
        if match is None:
            continue
        stamp = datetime.strptime(match.group(1), STAMP_FORMAT).replace(tzinfo=UTC)
        try:
            size = path.stat().st_size
        except OSError:  # removed meanwhile
            continue
        found.append(Backup(path, stamp, match.group(2), size))
    return sorted(found, key=lambda b: b.stamp)


def usage(folder: Path, stem: str) -> BackupUsage:
    backups = list_backups(folder, stem)
    return BackupUsage(folder, len(backups), sum(b.size for b in backups),
                       backups[-1].stamp if backups else None)


def prune(folder: Path, stem: str) -> list[Path]:
    """Delete the backups the retention rule does not keep; returns what was deleted. The
    newest copy taken before a schema upgrade is always kept (the way back if it went
    wrong)."""
    backups = list_backups(folder, stem)
    keep = stamps_to_keep(b.stamp for b in backups)
    before_upgrade = [b for b in backups if b.label.startswith("before-")]
    if before_upgrade:
        keep.add(before_upgrade[-1].stamp)
    removed = []
    for backup in backups:
        if backup.stamp not in keep:
            backup.path.unlink(missing_ok=True)
            removed.append(backup.path)
    _remove_stale_partials(folder, stem)
    return removed


def _remove_stale_partials(folder: Path, stem: str) -> None:
    limit = time.time() - STALE_PARTIAL_S
    for partial in folder.glob(f"{glob_escape(stem)}-*.sqlite.partial"):
        try:
            if partial.stat().st_mtime < limit:
                partial.unlink()
        except OSError:
            continue


def glob_escape(text: str) -> str:
    return re.sub(r"([*?\[])", r"[\1]", text)


def write_backup(db_path: Path, folder: Path, label: str, now: datetime | None = None) -> Path:
    """A new backup named for ``now`` in ``folder`` (which must be usable)."""
    stamp = (now or datetime.now(UTC)).astimezone(UTC).strftime(STAMP_FORMAT)
    return backup_to(db_path, folder / f"{db_path.stem}-{stamp}-{label}.sqlite")
