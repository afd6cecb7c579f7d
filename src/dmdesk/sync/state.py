"""This database's sync settings and bookkeeping (the one ``sync_state`` row), read and written."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dmdesk.db import models as m
from dmdesk.db.database import Database
from dmdesk.db.models_sync import SyncAlert, SyncConflict, SyncDeferred, SyncState

STATE_ID = 1


def load(session: Session) -> SyncState:
    """The state row, made (empty: not set up) on first use."""
    state = session.get(SyncState, STATE_ID)
    if state is None:
        state = SyncState(id=STATE_ID, server_url="", token="", site_code="", role="",
                          pull_cursor=0, last_result="", last_error="")
        session.add(state)
        session.flush()
    return state


@dataclass(frozen=True)
class Overview:
    """What the Sync area and the status bar show."""

    server_url: str
    site_code: str
    role: str
    configured: bool
    last_sync_at: datetime | None
    last_result: str
    last_error: str
    last_error_at: datetime | None
    pending: int
    open_conflicts: int
    open_alerts: int
    deferred: int


def overview(db: Database) -> Overview:
    with db.read_session() as session:
        state = session.get(SyncState, STATE_ID)
        pending = session.scalar(select(func.count()).select_from(m.OutboxOp).where(
            m.OutboxOp.pushed_at.is_(None))) or 0
        conflicts = session.scalar(select(func.count()).select_from(SyncConflict).where(
            SyncConflict.settled_at.is_(None))) or 0
        alerts = session.scalar(select(func.count()).select_from(SyncAlert).where(
            SyncAlert.cleared_at.is_(None))) or 0
        deferred = session.scalar(select(func.count()).select_from(SyncDeferred)) or 0
        if state is None:
            return Overview("", "", "", False, None, "", "", None, pending, conflicts, alerts,
                            deferred)
        return Overview(state.server_url, state.site_code, state.role,
                        bool(state.server_url and state.token), state.last_sync_at,
                        state.last_result, state.last_error, state.last_error_at, pending,
                        conflicts, alerts, deferred)
