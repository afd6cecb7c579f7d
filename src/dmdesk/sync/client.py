"""A whole sync: push the outbox, then pull until the server has nothing more (PowerSync's
order: the server sees our changes before we merge theirs).

``setup`` checks a server and stores its address and the site's token in the database;
``run_sync`` is what `dmdesk sync` and the app's Sync area call. Both report progress through
a callback and stop between batches when asked to (every batch done is committed).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select

from dmdesk.db import models as m
from dmdesk.db.database import Database
from dmdesk.db.models_sync import SyncState
from dmdesk.domain.progress import Progress, no_progress
from dmdesk.services.context import SETTING_SITE
from dmdesk.sync import digest, follow_up, protocol, state, tls
from dmdesk.sync.pull import pull_batch
from dmdesk.sync.push import next_batch, pending_count, push_batch
from dmdesk.sync.revert import mark_refused, revert_refused
from dmdesk.sync.transport import SyncCancelledError, SyncError, Transport, wall_ms


def _never() -> bool:
    return False


@dataclass
class SyncReport:
    pushed: int = 0
    duplicates: int = 0
    pulled: int = 0
    applied: int = 0
    conflicts: int = 0
    alerts: int = 0
    deferred: int = 0
    refused: int = 0
    reverted: int = 0
    seconds: float = 0.0
    # The end-of-sync check: empty when this site holds what the server says it should,
    # else one sentence per difference (also kept as alerts).
    gaps: str = ""
    checked: bool = False

    def summary(self) -> str:
        return (f"sent {_count(self.pushed, 'change')} ({self.duplicates} already on the "
                f"server), received {self.pulled} ({self.applied} applied), "
                f"{_count(self.conflicts, 'new conflict')}, {_count(self.alerts, 'new alert')}"
                + (f", {_count(self.deferred, 'change')} waiting" if self.deferred else "")
                + (f", {_count(self.refused, 'change')} refused by the server and taken "
                   "back" if self.refused else "")
                + (f". {self.gaps}" if self.gaps else ""))


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


@dataclass(frozen=True)
class ServerInfo:
    url: str
    site: str
    role: str
    schema_version: str


def setup(db: Database, url: str, token: str, clock_ms: Callable[[], int] = wall_ms,
          ca_file: str = "") -> ServerInfo:
    """Check the server at ``url`` with ``token`` and, if all agrees, store both (and the
    extra CA file to trust, see dmdesk.sync.tls)."""
    token = token.strip()
    if not token:
        raise SyncError("The token is empty; paste the token the owner gave this site.")
    transport = Transport(url, token, db.schema_version, clock_ms, ca_file=ca_file)
    try:
        status = transport.status()
    finally:
        transport.close()
    if status.get("server") != "dmdesk" or status.get("protocol") != protocol.PROTOCOL_VERSION:
        raise SyncError(f"{url} is not a dmdesk sync server speaking protocol "
                        f"{protocol.PROTOCOL_VERSION}.")
    if str(status.get("schema_version")) != db.schema_version:
        raise SyncError(f"The server has database schema {status.get('schema_version')}, this "
                        f"dmdesk has {db.schema_version}: update the older one first.")
    skew = abs(int(status.get("server_time_ms", 0)) - clock_ms())
    if skew > protocol.MAX_CLOCK_SKEW_MS:
        raise SyncError(f"This computer's clock is {skew // 60000} minutes off the server's; "
                        "set the date, time and time zone right, then try again.")
    site, role = str(status.get("site", "")), str(status.get("role", ""))
    with db.write_session() as session:
        local = session.scalar(select(m.Setting.value).where(m.Setting.key == SETTING_SITE))
        if local and local != site:
            raise SyncError(f"This database belongs to site {local}, but the token is for site "
                            f"{site}; use {local}'s token (or a new database for {site}).")
        if not local:
            session.add(m.Setting(key=SETTING_SITE, value=site))
        row = state.load(session)
        if row.server_url and row.server_url.rstrip("/") != url.rstrip("/"):
            # Another server: its sequence numbers mean nothing here, and it may lack what
            # the old one got, so everything is sent again (it stores each op only once).
            row.pull_cursor = 0
            raw = session.connection()
            # Refused changes were taken back: never sent again, to any server.
            raw.exec_driver_sql("UPDATE outbox SET pushed_at = NULL WHERE refusal IS NULL")
            raw.exec_driver_sql("DELETE FROM sync_origin")
            raw.exec_driver_sql("DELETE FROM sync_deferred")
        row.server_url, row.token, row.site_code, row.role = url.rstrip("/"), token, site, role
        tls.store_ca_file(session, ca_file)
    return ServerInfo(url, site, role, str(status.get("schema_version")))


def _record(db: Database, *, result: str = "", error: str = "") -> None:
    now = datetime.now(UTC)
    with db.write_session() as session:
        row = state.load(session)
        if error:
            row.last_error, row.last_error_at = error, now
        else:
            row.last_sync_at, row.last_result, row.last_error = now, result, ""


def _clear_pending(db: Database, mark: str) -> None:
    """Our edits up to ``mark`` were pushed and we have pulled everything after them: the
    network has seen them, so a later remote edit of those fields is no longer a conflict
    (except where a conflict is still open: its local value stays protected)."""
    if not mark:
        return
    with db.write_session() as session:
        session.connection().exec_driver_sql(
            "UPDATE sync_clock SET pending = 0 WHERE pending = 1 AND hlc <= ? AND NOT EXISTS ("
            "SELECT 1 FROM sync_conflict c WHERE c.settled_at IS NULL AND c.entity = "
            "sync_clock.entity AND c.entity_id = sync_clock.entity_id AND c.field = "
            "sync_clock.field)", (mark,))


def _pushed_mark(db: Database) -> str:
    with db.reader.connect() as conn:
        # Pushes go in outbox order and stamps grow with it, so the newest pushed row holds
        # the highest pushed stamp (found from the end, not by scanning a million rows).
        row = conn.exec_driver_sql(
            "SELECT hlc FROM outbox WHERE pushed_at IS NOT NULL ORDER BY seq DESC LIMIT 1"
        ).first()
    return str(row[0]) if row and row[0] else ""


def transport_for(db: Database, clock_ms: Callable[[], int] = wall_ms) -> Transport:
    with db.read_session() as session:
        row = session.get(SyncState, state.STATE_ID)
        if row is None or not row.server_url or not row.token:
            raise SyncError("This database is not set up for sync yet: run `dmdesk sync --db "
                            "PATH --setup URL TOKEN` (or use the Sync area's setup form).")
        return Transport(row.server_url, row.token, db.schema_version, clock_ms,
                         ca_file=tls.stored_ca_file(session))


def push_all(db: Database, transport: Transport, report: SyncReport, progress: Progress,
             cancelled: Callable[[], bool]) -> None:
    """Send the outbox. A batch the server refuses because of one op (403 naming it) is split
    until the refused change is found; that one is marked refused, so one change the site may
    not make does not hold back all the others, and at the end every refused change is taken
    back (set to what the network holds, newest first; revert.py). A 403 that names no op
    refuses the whole push (a token that only reads): an error, as before."""
    total = pending_count(db)
    limit = protocol.MAX_PUSH_OPS
    while (batch := next_batch(db, limit)) is not None:
        if cancelled():
            raise SyncCancelledError()
        try:
            reply = push_batch(db, transport, batch)
        except SyncError as exc:
            if exc.status != 403 or not exc.refused_op:
                raise
            if batch.count > 1:
                limit = max(1, batch.count // 2)
                continue
            mark_refused(db, batch.first_seq, exc.refused_op, exc.reason or exc.message)
            report.refused += 1
            continue
        limit = min(protocol.MAX_PUSH_OPS, limit * 2)
        report.pushed += batch.count
        report.duplicates += int(reply.get("duplicates", 0))
        progress(report.pushed, max(total, report.pushed), "Sending changes")
    # Also any left from a sync cut off between the refusal and the revert.
    reverted = revert_refused(db, transport)
    report.reverted += reverted
    report.alerts += reverted  # each says what was taken back and why


def pull_all(db: Database, transport: Transport, report: SyncReport, progress: Progress,
             cancelled: Callable[[], bool], clock_ms: Callable[[], int],
             limit: int = protocol.MAX_PULL_CHANGES) -> None:
    while True:
        if cancelled():
            raise SyncCancelledError()
        batch = pull_batch(db, transport, limit=limit, clock_ms=clock_ms)
        report.pulled += batch.received
        report.applied += batch.result.applied
        report.conflicts += batch.result.conflicts
        report.alerts += batch.new_alerts
        progress(report.pulled, 0, "Receiving changes")
        if not batch.more:
            return


def run_sync(db: Database, *, progress: Progress = no_progress,
             cancelled: Callable[[], bool] = _never, clock_ms: Callable[[], int] = wall_ms,
             pull_limit: int = protocol.MAX_PULL_CHANGES, push: bool = True,
             pull: bool = True, full_resync: bool = False) -> SyncReport:
    """Push everything, then pull everything, then check this site holds what the server
    says it should; raise SyncError (recorded) if it cannot. ``full_resync``: after that
    pull, pull every change again from the start (the fix the check offers)."""
    started = time.perf_counter()
    report = SyncReport()
    transport = transport_for(db, clock_ms)
    try:
        if push:
            follow_up.before_push(db, clock_ms)
            push_all(db, transport, report, progress, cancelled)
        mark = _pushed_mark(db)
        if pull:
            pull_all(db, transport, report, progress, cancelled, clock_ms, pull_limit)
            report.alerts += follow_up.after_pull(db)
        if push and pull:
            _clear_pending(db, mark)
            # What the pulled changes made this site do goes out now, not a sync later.
            push_all(db, transport, report, progress, cancelled)
        if pull and (full_resync or digest.needs_recount(db)):
            # After the pending edits were cleared above, so that changes seen long ago
            # do not come back as conflicts with them.
            digest.reset_pull(db)
            pull_all(db, transport, report, progress, cancelled, clock_ms, pull_limit)
        if pull:
            check = digest.check(db, transport)
            report.gaps, report.checked = check.sentence(), True
            report.alerts += check.new_alerts
    except SyncError as exc:
        _record(db, error=exc.message)
        raise
    finally:
        transport.close()
    report.deferred = state.overview(db).deferred
    report.seconds = time.perf_counter() - started
    _record(db, result=report.summary())
    return report
