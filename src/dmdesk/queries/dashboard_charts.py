"""The figures behind the dashboard's charts, each one SQL aggregate (never rows into Python):

* late work orders per site: the late range of the ``due_date`` index, grouped by site;
* output per week: good quantity of work orders completed in each of the last weeks;
* stock value per site: on hand (from the ``stock_balance`` cache) x standard cost;
* on-time rate per producer: finished work orders completed by their due date, per site.

Work in progress per site and state is ``queries.dashboard.open_work_by_site``.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, Integer, case, func, select, type_coerce
from sqlalchemy.orm import Session

from dmdesk.db import models as m
from dmdesk.domain.kinds import MAKING_SITE_KINDS, SiteKind
from dmdesk.domain.quantity import MONEY_SCALE, QUANTITY_SCALE
from dmdesk.domain.work_order_states import WOState
from dmdesk.queries.dashboard import OpenWork, is_late, open_work_by_site

WEEKS = 12


@dataclass(frozen=True)
class SiteValue:
    """One bar of a per-site chart."""

    site_id: uuid.UUID
    code: str
    name: str
    value: Decimal


@dataclass(frozen=True)
class WeekOutput:
    monday: date
    quantity: Decimal  # good quantity of the orders completed that week
    orders: int


@dataclass(frozen=True)
class ProducerRecord:
    site_id: uuid.UUID
    code: str
    name: str
    finished: int
    on_time: int

    @property
    def rate(self) -> Decimal | None:
        return Decimal(self.on_time) / self.finished if self.finished else None


@dataclass(frozen=True)
class ChartData:
    today: date
    open_work: OpenWork
    late: tuple[SiteValue, ...]
    output: tuple[WeekOutput, ...]
    stock_value: tuple[SiteValue, ...]
    on_time: tuple[ProducerRecord, ...]


def _raw(column: object) -> ColumnElement[int]:
    """A scaled column as the integer it is stored as, so SQL sums and products stay exact."""
    return type_coerce(column, Integer)


def _sites(session: Session, kinds: tuple[str, ...]) -> list[tuple[uuid.UUID, str, str]]:
    """The live sites of these kinds, by code: the bars of a per-site chart."""
    return [(i, c, n) for i, c, n in session.execute(
        select(m.Site.id, m.Site.code, m.Site.name)
        .where(m.Site.kind.in_(kinds), m.Site.archived.is_(False)).order_by(m.Site.code))]


def late_by_site(session: Session, today: date) -> tuple[SiteValue, ...]:
    counts = dict(session.execute(select(m.WorkOrder.site_id, func.count())
                                  .where(is_late(today)).group_by(m.WorkOrder.site_id)).all())
    return tuple(SiteValue(i, c, n, Decimal(counts.get(i, 0)))
                 for i, c, n in _sites(session, MAKING_SITE_KINDS))


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def output_per_week(session: Session, today: date, weeks: int = WEEKS) -> tuple[WeekOutput, ...]:
    """Good quantity completed per week (Monday to Sunday, UTC), the last ``weeks`` weeks
    including this one; weeks without output are there with zero."""
    first = week_start(today) - timedelta(weeks=weeks - 1)
    completed = func.date(m.WorkOrder.completed_at)
    # SQLite: 'weekday 0' moves to the coming Sunday (or stays on one); 6 days back is Monday.
    monday = func.date(m.WorkOrder.completed_at, "weekday 0", "-6 days")
    rows = session.execute(
        select(monday, func.coalesce(func.sum(_raw(m.WorkOrder.good_qty)), 0), func.count())
        .where(m.WorkOrder.state == WOState.DONE.value, completed >= first.isoformat())
        .group_by(monday)).all()
    found = {date.fromisoformat(day): (int(qty), int(n)) for day, qty, n in rows}
    result = []
    for number in range(weeks):
        day = first + timedelta(weeks=number)
        scaled, orders = found.get(day, (0, 0))
        result.append(WeekOutput(day, Decimal(scaled) / QUANTITY_SCALE, orders))
    return tuple(result)


def stock_value_by_site(session: Session) -> tuple[SiteValue, ...]:
    """On hand x standard cost at each site's locations, exact: the product of two scaled
    integers is summed as an integer (SQLite's sum() raises on overflow rather than wrapping,
    and a small manufacturer's stock is far below the 9e11 it would take)."""
    balance, location, product = m.StockBalance, m.Location, m.Product
    value = func.sum(_raw(balance.on_hand) * _raw(product.standard_cost))
    totals = dict(session.execute(
        select(location.site_id, value)
        .select_from(balance)
        .join(location, location.id == balance.location_id)
        .join(product, product.id == balance.product_id)
        .group_by(location.site_id)).all())
    kinds = tuple(k.value for k in SiteKind if k != SiteKind.IN_TRANSIT)
    return tuple(SiteValue(i, c, n, Decimal(int(totals.get(i) or 0))
                           / (QUANTITY_SCALE * MONEY_SCALE))
                 for i, c, n in _sites(session, kinds))


def on_time_by_producer(session: Session) -> tuple[ProducerRecord, ...]:
    on_time = func.date(m.WorkOrder.completed_at) <= m.WorkOrder.due_date
    figures = {site: (int(done), int(good)) for site, done, good in session.execute(
        select(m.WorkOrder.site_id, func.count(), func.sum(case((on_time, 1), else_=0)))
        .where(m.WorkOrder.state == WOState.DONE.value).group_by(m.WorkOrder.site_id))}
    return tuple(ProducerRecord(i, c, n, *figures.get(i, (0, 0)))
                 for i, c, n in _sites(session, MAKING_SITE_KINDS))


# Filters the Work orders list adds to open the output chart's week: completed on or after
# the first day and before the second (UTC days, as the chart counts them).
COMPLETED_FILTERS: dict[str, Callable[[Any], ColumnElement[bool]]] = {
    "completed_from": lambda day: func.date(m.WorkOrder.completed_at) >= day.isoformat(),
    "completed_before": lambda day: func.date(m.WorkOrder.completed_at) < day.isoformat(),
}


def chart_data(session: Session, today: date, open_work: OpenWork | None = None) -> ChartData:
    """Every chart's figures; ``open_work`` when the caller has just counted it."""
    return ChartData(today, open_work or open_work_by_site(session), late_by_site(session, today),
                     output_per_week(session, today), stock_value_by_site(session),
                     on_time_by_producer(session))
