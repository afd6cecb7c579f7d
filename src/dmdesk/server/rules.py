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
    """Whether a caller pulls this change. Owners, accountants and own workshops see all.

    ``change`` is the stored row: seq, site (the writer), op_id, entity, entity_id, op,
    payload (JSON text), hlc. The one place to restrict what a micro-producer sees (say, only
    its own work orders and the products they need) when the network asks for it.
    """
    return True
