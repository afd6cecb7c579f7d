"""When to back up: at most once a day, and only when the database changed since the last
backup; and backups made on request (``dmdesk db backup``, before a schema upgrade).

"Changed" is read from the file system, not the data, so deciding costs a few ``stat`` calls
instead of reading a gigabyte: each backup records the database file's size and modification
time (in ``STEM.backup-state.json`` beside the backups). Under WAL a commit lands in the
``-wal`` file and reaches the database file at a checkpoint (at the latest when the last
connection closes), so the database is unchanged when its file has the recorded size and
time and no WAL frames are waiting. Every doubt (no record, frames waiting, the recorded
backup gone) counts as changed: a spare backup costs disk, a missing one costs data.

The record also names the database it belongs to, so two databases of the same name sent to
one chosen folder do not prune each other's backups.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from dmdesk.db.backup import (
    BackupFolderError,
    BackupUsage,
    backup_dir_for,
    list_backups,
    prune,
    resolve_folder,
    usable_folder,
    usage,
    write_backup,
)
from dmdesk.domain.backup_retention import local_day

WAL_HEADER_BYTES = 32  # a WAL this long or shorter holds no frames


@dataclass(frozen=True)
class BackupOutcome:
    usage: BackupUsage
    written: Path | None = None
    skipped: str = ""  # why none was written
    removed: tuple[Path, ...] = ()


def _state_path(folder: Path, db_path: Path) -> Path:
    return folder / f"{db_path.stem}.backup-state.json"


def _fingerprint(db_path: Path) -> dict[str, Any]:
    stat = db_path.stat()
    return {"database": str(db_path.resolve()), "size": stat.st_size,
            "mtime_ns": stat.st_mtime_ns}


def _wal_has_frames(db_path: Path) -> bool:
    wal = Path(f"{db_path}-wal")
    try:
        return wal.stat().st_size > WAL_HEADER_BYTES
    except FileNotFoundError:
        return False


def _read_state(folder: Path, db_path: Path) -> dict[str, Any]:
    try:
        state = json.loads(_state_path(folder, db_path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return state if isinstance(state, dict) else {}


def _refuse_another_databases(folder: Path, db_path: Path, state: dict[str, Any]) -> None:
    owner = state.get("database")
    mine = str(db_path.resolve())
    if not owner or owner == mine or folder == backup_dir_for(db_path.resolve()):
        return
    if Path(owner).exists():  # else the database moved: its backups are ours now
        raise BackupFolderError(
            f"The backup folder {folder} already holds the backups of {owner}, also named "
            f"{db_path.stem}; choose a folder of {mine}'s own (File > Backups… in the app, or "
            "`dmdesk settings set backup_folder FOLDER`).")


def _unchanged(db_path: Path, folder: Path, state: dict[str, Any]) -> bool:
    recorded = state.get("backup")
    if not recorded or not (folder / str(recorded)).exists() or _wal_has_frames(db_path):
        return False
    now = _fingerprint(db_path)
    return all(state.get(key) == now[key] for key in ("database", "size", "mtime_ns"))


def _back_up(db_path: Path, folder: Path, label: str, now: datetime | None) -> BackupOutcome:
    before = _fingerprint(db_path)  # taken first: a change during the copy counts as one
    written = write_backup(db_path, folder, label, now)
    state = {**before, "backup": written.name}
    _state_path(folder, db_path).write_text(json.dumps(state, indent=1), encoding="utf-8")
    removed = tuple(prune(folder, db_path.stem))
    return BackupOutcome(usage(folder, db_path.stem), written, "", removed)


def _prepared_folder(db_path: Path, folder: Path | str | None) -> tuple[Path, dict[str, Any]]:
    chosen = usable_folder(resolve_folder(db_path, folder))
    state = _read_state(chosen, db_path)
    _refuse_another_databases(chosen, db_path, state)
    return chosen, state


def check_folder(db_path: Path, folder: Path | str) -> Path:
    """``folder`` made ready to hold this database's backups, or a BackupFolderError."""
    return _prepared_folder(db_path.resolve(), folder)[0]


def daily_backup(db_path: Path, *, folder: Path | str | None = None,
                 now: datetime | None = None) -> BackupOutcome:
    """Back up unless one of today (local time) exists or nothing changed since the last.

    ``now`` is the clock (timezone-aware), a parameter so tests can move through days."""
    now = now or datetime.now(UTC)
    db_path = db_path.resolve()
    chosen, state = _prepared_folder(db_path, folder)
    backups = list_backups(chosen, db_path.stem)
    if backups and local_day(backups[-1].stamp) == local_day(now):
        return BackupOutcome(usage(chosen, db_path.stem),
                             skipped=f"one of today exists ({backups[-1].path.name})")
    if _unchanged(db_path, chosen, state):
        return BackupOutcome(usage(chosen, db_path.stem),
                             skipped=f"unchanged since {state['backup']}")
    return _back_up(db_path, chosen, "daily", now)


def rotating_backup(db_path: Path, label: str, *, folder: Path | str | None = None,
                    now: datetime | None = None) -> Path:
    """A backup now, whatever the day and changes (on request, or before an upgrade);
    the older ones are then kept by age like the daily ones."""
    db_path = db_path.resolve()
    chosen, _state = _prepared_folder(db_path, folder)
    written = _back_up(db_path, chosen, label, now).written
    assert written is not None
    return written


def backup_usage(db_path: Path, folder: Path | str | None = None) -> BackupUsage:
    """How many backups of this database its folder holds, and their total size."""
    chosen = resolve_folder(db_path, folder)
    return usage(chosen, db_path.stem)
