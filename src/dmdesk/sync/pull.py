"""Pull: the server's changes after our cursor, one batch per local transaction.

A batch is merged and the cursor that follows it is stored in the same transaction, so a sync
cut off anywhere resumes at the first batch not applied, and a batch applied is never
counted twice. Derived state is brought up to date in that transaction too: the stock
balance cache (merge.py), alerts on stock below zero, reservations of work orders another
site finished, and the local hybrid clock, which moves past every stamp received.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from dmdesk.db.database import Database
from dmdesk.db.ids import new_id
from dmdesk.db.raw_insert import utc_text
from dmdesk.documents.pdf.thumbnails import disk as thumbnail_disk
from dmdesk.domain.hlc import HLC, HybridClock
from dmdesk.services.context import DEFAULT_SITE_CODE, SETTING_HLC, SETTING_SITE
from dmdesk.sync import alerts, protocol
from dmdesk.sync.merge import Merger, MergeResult
from dmdesk.sync.transport import Transport, wall_ms

OPEN_WORK = ("released", "in_progress", "on_hold")


@dataclass
class PulledBatch:
    received: int
    result: MergeResult
    new_alerts: int
    cursor: int
    more: bool


def driver(session: Any) -> sqlite3.Connection:
    raw = session.connection().connection.driver_connection
    assert isinstance(raw, sqlite3.Connection)
    return raw


def read_setting(raw: sqlite3.Connection, key: str) -> str | None:
    row = raw.execute("SELECT value FROM setting WHERE key = ?", (key,)).fetchone()
    return None if row is None else str(row[0])


def observe_clock(raw: sqlite3.Connection, remote: str, now_ms: int) -> None:
    """Move this site's hybrid clock past ``remote`` so its next edits sort after it."""
    if not remote:
        return
    site = read_setting(raw, SETTING_SITE) or DEFAULT_SITE_CODE
    last = read_setting(raw, SETTING_HLC)
    clock = HybridClock(site, lambda: now_ms, HLC.decode(last) if last else None)
    stamp = clock.observe(HLC.decode(remote)).encode()
    raw.execute("INSERT INTO setting (key, value) VALUES (?, ?) ON CONFLICT (key) "
                "DO UPDATE SET value = excluded.value", (SETTING_HLC, stamp))


def rewrite(raw: sqlite3.Connection, values: list[tuple[str, bytes, str, Any]], now: datetime,
            schema: str, now_ms: int) -> None:
    """Write values a rule decided as new local changes, stamped after everything seen, so
    they outrank both edits everywhere (the outbox trigger marks them pending)."""
    site = read_setting(raw, SETTING_SITE) or DEFAULT_SITE_CODE
    last = read_setting(raw, SETTING_HLC)
    clock = HybridClock(site, lambda: now_ms, HLC.decode(last) if last else None)
    for entity, entity_id, name, value in values:
        payload = json.dumps({name: value}, separators=(",", ":"), sort_keys=True)
        raw.execute(
            "INSERT INTO outbox (op_id, entity, entity_id, op, payload, hlc, schema_version, "
            "created_at) VALUES (?, ?, ?, 'update', ?, ?, ?, ?)",
            (new_id().bytes, entity, entity_id, payload, clock.now().encode(), schema,
             utc_text(now)))
    raw.execute("UPDATE setting SET value = ? WHERE key = ?", (clock.last.encode(), SETTING_HLC))


def record_merged(raw: sqlite3.Connection, merged: dict[str, int]) -> None:
    """Count the changes a pull merged, per origin (for the end-of-sync check, digest.py)."""
    raw.executemany(
        "INSERT INTO sync_origin (origin, merged) VALUES (?, ?) ON CONFLICT (origin) "
        "DO UPDATE SET merged = merged + excluded.merged",
        [(origin, count) for origin, count in merged.items() if count])


def release_finished_reservations(raw: sqlite3.Connection) -> None:
    """Reservations are local; when another site finishes or cancels a work order that was
    reserved here, give the reserved stock back (a local completion consumes them itself)."""
    marks = ", ".join("?" for _ in OPEN_WORK)
    rows = raw.execute(
        "SELECT r.id, r.product_id, r.location_id, r.lot_id, r.quantity FROM reservation r "
        "JOIN wo_material wm ON wm.id = r.material_id "
        f"JOIN work_order w ON w.id = wm.work_order_id WHERE w.state NOT IN ({marks})",
        OPEN_WORK).fetchall()
    for reservation_id, product, location, lot, quantity in rows:
        raw.execute(
            "UPDATE stock_balance SET reserved = reserved - ? WHERE product_id = ? AND "
            "location_id = ? AND lot_key = ?", (quantity, product, location, lot or b""))
        raw.execute("DELETE FROM reservation WHERE id = ?", (reservation_id,))


def current_cursor(db: Database) -> int:
    with db.reader.connect() as conn:
        row = conn.exec_driver_sql("SELECT pull_cursor FROM sync_state WHERE id = 1").first()
    return int(row[0]) if row else 0


def pull_batch(db: Database, transport: Transport, *, limit: int = protocol.MAX_PULL_CHANGES,
               clock_ms: Any = wall_ms) -> PulledBatch:
    cursor = current_cursor(db)
    reply = transport.pull(cursor, limit)
    now = datetime.now(UTC)
    with db.write_session() as session:
        raw = driver(session)
        row = raw.execute("SELECT pull_cursor FROM sync_state WHERE id = 1").fetchone()
        if row is None or int(row[0]) != cursor:  # another sync of this file got there first
            return PulledBatch(0, MergeResult(), 0, int(row[0]) if row else 0, True)
        merger = Merger(raw, now, read_setting(raw, SETTING_SITE) or DEFAULT_SITE_CODE)
        result = merger.apply(reply["changes"])
        record_merged(raw, result.merged)
        new_alerts = alerts.check_stock(raw, result.touched_stock, utc_text(now))
        release_finished_reservations(raw)
        observe_clock(raw, result.max_hlc, clock_ms())
        if result.rewrites:
            rewrite(raw, result.rewrites, now, db.schema_version, clock_ms())
        raw.execute("UPDATE sync_state SET pull_cursor = ? WHERE id = 1", (reply["last_seq"],))
    for sha256 in result.withdrawn_hashes:  # after the commit: the bytes are gone for good
        thumbnail_disk.forget(sha256)
    return PulledBatch(len(reply["changes"]), result, new_alerts, reply["last_seq"],
                       bool(reply["more"]))
