"""The audit chain's hashing, shared by the writer (services) and the checker (queries)."""

from __future__ import annotations

import hashlib
from typing import Any

from dmdesk.db.changes import dumps
from dmdesk.db.models import AuditEntry

GENESIS_HASH = "0" * 64


def audit_record(entry: AuditEntry | dict[str, Any]) -> dict[str, Any]:
    """The fields of an audit entry that its hash covers."""
    def get(name: str) -> Any:
        return entry[name] if isinstance(entry, dict) else getattr(entry, name)

    entity_id = get("entity_id")
    return {
        "at": get("at").isoformat(), "actor": get("actor"), "site": get("site_code"),
        "action": get("action"), "entity": get("entity"),
        "entity_id": entity_id.hex if entity_id is not None else None,
        "details": get("details"),
    }


def audit_hash(prev_hash: str, record: dict[str, Any]) -> str:
    return hashlib.sha256((prev_hash + "|" + dumps(record)).encode()).hexdigest()
