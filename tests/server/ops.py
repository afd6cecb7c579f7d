"""Building ops as a site's outbox would send them (dmdesk.sync.protocol.Op)."""

from __future__ import annotations

from functools import cache
from typing import Any

from dmdesk.db.changes import dumps, to_json_value
from dmdesk.db.ids import new_id
from dmdesk.db.migrate import head_revision
from dmdesk.db.models import Base

schema_version = cache(head_revision)  # reading the migrations each time is slow

_counter = 0
NOW = "2026-11-25T00:00:00+00:00"
TEXT_KEYS = {"unit": "code", "file_blob": "sha256"}  # tables not keyed by a UUID ``id``


@cache
def row_defaults(entity: str) -> dict[str, Any]:
    """The columns a service would fill in when a test leaves them out: the models' scalar
    defaults and the timestamps (an insert carries the whole row, see server/shape.py)."""
    found: dict[str, Any] = {}
    table = Base.metadata.tables.get(entity)
    for column in table.columns if table is not None else ():
        if column.name in ("created_at", "updated_at"):
            found[column.name] = NOW
        elif column.default is not None and column.default.is_scalar:
            found[column.name] = to_json_value(column.default.arg)  # type: ignore[attr-defined]
    return found


def new_key() -> str:
    return new_id().hex


def op(entity: str, op_kind: str = "insert", entity_id: str | None = None,
       **payload: Any) -> dict[str, Any]:
    """One op; an insert's payload gets ``id`` = entity_id and the defaults of the rest."""
    global _counter
    _counter += 1
    key = entity_id or new_id().hex
    if op_kind == "insert" and entity in TEXT_KEYS:  # keyed by text: the key goes as JSON
        payload = {**row_defaults(entity), **payload}
        key = entity_id or dumps({"key": [payload[TEXT_KEYS[entity]]]}).encode().hex()
    elif op_kind == "insert":
        payload = {**row_defaults(entity), "id": key, **payload}
    return {"op_id": new_id().hex, "entity": entity, "entity_id": key, "op": op_kind,
            "payload": payload if op_kind != "delete" else {},
            "hlc": f"{1795565364888 + _counter:015d}-000000000-TEST",
            "schema_version": schema_version()}


def site(code: str, kind: str = "own_workshop", reports_progress: bool = False
         ) -> dict[str, Any]:
    return op("site", code=code, name=f"Site {code}", kind=kind,
              reports_progress=reports_progress)


def location(site_id: str, code: str = "MAIN") -> dict[str, Any]:
    return op("location", site_id=site_id, code=code, name=code, kind="internal")


def move(location_id: str, product_id: str, quantity: str = "1",
         document_id: str | None = None) -> dict[str, Any]:
    return op("stock_move", product_id=product_id, location_id=location_id, lot_id=None,
              quantity=quantity, reason="receipt", reference="R-1", document_id=document_id,
              note="", override_reason="", actor="test")
