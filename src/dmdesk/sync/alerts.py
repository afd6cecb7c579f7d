"""Alerts a merge leaves for a person: stock below zero after a union of moves, a remote
delete kept because the row is still used here, changes waiting on a clash.

Each alert has a subject (one balance, one row), so a later check updates or clears the same
alert instead of piling up new ones.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable

from dmdesk.db.ids import new_id
from dmdesk.domain.quantity import QUANTITY_PLACES, QUANTITY_SCALE, format_quantity, from_scaled

NEGATIVE_STOCK = "negative_stock"


def raise_alert(raw: sqlite3.Connection, kind: str, subject: str, message: str,
                now: str) -> bool:
    """Open (or refresh the message of) the alert about ``subject``; True when new."""
    row = raw.execute("SELECT id FROM sync_alert WHERE subject = ? AND cleared_at IS NULL",
                      (subject,)).fetchone()
    if row is not None:
        raw.execute("UPDATE sync_alert SET message = ? WHERE id = ?", (message, row[0]))
        return False
    raw.execute("INSERT INTO sync_alert (id, kind, subject, message, detected_at, cleared_at) "
                "VALUES (?, ?, ?, ?, ?, NULL)", (new_id().bytes, kind, subject, message, now))
    return True


def ever_raised(raw: sqlite3.Connection, subject: str) -> bool:
    """Whether an alert about ``subject`` was ever raised here (open or cleared)."""
    return raw.execute("SELECT 1 FROM sync_alert WHERE subject = ? LIMIT 1",
                       (subject,)).fetchone() is not None


def clear_alert(raw: sqlite3.Connection, subject: str, now: str) -> None:
    raw.execute("UPDATE sync_alert SET cleared_at = ? WHERE subject = ? AND cleared_at IS NULL",
                (now, subject))


def _subject(product: bytes, location: bytes, lot_key: bytes) -> str:
    return f"stock:{product.hex()}:{location.hex()}:{lot_key.hex()}"


def _describe(raw: sqlite3.Connection, product: bytes, location: bytes, lot_key: bytes,
              on_hand: int) -> str:
    sku = raw.execute("SELECT sku FROM product WHERE id = ?", (product,)).fetchone()
    place = raw.execute(
        "SELECT site.code, location.code FROM location JOIN site ON site.id = location.site_id "
        "WHERE location.id = ?", (location,)).fetchone()
    lot = raw.execute("SELECT code FROM lot WHERE id = ?", (lot_key,)).fetchone() \
        if lot_key else None
    where = f"{place[0]}/{place[1]}" if place else location.hex()
    quantity = format_quantity(from_scaled(on_hand, QUANTITY_SCALE, QUANTITY_PLACES))
    lot_text = f" (lot {lot[0]})" if lot else ""
    return (f"Stock of {sku[0] if sku else product.hex()}{lot_text} at {where} is {quantity} "
            "after merging other sites' moves: count it, or look for a missing receipt.")


def check_stock(raw: sqlite3.Connection, keys: Iterable[tuple[bytes, bytes, bytes]],
                now: str) -> int:
    """Alert on each of ``keys`` whose balance is below zero, clear those back at or above
    it; also re-check the balances already alerted on. Returns the number of new alerts."""
    wanted = set(keys)
    for (subject,) in raw.execute(
            "SELECT subject FROM sync_alert WHERE kind = ? AND cleared_at IS NULL",
            (NEGATIVE_STOCK,)).fetchall():
        _, product, location, lot_key = subject.split(":")
        wanted.add((bytes.fromhex(product), bytes.fromhex(location), bytes.fromhex(lot_key)))
    new = 0
    for key in wanted:
        row = raw.execute(
            "SELECT on_hand FROM stock_balance WHERE product_id = ? AND location_id = ? "
            "AND lot_key = ?", key).fetchone()
        on_hand = int(row[0]) if row else 0
        if on_hand < 0:
            new += raise_alert(raw, NEGATIVE_STOCK, _subject(*key),
                               _describe(raw, *key, on_hand), now)
        else:
            clear_alert(raw, _subject(*key), now)
    return new
