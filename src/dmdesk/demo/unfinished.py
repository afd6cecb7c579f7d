"""Whether a demo database was built to the end.

The demo is built into its file while the window shows it, so a cancelled or crashed build
leaves a file that opens fine but holds part of the network. A marker file beside it
(``demo.sqlite.building``) is written before the database is made and removed only when the
build finished; the next ``dmdesk --demo`` finds it and builds the demo again instead of
passing the part off as the demo. A marker, not a row in the database: a setting would be
synced and audited like any other, and a crash before the first commit leaves no row at all.
"""

from __future__ import annotations

from pathlib import Path

_SIDE_FILES = ("-wal", "-shm", "-journal")


def marker(path: Path) -> Path:
    return path.with_name(path.name + ".building")


def begin(path: Path) -> None:
    """Call before the database file is made: until ``finish``, the demo is unfinished."""
    path.parent.mkdir(parents=True, exist_ok=True)
    marker(path).write_text("The demo in this folder is being built, or its build stopped "
                            "part-way; dmdesk --demo builds it again.\n", encoding="utf-8")


def finish(path: Path) -> None:
    marker(path).unlink(missing_ok=True)


def is_finished(path: Path) -> bool:
    """A demo database is at ``path`` and its build ran to the end."""
    return path.exists() and not marker(path).exists()


def discard_unfinished(path: Path) -> bool:
    """Remove a part-built demo at ``path`` (the file, its journals, the marker); say whether
    there was one. A finished demo is left alone."""
    if not marker(path).exists():
        return False
    for leftover in (path, *(path.with_name(path.name + s) for s in _SIDE_FILES)):
        leftover.unlink(missing_ok=True)
    finish(path)
    return True
