"""Consistent copies of a live database, through SQLite's online backup API."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

KEEP_BACKUPS = 10


def backup_dir_for(db_path: Path) -> Path:
    return db_path.parent / f"{db_path.name}.backups"


def backup_to(db_path: Path, target: Path) -> Path:
    """Copy ``db_path`` into ``target`` (a new file) while others may be writing to it."""
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.exists():
        raise FileExistsError(f"{target} already exists; choose another name.")
    source = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        dest = sqlite3.connect(target)
        try:
            source.backup(dest)
        finally:
            dest.close()
    finally:
        source.close()
    return target


def rotating_backup(db_path: Path, label: str, keep: int = KEEP_BACKUPS) -> Path:
    """A timestamped copy beside the database; only the newest ``keep`` are kept."""
    folder = backup_dir_for(db_path)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    target = backup_to(db_path, folder / f"{db_path.stem}-{stamp}-{label}.sqlite")
    backups = sorted(folder.glob(f"{db_path.stem}-*.sqlite"))
    for old in backups[:-keep]:
        old.unlink(missing_ok=True)
    return target
