"""A new, empty database for one site: the file, the site (its code and name) and the
setting that says the database is that site's, made together or not at all.

What `dmdesk init` and the app's File > New database... call. Everything a person can get
wrong (the code, the name, a file that is already there) is refused before the file is made;
anything refused after (a name too long for the site) removes the file again, with the
folders made for it, so a refusal leaves nothing behind.
"""

from __future__ import annotations

from pathlib import Path

from dmdesk.db.database import open_database
from dmdesk.domain.errors import ValidationError
from dmdesk.domain.kinds import MAKING_SITE_KINDS, SiteKind
from dmdesk.domain.numbering import check_site_code
from dmdesk.services import sites
from dmdesk.services.context import ServiceContext

# The site a database is made for keeps stock or makes things; in-transit is not a place.
FIRST_SITE_KINDS = (*MAKING_SITE_KINDS, SiteKind.WAREHOUSE)
_SIDE_FILES = ("-wal", "-shm", "-journal")


def _files_of(path: Path) -> list[Path]:
    return [path, *(path.with_name(path.name + suffix) for suffix in _SIDE_FILES)]


def _refuse_existing(path: Path) -> None:
    if path.is_dir():
        raise ValidationError(f"{path} is a folder: give the path of the new database file "
                              "(for example a name ending in .sqlite inside it).", field="db")
    taken = [f for f in _files_of(path) if f.exists()]
    if taken:
        raise ValidationError(
            f"{taken[0]} already exists: a new database is only made under a new name. "
            f"Choose another file name, or open this one (dmdesk --db {path}).", field="db")


def _missing_folders(path: Path) -> list[Path]:
    """The folders that would have to be made for ``path``, outermost last."""
    return [folder for folder in path.parents if not folder.exists()]


def _remove(path: Path, folders: list[Path]) -> None:
    for leftover in _files_of(path):
        leftover.unlink(missing_ok=True)
    for folder in folders:  # innermost first; only the ones made here, and only if empty
        try:
            folder.rmdir()
        except OSError:
            break


def create_database(path: Path, site_code: str, site_name: str,
                    kind: SiteKind = SiteKind.OWN_WORKSHOP) -> Path:
    """Make a new database at ``path`` for the site ``site_code`` called ``site_name``;
    return its full path. Raises ValidationError (nothing made) for a file that exists, a
    bad code, an empty or too long name, a kind no first site can be."""
    path = Path(path).expanduser().absolute()
    code = check_site_code(site_code)
    name = site_name.strip()
    if not name:
        raise ValidationError("Give the site a name (for example 'Lisbon workshop').",
                              field="name")
    if kind not in FIRST_SITE_KINDS:
        raise ValidationError(f"A database is made for a site that makes or keeps stock "
                              f"({', '.join(FIRST_SITE_KINDS)}), not {kind}.", field="kind")
    _refuse_existing(path)
    folders = _missing_folders(path)
    try:
        db = open_database(path)
        try:
            with ServiceContext(db).batch() as ctx:
                sites.create_site(ctx, code=code, name=name, kind=kind)
                sites.set_local_site(ctx, code)
        finally:
            db.close()
    except BaseException:
        _remove(path, folders)
        raise
    return path
