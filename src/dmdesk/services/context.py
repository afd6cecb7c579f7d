"""The service context (who acts, at which site, by which clock) and the unit of work.

``with ctx.transaction() as uow:`` opens one write transaction; everything a use case writes
(rows, stock moves, outbox operations, the audit entry) commits together or not at all.
"""

from __future__ import annotations

import getpass
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from dmdesk.db import models as m
from dmdesk.db.audit import GENESIS_HASH, audit_hash, audit_record
from dmdesk.db.changes import ChangeContext, install_change_capture
from dmdesk.db.database import Database
from dmdesk.db.models_sync import SyncState
from dmdesk.db.ownership import DEFAULT_SITE_CODE, SETTING_SITE, WriteGuard
from dmdesk.domain.errors import NotFoundError
from dmdesk.domain.hlc import HLC, HybridClock, resumable
from dmdesk.domain.lifecycle import Actor
from dmdesk.domain.numbering import DocKind, format_number

SETTING_HLC = "hlc_last"
__all__ = ["DEFAULT_SITE_CODE", "SETTING_SITE", "ServiceContext", "UnitOfWork"]

T = TypeVar("T", bound=m.Base)


def utc_now() -> datetime:
    return datetime.now(UTC)


def default_actor() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name (some containers, services): still record something
        return "unknown"


@dataclass
class ServiceContext:
    db: Database
    actor: str = field(default_factory=default_actor)
    clock: Callable[[], datetime] = utc_now

    @contextmanager
    def transaction(self) -> Iterator[UnitOfWork]:
        with self.db.write_session() as session:
            uow = UnitOfWork(self, session)
            install_change_capture(session, uow.changes)
            yield uow
            session.flush()
            uow.finish()


class UnitOfWork:
    def __init__(self, ctx: ServiceContext, session: Session) -> None:
        self.ctx = ctx
        self.session = session
        self.now = ctx.clock()
        self.site_code = self.setting(SETTING_SITE) or DEFAULT_SITE_CODE
        last = self.setting(SETTING_HLC)
        wall_ms = int(self.now.timestamp() * 1000)
        self.hlc = HybridClock(self.site_code, lambda: wall_ms,
                               resumable(HLC.decode(last) if last else None, wall_ms))
        self._hlc_start = self.hlc.last
        # Every change is checked against the write rules before it is recorded: a refused
        # one raises NotYoursError and the transaction writes nothing.
        self.guard = WriteGuard(session.connection)
        self.changes = ChangeContext(self.now, lambda: self.hlc.now().encode(),
                                     ctx.db.schema_version, self.guard.check)
        self._side: Actor | None = None

    @property
    def actor(self) -> str:
        return self.ctx.actor

    @property
    def side(self) -> Actor:
        """This database's side of the network: its site code and its sync role."""
        if self._side is None:
            role = self.session.scalar(select(SyncState.role).where(SyncState.id == 1))
            self._side = Actor(self.site_code, role or "")
        return self._side

    def setting(self, key: str) -> str | None:
        """A local setting's value (None when unset)."""
        return self.session.scalar(select(m.Setting.value).where(m.Setting.key == key))

    def set_setting(self, key: str, value: str) -> None:
        row = self.session.get(m.Setting, key)
        if row is None:
            self.session.add(m.Setting(key=key, value=value))
        else:
            row.value = value

    def get(self, model: type[T], key: Any, what: str) -> T:
        """The row with primary key ``key``, or NotFoundError naming what was looked for."""
        obj = self.session.get(model, key)
        if obj is None:
            raise NotFoundError(f"Unknown {what}: {key}.", field=what)
        return obj

    def next_number(self, kind: DocKind) -> str:
        """The next human number of this site for ``kind`` (LIS-WO-00042)."""
        table = m.NumberSequence
        where = (table.prefix == self.site_code) & (table.kind == kind.value)
        last = self.session.scalar(select(table.last).where(where))
        if last is None:
            self.session.execute(insert(table).values(prefix=self.site_code, kind=kind.value,
                                                      last=1))
            value = 1
        else:
            value = last + 1
            self.session.execute(update(table).where(where).values(last=value))
        return format_number(self.site_code, kind, value)

    def audit(self, action: str, entity: str, entity_id: Any = None,
              **details: Any) -> None:
        """Append a hash-linked entry: who did what, to which row, when."""
        prev = self.session.scalar(
            select(m.AuditEntry.hash).order_by(m.AuditEntry.seq.desc()).limit(1)
        ) or GENESIS_HASH
        entry = {
            "at": self.now, "actor": self.actor, "site_code": self.site_code,
            "action": action, "entity": entity, "entity_id": entity_id,
            "details": json.dumps(details, sort_keys=True, default=str),
        }
        self.session.execute(insert(m.AuditEntry).values(
            **entry, prev_hash=prev, hash=audit_hash(prev, audit_record(entry))))

    def finish(self) -> None:
        if self.hlc.last != self._hlc_start:
            self.set_setting(SETTING_HLC, self.hlc.last.encode())
            self.session.flush()
