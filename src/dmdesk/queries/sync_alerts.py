"""The alerts a merge left for a person (stock below zero, a delete kept, changes waiting on a
clash) that are still open, as the Sync area lists them; dmdesk.sync.alerts raises and clears
them."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from dmdesk.db.models_sync import SyncAlert


def open_alert_messages(session: Session) -> list[str]:
    """The message of every alert not cleared yet, oldest first."""
    return list(session.scalars(select(SyncAlert.message).where(
        SyncAlert.cleared_at.is_(None)).order_by(SyncAlert.detected_at)))
