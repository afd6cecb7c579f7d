"""Where dmdesk finds its own files (migrations, resources) and keeps the user's.

migrations/ and resources/ sit at the top of the source tree and are copied into the
installed package (see pyproject.toml) and into frozen builds as dmdesk/migrations and
dmdesk/resources. Look inside the package first, then in the source tree.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent


def _bundled(name: str) -> Path | None:
    candidates = [_PACKAGE_DIR / name]
    frozen_root = getattr(sys, "_MEIPASS", None)  # PyInstaller one-folder build
    if frozen_root:
        candidates.append(Path(frozen_root) / "dmdesk" / name)
    candidates.append(_PACKAGE_DIR.parent.parent / name)  # src/dmdesk -> repository root
    for candidate in candidates:
        if candidate.is_dir():
            return candidate
    return None


def migrations_dir() -> Path:
    found = _bundled("migrations")
    if found is None or not (found / "env.py").is_file():
        raise FileNotFoundError(
            "dmdesk's migrations folder is missing from this installation; reinstall dmdesk."
        )
    return found


def resources_dir() -> Path:
    found = _bundled("resources")
    if found is None:
        raise FileNotFoundError(
            "dmdesk's resources folder is missing from this installation; reinstall dmdesk."
        )
    return found


def default_database_path() -> Path:
    """DMDESK_DB if set, otherwise dmdesk.sqlite in the user's data folder."""
    from_env = os.environ.get("DMDESK_DB")
    if from_env:
        return Path(from_env).expanduser()
    import platformdirs

    return Path(platformdirs.user_data_dir("dmdesk", appauthor=False)) / "dmdesk.sqlite"


def log_dir() -> Path:
    import platformdirs

    return Path(platformdirs.user_log_dir("dmdesk", appauthor=False))


def cache_dir() -> Path:
    """DMDESK_CACHE_DIR if set, otherwise dmdesk's folder in the user's cache folder: files
    dmdesk can rebuild (prepared thumbnails), so deleting it loses time, never data."""
    from_env = os.environ.get("DMDESK_CACHE_DIR")
    if from_env:
        return Path(from_env).expanduser()
    import platformdirs

    return Path(platformdirs.user_cache_dir("dmdesk", appauthor=False))
