"""The database file as the layers above db/ hold it: open it (made and migrated to the
current schema), copy it aside, and the ``Database`` type they pass around.

The desktop app reaches dmdesk.db only through this module and queries/ (an import-linter
contract in pyproject.toml); the command line and the tests may import dmdesk.db directly.
"""

from __future__ import annotations

from dmdesk.db.backup_daily import rotating_backup
from dmdesk.db.database import Database, open_database

__all__ = ["Database", "open_database", "rotating_backup"]
