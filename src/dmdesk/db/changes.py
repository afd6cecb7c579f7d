"""Change capture: every ORM write leaves an outbox row in the same transaction.

Services change rows through the ORM; ``install_change_capture`` hooks the session so that
timestamps are set and each inserted, updated or deleted row of a synced table becomes an
outbox operation (with the changed fields only, for updates). Bulk paths that bypass the ORM
(the stock ledger, the demo builder) call ``outbox_row`` themselves, in their transaction.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import event, insert, inspect
from sqlalchemy.orm import Session, UOWTransaction

from dmdesk.db.ids import new_id
from dmdesk.db.models import Base, OutboxOp

# Rows that are never changed after insert: their outbox entry need not copy them, since the
# row itself is the payload and is read when the change is pushed. Half the writes for the
# ledger, which is most of what a site writes.
IMMUTABLE_TABLES = frozenset({"stock_move", "lot_genealogy"})

# Tables that stay on their site: caches derived from the ledger, bookkeeping, settings.
LOCAL_TABLES = frozenset({
    "stock_balance", "reservation", "audit_log", "outbox", "number_sequence", "setting",
    # sync bookkeeping (db/models_sync.py): this database's own view of the network
    "sync_state", "sync_clock", "sync_conflict", "sync_deferred", "sync_alert",
    "sync_origin",
})


def to_json_value(value: Any) -> Any:
    if isinstance(value, uuid.UUID):
        return value.hex
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.hex()
    return value


def dumps(payload: dict[str, Any]) -> str:
    return json.dumps(payload, separators=(",", ":"), sort_keys=True, default=to_json_value)


def _key_bytes(obj: Base) -> bytes:
    key = inspect(obj).mapper.primary_key_from_instance(obj)
    if len(key) == 1 and isinstance(key[0], uuid.UUID):
        return key[0].bytes
    return dumps({"key": [to_json_value(k) for k in key]}).encode()


def _row_payload(obj: Base, only_changed: bool) -> dict[str, Any]:
    state = inspect(obj)
    payload: dict[str, Any] = {}
    for column_attr in state.mapper.column_attrs:
        name = column_attr.key
        if only_changed and not state.attrs[name].history.has_changes():
            continue
        payload[name] = to_json_value(getattr(obj, name))
    return payload


# (entity, op, key, payload) -> None, or raises: the write rules, checked before a change is
# recorded (db/ownership.py WriteGuard).
Guard = Callable[[str, str, bytes, dict[str, Any]], None]


class ChangeContext:
    """What change capture needs from the current transaction."""

    def __init__(self, now: datetime, stamp: Callable[[], str], schema_version: str,
                 guard: Guard | None = None) -> None:
        self.now = now
        self.stamp = stamp
        self.schema_version = schema_version
        self.guard = guard

    def outbox_row(self, entity: str, entity_id: bytes, op: str,
                   payload: dict[str, Any], *, check: bool = True) -> dict[str, Any]:
        """The outbox row of a change, once the write rules allow it (every path that
        records a change comes through here, or calls ``guard`` itself). ``check=False``:
        the caller has decided the rules need not be asked (the owner's bulk builder)."""
        if check and self.guard is not None:
            self.guard(entity, op, entity_id, payload)
        return {
            "op_id": new_id(), "entity": entity, "entity_id": entity_id, "op": op,
            "payload": "" if op == "insert" and entity in IMMUTABLE_TABLES else dumps(payload),
            "hlc": self.stamp(),
            "schema_version": self.schema_version, "created_at": self.now, "pushed_at": None,
        }


def _set_timestamps(session: Session, now: datetime) -> None:
    for obj in session.new:
        for name in ("created_at", "updated_at"):
            if hasattr(obj, name) and getattr(obj, name) is None:
                setattr(obj, name, now)
    for obj in session.dirty:
        if hasattr(obj, "updated_at") and session.is_modified(obj, include_collections=False):
            obj.updated_at = now


def _synced(objects: Iterable[object]) -> list[Base]:
    return [o for o in objects
            if isinstance(o, Base) and o.__tablename__ not in LOCAL_TABLES]


def install_change_capture(session: Session, context: ChangeContext) -> None:
    session.info["change_context"] = context

    @event.listens_for(session, "before_flush")
    def _before_flush(session: Session, _flush: UOWTransaction, _instances: Any) -> None:
        _set_timestamps(session, context.now)

    @event.listens_for(session, "after_flush")
    def _after_flush(session: Session, _flush: UOWTransaction) -> None:
        rows: list[dict[str, Any]] = []
        for obj in _synced(session.new):
            rows.append(context.outbox_row(obj.__tablename__, _key_bytes(obj), "insert",
                                           _row_payload(obj, only_changed=False)))
        for obj in _synced(session.dirty):
            if not session.is_modified(obj, include_collections=False):
                continue
            payload = _row_payload(obj, only_changed=True)
            if payload:
                rows.append(context.outbox_row(obj.__tablename__, _key_bytes(obj), "update",
                                               payload))
        for obj in _synced(session.deleted):
            rows.append(context.outbox_row(obj.__tablename__, _key_bytes(obj), "delete", {}))
        if rows:
            session.connection().execute(insert(OutboxOp), rows)
