"""Push and pull over the op log: the server's two operations, independent of HTTP."""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, func, insert, select

from dmdesk.db.changes import IMMUTABLE_TABLES
from dmdesk.db.chunks import chunked
from dmdesk.server import rules
from dmdesk.server.admin import SiteAccount
from dmdesk.server.index import OwnershipIndex
from dmdesk.server.storage import Store, ops
from dmdesk.sync.protocol import Change, PullReply, PushReply

MAX_PAGE_BYTES = 16 * 1024 * 1024


class ForbiddenError(Exception):
    """The caller may not do this; the message names the op and why."""


@dataclass(frozen=True)
class IncomingOp:
    op_id: str
    entity: str
    entity_id: str
    op: str
    payload: dict[str, Any]
    hlc: str
    schema_version: str
    payload_json: str  # the payload as stored (and as pulled)


def _describe(position: int, op: IncomingOp) -> str:
    return f"op {position + 1} ({op.op} {op.entity} {op.entity_id}, op id {op.op_id})"


def _already_stored(connection: Connection, site: str, op_ids: Sequence[str]) -> set[str]:
    found: set[str] = set()
    for chunk in chunked(op_ids):
        found.update(connection.execute(select(ops.c.op_id).where(
            ops.c.site == site, ops.c.op_id.in_(chunk))).scalars())
    return found


def _referenced(op: IncomingOp) -> list[tuple[str, str]]:
    """Index rows the rules will ask about for this op (fetched in one go)."""
    keys = [(op.entity, op.entity_id)]
    for column in ("site_id", "location_id", "from_location_id", "to_location_id"):
        value = op.payload.get(column)
        if isinstance(value, str):
            keys += [("site", value), ("location", value)]
    for column, entity in (("work_order_id", "work_order"), ("document_id", "transfer"),
                           ("transfer_id", "transfer"), ("order_id", "customer_order")):
        value = op.payload.get(column)
        if isinstance(value, str):
            keys.append((entity, value))
    return keys


def _authorize(account: SiteAccount, index: OwnershipIndex, position: int,
               op: IncomingOp) -> None:
    if account.role == "accountant":
        raise ForbiddenError("An accountant's token only reads: it may not push changes.")
    allowed = rules.may_write(account.role, index, op.entity, op.op, op.entity_id, op.payload)
    if allowed and op.op == "insert" and account.role == "site" \
            and index.row(op.entity, op.entity_id) is not None:
        # Inserting a key the server knows is changing that row: the update rule decides.
        allowed = rules.may_write(account.role, index, op.entity, "update", op.entity_id,
                                  op.payload)
    if not allowed:
        raise ForbiddenError(
            f"Site {account.code} may not write {_describe(position, op)}: a site writes its "
            "own rows, the progress of its work orders and stock moves at its own locations. "
            "Nothing of this batch was stored.")


def push(store: Store, account: SiteAccount, batch: Sequence[IncomingOp]) -> PushReply:
    """Store a batch, all or nothing; ops already stored for this site are skipped."""
    if account.role == "accountant":
        raise ForbiddenError("An accountant's token only reads: it may not push changes.")
    now_ms = int(time.time() * 1000)
    with store.write() as connection:
        seen = _already_stored(connection, account.code, [op.op_id for op in batch])
        fresh: list[tuple[int, IncomingOp]] = []
        for position, op in enumerate(batch):
            if op.op_id not in seen:
                seen.add(op.op_id)
                fresh.append((position, op))
        index = OwnershipIndex(connection, account.code)
        if account.role == "site":
            index.preload(k for _, op in fresh for k in _referenced(op))
        else:
            index.preload((op.entity, op.entity_id) for _, op in fresh
                          if op.entity not in IMMUTABLE_TABLES)
        for position, op in fresh:
            _authorize(account, index, position, op)
            index.learn(op.entity, op.entity_id, op.op, op.payload)
        if fresh:
            connection.execute(insert(ops), [{
                "site": account.code, "op_id": op.op_id, "entity": op.entity,
                "entity_id": op.entity_id, "op": op.op,
                "payload": op.payload_json,
                "hlc": op.hlc, "schema_version": op.schema_version,
                "received_at_ms": now_ms} for _, op in fresh])
        index.flush()
        server_seq = connection.execute(select(func.max(ops.c.seq))).scalar() or 0
    return {"stored": len(fresh), "duplicates": len(batch) - len(fresh),
            "last_op_id": max((op.op_id for op in batch), default=""),
            "server_seq": int(server_seq)}


def _visible_rows(store: Store, account: SiteAccount, after: int,
                  limit: int) -> tuple[list[Any], int, bool]:
    """The rows of a pull, its cursor, and whether more follow."""
    with store.read() as connection:
        # The ceiling first: a push committing meanwhile lands above it and is read next time.
        ceiling = int(connection.execute(select(func.max(ops.c.seq))).scalar() or 0)
        rows = connection.execute(
            select(ops).where(ops.c.seq > after, ops.c.seq <= ceiling,
                              ops.c.site != account.code)
            .order_by(ops.c.seq).limit(limit + 1)).mappings().all()
    more = len(rows) > limit
    rows = rows[:limit]
    # A page stops early past MAX_PAGE_BYTES of payload (design files travel as hex), so
    # that neither side holds thousands of large rows at once; the client just asks again.
    size = 0
    for count, row in enumerate(rows, start=1):
        size += len(row["payload"])
        if size > MAX_PAGE_BYTES and count < len(rows):
            rows, more = rows[:count], True
            break
    last_seq = int(rows[-1]["seq"]) if more else max(after, ceiling)
    visible = [row for row in rows if rules.may_see(account.role, account.code, row)]
    return visible, last_seq, more


def pull(store: Store, account: SiteAccount, after: int, limit: int) -> PullReply:
    """Changes after the cursor, in seq order, without the caller's own."""
    rows, last_seq, more = _visible_rows(store, account, after, limit)
    changes: list[Change] = [{
        "seq": int(row["seq"]), "origin": row["site"], "op_id": row["op_id"],
        "entity": row["entity"], "entity_id": row["entity_id"], "op": row["op"],
        "payload": json.loads(row["payload"]), "hlc": row["hlc"],
        "schema_version": row["schema_version"]} for row in rows]
    return {"changes": changes, "last_seq": last_seq, "more": more}


def pull_json(store: Store, account: SiteAccount, after: int, limit: int) -> bytes:
    """``pull`` as the JSON bytes of a PullReply, with the stored payload text spliced in
    as it is: no parsing and re-serialising thousands of payloads per page."""
    rows, last_seq, more = _visible_rows(store, account, after, limit)
    dumps = json.dumps
    parts = [
        f'{{"seq":{int(row["seq"])},"origin":{dumps(row["site"])},'
        f'"op_id":{dumps(row["op_id"])},"entity":{dumps(row["entity"])},'
        f'"entity_id":{dumps(row["entity_id"])},"op":{dumps(row["op"])},'
        f'"payload":{row["payload"]},"hlc":{dumps(row["hlc"])},'
        f'"schema_version":{dumps(row["schema_version"])}}}'
        for row in rows]
    return (f'{{"changes":[{",".join(parts)}],"last_seq":{last_seq},'
            f'"more":{"true" if more else "false"}}}').encode()
