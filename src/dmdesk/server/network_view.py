"""What the network holds, as a site may ask to check itself against it: one row's current
values (GET /v1/row, for a site taking back a change the server refused) and how many changes
of each origin the caller should hold (GET /v1/digest, the check that ends every sync).

The server keeps no copy of the rows, only the op log, so both are folds of the log, and both
see only what the caller may pull: ``rules.may_see`` for the network's own sites, and for an
outside producer its feed (server/scope.py), which is what it pulls: a row is folded from
what the feed sent it (projected, as sent) and its own ops, and the digest counts the feed's
entries per origin (catch-up entries and "withdraw" entries, whose origin is "", included, as
the producer merges and counts them), never the op log.
"""

from __future__ import annotations

import json
from collections import defaultdict
from typing import Any

from sqlalchemy import Connection, and_, case, distinct, func, select

from dmdesk.server import rules
from dmdesk.server.admin import SiteAccount
from dmdesk.server.storage import Store, feed, ops, site_counts
from dmdesk.sync.protocol import DigestReply, OriginDigest, RowReply

MOVE = "stock_move"


def row_state(store: Store, account: SiteAccount, entity: str, entity_id: str) -> RowReply:
    """The row's fields as the network holds them, each with the stamp of its value: the
    insert's values, overwritten field by field by newer edits (as every site merges)."""
    with store.read() as connection:
        if account.role == "producer":
            rows = _row_from_feed(connection, account.code, entity, entity_id)
        else:
            rows = [dict(row) for row in connection.execute(
                select(ops).where(ops.c.entity == entity, ops.c.entity_id == entity_id)
                .order_by(ops.c.seq)).mappings().all()
                if rules.may_see(account.role, account.code, row)]
    fields: dict[str, tuple[Any, str]] = {}
    inserted, deleted = "", ""
    for row in rows:
        hlc = str(row["hlc"])
        if row["op"] == "delete":
            deleted = max(deleted, hlc)
            continue
        if row["op"] == "insert":
            inserted = max(inserted, hlc)
        for name, value in json.loads(row["payload"]).items():
            held = fields.get(name)
            if held is None or hlc > held[1]:
                fields[name] = (value, hlc)
    return {"entity": entity, "entity_id": entity_id, "exists": bool(inserted),
            "deleted": bool(deleted) and deleted >= inserted,
            "fields": {name: [value, hlc] for name, (value, hlc) in fields.items()}}


def _row_from_feed(connection: Connection, caller: str, entity: str,
                   entity_id: str) -> list[dict[str, Any]]:
    """A producer's view of one row's ops: what its feed sent it (projected as sent) and its
    own; after a withdrawal of the row it holds none of them (the row left its database)."""
    sent = connection.execute(
        select(feed.c.kind, feed.c.payload.label("projected"), ops.c.op, ops.c.payload,
               ops.c.hlc, ops.c.seq)
        .select_from(feed.outerjoin(ops, ops.c.seq == feed.c.seq))
        .where(feed.c.site == caller, feed.c.entity == entity,
               feed.c.entity_id == entity_id).order_by(feed.c.at_seq, feed.c.id)).all()
    rows: list[dict[str, Any]] = []
    for kind, projected, op, payload, hlc, seq in sent:
        if kind == "withdraw":
            rows = []
        else:
            rows.append({"op": op, "payload": projected or payload, "hlc": hlc, "seq": seq})
    own = connection.execute(select(ops.c.op, ops.c.payload, ops.c.hlc, ops.c.seq).where(
        ops.c.entity == entity, ops.c.entity_id == entity_id, ops.c.site == caller)).all()
    rows += [{"op": op, "payload": payload, "hlc": hlc, "seq": seq}
             for op, payload, hlc, seq in own]
    return sorted(rows, key=lambda row: int(row["seq"]))


