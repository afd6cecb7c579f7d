"""The database file as the layers above db/ hold it: open it (made and migrated to the
current schema), copy it aside, and the ``Database`` type they pass around.

The desktop app reaches dmdesk.db only through this module and queries/ (an import-linter
contract in pyproject.toml); the command line and the tests may import dmdesk.db directly.
"""

from __future__ import annotations

from pathlib import Path

from dmdesk.db.backup import backup_to
from dmdesk.db.backup_daily import rotating_backup
from dmdesk.db.database import Database, open_database
from dmdesk.domain.errors import ValidationError

__all__ = ["Database", "open_database", "rotating_backup", "save_copy"]


def save_copy(db: Database, target: Path) -> Path:
    """File > Save a copy...: a consistent copy of the open database (SQLite's backup API,
    one snapshot; never a file copy, which under WAL can miss or tear recent writes).
    Replaces ``target`` only once the copy is whole; refuses the database's own file."""
    target = Path(target).expanduser().absolute()
    if target.resolve() == Path(db.path).resolve():
        raise ValidationError(f"{target} is the open database itself: choose another file "
                              "name for the copy.", field="target")
    if not target.exists():
        return backup_to(Path(db.path), target)
    # The person confirmed replacing it: copy aside first, so a failure keeps the old file.
    fresh = target.with_name(target.name + ".new")
    fresh.unlink(missing_ok=True)
    backup_to(Path(db.path), fresh)
    fresh.replace(target)
    return target
