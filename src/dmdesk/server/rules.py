"""What a caller may write, and what it may pull: the server's side of the rules.

The write rules are one table shared with the app (``dmdesk.domain.write_rules``); the server
answers their questions from its ownership index (``dmdesk.server.index``), which it learns
from the ops it stores. What a caller pulls is decided here only.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dmdesk.domain.write_rules import SITE_RULES, Ownership, Rule, may_write

__all__ = ["SITE_RULES", "Ownership", "Rule", "may_see", "may_write"]


def may_see(role: str, site_code: str, change: Mapping[Any, Any]) -> bool:
    """Whether a caller pulls this change from the op log. Owners, accountants and own
    workshops see all; a producer never reads the op log directly: it pulls its own feed,
    judged when ops are stored (server/scope.py, policy in domain/read_scope.py).

    ``change`` is the stored row: seq, site (the writer), op_id, entity, entity_id, op,
    payload (JSON text), hlc.
    """
    return role != "producer"


def sees_everything(role: str, _site_code: str) -> bool:
    """Whether ``may_see`` is true of every change for this caller, so that counting what it
    may see (GET /v1/digest) can be done in SQL instead of row by row. Must agree with
    ``may_see``: a producer sees only its own feed."""
    return role != "producer"


# Why a site's op is refused, in words a shop's user understands (the alert that tells of
# the revert quotes it). By table; a table without a line is the owner's.
REFUSAL_REASONS = {
    "work_order": "a work order's planning (product, quantity, site, due date, priority) is "
                  "the owner's; a site reports the progress of the work orders it makes",
    "wo_material": "a work order's materials are planned by the owner; a site reports what "
                   "it consumed",
    "wo_operation": "a work order's operations are planned by the owner; a site reports "
                    "their progress",
    "stock_move": "a site posts stock moves only at its own locations",
    "lot_genealogy": "a site records the genealogy of its own work orders only",
    "lot": "a site makes lots for its own work and renames only the lots it made",
    "site": "a site edits only its own site row",
    "location": "a site makes and edits locations only at its own site",
    "transfer": "a site ships only from its own locations and receives only what is sent "
                "to it",
    "transfer_line": "only the shipping site writes a transfer's lines",
}


def refusal_reason(entity: str) -> str:
    """One clause saying why a site may not write this ``entity`` row."""
    if entity in REFUSAL_REASONS:
        return REFUSAL_REASONS[entity]
    if entity not in SITE_RULES:
        return f"{plural(entity.replace('_', ' '))} are the owner's"
    return "a site changes only the rows it made or that belong to it"


def plural(noun: str) -> str:
    if noun.endswith(("s", "x", "ch", "sh")):
        return noun + "es"
    if noun.endswith("y") and noun[-2:-1] not in ("a", "e", "o", "u"):
        return noun[:-1] + "ies"
    return noun + "s"
