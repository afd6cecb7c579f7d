"""Backups as the app sees them: the daily one after opening, the disk they use, and the
folder they go to (a setting of this database, not synced: each site keeps its own)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from sqlalchemy import delete

from dmdesk.db import models as m
from dmdesk.db.backup import SETTING_BACKUP_FOLDER, BackupFolderError, BackupUsage, resolve_folder
from dmdesk.db.backup_daily import BackupOutcome, backup_usage, check_folder, daily_backup
from dmdesk.db.database import Database
from dmdesk.services.context import ServiceContext

__all__ = ["BackupFolderError", "BackupOutcome", "BackupUsage", "back_up_daily",
           "backup_folder", "backups_in_use", "set_backup_folder"]


def back_up_daily(db: Database, now: datetime | None = None) -> BackupOutcome:
    """The day's backup, unless one of today exists or nothing changed (a BackupFolderError
    when the folder cannot be used)."""
    return daily_backup(db.path, now=now)


def backups_in_use(db: Database) -> BackupUsage:
    return backup_usage(db.path)


def backup_folder(db: Database) -> Path:
    """Where this database's backups go (the chosen folder, else beside the database)."""
    return resolve_folder(db.path)


def set_backup_folder(ctx: ServiceContext, folder: str) -> Path:
    """Send later backups to ``folder`` (created if missing; "" means beside the database).
    A folder that cannot hold them is refused, naming why, and the setting stays as it was.
    Backups already made stay where they are."""
    cleaned = folder.strip()
    if cleaned:
        cleaned = str(check_folder(ctx.db.path, Path(cleaned).expanduser()))
    with ctx.transaction() as uow:
        if cleaned:
            uow.set_setting(SETTING_BACKUP_FOLDER, cleaned)
        else:
            uow.session.execute(delete(m.Setting).where(m.Setting.key == SETTING_BACKUP_FOLDER))
        uow.audit("set" if cleaned else "clear", "setting", None, key=SETTING_BACKUP_FOLDER,
                  value=cleaned)
    return resolve_folder(ctx.db.path, cleaned or None)
