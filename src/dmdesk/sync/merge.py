"""Merging pulled changes into the local database, in the caller's transaction.

- Nothing here writes the outbox: a remote change is not a local one (change capture is a
  session hook of the services, and this works on the driver connection below it).
- Stock moves merge by union (union.py): inserted if absent, never twice, folded into the
  ``stock_balance`` cache in the same transaction.
- Other rows merge per field by hybrid logical clock (``sync_clock``): a newer stamp wins,
  an older one is ignored, and an edit of a field that was also edited here and not yet seen
  by the network is a conflict: the local value stays, both are kept in ``sync_conflict``.
- A change that refers to a row not received yet, or that clashes with a local row, is
  deferred (kept in ``sync_deferred``) and retried after every batch; nothing is dropped.
  An edit of a row whose insert waits on a clash (a lot renamed to settle two lots coded
  alike) is tried together with that insert; the clash alert clears when the row goes in.
"""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from dmdesk.db.changes import IMMUTABLE_TABLES, LOCAL_TABLES
from dmdesk.db.ids import new_id
from dmdesk.db.raw_insert import insert_row, utc_text
from dmdesk.domain.errors import ValidationError
from dmdesk.domain.lifecycle import LIFECYCLE_FIELDS
from dmdesk.sync import alerts, union
from dmdesk.sync.codec import TableCodec, codec, dumps
from dmdesk.sync.protocol import Change

# Fields every edit touches: merged by clock alone, never a conflict of their own.
BOOKKEEPING = frozenset({"updated_at", "created_at"})
# A work order's progress belongs to the site that makes it (domain/lifecycle.py): when it and
# another site changed one of these at once, the making site's value wins without asking.
# Notes stay a person's call.
PROGRESS = LIFECYCLE_FIELDS
ROW, DELETED = "*", "-"
MOVE = union.MOVE
CLASH = "clash"


@dataclass
class MergeResult:
    applied: int = 0
    skipped: int = 0
    conflicts: int = 0
    deferred: int = 0
    max_hlc: str = ""
    touched_stock: set[tuple[bytes, bytes, bytes]] = field(default_factory=set)
    # Values decided by a rule, to be written again as new local changes (entity, key bytes,
    # field, wire value), so the decision outranks both edits at every site.
    rewrites: list[tuple[str, bytes, str, Any]] = field(default_factory=list)
    # Per origin site, the changes merged (applied or skipped, not left waiting), counted
    # into ``sync_origin`` for the end-of-sync check (dmdesk.sync.digest).
    merged: Counter[str] = field(default_factory=Counter)
    # File contents withdrawn from this (producer's) database: their thumbnails go too.
    withdrawn_hashes: set[str] = field(default_factory=set)


