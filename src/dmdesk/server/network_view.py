"""What the network holds, as a site may ask to check itself against it: one row's current
values (GET /v1/row, for a site taking back a change the server refused) and how many changes
of each origin the caller should hold (GET /v1/digest, the check that ends every sync).

The server keeps no copy of the rows, only the op log, so both are folds of the log, and both
see only what the caller may pull (``rules.may_see``).
"""

from __future__ import annotations

import json
from collections import defaultdict
from typing import Any

from sqlalchemy import and_, case, func, or_, select

from dmdesk.server import rules
from dmdesk.server.admin import SiteAccount
from dmdesk.server.storage import Store, ops
from dmdesk.sync.protocol import DigestReply, OriginDigest, RowReply

MOVE = "stock_move"


def row_state(store: Store, account: SiteAccount, entity: str, entity_id: str) -> RowReply:
    """The row's fields as the network holds them, each with the stamp of its value: the
    insert's values, overwritten field by field by newer edits (as every site merges)."""
    with store.read() as connection:
        rows = connection.execute(
            select(ops).where(ops.c.entity == entity, ops.c.entity_id == entity_id)
            .order_by(ops.c.seq)).mappings().all()
    fields: dict[str, tuple[Any, str]] = {}
    inserted, deleted = "", ""
    for row in rows:
        if not rules.may_see(account.role, account.code, row):
            continue
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


def digest(store: Store, account: SiteAccount, upto: int) -> DigestReply:
    """Per origin: the changes the caller may see with seq <= ``upto`` (its pull cursor; all
    of the caller's own), their highest seq, and how many of them are stock moves."""
    counts: dict[str, OriginDigest] = {}
    scope = or_(ops.c.seq <= upto, ops.c.site == account.code)
    with store.read() as connection:
        if rules.sees_everything(account.role, account.code):
            is_move = case((and_(ops.c.entity == MOVE, ops.c.op == "insert"), 1), else_=0)
            for site, changes, max_seq, moves in connection.execute(
                    select(ops.c.site, func.count(), func.max(ops.c.seq), func.sum(is_move))
                    .where(scope).group_by(ops.c.site)):
                counts[str(site)] = {"changes": int(changes), "max_seq": int(max_seq or 0),
                                     "moves": int(moves or 0)}
        else:  # a scoped caller: row by row through the same filter as a pull
            tally: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
            for row in connection.execute(select(ops).where(scope)).mappings():
                if rules.may_see(account.role, account.code, row):
                    held = tally[str(row["site"])]
                    held[0] += 1
                    held[1] = max(held[1], int(row["seq"]))
                    held[2] += row["entity"] == MOVE and row["op"] == "insert"
            counts = {site: {"changes": c, "max_seq": s, "moves": mv}
                      for site, (c, s, mv) in tally.items()}
    return {"upto": upto, "origins": counts}
