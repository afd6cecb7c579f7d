"""Taking back a change the server refused, so that no site keeps a value nobody else has.

The server has authority (as in PowerSync): when it refuses one of this site's ops as not the
site's to write (403 naming the op), the op is marked refused in the outbox (never sent again,
not even to a new server), and then this site asks the server what the network holds for that
row (GET /v1/row) and sets its own copy to match, one local transaction per refused op:

- a refused update: each refused field takes the network's value and stamp (pending no more;
  an open conflict on it is settled for the network's value); a field holding a newer value
  than the refused one (a later edit, a merged change) is left alone;
- a refused insert of a row the network never had is removed; if other rows here still refer
  to it, it is kept and the alert says so. Refused ops are taken back newest first, so a
  refused child (a line of a refused order) goes before its parent;
- a refused stock move is removed from the ledger, which no service may do: the ledger's
  delete trigger is dropped and re-created from its own text inside the same transaction, so
  no other connection ever sees the table unprotected, and the move's quantity is folded out
  of the balance cache with the merge's own fold (union.fold_balances);
- a refused delete puts the row back as the network holds it.

Like a merge, this works on the driver connection and writes no outbox rows: taking a change
back is not a new local change. Each revert leaves an alert saying, in one sentence, what was
undone and why (the server's reason).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from dmdesk.db import models as m
from dmdesk.db.changes import IMMUTABLE_TABLES
from dmdesk.db.database import Database
from dmdesk.db.raw_insert import insert_row, utc_text
from dmdesk.domain.quantity import QUANTITY_PLACES, QUANTITY_SCALE, format_quantity, from_scaled
from dmdesk.sync import alerts, protocol, union
from dmdesk.sync.codec import TableCodec, codec
from dmdesk.sync.conflicts import LABEL_COLUMNS
from dmdesk.sync.merge import BOOKKEEPING, DELETED, ROW
from dmdesk.sync.pull import driver
from dmdesk.sync.transport import SyncError, Transport

REFUSED = "refused"
SETTLED_BY = "the server refused this site's value"


@dataclass(frozen=True)
class RefusedOp:
    seq: int
    entity: str
    entity_id: bytes
    op: str
    payload: dict[str, Any]
    hlc: str
    reason: str


def mark_refused(db: Database, seq: int, op_id: str, reason: str) -> None:
    """The server will never take outbox op ``seq`` (``op_id``, as the server named it): stop
    sending it and remember why, so that it is taken back (``revert_refused``), even if this
    sync is cut off first."""
    with db.write_session() as session:
        raw = session.connection()
        held = raw.exec_driver_sql("SELECT op_id FROM outbox WHERE seq = ?", (seq,)).first()
        if held is None or bytes(held[0]).hex() != op_id:
            raise SyncError(f"The server refused change {op_id}, which is not the one sent "
                            f"({bytes(held[0]).hex() if held else 'none'}); nothing was "
                            "taken back. Sync again; if it repeats, tell the owner.")
        raw.exec_driver_sql("UPDATE outbox SET pushed_at = ?, refusal = ? WHERE seq = ?",
                            (utc_text(datetime.now(UTC)), reason, seq))


def to_revert(db: Database) -> list[RefusedOp]:
    """Refused ops not taken back yet, newest first (children before their parents)."""
    with db.reader.connect() as conn:
        rows = conn.exec_driver_sql(
            "SELECT seq, entity, entity_id, op, payload, hlc, refusal FROM outbox "
            "WHERE refusal IS NOT NULL AND reverted_at IS NULL ORDER BY seq DESC").fetchall()
    return [RefusedOp(int(r[0]), str(r[1]), bytes(r[2]), str(r[3]),
                      json.loads(r[4]) if r[4] else {}, str(r[5]), str(r[6])) for r in rows]


def revert_refused(db: Database, transport: Transport) -> int:
    """Take back every refused op still to revert; returns how many were taken back."""
    done = 0
    for refused in to_revert(db):
        network = transport.row(refused.entity, refused.entity_id.hex())
        now = utc_text(datetime.now(UTC))
        with db.write_session() as session:
            raw = driver(session)
            still = raw.execute("SELECT reverted_at FROM outbox WHERE seq = ?",
                                (refused.seq,)).fetchone()
            if still is None or still[0] is not None:
                continue  # another sync of this file took it back meanwhile
            message = Reverter(raw, now).revert(refused, network)
            raw.execute("UPDATE outbox SET reverted_at = ? WHERE seq = ?", (now, refused.seq))
            alerts.raise_alert(raw, REFUSED, f"{REFUSED}:{refused.seq}", message, now)
        done += 1
    return done


def _shown(value: Any) -> str:
    if value is None or value == "":
        return "empty"
    return f"'{value}'" if isinstance(value, str) else str(value)


def _words(names: Sequence[str]) -> str:
    if len(names) <= 1:
        return names[0] if names else "values"
    return f"{', '.join(names[:-1])} and {names[-1]}"


def _where(table: TableCodec) -> str:
    return " AND ".join(f"{col} = ?" for col in table.key)


class Reverter:
    """Sets one refused op's row back to the network's, on a connection inside a transaction;
    ``revert`` returns the alert's sentence."""

    def __init__(self, raw: sqlite3.Connection, now: str) -> None:
        self.raw = raw
        self.now = now

    def revert(self, refused: RefusedOp, network: protocol.RowReply) -> str:
        table = codec(refused.entity)
        key = table.key_values(refused.entity_id)
        noun = refused.entity.replace("_", " ")
        what = f"{noun} {self._label(table, key, refused)}"
        why = refused.reason.rstrip(".")
        on_network = network["exists"] and not network["deleted"]
        if refused.op == "update":
            return self._update(table, key, refused, network, what, why)
        if refused.op == "delete":
            if not on_network:
                return (f"The server refused this site's deletion of {what}: {why}. The "
                        "network does not have it either, so nothing was put back.")
            return self._restore(table, refused, network, what, why)
        if on_network and table.name in IMMUTABLE_TABLES:
            return (f"The server refused this site's {what}: {why}. The network has the same "
                    "row, so it was kept.")
        if on_network:  # an insert of a row the network knows: its values win
            return self._update(table, key, refused, network, what, why, insert=True)
        if refused.entity == union.MOVE:
            return self._remove_move(refused.entity_id, why)
        return self._remove(table, key, refused, what, why)

    # --- reading -------------------------------------------------------------------------------

    def _label(self, table: TableCodec, key: tuple[Any, ...], refused: RefusedOp) -> str:
        column = next((c for c in LABEL_COLUMNS if c in table.columns), None)
        if column is not None:
            if column in refused.payload and refused.op == "insert":
                return str(refused.payload[column])
            row = self.raw.execute(f"SELECT {column} FROM {table.name} WHERE {_where(table)}",
                                   key).fetchone()
            if row is not None:
                return str(row[0])
        return refused.entity_id.hex()[:12]

    def _clocks(self, entity: str, entity_id: bytes) -> dict[str, str]:
        return {str(name): str(hlc) for name, hlc in self.raw.execute(
            "SELECT field, hlc FROM sync_clock WHERE entity = ? AND entity_id = ?",
            (entity, entity_id))}

    # --- an update (or an insert of a row the network has) -------------------------------------

    def _update(self, table: TableCodec, key: tuple[Any, ...], refused: RefusedOp,
                network: protocol.RowReply, what: str, why: str, insert: bool = False) -> str:
        change = "version" if insert else "change"
        names = [n for n in refused.payload if n not in table.key]
        shown = [n for n in names if n not in BOOKKEEPING] or names
        edits = _words([f"{n.replace('_', ' ')} ({_shown(refused.payload[n])})"
                        for n in shown])
        said = f"The server refused this site's {change} of {what}'s {edits}: {why}."
        if not (network["exists"] and not network["deleted"]):
            return (f"{said} The network has no such {table.name.replace('_', ' ')}, so it "
                    "was left as it is here.")
        clocks = self._clocks(table.name, refused.entity_id)
        back: dict[str, tuple[Any, str]] = {}
        for name in names:
            held = clocks.get(name, clocks.get(ROW, ""))
            if held > refused.hlc or name not in network["fields"]:
                continue  # a newer value is held here, or the network never had the field
            value, hlc = network["fields"][name]
            back[name] = (value, str(hlc))
        if not back:
            return f"{said} A newer value is held here, so nothing was set back."
        assignments = ", ".join(f"{name} = ?" for name in back)
        self.raw.execute(f"UPDATE {table.name} SET {assignments} WHERE {_where(table)}",
                         [*(table.to_db[n](v) for n, (v, _h) in back.items()), *key])
        for name, (_value, hlc) in back.items():
            self._stamp(table.name, refused.entity_id, name, hlc)
        olds = [_shown(back[n][0]) for n in shown if n in back]
        if not olds:
            return said
        if len(olds) == 1:
            return f"{said} It was set back to {olds[0]}."
        return f"{said} They were set back to {_words(olds)}."

    def _stamp(self, entity: str, entity_id: bytes, name: str, hlc: str) -> None:
        self.raw.execute(
            "INSERT INTO sync_clock (entity, entity_id, field, hlc, pending) "
            "VALUES (?, ?, ?, ?, 0) ON CONFLICT (entity, entity_id, field) "
            "DO UPDATE SET hlc = excluded.hlc, pending = 0", (entity, entity_id, name, hlc))
        self.raw.execute(
            "UPDATE sync_conflict SET settled_at = ?, settled_how = 'remote', settled_by = ? "
            "WHERE settled_at IS NULL AND entity = ? AND entity_id = ? AND field = ?",
            (self.now, SETTLED_BY, entity, entity_id, name))

    # --- a delete ------------------------------------------------------------------------------

    def _restore(self, table: TableCodec, refused: RefusedOp, network: protocol.RowReply,
                 what: str, why: str) -> str:
        fields = {n: v for n, (v, _h) in network["fields"].items() if n in table.to_db}
        values = table.row_to_db(fields)
        try:
            insert_row(self.raw, table.name, values)
        except sqlite3.IntegrityError as exc:
            return (f"The server refused this site's deletion of {what}: {why}. It could not "
                    f"be put back here ({exc}); ask the owner.")
        self.raw.execute("DELETE FROM sync_clock WHERE entity = ? AND entity_id = ? AND "
                         "field = ?", (table.name, refused.entity_id, DELETED))
        for name, (_value, hlc) in network["fields"].items():
            self._stamp(table.name, refused.entity_id, name, str(hlc))
        return f"The server refused this site's deletion of {what}: {why}. It was put back."

    # --- an insert the network never had -------------------------------------------------------

    def _users(self, table: TableCodec, key: tuple[Any, ...]) -> list[str]:
        """Tables with rows here that refer to this row."""
        if not table.uuid_key:
            return []
        found = []
        for other in m.Base.metadata.sorted_tables:
            for fk in other.foreign_keys:
                if fk.column.table.name == table.name and self.raw.execute(
                        f"SELECT 1 FROM {other.name} WHERE {fk.parent.name} = ? LIMIT 1",
                        key).fetchone():
                    found.append(other.name.replace("_", " "))
                    break
        return found

    def _remove(self, table: TableCodec, key: tuple[Any, ...], refused: RefusedOp, what: str,
                why: str) -> str:
        said = f"The server refused this site's new {what}: {why}."
        try:
            self._delete_rows(table.name, f"WHERE {_where(table)}", key)
        except sqlite3.IntegrityError:
            users = _words(self._users(table, key) or ["other rows"])
            return (f"{said} It is still used here (by {users}), so it was kept; it stays "
                    "at this site only: ask the owner to make it for the network.")
        self.raw.execute("DELETE FROM sync_clock WHERE entity = ? AND entity_id = ?",
                         (table.name, refused.entity_id))
        return f"{said} It was removed here."

    def _delete_rows(self, table: str, where: str, params: Sequence[Any]) -> None:
        """DELETE, past the table's append-only trigger if it has one (the ledger): dropped
        and re-created from its own text in this transaction, for this statement only."""
        trigger = self.raw.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ? AND "
            "name = ?", (table, f"{table}_no_delete")).fetchone()
        if trigger is not None:
            self.raw.execute(f'DROP TRIGGER "{trigger[0]}"')
        try:
            self.raw.execute(f"DELETE FROM {table} {where}", tuple(params))
        finally:
            if trigger is not None:
                self.raw.execute(trigger[1])

    def _remove_move(self, move_id: bytes, why: str) -> str:
        row = self.raw.execute(
            "SELECT m.product_id, m.location_id, m.lot_id, m.quantity, m.reference, p.sku, "
            "p.unit, s.code, l.code FROM stock_move m JOIN product p ON p.id = m.product_id "
            "JOIN location l ON l.id = m.location_id JOIN site s ON s.id = l.site_id "
            "WHERE m.id = ?", (move_id,)).fetchone()
        if row is None:
            return (f"The server refused this site's stock move {move_id.hex()[:12]}: {why}. "
                    "It is no longer in this site's ledger.")
        product, location, lot, qty, reference, sku, unit, site, place = row
        self._delete_rows(union.MOVE, "WHERE id = ?", (move_id,))
        balance_key = (bytes(product), bytes(location), bytes(lot) if lot else b"")
        union.fold_balances(self.raw, {balance_key: -int(qty)},
                            {balance_key: bytes(lot) if lot else None})
        self.raw.execute(
            "DELETE FROM stock_balance WHERE product_id = ? AND location_id = ? AND "
            "lot_key = ? AND on_hand = 0 AND reserved = 0 AND NOT EXISTS (SELECT 1 FROM "
            "stock_move WHERE product_id = ? AND location_id = ? AND COALESCE(lot_id, X'') "
            "= ?)", (*balance_key, *balance_key))
        alerts.check_stock(self.raw, [balance_key], self.now)
        amount = format_quantity(from_scaled(int(qty), QUANTITY_SCALE, QUANTITY_PLACES))
        return (f"The server refused this site's stock move of {amount} {unit} {sku} at "
                f"{site}/{place} ({reference or 'no reference'}): {why}. It was removed "
                "from this site's ledger and its stock balance.")

