"""Capacity per site: planned minutes of open work against weekly capacity, and work orders at
risk of being late.

Planned minutes are what the operations still need (setup unless begun, run time for the
quantity not yet handled), placed in the week of the order's due date (overdue work in the
first week, so it shows as load now). Weeks start on Monday.

At-risk flags come from loading each site's open work in due-date order (earliest first, as a
planner would) onto its daily capacity from today: an order that cannot be finished by its due
date is at risk, with the reason; so is an overdue order, an order at a site that is not
active, and an order at a site with no capacity set.
"""

from __future__ import annotations

import math
import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from dmdesk.db import models as m
from dmdesk.db.chunks import chunked
from dmdesk.domain.kinds import MAKING_SITE_KINDS, SiteStatus
from dmdesk.queries.network_snapshot import open_work_minutes, today_utc

MINUTES_PER_HOUR = Decimal(60)


@dataclass(frozen=True)
class WeekLoad:
    week_start: date
    planned_minutes: Decimal
    capacity_minutes: Decimal

    @property
    def share(self) -> float | None:
        """Planned as a share of capacity (1.0 = full); None without capacity."""
        if self.capacity_minutes <= 0:
            return None
        return float(self.planned_minutes / self.capacity_minutes)

    @property
    def overloaded(self) -> bool:
        return self.planned_minutes > self.capacity_minutes


@dataclass(frozen=True)
class AtRisk:
    work_order_id: uuid.UUID
    number: str
    site_code: str
    due_date: date
    expected_finish: date | None  # None when the site cannot make it at all (no capacity)
    reason: str


@dataclass(frozen=True)
class SiteCapacity:
    site_id: uuid.UUID
    code: str
    name: str
    status: str
    weekly_capacity_minutes: Decimal
    weeks: tuple[WeekLoad, ...]
    backlog_minutes: Decimal  # all open work, whatever its due date
    at_risk: tuple[AtRisk, ...]


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def capacity_plan(session: Session, weeks: int = 6, today: date | None = None,
                  site_id: uuid.UUID | None = None) -> list[SiteCapacity]:
    """Each making site's load for the coming ``weeks`` weeks (this week first), by code."""
    today = today or today_utc()
    first = week_start(today)
    query = select(m.Site).where(m.Site.kind.in_(MAKING_SITE_KINDS), m.Site.archived.is_(False))
    if site_id is not None:
        query = query.where(m.Site.id == site_id)
    sites = list(session.scalars(query.order_by(m.Site.code)))
    work = defaultdict(list)
    for site, wo, due, minutes in open_work_minutes(session, site_id):
        work[site].append((due, wo, minutes))
    numbers = _numbers(session, [wo for items in work.values() for _d, wo, _m in items])
    return [_site_capacity(site, sorted(work.get(site.id, []), key=lambda w: (w[0], numbers[w[1]])),
                           numbers, first, weeks, today) for site in sites]


def _numbers(session: Session, ids: list[uuid.UUID]) -> dict[uuid.UUID, str]:
    result: dict[uuid.UUID, str] = {}
    for chunk in chunked(ids):
        result.update({wo_id: number for wo_id, number in session.execute(
            select(m.WorkOrder.id, m.WorkOrder.number).where(m.WorkOrder.id.in_(chunk)))})
    return result


def _site_capacity(site: m.Site, work: list[tuple[date, uuid.UUID, Decimal]],
                   numbers: dict[uuid.UUID, str], first: date, weeks: int,
                   today: date) -> SiteCapacity:
    weekly = site.weekly_capacity_hours * MINUTES_PER_HOUR
    planned = [Decimal(0)] * weeks
    for due, _wo, minutes in work:
        index = max((week_start(due) - first).days // 7, 0)
        if index < weeks:
            planned[index] += minutes
    loads = tuple(WeekLoad(first + timedelta(weeks=i), planned[i], weekly)
                  for i in range(weeks))
    backlog = sum((minutes for _d, _w, minutes in work), Decimal(0))
    return SiteCapacity(site.id, site.code, site.name, site.status, weekly, loads, backlog,
                        tuple(_at_risk(site, work, numbers, weekly, today)))


def _at_risk(site: m.Site, work: list[tuple[date, uuid.UUID, Decimal]],
             numbers: dict[uuid.UUID, str], weekly: Decimal, today: date) -> list[AtRisk]:
    flagged = []
    daily = float(weekly) / 7
    queued = 0.0
    for due, wo, minutes in work:
        queued += float(minutes)
        finish = today + timedelta(days=math.ceil(queued / daily)) if daily > 0 else None
        if site.status != SiteStatus.ACTIVE:
            reason = f"{site.code} is {site.status}: reroute the order to another site."
        elif due < today:
            reason = f"Overdue: it was due {due.isoformat()}."
        elif finish is None:
            reason = f"{site.code} has no weekly capacity set, so the order cannot be planned."
        elif finish > due:
            reason = (f"Finishes around {finish.isoformat()}, after its due date: "
                      f"{queued / 60:.1f} h of work are queued at {site.code} up to and "
                      f"including it, {float(weekly) / 60:.0f} h a week.")
        else:
            continue
        flagged.append(AtRisk(wo, numbers[wo], site.code, due, finish, reason))
    return flagged


def late_work_orders(session: Session, today: date | None = None) -> list[AtRisk]:
    """Every open work order at risk of being late, in the network, earliest due first."""
    flagged = [risk for site in capacity_plan(session, weeks=1, today=today)
               for risk in site.at_risk]
    return sorted(flagged, key=lambda r: (r.due_date, r.number))
