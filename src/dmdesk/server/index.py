"""The ownership index: who made each row and which site it belongs to.

Learnt from the ops the server stores, in the same transaction, so a batch that creates a
location and then moves stock there is judged with what it says itself. Stock moves and
lot genealogy are not indexed (they are never changed, and their location says whose they
are), which keeps a site's bulk of writes cheap.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import Connection, and_, delete, insert, select, tuple_, update

from dmdesk.db.changes import IMMUTABLE_TABLES
from dmdesk.db.chunks import chunked
from dmdesk.domain.write_rules import KNOWN_FIELDS, Ownership
from dmdesk.server.storage import ops, owners

# For each indexed table: payload column -> index field. The rules' vocabulary
# (domain/write_rules.py KNOWN_FIELDS), and what a producer's scope follows
# (dmdesk.server.scope). Every other synced table gets an entry with its creator only.
TRACKED: dict[str, dict[str, str]] = {
    **KNOWN_FIELDS,
    "work_order": {**KNOWN_FIELDS["work_order"], "product_id": "product_id"},
    "transfer": {**KNOWN_FIELDS["transfer"], "transit_location_id": "extra"},
    "transfer_line": {**KNOWN_FIELDS["transfer_line"], "product_id": "product_id",
                      "lot_id": "extra"},
    "wo_material": {**KNOWN_FIELDS["wo_material"], "product_id": "product_id"},
    "quality_check": {"work_order_id": "ref_id"},
    "bom_line": {"parent_id": "ref_id", "component_id": "product_id"},
    "operation": {"product_id": "ref_id"},
    "design_file": {"product_id": "ref_id", "sha256": "extra"},
    "lot": {"work_order_id": "ref_id", "product_id": "product_id"},
}
FIELDS = ("creator", "site_id", "peer_id", "ref_id", "code", "kind", "reports_progress",
          "product_id", "extra")
_COLUMN = {"ref_id": "parent_id", "peer_id": "peer_site_id"}  # index field -> table column


def _column(field: str) -> Any:
    return owners.c[_COLUMN.get(field, field)]


class OwnershipIndex(Ownership):
    """write_rules.Ownership for one caller, over one transaction, and learns new
    rows."""

    def __init__(self, connection: Connection, site_code: str, role: str = "site") -> None:
        self._connection = connection
        self.own_code = site_code
        self.role = role
        self._rows: dict[tuple[str, str], dict[str, Any] | None] = {}
        self._dirty: set[tuple[str, str]] = set()

    # --- reading -------------------------------------------------------------------------

    def preload(self, keys: Iterable[tuple[str, str]]) -> None:
        wanted = [k for k in set(keys) if k not in self._rows]
        for chunk in chunked(wanted):
            for key in chunk:
                self._rows[key] = None
            query = select(owners).where(tuple_(owners.c.entity, owners.c.entity_id).in_(chunk))
            for found in self._connection.execute(query).mappings():
                self._rows[(found["entity"], found["entity_id"])] = {
                    f: found[_COLUMN.get(f, f)] for f in FIELDS}

    def row(self, entity: str, entity_id: str) -> Mapping[str, Any] | None:
        key = (entity, str(entity_id))
        if key not in self._rows:
            found = self._connection.execute(select(owners).where(and_(
                owners.c.entity == entity, owners.c.entity_id == key[1]))).mappings().first()
            self._rows[key] = None if found is None else {
                f: found[_COLUMN.get(f, f)] for f in FIELDS}
        return self._rows[key]

    def site_with_code(self, code: str, other_than: str) -> str | None:
        """The key of a site row other than ``other_than`` that has this code, if any: as
        this batch left it (it may have renamed one), else as stored."""
        for (entity, key), row in self._rows.items():
            if entity == "site" and key != other_than and row and row.get("code") == code:
                return key
        stored = self._connection.execute(select(owners.c.entity_id).where(
            owners.c.entity == "site", owners.c.code == code,
            owners.c.entity_id != other_than)).scalars()
        # A row read into memory above answered already (with this batch's changes).
        return next((key for key in stored if ("site", key) not in self._rows), None)

    def made_here(self, entity: str, entity_id: str) -> bool:
        return bool(self._field(entity, entity_id, "creator") == self.own_code)

    # --- learning ------------------------------------------------------------------------

    def learn(self, entity: str, entity_id: str, op: str, payload: Mapping[str, Any]) -> None:
        """Record what an op about to be stored says about its row."""
        if entity in IMMUTABLE_TABLES:
            return
        key = (entity, entity_id)
        if op == "delete":
            self._rows[key] = None
            self._dirty.add(key)
            return
        current = self.row(entity, entity_id)
        if current is None:
            if op != "insert":
                return  # an update of a row the server never saw: nothing to learn
            current = dict.fromkeys(FIELDS)
            current["creator"] = self.own_code
        else:
            current = dict(current)
        for column, field in TRACKED.get(entity, {}).items():
            if column in payload:
                value = payload[column]
                if field == "reports_progress":
                    current[field] = bool(value)
                    continue
                current[field] = _clean(value)
        self._rows[key] = current
        self._dirty.add(key)

    def flush(self) -> None:
        """Write what was learnt (in the caller's transaction)."""
        keys = sorted(self._dirty)
        for chunk in chunked(keys):
            self._connection.execute(delete(owners).where(
                tuple_(owners.c.entity, owners.c.entity_id).in_(chunk)))
        rows = [{"entity": e, "entity_id": k,
                 **{_COLUMN.get(f, f): value[f] for f in FIELDS}}
                for (e, k) in keys if (value := self._rows[(e, k)]) is not None]
        if rows:
            self._connection.execute(insert(owners), rows)
        self._dirty.clear()


def _clean(value: Any) -> str | None:
    # PostgreSQL text holds no NUL; ids and codes never contain one.
    return None if value is None else str(value)[:512].replace("\x00", "")


def relearn(connection: Connection) -> None:
    """Fill the index fields of every known row again from the op log (after a migration
    added fields), in log order, as ``learn`` would have."""
    learnt: dict[tuple[str, str], dict[str, Any]] = {}
    query = select(ops.c.entity, ops.c.entity_id, ops.c.payload).where(
        ops.c.entity.in_(list(TRACKED)), ops.c.op.in_(("insert", "update"))
    ).order_by(ops.c.seq)
    for entity, entity_id, text in connection.execute(query):
        payload = json.loads(text)
        fields = learnt.setdefault((entity, entity_id), {})
        for column, field in TRACKED[entity].items():
            if column in payload:
                fields[_COLUMN.get(field, field)] = _clean(payload[column])
    for (entity, entity_id), fields in learnt.items():
        if fields:
            connection.execute(update(owners).where(
                owners.c.entity == entity, owners.c.entity_id == entity_id).values(**fields))
