"""Tables of the sync feature (kept apart from models.py, which holds the core data).

None of these rows is synced itself (they are in ``LOCAL_TABLES``): they describe this
database's view of the network: where the server is, how far it has pulled, which field
versions it holds, what could not be merged automatically.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Boolean, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from dmdesk.db.ids import new_id
from dmdesk.db.models import Base
from dmdesk.db.types import UUIDBytes


class SyncState(Base):
    """One row (id 1): the server, the token, the pull cursor and how the last sync went."""

    __tablename__ = "sync_state"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    server_url: Mapped[str] = mapped_column(Text, default="")
    # The site's own bearer token. It is what lets this database sync, so it lives with it
    # (a copy of the file is a copy of the site); the server keeps only its hash.
    token: Mapped[str] = mapped_column(Text, default="")
    site_code: Mapped[str] = mapped_column(String(6), default="")
    role: Mapped[str] = mapped_column(String(12), default="")
    pull_cursor: Mapped[int] = mapped_column(Integer, default=0)
    last_sync_at: Mapped[datetime | None]
    last_result: Mapped[str] = mapped_column(Text, default="")
    last_error: Mapped[str] = mapped_column(Text, default="")
    last_error_at: Mapped[datetime | None]


class SyncClock(Base):
    """The hybrid-clock stamp of the value held for one field of one row.

    ``field`` is a column name, ``*`` for the row's insert (every field not listed on its
    own), or ``-`` for a delete. ``pending`` marks a value written here that the network may
    not have seen yet (set by a trigger on the outbox, cleared at the end of a complete sync):
    a remote edit of a pending field is a conflict, not an overwrite.
    """

    __tablename__ = "sync_clock"

    entity: Mapped[str] = mapped_column(String(40), primary_key=True)
    entity_id: Mapped[bytes] = mapped_column(LargeBinary, primary_key=True)
    field: Mapped[str] = mapped_column(String(60), primary_key=True)
    hlc: Mapped[str] = mapped_column(String(60))
    pending: Mapped[bool] = mapped_column(Boolean, default=False)


class SyncConflict(Base):
    """A field edited here and elsewhere since the two last synced: both values are kept."""

    __tablename__ = "sync_conflict"
    __table_args__ = (Index("ix_sync_conflict_open", "settled_at", "entity", "entity_id"),)

    id: Mapped[uuid.UUID] = mapped_column(UUIDBytes(), primary_key=True, default=new_id)
    entity: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[bytes] = mapped_column(LargeBinary)
    field: Mapped[str] = mapped_column(String(60))
    local_value: Mapped[str] = mapped_column(Text)   # JSON
    local_hlc: Mapped[str] = mapped_column(String(60))
    remote_value: Mapped[str] = mapped_column(Text)  # JSON
    remote_hlc: Mapped[str] = mapped_column(String(60))
    origin: Mapped[str] = mapped_column(String(6))
    detected_at: Mapped[datetime]
    settled_at: Mapped[datetime | None]
    settled_how: Mapped[str] = mapped_column(String(10), default="")  # local | remote
    settled_by: Mapped[str] = mapped_column(String(80), default="")


class SyncDeferred(Base):
    """A pulled change that cannot be applied yet (it refers to a row not received yet, or
    clashes with a local row); kept whole and retried after every batch, never dropped."""

    __tablename__ = "sync_deferred"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True)  # the server's sequence
    change: Mapped[str] = mapped_column(Text)  # the Change as JSON
    reason: Mapped[str] = mapped_column(Text)
    deferred_at: Mapped[datetime]


class SyncAlert(Base):
    """Something a merge left for a person to look at, e.g. stock below zero."""

    __tablename__ = "sync_alert"

    id: Mapped[uuid.UUID] = mapped_column(UUIDBytes(), primary_key=True, default=new_id)
    kind: Mapped[str] = mapped_column(String(20))
    # What the alert is about (e.g. one stock balance), so a later check updates or clears it.
    subject: Mapped[str] = mapped_column(String(120), index=True)
    message: Mapped[str] = mapped_column(Text)
    detected_at: Mapped[datetime]
    cleared_at: Mapped[datetime | None]


class SyncOrigin(Base):
    """Per origin site, the pulled changes merged here (applied or skipped as already held);
    with those waiting in ``sync_deferred``, what the end-of-sync check compares with the
    server's count (dmdesk.sync.digest)."""

    __tablename__ = "sync_origin"

    origin: Mapped[str] = mapped_column(String(6), primary_key=True)
    merged: Mapped[int] = mapped_column(Integer, default=0)
