"""This database's side of the write rules: the app refuses what the server would refuse.

The sync server judges every pushed op by ``domain/write_rules.py``; the app checks each change
against the same table, as the same side of the network, before recording it, so a site never
makes an edit that would be refused later and diverge:

- the caller is this database: its site code (the ``local_site_code`` setting) and the role of
  the token it syncs with (``sync_state.role``; '' = never set up for sync = the owner);
- "made here" = this database's outbox holds the row's insert;
- everything else is read from the database itself (a location's site, a site's code and
  whether it reports its own progress, a work order's making site).

``WriteGuard`` is what change capture calls for each outbox row (db/changes.py); a refusal is
a ``NotYoursError`` that names the change and the reason, raised before anything is written.
``LocalOwnership`` also answers the app's "may this database act on order X / edit product
Y" (queries/permissions.py).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy import Connection, text

from dmdesk.db.models import Base
from dmdesk.domain.errors import NotYoursError
from dmdesk.domain.lifecycle import Actor, why_not
from dmdesk.domain.write_rules import (
    ACCOUNTANT,
    KNOWN_FIELDS,
    SITE_RULES,
    Ownership,
    holder_allows,
    is_owner_role,
    lifecycle_order,
    making_site,
    may_write,
    touches_lifecycle,
)

SETTING_SITE = "local_site_code"
DEFAULT_SITE_CODE = "HQ"
_LABELS = ("sku", "number", "code", "name")  # how a row is named to a person, best first


def local_actor(connection: Connection) -> Actor:
    """This database as a side of the network: its site code and its sync role."""
    code = connection.execute(text("SELECT value FROM setting WHERE key = :k"),
                              {"k": SETTING_SITE}).scalar()
    role = connection.execute(text("SELECT role FROM sync_state WHERE id = 1")).scalar()
    return Actor(str(code or DEFAULT_SITE_CODE).upper(), str(role or ""))


def _key_bytes(value: Any) -> bytes | None:
    if isinstance(value, bytes):
        return value
    if not isinstance(value, str):
        return None
    try:
        return bytes.fromhex(value)
    except ValueError:
        return None


def _wire(value: Any) -> Any:
    """A column value as the rules see it on the wire (ids as hex)."""
    return value.hex() if isinstance(value, bytes) else value


class LocalOwnership(Ownership):
    """write_rules.Ownership over this database, for one transaction."""

    def __init__(self, connection: Connection, actor: Actor) -> None:
        self._connection = connection
        self.actor = actor
        self.role = actor.role
        self.own_code = actor.site_code
        self._rows: dict[tuple[str, str], dict[str, Any] | None] = {}
        self._inserted: set[tuple[str, str]] = set()

    # --- rows -----------------------------------------------------------------------------

    def row(self, entity: str, entity_id: str) -> Mapping[str, Any] | None:
        """The rules' fields of a row (``KNOWN_FIELDS``), or None when there is no such row."""
        key = (entity, str(entity_id))
        if key not in self._rows:
            self._rows[key] = self._read(entity, key[1])
        return self._rows[key]

    def _read(self, entity: str, entity_id: str) -> dict[str, Any] | None:
        fields = KNOWN_FIELDS.get(entity)
        raw = _key_bytes(entity_id)
        if fields is None or raw is None:
            return None
        columns = ", ".join(fields)
        found = self._connection.execute(
            text(f"SELECT {columns} FROM {entity} WHERE id = :id"), {"id": raw}).first()
        if found is None:
            return None
        return {fields[c]: _wire(v) for c, v in zip(fields, found, strict=True)}

    def learn(self, entity: str, entity_id: str, op: str) -> None:
        """A change was just checked: later checks in the transaction read it afresh."""
        self._rows.pop((entity, entity_id), None)
        if op == "insert":
            self._inserted.add((entity, entity_id))

    # --- the rules' questions -------------------------------------------------------------

    def made_here(self, entity: str, entity_id: str) -> bool:
        if (entity, entity_id) in self._inserted:
            return True
        raw = _key_bytes(entity_id)
        return raw is not None and self._connection.execute(text(
            "SELECT 1 FROM outbox WHERE entity = :e AND entity_id = :k AND op = 'insert' "
            "LIMIT 1"), {"e": entity, "k": raw}).first() is not None

    # --- words ----------------------------------------------------------------------------

    def label(self, entity: str, entity_id: Any, payload: Mapping[str, Any]) -> str:
        """How a person knows the row: its SKU, number, code or name."""
        table = Base.metadata.tables.get(entity)
        names = [c for c in _LABELS if table is not None and c in table.c]
        for name in names:
            if isinstance(payload.get(name), str) and "id" in payload:  # an insert
                return str(payload[name])
        raw = _key_bytes(entity_id)
        if names and raw is not None:
            found = self._connection.execute(
                text(f"SELECT {names[0]} FROM {entity} WHERE id = :id"), {"id": raw}).scalar()
            if found:
                return str(found)
        return str(entity_id)[:12]

    def location_label(self, location_id: Any) -> str:
        """SITE/LOCATION, as the stock view names a location."""
        site = self._field("location", location_id, "site_id")
        return f"{self.site_code(site)}/{self.label('location', location_id, {})}"

    def site_code(self, site_id: Any) -> str:
        return str(self._field("site", site_id, "code") or "another site")


