"""Recently opened databases, remembered in QSettings (newest first)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings

KEY = "recent_databases"
KEEP = 8


def recent_databases(settings: QSettings | None = None) -> list[Path]:
    settings = settings or QSettings()
    value = settings.value(KEY, [])
    # QSettings returns a lone string for a one-item list on some platforms.
    if isinstance(value, str):
        items = [value]
    elif isinstance(value, list | tuple):
        items = [str(v) for v in value]
    else:
        items = []
    return [Path(p) for p in items if p and Path(p).exists()]


def remember(path: Path, settings: QSettings | None = None) -> None:
    settings = settings or QSettings()
    items = [str(path.resolve())] + [str(p) for p in recent_databases(settings)
                                     if p.resolve() != path.resolve()]
    settings.setValue(KEY, items[:KEEP])
