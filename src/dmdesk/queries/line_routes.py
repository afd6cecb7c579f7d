"""Where customer order lines were routed: the latest "route" entry of the audit log for each
line (services.routing.apply_route writes one per decision, with the site, how, and the work
order and transfers it made). What is planned for a line, and how much, is db/line_plan.py
(its transfers carry ``customer_order_line_id``); this is the decision as the user took it.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from dmdesk.db import models as m


@dataclass(frozen=True)
class LineRoute:
    how: str  # "ship" or "make"
    site_code: str
    work_order: str
    transfers: tuple[str, ...]

    @property
    def documents(self) -> tuple[str, ...]:
        return ((self.work_order,) if self.work_order else ()) + self.transfers


def line_routes(session: Session, line_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, LineRoute]:
    """The latest routing decision of each line that has one."""
    wanted = list(line_ids)
    if not wanted:
        return {}
    result: dict[uuid.UUID, LineRoute] = {}
    for line_id, details in session.execute(
            select(m.AuditEntry.entity_id, m.AuditEntry.details)
            .where(m.AuditEntry.action == "route",
                   m.AuditEntry.entity == "customer_order_line",
                   m.AuditEntry.entity_id.in_(wanted))
            .order_by(m.AuditEntry.seq)):
        if line_id is None:
            continue
        data = json.loads(details)
        transfers = tuple(t for t in str(data.get("transfers", "")).split(",") if t)
        result[line_id] = LineRoute(str(data.get("how", "")), str(data.get("site", "")),
                                    str(data.get("work_order", "")), transfers)
    return result
