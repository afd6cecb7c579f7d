"""Push: the outbox, oldest first, in batches the server stores once each.

A batch is marked pushed in the local transaction that follows the server's reply; if the
reply is lost the batch is simply sent again next time and the server counts its ops as
duplicates (``UNIQUE(site, op_id)``), so nothing is stored twice.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from dmdesk.db.changes import IMMUTABLE_TABLES
from dmdesk.db.chunks import chunked
from dmdesk.db.database import Database
from dmdesk.db.raw_insert import utc_text
from dmdesk.sync import protocol
from dmdesk.sync.codec import codec
from dmdesk.sync.transport import SyncError, Transport

OUTBOX_QUERY = (
    "SELECT seq, op_id, entity, entity_id, op, payload, hlc, schema_version FROM outbox "
    "WHERE pushed_at IS NULL ORDER BY seq LIMIT ?")


@dataclass
class PushBatch:
    first_seq: int
    last_seq: int
    body: bytes
    count: int
    last_hlc: str


def pending_count(db: Database) -> int:
    with db.reader.connect() as conn:
        return int(conn.exec_driver_sql(
            "SELECT COUNT(*) FROM outbox WHERE pushed_at IS NULL").scalar_one())


def _immutable_rows(conn: Any, entity: str, ids: Sequence[bytes]) -> dict[bytes, dict[str, Any]]:
    table = codec(entity)
    found: dict[bytes, dict[str, Any]] = {}
    columns = ", ".join(table.columns)
    for chunk in chunked(ids):
        marks = ", ".join("?" for _ in chunk)
        rows = conn.exec_driver_sql(
            f"SELECT {columns} FROM {entity} WHERE id IN ({marks})", tuple(chunk))
        for row in rows:
            record = table.row_from_db(dict(zip(table.columns, row, strict=True)))
            found[bytes(row[0])] = record
    return found


def _encode_op(row: Sequence[Any], payload: dict[str, Any]) -> bytes:
    _seq, op_id, entity, entity_id, op, _payload, hlc, schema = row
    op_json: protocol.Op = {
        "op_id": bytes(op_id).hex(), "entity": entity, "entity_id": bytes(entity_id).hex(),
        "op": op, "payload": payload, "hlc": hlc, "schema_version": schema,
    }
    return json.dumps(op_json, separators=(",", ":")).encode()


def next_batch(db: Database, limit: int | None = None,
               max_bytes: int | None = None) -> PushBatch | None:
    """The oldest unpushed ops, encoded, within the server's op and byte limits."""
    limit = limit or protocol.MAX_PUSH_OPS
    max_bytes = max_bytes or protocol.MAX_BODY_BYTES
    with db.reader.connect() as conn:
        rows = list(conn.exec_driver_sql(OUTBOX_QUERY, (limit,)))
        if not rows:
            return None
        immutable: dict[str, list[bytes]] = {}
        for row in rows:
            if row[2] in IMMUTABLE_TABLES and row[4] == "insert" and not row[5]:
                immutable.setdefault(row[2], []).append(bytes(row[3]))
        whole = {entity: _immutable_rows(conn, entity, ids) for entity, ids in immutable.items()}
    budget = max_bytes - 64
    encoded: list[bytes] = []
    for row in rows:
        if row[2] in whole and not row[5]:
            payload = whole[row[2]].get(bytes(row[3]))
            if payload is None:
                raise SyncError(f"The outbox refers to a {row[2]} row that is missing "
                                f"({bytes(row[3]).hex()}); run `dmdesk db check`.")
        else:
            payload = json.loads(row[5]) if row[5] else {}
        op = _encode_op(row, payload)
        if len(op) + 1 > budget:
            if not encoded:
                raise SyncError(f"One change ({row[2]} {bytes(row[3]).hex()}) is larger than "
                                f"the server accepts ({max_bytes} bytes) and cannot be sent.")
            break
        budget -= len(op) + 1
        encoded.append(op)
    sent = rows[:len(encoded)]
    body = b'{"ops":[' + b",".join(encoded) + b"]}"
    return PushBatch(sent[0][0], sent[-1][0], body, len(encoded), sent[-1][6])


def mark_pushed(db: Database, batch: PushBatch, now: datetime | None = None) -> None:
    """The ops of ``batch`` reached the server: take them off the pending list."""
    stamp = utc_text(now or datetime.now(UTC))
    with db.write_session() as session:
        session.connection().exec_driver_sql(
            "UPDATE outbox SET pushed_at = ? WHERE seq BETWEEN ? AND ? AND pushed_at IS NULL",
            (stamp, batch.first_seq, batch.last_seq))


def push_batch(db: Database, transport: Transport, batch: PushBatch) -> protocol.PushReply:
    reply = transport.push(batch.body)
    mark_pushed(db, batch)
    return reply
