"""What this database may do, from the same write rules the sync server applies.

The app does not offer what would be refused: the work order actions of an order this
database does not hold, and (at a site's database) the editing of products, BOMs and
operations, or of the planning of orders it did not plan. Each answer carries the one-line
reason shown next to the disabled control ("" when allowed).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy.orm import Session

from dmdesk.db import models as m
from dmdesk.db.ownership import LocalOwnership, local_actor, refusal
from dmdesk.domain.lifecycle import why_not
from dmdesk.domain.write_rules import may_write

# A planning change as the rules see it (any planning field would do: they are judged alike).
_PLANNING = {"due_date": "", "priority": 3}
_PRODUCT_EDIT = {"description": ""}


@dataclass(frozen=True)
class OrderRights:
    act_refusal: str   # why this database may not release/start/report/complete/hold/cancel
    plan_refusal: str  # why it may not change the order's planning fields

    @property
    def may_act(self) -> bool:
        return not self.act_refusal


def _ownership(session: Session) -> LocalOwnership:
    connection = session.connection()
    return LocalOwnership(connection, local_actor(connection))


def work_order_rights(session: Session, work_order_id: uuid.UUID) -> OrderRights:
    """May this database act on the order's lifecycle, and change its planning?"""
    order = session.get_one(m.WorkOrder, work_order_id)
    site = session.get_one(m.Site, order.site_id)
    o = _ownership(session)
    act = why_not(o.actor, order.number, site.code, site.reports_progress)
    key = order.id.hex
    plan = "" if may_write(o.role, o, "work_order", "update", key, _PLANNING) else refusal(
        o, "work_order", "update", key, _PLANNING)
    return OrderRights(act, plan)


def product_edit_refusal(session: Session, product_id: uuid.UUID | None = None) -> str:
    """Why this database may not change products (their BOMs, operations and files go with
    them); "" when it may. ``None``: a new product."""
    o = _ownership(session)
    if product_id is None:
        if may_write(o.role, o, "product", "insert", uuid.UUID(int=0).hex, {}):
            return ""
        return (f"Products are the owner's: this site ({o.actor.site_code}) cannot add "
                "one.")
    key = product_id.hex
    if may_write(o.role, o, "product", "update", key, _PRODUCT_EDIT):
        return ""
    return refusal(o, "product", "update", key, _PRODUCT_EDIT)
