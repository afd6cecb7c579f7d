"""Joining a network with an invite: a new database for the site, the server and token stored,
and the first sync, all or nothing.

The server is asked first (address, token, schema), so a bad invite, an unreachable server
or a revoked token leaves nothing behind; a failure or Cancel after the database was made
deletes it again. An existing database is used only when it already belongs to the invite's
site (joining again, e.g. with a new token); it is then kept as it is whatever happens.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from dmdesk.db import models as m
from dmdesk.db.database import Database, inspect_file, open_database
from dmdesk.db.migrate import head_revision
from dmdesk.domain.errors import DomainError
from dmdesk.domain.progress import Progress, no_progress
from dmdesk.services.context import SETTING_SITE
from dmdesk.sync import client, invite, tls
from dmdesk.sync.client import SyncReport
from dmdesk.sync.transport import (
    SyncCancelledError,
    SyncError,
    SyncUnreachableError,
    Transport,
    wall_ms,
)

SIDE_FILES = ("-wal", "-shm", "-journal")


class JoinError(SyncError):
    """A join that could not be done; the message says why and what was left."""


@dataclass(frozen=True)
class JoinResult:
    path: Path
    site: str
    role: str
    url: str
    created: bool
    report: SyncReport


def _never() -> bool:
    return False


def join(invite_text: str, path: Path, *, progress: Progress = no_progress,
         cancelled: Callable[[], bool] = _never, ca_file: str = "",
         clock_ms: Callable[[], int] = wall_ms) -> JoinResult:
    found = invite.decode(invite_text)
    path = Path(path).expanduser().resolve()
    try:
        ca_file = tls.check_ca_file(ca_file)
    except tls.CaFileError as exc:
        raise JoinError(str(exc)) from None
    existing = same_site_database(path, found.site)
    _ask_server(found, path, ca_file, clock_ms)
    db = _open(path)
    try:
        info = client.setup(db, found.url, found.token, clock_ms, ca_file)
        report = client.run_sync(db, progress=progress, cancelled=cancelled, clock_ms=clock_ms)
    except BaseException as exc:
        db.close()
        if not existing:
            remove_database(path)
        if isinstance(exc, SyncError):
            raise JoinError(_after_failure(exc, path, existing)) from exc
        raise
    db.close()
    return JoinResult(path, info.site, info.role, info.url, not existing, report)


def same_site_database(path: Path, site: str) -> bool:
    """False for a new (or empty) file; True for the invite's site's own database; else
    JoinError: another site's database, or one that is not set up for any site."""
    try:
        if not inspect_file(path).exists_with_data:
            return False
        db = open_database(path, create=False)
    except DomainError as exc:
        raise JoinError(f"{str(exc).rstrip('. ')}; nothing was changed.") from None
    try:
        with db.read_session() as session:
            local = session.scalar(select(m.Setting.value).where(m.Setting.key == SETTING_SITE))
    finally:
        db.close()
    if local == site:
        return True
    owner = f"the database of site {local}" if local else "a dmdesk database of its own"
    raise JoinError(f"{path} is already {owner}; the invite is for site {site}: choose a new "
                    "file to join into (nothing was changed).")


def _ask_server(found: invite.Invite, path: Path, ca_file: str,
                clock_ms: Callable[[], int]) -> None:
    schema = head_revision()
    transport = Transport(found.url, found.token, schema, clock_ms, ca_file=ca_file)
    try:
        status = transport.status()
    except SyncUnreachableError as exc:
        if tls.untrusted(exc):
            raise JoinError(_nothing_made(exc.message, path)) from None
        raise JoinError(_nothing_made(
            f"Cannot reach the sync server at {found.url} ({exc.reason}): check the address, "
            "this computer's network and proxy, then join again", path)) from None
    except SyncError as exc:
        if exc.status == 401:
            raise JoinError(_nothing_made(
                f"The server refused the invite's token ({_first(exc.detail)}): ask the owner "
                f"for a new invite (dmdesk server invite {found.site})", path)) from None
        if exc.status == 409:
            raise JoinError(_nothing_made(
                f"This dmdesk has database schema {schema} and the server another one: "
                "install the dmdesk version the server runs, then join again", path)) from None
        raise JoinError(_nothing_made(exc.message, path)) from None
    finally:
        transport.close()
    if str(status.get("site", "")) != found.site:
        raise JoinError(_nothing_made(
            f"The invite names site {found.site} but its token is the token of site "
            f"{status.get('site')}: ask the owner for a new invite", path))


def _nothing_made(sentence: str, path: Path) -> str:
    return f"{sentence.rstrip('. ')}; nothing was made at {path}."


def _open(path: Path) -> Database:
    if path.exists() and path.stat().st_size == 0:
        path.unlink()  # an empty file holds nothing: made anew (and removed on failure)
    try:
        return open_database(path)
    except DomainError as exc:
        raise JoinError(str(exc)) from None


def remove_database(path: Path) -> None:
    for suffix in ("", *SIDE_FILES):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def _after_failure(exc: SyncError, path: Path, existing: bool) -> str:
    if isinstance(exc, SyncCancelledError):
        first = "Join cancelled"
    else:
        first = exc.message.rstrip(". ")
        first = first.replace(" Your changes are kept and will be sent at the next sync", "")
        first = first.rstrip(". ")
    if existing:
        return (f"{first}; {path} keeps what it had and received so far, with the new token "
                f"(`dmdesk sync --db {path}` goes on).")
    return f"{first}; the new database {path} was removed."


def _first(detail: str) -> str:
    """The server's reason without its advice (which is for a site that already syncs)."""
    return detail.split(":")[0].rstrip(". ") or "no reason given"
