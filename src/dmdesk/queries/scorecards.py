"""Site records (scorecards) from finished work orders and quality checks.

A micro-producer's (or workshop's) record: on-time rate, scrap rate, failed quality checks,
average lead time and volume, all from work orders that are done. Routing weighs candidate
sites by ``Scorecard.record_score``; the producer's page shows the figures.

Lead time runs from release (or creation, for orders completed without a release) to
completion. "On time" compares the UTC completion day with the due date, as queries.network does.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from dmdesk.db import models as m
from dmdesk.db.models_network import QualityCheck
from dmdesk.domain.errors import NotFoundError
from dmdesk.domain.kinds import SiteKind
from dmdesk.domain.work_order_states import WOState

# A site with no finished work yet is neither trusted nor distrusted: an average record.
NEUTRAL_RECORD = 0.75


@dataclass(frozen=True)
class Scorecard:
    site_id: uuid.UUID
    code: str
    name: str
    kind: str
    finished: int
    on_time: int
    good: Decimal
    scrap: Decimal
    checks: int
    failed_checks: int
    lead_days_total: float

    @property
    def on_time_rate(self) -> float | None:
        """Share of finished orders completed by their due date; None before any."""
        return self.on_time / self.finished if self.finished else None

    @property
    def scrap_rate(self) -> float | None:
        """Scrap as a share of everything made (good + scrap) by finished orders."""
        made = self.good + self.scrap
        return float(self.scrap / made) if made else None

    @property
    def failed_check_rate(self) -> float | None:
        return self.failed_checks / self.checks if self.checks else None

    @property
    def average_lead_days(self) -> float | None:
        return self.lead_days_total / self.finished if self.finished else None

    @property
    def volume(self) -> Decimal:
        """Good units made by finished orders."""
        return self.good

    @property
    def record_score(self) -> float:
        """0..1: on-time rate x (1 - scrap rate) x (1 - failed-check rate); an average
        record (NEUTRAL_RECORD) for a site with no finished work and no checks yet."""
        if not self.finished and not self.checks:
            return NEUTRAL_RECORD
        on_time = self.on_time_rate if self.on_time_rate is not None else NEUTRAL_RECORD
        return on_time * (1 - (self.scrap_rate or 0.0)) * (1 - (self.failed_check_rate or 0.0))

    def summary(self) -> str:
        """One readable sentence, as routing gives it as a reason."""
        if not self.finished and not self.checks:
            return f"{self.code} has no finished work orders yet: an average record is assumed."
        parts = []
        if self.finished:
            parts.append(f"{self.on_time_rate or 0:.0%} on time, {self.scrap_rate or 0:.1%} "
                         f"scrap over {self.finished} finished order"
                         f"{'s' if self.finished != 1 else ''}")
        if self.checks:
            parts.append(f"{self.failed_checks} of {self.checks} quality checks out of "
                         "tolerance")
        return f"{self.code}'s record: {'; '.join(parts)}."


def _lead_days() -> object:
    started = func.coalesce(m.WorkOrder.released_at, m.WorkOrder.created_at)
    return func.julianday(m.WorkOrder.completed_at) - func.julianday(started)


def site_scorecards(session: Session, site_ids: Iterable[uuid.UUID] | None = None
                    ) -> dict[uuid.UUID, Scorecard]:
    """The scorecard of every site (or of ``site_ids``), the in-transit site left out.

    Two grouped queries (finished orders, quality checks), whatever the number of sites."""
    sites_query = select(m.Site).where(m.Site.kind != SiteKind.IN_TRANSIT.value)
    wanted = None if site_ids is None else list(site_ids)
    if wanted is not None:
        sites_query = sites_query.where(m.Site.id.in_(wanted))
    sites = list(session.scalars(sites_query.order_by(m.Site.code)))
    on_time = func.date(m.WorkOrder.completed_at) <= m.WorkOrder.due_date
    done = {row[0]: row[1:] for row in session.execute(
        select(m.WorkOrder.site_id, func.count(), func.sum(case((on_time, 1), else_=0)),
               func.coalesce(func.sum(m.WorkOrder.good_qty), 0),
               func.coalesce(func.sum(m.WorkOrder.scrap_qty), 0),
               func.coalesce(func.sum(_lead_days()), 0.0))
        .where(m.WorkOrder.state == WOState.DONE.value)
        .group_by(m.WorkOrder.site_id))}
    checks = {row[0]: row[1:] for row in session.execute(
        select(QualityCheck.site_id, func.count(),
               func.sum(case((QualityCheck.passed.is_(False), 1), else_=0)))
        .group_by(QualityCheck.site_id))}
    result = {}
    for site in sites:
        finished, timely, good, scrap, lead = done.get(site.id, (0, 0, 0, 0, 0.0))
        total_checks, failed = checks.get(site.id, (0, 0))
        result[site.id] = Scorecard(
            site.id, site.code, site.name, site.kind, int(finished), int(timely or 0),
            Decimal(good), Decimal(scrap), int(total_checks), int(failed or 0), float(lead or 0.0))
    return result


def scorecard(session: Session, site_id: uuid.UUID) -> Scorecard:
    """One site's scorecard; NotFoundError for an unknown site."""
    found = site_scorecards(session, [site_id]).get(site_id)
    if found is None:
        raise NotFoundError(f"Unknown site: {site_id}.", field="site")
    return found


# --- quality checks --------------------------------------------------------------------------


@dataclass(frozen=True)
class CheckRow:
    id: uuid.UUID
    operation_sequence: int | None
    name: str
    unit: str
    target: Decimal
    tolerance: Decimal
    measured: Decimal
    passed: bool
    actor: str
    notes: str


def work_order_checks(session: Session, work_order_id: uuid.UUID) -> list[CheckRow]:
    """The quality checks of one work order, in the order they were recorded."""
    rows = session.scalars(select(QualityCheck).where(
        QualityCheck.work_order_id == work_order_id).order_by(QualityCheck.id))
    return [CheckRow(c.id, c.operation_sequence, c.name, c.unit, c.target, c.tolerance,
                     c.measured, c.passed, c.actor, c.notes) for c in rows]
