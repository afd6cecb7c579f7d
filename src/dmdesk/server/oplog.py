"""Push and pull over the op log: the server's two operations, independent of HTTP."""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, func, insert, select

from dmdesk.db.changes import IMMUTABLE_TABLES
from dmdesk.domain.read_scope import PRODUCER_TABLES
from dmdesk.server import rules, scope
from dmdesk.server.admin import SiteAccount
from dmdesk.server.index import OwnershipIndex
from dmdesk.server.storage import Store, feed, ops
from dmdesk.sync.protocol import Change, PullReply, PushReply

_CHUNK = 400
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
    for start in range(0, len(op_ids), _CHUNK):
        chunk = op_ids[start:start + _CHUNK]
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


def _in_producer_scope(index: OwnershipIndex, op: IncomingOp) -> bool:
    if op.entity not in PRODUCER_TABLES:
        return False  # customer orders, reorder points, reroutes, later tables
    if op.entity == "contact":  # its own people only, not customers
        site = op.payload.get("site_id") if "site_id" in op.payload else (
            index.row("contact", op.entity_id) or {}).get("site_id")
        return index.own_site(site)
    return True


def _authorize(account: SiteAccount, index: OwnershipIndex, position: int,
               op: IncomingOp) -> None:
    if account.role == "accountant":
        raise ForbiddenError("An accountant's token only reads: it may not push changes.")
    # A producer writes as a site does, and only inside its scope (domain/read_scope.py).
    role = "site" if account.role == "producer" else account.role
    allowed = rules.may_write(role, index, op.entity, op.op, op.entity_id, op.payload)
    if allowed and op.op == "insert" and role == "site" \
            and index.row(op.entity, op.entity_id) is not None:
        # Inserting a key the server knows is changing that row: the update rule decides.
        allowed = rules.may_write(role, index, op.entity, "update", op.entity_id, op.payload)
    if account.role == "producer" and not _in_producer_scope(index, op):
        allowed = False
    if not allowed:
        raise ForbiddenError(
            f"Site {account.code} may not write {_describe(position, op)}: a site writes its "
            "own rows, the progress of its work orders and stock moves at its own locations"
            f"{' (a producer: inside its own work only)' if account.role == 'producer' else ''}. "
            "Nothing of this batch was stored.")


def _judge_for_producers(connection: Connection, site: str,
                         fresh: Sequence[IncomingOp]) -> None:
    """Each producer's feed and scope, from the ops just stored (see server/scope.py)."""
    producers = scope.producer_codes(connection)
    if not producers or not fresh:
        return
    seqs: dict[str, int] = {}
    op_ids = [op.op_id for op in fresh]
    for start in range(0, len(op_ids), _CHUNK):
        for op_id, seq in connection.execute(select(ops.c.op_id, ops.c.seq).where(
                ops.c.site == site, ops.c.op_id.in_(op_ids[start:start + _CHUNK]))):
            seqs[op_id] = int(seq)
    engine = scope.ScopeEngine(connection, producers)
    stored = sorted((scope.StoredOp(seqs[op.op_id], site, op.entity, op.entity_id, op.op,
                                    op.payload) for op in fresh), key=lambda o: o.seq)
    engine.preload_ops(stored)
    engine.apply(stored)
    engine.flush()


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
        if account.role in ("site", "producer"):
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
        _judge_for_producers(connection, account.code, [op for _, op in fresh])
        server_seq = connection.execute(select(func.max(ops.c.seq))).scalar() or 0
    return {"stored": len(fresh), "duplicates": len(batch) - len(fresh),
            "last_op_id": max((op.op_id for op in batch), default=""),
            "server_seq": int(server_seq)}


def _visible_rows(store: Store, account: SiteAccount, after: int,
                  limit: int) -> tuple[list[Any], int, bool]:
    """The rows of a pull, its cursor, and whether more follow."""
    if account.role == "producer":
        return _feed_rows(store, account.code, after, limit)
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


_WITHDRAW = {"site": "", "op_id": "", "op": "withdraw", "payload": "{}", "hlc": "",
             "schema_version": ""}


def _feed_rows(store: Store, code: str, after: int,
               limit: int) -> tuple[list[Any], int, bool]:
    """A producer's pull: its feed (server/scope.py) between the cursor and the ceiling, in
    whole groups of one ``at_seq`` so that a cursor between two pages loses nothing."""
    columns = (feed.c.id, feed.c.at_seq, feed.c.kind, feed.c.entity, feed.c.entity_id,
               feed.c.payload.label("projected"), ops.c.seq, ops.c.site, ops.c.op_id, ops.c.op,
               ops.c.payload, ops.c.hlc, ops.c.schema_version)
    base = select(*columns).select_from(feed.outerjoin(ops, ops.c.seq == feed.c.seq))
    with store.read() as connection:
        ceiling = int(connection.execute(select(func.max(ops.c.seq))).scalar() or 0)
        window = base.where(feed.c.site == code, feed.c.at_seq > after,
                            feed.c.at_seq <= ceiling).order_by(feed.c.at_seq, feed.c.id)
        rows = list(connection.execute(window.limit(limit + 1)).mappings())
        more = len(rows) > limit
        if more:
            rows = rows[:limit]
            last = rows[-1]["at_seq"]
            if rows[0]["at_seq"] == last:  # one group larger than a page: sent whole
                rows = list(connection.execute(base.where(
                    feed.c.site == code, feed.c.at_seq == last).order_by(feed.c.id)).mappings())
            else:
                rows = [row for row in rows if row["at_seq"] != last]
    last_seq = int(rows[-1]["at_seq"]) if more else max(after, ceiling)
    return [_feed_change(row) for row in rows], last_seq, more


def _feed_change(row: Any) -> dict[str, Any]:
    if row["kind"] == "withdraw":
        return {**_WITHDRAW, "seq": int(row["at_seq"]), "entity": row["entity"],
                "entity_id": row["entity_id"]}
    return {"seq": int(row["seq"]), "site": row["site"], "op_id": row["op_id"],
            "entity": row["entity"], "entity_id": row["entity_id"], "op": row["op"],
            "payload": row["projected"] or row["payload"], "hlc": row["hlc"],
            "schema_version": row["schema_version"]}


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
