"""Headline counts of a database, for the start window and the CLI."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dmdesk.db import models as m
from dmdesk.domain.workorder_states import OPEN_STATES


def network_summary(session: Session) -> list[tuple[str, int]]:
    def count(query: object) -> int:
        return int(session.scalar(query) or 0)  # type: ignore[call-overload]

    return [
        ("Sites", count(select(func.count()).select_from(m.Site)
                        .where(m.Site.archived.is_(False)))),
        ("Products", count(select(func.count()).select_from(m.Product)
                           .where(m.Product.archived.is_(False)))),
        ("Open work orders", count(select(func.count()).select_from(m.WorkOrder)
                                   .where(m.WorkOrder.state.in_([s.value for s in OPEN_STATES])))),
        ("Stock moves", count(select(func.count()).select_from(m.StockMove))),
    ]