def digest(store: Store, account: SiteAccount, upto: int) -> DigestReply:
    """Per origin: the changes the caller may see with seq <= ``upto`` (its pull cursor; all
    of the caller's own), how many of them are stock moves, and the origin's highest seq the
    caller may see (above ``upto`` when there is more to pull)."""
    with store.read() as connection:
        if account.role == "producer":
            counts = _from_feed(connection, account.code, upto)
        elif rules.sees_everything(account.role, account.code):
            counts = _from_counts(connection, account.code, upto)
        else:
            counts = _row_by_row(connection, account, upto)
    return {"upto": upto, "origins": counts}


def _from_counts(connection: Connection, caller: str, upto: int) -> dict[str, OriginDigest]:
    """Each writer's running counts less its ops newer than ``upto`` (few: the caller has
    just pulled), in one statement, so one snapshot even under READ COMMITTED."""
    is_move = case((and_(ops.c.entity == MOVE, ops.c.op == "insert"), 1), else_=0)
    # Grouped by an expression, not the column: else SQLite groups along the (site, op_id)
    # index, reading all of it, instead of the few rows above the cursor (1 s at 1M ops).
    writer = ops.c.site.concat("").label("site")
    newer = (select(writer, func.count().label("changes"), func.sum(is_move).label("moves"))
             .where(ops.c.seq > upto, ops.c.site != caller).group_by(writer).subquery())
    rows = connection.execute(
        select(site_counts.c.site, site_counts.c.changes, site_counts.c.moves,
               site_counts.c.max_seq, func.coalesce(newer.c.changes, 0),
               func.coalesce(newer.c.moves, 0))
        .select_from(site_counts.outerjoin(newer, newer.c.site == site_counts.c.site)))
    return {str(site): {"changes": int(changes) - int(later), "max_seq": int(max_seq),
                        "moves": int(moves) - int(later_moves)}
            for site, changes, moves, max_seq, later, later_moves in rows.all()}


def _row_by_row(connection: Connection, account: SiteAccount,
                upto: int) -> dict[str, OriginDigest]:
    """For a caller with a scope: through the same filter as a pull."""
    tally: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for row in connection.execute(select(ops)).mappings():
        if rules.may_see(account.role, account.code, row):
            site, seq = str(row["site"]), int(row["seq"])
            held = tally[site]
            held[1] = max(held[1], seq)
            if seq <= upto or site == account.code:
                held[0] += 1
                held[2] += row["entity"] == MOVE and row["op"] == "insert"
    return {site: {"changes": c, "max_seq": s, "moves": mv}
            for site, (c, s, mv) in tally.items()}


def _from_feed(connection: Connection, caller: str, upto: int) -> dict[str, OriginDigest]:
    """For a producer: the entries of its feed up to ``upto`` per origin, and its own ops
    (all of them, as for anyone). The same op may be in a feed twice (a row that left and
    came back is caught up again): the producer merges and counts it twice, but its ledger
    holds a stock move once, so moves are counted by distinct op."""
    upto_here = feed.c.at_seq <= upto
    move = and_(upto_here, ops.c.entity == MOVE, ops.c.op == "insert")
    origin = func.coalesce(ops.c.site, "").label("origin")
    rows = connection.execute(
        select(origin, func.sum(case((upto_here, 1), else_=0)),
               func.count(distinct(case((move, ops.c.seq), else_=None))),
               func.max(feed.c.at_seq))
        .select_from(feed.outerjoin(ops, ops.c.seq == feed.c.seq))
        .where(feed.c.site == caller).group_by(origin)).all()
    counts: dict[str, OriginDigest] = {
        str(site): {"changes": int(changes or 0), "max_seq": int(max_seq), "moves": int(moves)}
        for site, changes, moves, max_seq in rows}
    own = connection.execute(select(site_counts.c.changes, site_counts.c.moves,
                                    site_counts.c.max_seq)
                             .where(site_counts.c.site == caller)).first()
    if own is not None:
        counts[caller] = {"changes": int(own.changes), "max_seq": int(own.max_seq),
                          "moves": int(own.moves)}
    return counts
