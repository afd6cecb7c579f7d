"""Push and pull over the op log: the server's two operations, independent of HTTP."""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, func, insert, select, update

from dmdesk.db.changes import IMMUTABLE_TABLES
from dmdesk.db.chunks import chunked
from dmdesk.domain.kinds import TRANSIT_LOCATION_ID, TRANSIT_SITE_ID, SiteKind
from dmdesk.domain.read_scope import PRODUCER_TABLES
from dmdesk.domain.write_rules import holder_allows, may_write, touches_lifecycle
from dmdesk.server import rules, scope
from dmdesk.server.admin import SiteAccount
from dmdesk.server.index import OwnershipIndex
from dmdesk.server.storage import Store, feed, ops, site_counts
from dmdesk.sync.protocol import Change, PullReply, PushReply

MOVE = "stock_move"
MAX_PAGE_BYTES = 16 * 1024 * 1024


class ForbiddenError(Exception):
    """The caller may not do this; the message names the op and why. ``op_id`` is set when
    one op of the batch is refused (the rest may be sent without it), with ``reason``, a
    clause a person understands; it is empty when the whole request is refused (a role that
    only reads)."""

    def __init__(self, message: str, op_id: str = "", reason: str = "") -> None:
        super().__init__(message)
        self.op_id = op_id
        self.reason = reason


class ClashError(Exception):
    """The op would give a row a unique value another row has; the message says which."""


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


def malformed(position: int, op: IncomingOp, problem: str) -> str:
    """The sentence for an op refused as one the merge could not apply (HTTP 422)."""
    return f"{_describe(position, op)} cannot be stored: {problem}. Nothing of this batch " \
           "was stored."


# Unique values checked here: a site's code only, since the ownership index keeps it anyway
# (it decides whose rows are whose). A code names a site's token and its document numbers,
# so two site rows coded alike would clash at every site for ever with nobody able to settle
# it. Other unique values (SKUs, order and work order numbers, lot codes per product,
# location codes per site) are not indexed (keeping them would cost every push); a clash of
# those is settled at the sites: the merge raises a clash alert and the row waits until one
# of the two is renamed (services/lots.py renames a lot for that).
def _check_unique(index: OwnershipIndex, position: int, op: IncomingOp) -> None:
    code = op.payload.get("code")
    if op.entity != "site" or op.op == "delete" or not isinstance(code, str):
        return
    other = index.site_with_code(code, other_than=op.entity_id)
    if other is None:
        return
    if op.payload.get("kind") == SiteKind.IN_TRANSIT and index.transit_site(other):
        why = (f"the network's in-transit site is already row {other}, coded {code}; "
               "there is one in-transit site: use that one (sync to receive it) instead of "
               "making another")
    else:
        why = (f"field code is '{code}', which site row {other} already has on the network "
               "(site codes are unique): give this site another code")
    raise ClashError(malformed(position, op, why))


TRANSIT_ROWS = {("site", TRANSIT_SITE_ID.hex), ("location", TRANSIT_LOCATION_ID.hex)}


def _known_transit(index: OwnershipIndex, op: IncomingOp) -> bool:
    """The in-transit site or its location inserted again by another site's first shipment:
    the same row by construction (domain/kinds.py), so a duplicate, not a change."""
    return (op.op == "insert" and (op.entity, op.entity_id) in TRANSIT_ROWS
            and index.row(op.entity, op.entity_id) is not None)


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
                           ("document_id", "work_order"),
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


def _rules_role(account: SiteAccount) -> str:
    """The role the write rules know the caller by: a producer writes as a site does (and
    only inside its scope, checked beside them)."""
    return "site" if account.role == "producer" else account.role


def _authorize(account: SiteAccount, index: OwnershipIndex, position: int,
               op: IncomingOp) -> None:
    if account.role == "accountant":
        raise ForbiddenError("An accountant's token only reads: it may not push changes.")
    # A producer writes as a site does, and only inside its scope (domain/read_scope.py).
    role = _rules_role(account)
    allowed = may_write(role, index, op.entity, op.op, op.entity_id, op.payload)
    if allowed and op.op == "insert" and role == "site" \
            and index.row(op.entity, op.entity_id) is not None:
        # Inserting a key the server knows is changing that row: the update rule decides.
        allowed = may_write(role, index, op.entity, "update", op.entity_id, op.payload)
    if account.role == "producer" and not _in_producer_scope(index, op):
        allowed = False
    if not allowed and touches_lifecycle(op.entity, op.op, op.payload) \
            and not holder_allows(index, op.entity, op.op, op.entity_id, op.payload):
        who = f"Site {account.code}" if role == "site" else f"The owner ({account.code})"
        raise ForbiddenError(
            f"{who} may not write {_describe(position, op)}: the lifecycle of a "
            "work order (release, progress, completion, its materials, lots and production "
            "moves) is written by its holder only, the making site when it reports its own "
            "progress, else the owner. Nothing of this batch was stored.", op.op_id,
            "a work order's lifecycle is written by its holder only")
    if not allowed:
        raise ForbiddenError(
            f"Site {account.code} may not write {_describe(position, op)}: a site writes its "
            "own rows, the progress of its work orders and stock moves at its own locations"
            f"{' (a producer: inside its own work only)' if account.role == 'producer' else ''}. "
            "Nothing of this batch was stored.", op.op_id, rules.refusal_reason(op.entity))


def _judge_for_producers(connection: Connection, site: str,
                         fresh: Sequence[IncomingOp]) -> None:
    """Each producer's feed and scope, from the ops just stored (see server/scope.py)."""
    producers = scope.producer_codes(connection)
    if not producers or not fresh:
        return
    seqs: dict[str, int] = {}
    op_ids = [op.op_id for op in fresh]
    for chunk in chunked(op_ids):
        for op_id, seq in connection.execute(select(ops.c.op_id, ops.c.seq).where(
                ops.c.site == site, ops.c.op_id.in_(chunk))):
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
        index = OwnershipIndex(connection, account.code, _rules_role(account))
        fresh = [(position, op) for position, op in fresh if not _known_transit(index, op)]
        if account.role in ("site", "producer"):
            index.preload(k for _, op in fresh for k in _referenced(op))
        else:
            # The owner's ops are checked only where they touch an order's lifecycle.
            index.preload(k for _, op in fresh for k in (
                _referenced(op) if touches_lifecycle(op.entity, op.op, op.payload)
                else [(op.entity, op.entity_id)] if op.entity not in IMMUTABLE_TABLES else []))
        for position, op in fresh:
            _authorize(account, index, position, op)  # 403 first: a site's client sets
            _check_unique(index, position, op)        # aside an op it may not write
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
        if fresh:
            _count(connection, account.code, [op for _, op in fresh], int(server_seq))
    return {"stored": len(fresh), "duplicates": len(batch) - len(fresh),
            "last_op_id": max((op.op_id for op in batch), default=""),
            "server_seq": int(server_seq)}


def _count(connection: Connection, site: str, stored: Sequence[IncomingOp],
           max_seq: int) -> None:
    """Add a stored batch to its writer's counts (the batch holds the newest seqs)."""
    moves = sum(op.entity == MOVE and op.op == "insert" for op in stored)
    updated = connection.execute(
        update(site_counts).where(site_counts.c.site == site).values(
            changes=site_counts.c.changes + len(stored), moves=site_counts.c.moves + moves,
            max_seq=max_seq))
    if updated.rowcount == 0:
        connection.execute(insert(site_counts).values(
            site=site, changes=len(stored), moves=moves, max_seq=max_seq))


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
