"""Conflicts: list them with both values, and settle one by keeping this site's value or the
other site's.

Settling writes the chosen value as a new local change with a new clock stamp, so it is newer
than both sides and reaches every site at the next sync; the losing value stays in the
conflict row (and the audit log says who chose what). Nothing is silently lost.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import insert, select

from dmdesk.db import models as m
from dmdesk.db.database import Database
from dmdesk.db.models_sync import SyncConflict
from dmdesk.domain.errors import NotFoundError, ValidationError
from dmdesk.services.context import ServiceContext
from dmdesk.sync.codec import codec

Keep = Literal["local", "remote"]
# A readable name for a row, by table: the first of these columns it has.
LABEL_COLUMNS = ("number", "sku", "code", "name")


@dataclass(frozen=True)
class ConflictView:
    id: uuid.UUID
    entity: str
    label: str
    field: str
    local_value: Any
    remote_value: Any
    origin: str
    detected_at: datetime
    settled_at: datetime | None
    settled_how: str


def _label(session: Any, entity: str, entity_id: bytes) -> str:
    table = codec(entity)
    column = next((c for c in LABEL_COLUMNS if c in table.columns), None)
    if column is None:
        return entity_id.hex()[:12]
    key = table.key_values(entity_id)
    where = " AND ".join(f"{col} = ?" for col in table.key)
    row = session.connection().exec_driver_sql(
        f"SELECT {column} FROM {entity} WHERE {where}", tuple(key)).first()
    return str(row[0]) if row else entity_id.hex()[:12]


def list_conflicts(db: Database, *, open_only: bool = True) -> list[ConflictView]:
    with db.read_session() as session:
        query = select(SyncConflict).order_by(SyncConflict.detected_at, SyncConflict.id)
        if open_only:
            query = query.where(SyncConflict.settled_at.is_(None))
        return [ConflictView(c.id, c.entity, _label(session, c.entity, c.entity_id), c.field,
                             json.loads(c.local_value), json.loads(c.remote_value), c.origin,
                             c.detected_at, c.settled_at, c.settled_how)
                for c in session.scalars(query)]


def settle(ctx: ServiceContext, conflict_id: uuid.UUID, keep: Keep) -> Any:
    """Keep this site's value ("local") or the other's ("remote"); returns the value kept."""
    if keep not in ("local", "remote"):
        raise ValidationError("Choose to keep 'local' (this site's) or 'remote' (theirs).")
    with ctx.transaction() as uow:
        conflict = uow.session.get(SyncConflict, conflict_id)
        if conflict is None:
            raise NotFoundError(f"Unknown conflict: {conflict_id}.")
        if conflict.settled_at is not None:
            raise ValidationError(f"This conflict was already settled ({conflict.settled_how} "
                                  f"kept, by {conflict.settled_by}).")
        table = codec(conflict.entity)
        key = table.key_values(conflict.entity_id)
        where = " AND ".join(f"{col} = ?" for col in table.key)
        connection = uow.session.connection()
        current = connection.exec_driver_sql(
            f"SELECT {conflict.field} FROM {conflict.entity} WHERE {where}", tuple(key)).first()
        if current is None:
            raise NotFoundError(f"The {conflict.entity} row of this conflict no longer exists.")
        # "local" is what this site holds now (it may have been edited again since).
        value = (table.from_db[conflict.field](current[0]) if keep == "local"
                 else json.loads(conflict.remote_value))
        changes: dict[str, Any] = {conflict.field: value}
        if "updated_at" in table.columns and conflict.field != "updated_at":
            changes["updated_at"] = table.from_db["updated_at"](
                table.to_db["updated_at"](uow.now.isoformat()))
        stored = table.row_to_db(changes)
        assignments = ", ".join(f"{col} = ?" for col in stored)
        connection.exec_driver_sql(f"UPDATE {conflict.entity} SET {assignments} WHERE {where}",
                                   (*stored.values(), *key))
        # A new change, stamped now: newer than both sides, so every site takes it.
        uow.session.execute(insert(m.OutboxOp), [uow.changes.outbox_row(
            conflict.entity, conflict.entity_id, "update", changes)])
        conflict.settled_at, conflict.settled_how = uow.now, keep
        conflict.settled_by = uow.actor
        uow.audit("settle_conflict", conflict.entity,
                  uuid.UUID(bytes=conflict.entity_id) if table.uuid_key else None,
                  field=conflict.field, kept=keep, value=value)
        return value
