"""Stock moves merge by union: a move is inserted if its id is absent, never twice, and its
quantity is folded into the ``stock_balance`` cache in the same transaction. Moves are most of
what a site writes (a million in the large demo), so they go in as sets: one existence query
per 400 ids, one executemany, one upsert of the balances.
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

from dmdesk.db.chunks import chunked
from dmdesk.db.raw_insert import insert_statement
from dmdesk.domain.errors import ValidationError
from dmdesk.sync.codec import codec
from dmdesk.sync.protocol import Change

if TYPE_CHECKING:
    from dmdesk.sync.merge import MergeResult

MOVE = "stock_move"
BalanceKey = tuple[bytes, bytes, bytes]  # product, location, lot key (b"" for no lot)


def existing(raw: sqlite3.Connection, table: str, column: str, values: Iterable[bytes]
             ) -> set[bytes]:
    wanted = list(set(values))
    found: set[bytes] = set()
    for chunk in chunked(wanted):
        marks = ", ".join("?" for _ in chunk)
        found.update(bytes(row[0]) for row in raw.execute(
            f"SELECT {column} FROM {table} WHERE {column} IN ({marks})", chunk))
    return found


def apply_moves(raw: sqlite3.Connection, changes: Sequence[Change], result: MergeResult,
                defer: Callable[[Change, str], None]) -> None:
    """Insert the moves not here yet (never one twice) and fold them into the balances;
    a move whose product, location or lot has not arrived yet waits (``defer``)."""
    table = codec(MOVE)
    columns = table.columns
    convert = [table.to_db[col] for col in columns]
    rows: list[tuple[Change, list[Any]]] = []
    for change in changes:
        payload = change["payload"]
        try:
            rows.append((change, [fn(payload[col]) if col in payload else None
                                  for fn, col in zip(convert, columns, strict=True)]))
        except (ValidationError, ValueError, TypeError) as exc:
            defer(change, f"cannot be read: {exc}")
    index = {col: i for i, col in enumerate(columns)}
    i_id, i_product, i_location, i_lot, i_qty = (
        index["id"], index["product_id"], index["location_id"], index["lot_id"],
        index["quantity"])
    present = existing(raw, MOVE, "id", (r[i_id] for _, r in rows))
    products = existing(raw, "product", "id", (r[i_product] for _, r in rows))
    locations = existing(raw, "location", "id", (r[i_location] for _, r in rows))
    lots = existing(raw, "lot", "id", (r[i_lot] for _, r in rows if r[i_lot] is not None))
    fresh: list[list[Any]] = []
    for change, row in rows:
        if row[i_id] in present:
            result.skipped += 1
            continue
        if (row[i_product] not in products or row[i_location] not in locations
                or (row[i_lot] is not None and row[i_lot] not in lots)):
            defer(change, "refers to a row not received yet")
            continue
        present.add(row[i_id])
        fresh.append(row)
    if not fresh:
        return
    raw.executemany(insert_statement(MOVE, columns), fresh)
    deltas: dict[BalanceKey, int] = defaultdict(int)
    lot_of: dict[BalanceKey, bytes | None] = {}
    for row in fresh:
        key = (row[i_product], row[i_location], row[i_lot] or b"")
        deltas[key] += row[i_qty]
        lot_of[key] = row[i_lot]
    fold_balances(raw, deltas, lot_of)
    result.touched_stock.update(deltas)
    result.applied += len(fresh)


def fold_balances(raw: sqlite3.Connection, deltas: dict[BalanceKey, int],
                  lot_of: dict[BalanceKey, bytes | None]) -> None:
    """Add signed on-hand ``deltas`` (scaled integers) to the balance cache; a reverted move
    is folded out with its quantity negated."""
    raw.executemany(
        "INSERT INTO stock_balance (product_id, location_id, lot_key, lot_id, on_hand, "
        "reserved) VALUES (?, ?, ?, ?, ?, 0) ON CONFLICT (product_id, location_id, lot_key) "
        "DO UPDATE SET on_hand = on_hand + excluded.on_hand",
        [(p, loc, lk, lot_of[(p, loc, lk)], delta)
         for (p, loc, lk), delta in deltas.items()])