_PLURALS = {"bom_line": "BOM lines", "wo_material": "Work order materials",
            "wo_operation": "Work order operations", "unit": "Units of measure"}


def _plural(entity: str) -> str:
    return _PLURALS.get(entity, entity.replace("_", " ").capitalize() + "s")


def _verb(op: str, payload: Mapping[str, Any]) -> str:
    if op == "insert":
        return "add"
    if not payload:
        return "change"
    if op == "delete":
        return "delete"
    return "rename" if "name" in payload or "sku" in payload else "change"


def refusal(o: LocalOwnership, entity: str, op: str, key: str,
            payload: Mapping[str, Any]) -> str:
    """The sentence that says which change was refused, and why."""
    here = f"this site ({o.actor.site_code})"
    if not holder_allows(o, entity, op, key, payload):
        order = lifecycle_order(o, entity, key, payload)
        site = making_site(o, order) or payload.get("site_id")
        number = o.label("work_order", order, payload if entity == "work_order" else {})
        return why_not(o.actor, number, o.site_code(site), o.reports_progress(site))
    verb, label = _verb(op, payload), o.label(entity, key, payload)
    if o.role == ACCOUNTANT:
        return (f"This database syncs as an accountant, which only reads: it cannot {verb} "
                f"{label}.")
    if entity not in SITE_RULES:
        return f"{_plural(entity)} are the owner's: {here} cannot {verb} {label}."
    if entity == "stock_move":
        where = o.location_label(payload.get("location_id"))
        return (f"{here[0].upper()}{here[1:]} cannot move stock at {where}: a site moves stock "
                "only at its own locations (and in transit, for the transfers it ships or "
                "receives).")
    if entity == "work_order" and op == "update":
        return (f"The planning of {label} (quantity, site, due date, priority) is the owner's: "
                f"{here} changes it only on orders it planned itself.")
    return (f"{here[0].upper()}{here[1:]} cannot {verb} {entity.replace('_', ' ')} {label}: "
            "a site writes its own rows, the progress of the orders it makes and stock moves "
            "at its own locations.")


class WriteGuard:
    """Checks each change of a transaction against the write rules (db/changes.py calls it).

    The owner's everyday writes (everything but an order's lifecycle) are not checked at all:
    the owner writes them anywhere, and the check would cost a read per row."""

    def __init__(self, connect: Callable[[], Connection]) -> None:
        self._connect = connect
        self._actor: Actor | None = None  # read at the first change, once a transaction
        self._ownership: LocalOwnership | None = None

    @property
    def actor(self) -> Actor:
        if self._actor is None:
            self._actor = local_actor(self._connect())
        return self._actor

    @property
    def ownership(self) -> LocalOwnership:
        if self._ownership is None:
            self._ownership = LocalOwnership(self._connect(), self.actor)
        return self._ownership

    def forget_rows(self) -> None:
        """Read rows afresh from here on (a batch's next call: rows may have changed)."""
        self._ownership = None

    def check(self, entity: str, op: str, entity_id: bytes, payload: Mapping[str, Any]) -> None:
        """Raise NotYoursError when this database may not record the change."""
        if is_owner_role(self.actor.role) and not touches_lifecycle(entity, op, payload):
            return
        o = self.ownership
        key = entity_id.hex()
        if not may_write(o.role, o, entity, op, key, payload):
            raise NotYoursError(refusal(o, entity, op, key, payload), field=entity)
        o.learn(entity, key, op)