class DeferredError(Exception):
    """The change must wait (kept in sync_deferred), for the reason given."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _where(table: TableCodec) -> str:
    return " AND ".join(f"{col} = ?" for col in table.key)


class Merger:
    """Applies changes on one SQLite connection inside an open transaction."""

    def __init__(self, raw: sqlite3.Connection, now: datetime, local_site: str = "") -> None:
        self.raw = raw
        self.local_site = local_site
        self.now = utc_text(now)
        self.result = MergeResult()
        self._deferred_from: Counter[str] = Counter()  # deferrals by origin, never reset

    # --- entry points -----------------------------------------------------------------------

    def apply(self, changes: Sequence[Change]) -> MergeResult:
        moves: list[Change] = []
        for change in changes:
            if change["hlc"] > self.result.max_hlc:
                self.result.max_hlc = change["hlc"]
            if change["entity"] == MOVE and change["op"] == "insert":
                moves.append(change)  # after the rows they refer to (lots, locations)
            else:
                self._apply_one(change)
        if moves:
            self._apply_moves(moves)
        self.retry_deferred()
        return self.result

    def retry_deferred(self) -> None:
        """Apply what waited for rows that may have arrived, until nothing more goes in."""
        while True:
            rows = self.raw.execute("SELECT seq, change FROM sync_deferred ORDER BY seq").fetchall()
            if not rows:
                return
            counted = self.result.deferred
            for seq, text in rows:
                change = json.loads(text)
                self.raw.execute("DELETE FROM sync_deferred WHERE seq = ?", (seq,))
                if change["entity"] == MOVE and change["op"] == "insert":
                    self._apply_moves([change])
                else:
                    self._apply_one(change)
            self.result.deferred = counted  # waiting again is not a new deferral
            self.raw.execute(
                "UPDATE sync_alert SET cleared_at = ? WHERE kind = ? AND cleared_at IS NULL AND "
                "CAST(substr(subject, ?) AS INTEGER) NOT IN (SELECT seq FROM sync_deferred)",
                (self.now, CLASH, len(CLASH) + 2))
            left = self.raw.execute("SELECT COUNT(*) FROM sync_deferred").fetchone()[0]
            if left >= len(rows):
                return

    # --- one change -----------------------------------------------------------------------------

    def _apply_one(self, change: Change) -> None:
        waiting = self._deferred_from[change["origin"]]
        self._merge_one(change)
        if self._deferred_from[change["origin"]] == waiting:
            self.result.merged[change["origin"]] += 1

    def _merge_one(self, change: Change) -> None:
        if change["entity"] in LOCAL_TABLES:
            self.result.skipped += 1
            return
        try:
            table = codec(change["entity"])
            key = table.key_values(bytes.fromhex(change["entity_id"]))
            if change["op"] == "insert":
                self._insert(table, key, change)
            elif change["op"] == "update":
                self._update(table, key, change)
            elif change["op"] == "delete":
                self._delete(table, key, change)
            elif change["op"] == "withdraw":
                self._withdraw(table, key, change)
            else:
                raise DeferredError(f"unknown operation '{change['op']}'")
        except DeferredError as waiting:
            self._defer(change, waiting.reason)
        except (ValidationError, ValueError, KeyError, TypeError) as exc:
            self._defer(change, f"cannot be read: {exc}")

    def _defer(self, change: Change, reason: str) -> None:
        self.raw.execute(
            "INSERT OR REPLACE INTO sync_deferred (seq, change, reason, deferred_at) "
            "VALUES (?, ?, ?, ?)", (change["seq"], json.dumps(change), reason, self.now))
        self.result.deferred += 1
        self._deferred_from[change["origin"]] += 1

    def _clocks(self, table: TableCodec, entity_id: bytes) -> dict[str, tuple[str, bool]]:
        rows = self.raw.execute(
            "SELECT field, hlc, pending FROM sync_clock WHERE entity = ? AND entity_id = ?",
            (table.name, entity_id))
        return {name: (hlc, bool(pending)) for name, hlc, pending in rows}

    def _stamp(self, table: TableCodec, entity_id: bytes, name: str, hlc: str) -> None:
        self.raw.execute(
            "INSERT INTO sync_clock (entity, entity_id, field, hlc, pending) "
            "VALUES (?, ?, ?, ?, 0) ON CONFLICT (entity, entity_id, field) "
            "DO UPDATE SET hlc = excluded.hlc, pending = 0", (table.name, entity_id, name, hlc))

    def _local_row(self, table: TableCodec, key: tuple[Any, ...]) -> dict[str, Any] | None:
        row = self.raw.execute(
            f"SELECT {', '.join(table.columns)} FROM {table.name} WHERE {_where(table)}",
            key).fetchone()
        return None if row is None else dict(zip(table.columns, row, strict=True))

    def _insert(self, table: TableCodec, key: tuple[Any, ...], change: Change) -> None:
        entity_id = bytes.fromhex(change["entity_id"])
        deleted = self._clocks(table, entity_id).get(DELETED)
        if deleted is not None and deleted[0] >= change["hlc"]:
            self.result.skipped += 1  # deleted here after this insert was made
            return
        given = table.row_to_db(change["payload"])
        values = table.with_defaults(given)
        try:
            insert_row(self.raw, table.name, values)
        except sqlite3.IntegrityError as exc:
            if "FOREIGN KEY" in str(exc):
                raise DeferredError("refers to a row not received yet") from None
            if self._local_row(table, key) is None:
                self._clash(table, change, str(exc))
                raise DeferredError(f"clashes with a row here ({exc})") from None
            if table.name in IMMUTABLE_TABLES:
                self.result.skipped += 1  # already here: union, not twice
                return
            # The same key made at two places (a unit, a file by its hash): merge the fields.
            self._update(table, key, change)
            return
        if len(given) < len(table.columns):
            # A projection (a producer's stub of an order, a product without its price): the
            # columns left out hold defaults, not values of this stamp, so only the columns
            # sent are stamped; the whole row, sent when the row comes into scope, fills the
            # rest.
            for name in given:
                if name not in table.key:
                    self._stamp(table, entity_id, name, change["hlc"])
        else:
            self._stamp(table, entity_id, ROW, change["hlc"])
        self.result.applied += 1

    def _clash(self, table: TableCodec, change: Change, problem: str) -> None:
        """Two sites made different rows with the same unique value (a SKU, a lot code): the
        remote row waits, and a person is told what to rename."""
        column = problem.rsplit(".", 1)[-1] if "UNIQUE" in problem else ""
        value = change["payload"].get(column, "")
        alerts.raise_alert(
            self.raw, CLASH, f"{CLASH}:{change['seq']}",
            f"{change['origin']} made a {table.name.replace('_', ' ')} with {column} "
            f"'{value}', which a different {table.name.replace('_', ' ')} here already has. "
            "It waits (nothing is lost) until one of the two is renamed.", self.now)

    def _update(self, table: TableCodec, key: tuple[Any, ...], change: Change) -> None:
        entity_id = bytes.fromhex(change["entity_id"])
        clocks = self._clocks(table, entity_id)
        local = self._local_row(table, key)
        if local is None:
            if DELETED in clocks:
                self.result.skipped += 1  # deleted here: the delete stands
                return
            if self._into_waiting_insert(table, key, change):
                return
            raise DeferredError("changes a row not received yet")
        incoming = table.row_to_db(change["payload"])
        row_hlc = clocks.get(ROW, ("", False))[0]
        chosen: dict[str, Any] = {}
        for name, value in incoming.items():
            if name in table.key:
                continue
            local_hlc, pending = clocks.get(name, (row_hlc, False))
            if pending and name not in BOOKKEEPING:
                if local[name] == value:
                    continue
                winner = self._progress_winner(table, local, name, change)
                self._conflict(table, entity_id, name, local[name], local_hlc, value, change,
                               winner)
                if winner is None:
                    continue
                kept = value if winner == "remote" else local[name]
                self.result.rewrites.append(
                    (table.name, entity_id, name, table.from_db[name](kept)))
                if winner == "remote":  # whatever the stamps say
                    chosen[name] = value
                    self._stamp(table, entity_id, name, change["hlc"])
                continue
            if change["hlc"] > local_hlc:
                chosen[name] = value
                self._stamp(table, entity_id, name, change["hlc"])
        if chosen:
            assignments = ", ".join(f"{name} = ?" for name in chosen)
            self.raw.execute(f"UPDATE {table.name} SET {assignments} WHERE {_where(table)}",
                             [*chosen.values(), *key])
            self.result.applied += 1
        else:
            self.result.skipped += 1

    def _into_waiting_insert(self, table: TableCodec, key: tuple[Any, ...],
                             change: Change) -> bool:
        """An edit of a row whose insert waits on a clash (a lot renamed to settle two lots
        coded alike): try the insert with the edited values. True when the row went in; the
        insert keeps its stamp, the edited fields take the edit's."""
        waiting = self.raw.execute(
            "SELECT seq, change FROM sync_deferred WHERE json_extract(change, '$.op') = "
            "'insert' AND json_extract(change, '$.entity') = ? AND "
            "json_extract(change, '$.entity_id') = ?",
            (change["entity"], change["entity_id"])).fetchone()
        if waiting is None:
            return False
        seq, text = waiting
        insert: Change = json.loads(text)
        edited: Change = {**insert, "payload": {**insert["payload"], **change["payload"]}}
        try:
            self._insert(table, key, edited)
        except DeferredError:
            return False  # still clashes (or waits on another row): both keep waiting
        self.raw.execute("DELETE FROM sync_deferred WHERE seq = ?", (seq,))
        self.result.merged[insert["origin"]] += 1  # the waiting insert went in with the edit
        alerts.clear_alert(self.raw, f"{CLASH}:{seq}", self.now)
        entity_id = bytes.fromhex(change["entity_id"])
        for name in change["payload"]:
            if name not in table.key:
                self._stamp(table, entity_id, name, change["hlc"])
        return True

    def _making_site(self, table: TableCodec, local: dict[str, Any]) -> str | None:
        order = local["id"] if table.name == "work_order" else local.get("work_order_id")
        row = self.raw.execute(
            "SELECT site.code FROM work_order JOIN site ON site.id = work_order.site_id "
            "WHERE work_order.id = ?", (order,)).fetchone()
        return None if row is None else str(row[0])

    def _progress_winner(self, table: TableCodec, local: dict[str, Any], name: str,
                         change: Change) -> str | None:
        if name not in PROGRESS.get(table.name, ()):
            return None
        maker = self._making_site(table, local)
        if maker is not None and maker == self.local_site:
            return "local"
        if maker is not None and maker == change["origin"]:
            return "remote"
        return None

    def _conflict(self, table: TableCodec, entity_id: bytes, name: str, local: Any,
                  local_hlc: str, remote: Any, change: Change, winner: str | None = None
                  ) -> None:
        local_json = dumps(table.from_db[name](local))
        remote_json = dumps(table.from_db[name](remote))
        if winner is not None:  # decided by rule: kept, settled, for the record
            self.raw.execute(
                "INSERT INTO sync_conflict (id, entity, entity_id, field, local_value, "
                "local_hlc, remote_value, remote_hlc, origin, detected_at, settled_at, "
                "settled_how, settled_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (new_id().bytes, table.name, entity_id, name, local_json, local_hlc,
                 remote_json, change["hlc"], change["origin"], self.now, self.now, winner,
                 "rule: progress belongs to the making site"))
            return
        existing = self.raw.execute(
            "SELECT id, remote_hlc FROM sync_conflict WHERE settled_at IS NULL AND entity = ? "
            "AND entity_id = ? AND field = ?", (table.name, entity_id, name)).fetchone()
        if existing is not None:
            if change["hlc"] > existing[1]:  # a later remote edit replaces the earlier one
                self.raw.execute(
                    "UPDATE sync_conflict SET remote_value = ?, remote_hlc = ?, origin = ?, "
                    "local_value = ?, local_hlc = ? WHERE id = ?",
                    (remote_json, change["hlc"], change["origin"], local_json, local_hlc,
                     existing[0]))
            return
        self.raw.execute(
            "INSERT INTO sync_conflict (id, entity, entity_id, field, local_value, local_hlc, "
            "remote_value, remote_hlc, origin, detected_at, settled_at, settled_how, "
            "settled_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, '', '')",
            (new_id().bytes, table.name, entity_id, name, local_json, local_hlc, remote_json,
             change["hlc"], change["origin"], self.now))
        self.result.conflicts += 1

    def _delete(self, table: TableCodec, key: tuple[Any, ...], change: Change) -> None:
        entity_id = bytes.fromhex(change["entity_id"])
        try:
            self.raw.execute(f"DELETE FROM {table.name} WHERE {_where(table)}", key)
        except sqlite3.IntegrityError:
            alerts.raise_alert(
                self.raw, "delete_kept", f"delete:{table.name}:{entity_id.hex()}",
                f"{change['origin']} deleted a {table.name} row that is still used here, so "
                "it was kept; archive it instead.", self.now)
            self.result.skipped += 1
            return
        self._stamp(table, entity_id, DELETED, change["hlc"])
        self.result.applied += 1

    def _withdraw(self, table: TableCodec, key: tuple[Any, ...], change: Change) -> None:
        """The server took the row out of this producer's scope (a design file of a product
        none of its work orders makes any more, or its bytes): delete it here, writing no
        outbox row and no delete stamp (it may come back with new work)."""
        entity_id = bytes.fromhex(change["entity_id"])
        if table.name == "design_file":  # a moved order keeps its numbers, not the drawing
            self.raw.execute("UPDATE work_order SET design_file_id = NULL "
                             "WHERE design_file_id = ?", key)
        try:
            self.raw.execute(f"DELETE FROM {table.name} WHERE {_where(table)}", key)
        except sqlite3.IntegrityError:  # still used here (by a row of this site's own)
            self.result.skipped += 1
            return
        if table.name == "file_blob":
            self.result.withdrawn_hashes.add(str(key[0]))
        self.raw.execute("DELETE FROM sync_clock WHERE entity = ? AND entity_id = ?",
                         (table.name, entity_id))
        self.result.applied += 1

    def _apply_moves(self, changes: Sequence[Change]) -> None:
        before = Counter(self._deferred_from)
        union.apply_moves(self.raw, changes, self.result, self._defer)
        self.result.merged.update(Counter(change["origin"] for change in changes))
        self.result.merged.subtract(self._deferred_from - before)
