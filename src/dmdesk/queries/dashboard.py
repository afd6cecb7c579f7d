"""The dashboard's counts that matter: open work orders per site and state, late work orders,
and stock below its reorder point at each site.

Every figure is computed by SQL aggregates on indexed columns, never by loading rows into
Python, so the dashboard opens as fast on 50,000 work orders and a million moves as on a demo:

* open work per site and state is one ``GROUP BY site_id, state`` answered from the
  ``(site_id, state)`` index alone;
* late orders are a range on the ``due_date`` index (due before today) filtered to open states;
* on hand at a reorder point sums the ``stock_balance`` cache (never the ledger) over the site's
  internal locations, by the balance's primary key (product, location).

The two lists are ``ListSpec``s, so the GUI pages and sorts them in SQL like any other list.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Select, Subquery, and_, func, select, type_coerce
from sqlalchemy.orm import Session

from dmdesk.db import models as m
from dmdesk.db.types import Qty
from dmdesk.domain.kinds import MAKING_SITE_KINDS, LocationKind
from dmdesk.domain.work_order_states import OPEN_STATES, WOState
from dmdesk.queries.paging import Column, ListSpec, count

# The open states in the order work flows through them: the columns of the dashboard's table.
OPEN_STATE_VALUES: tuple[str, ...] = tuple(s.value for s in WOState if s in OPEN_STATES)


# --- open work per site and state ----------------------------------------------------------


@dataclass(frozen=True)
class SiteLoad:
    """One row of the table: a site and how many open orders it has in each state."""

    site_id: uuid.UUID
    code: str
    name: str
    kind: str
    counts: Mapping[str, int] = field(default_factory=dict)

    def count(self, state: str) -> int:
        return self.counts.get(state, 0)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass(frozen=True)
class OpenWork:
    states: tuple[str, ...]
    sites: tuple[SiteLoad, ...]

    def state_total(self, state: str) -> int:
        return sum(site.count(state) for site in self.sites)

    @property
    def total(self) -> int:
        return sum(site.total for site in self.sites)


def open_work_by_site(session: Session) -> OpenWork:
    """Every site with open orders, and every making site still in the network (an idle
    workshop is worth seeing), by site code; states as columns in the order work flows."""
    counts: dict[uuid.UUID, dict[str, int]] = {}
    for site_id, state, number in session.execute(
            select(m.WorkOrder.site_id, m.WorkOrder.state, func.count())
            .where(m.WorkOrder.state.in_(OPEN_STATE_VALUES))
            .group_by(m.WorkOrder.site_id, m.WorkOrder.state)):
        counts.setdefault(site_id, {})[state] = int(number)
    rows = []
    for site_id, code, name, kind, archived in session.execute(
            select(m.Site.id, m.Site.code, m.Site.name, m.Site.kind, m.Site.archived)
            .order_by(m.Site.code)):
        making = kind in MAKING_SITE_KINDS and not archived
        if making or site_id in counts:
            rows.append(SiteLoad(site_id, code, name, kind, counts.get(site_id, {})))
    return OpenWork(OPEN_STATE_VALUES, tuple(rows))


# --- late work orders ----------------------------------------------------------------------


def is_late(today: date) -> ColumnElement[bool]:
    """Due before ``today`` and neither done nor cancelled."""
    return and_(m.WorkOrder.due_date < today, m.WorkOrder.state.in_(OPEN_STATE_VALUES))


# Open work orders; the dashboard always sets the "late_on" filter (today), which keeps those
# due before that day: the late ones.
LATE_WORK_ORDERS = ListSpec(
    name="late work orders",
    base=lambda: (select(m.WorkOrder)
                  .join(m.Product, m.Product.id == m.WorkOrder.product_id)
                  .join(m.Site, m.Site.id == m.WorkOrder.site_id)
                  .where(m.WorkOrder.state.in_(OPEN_STATE_VALUES))),
    columns=(
        Column("number", "Number", m.WorkOrder.number),
        Column("due_date", "Due", m.WorkOrder.due_date, "date"),
        Column("site", "Site", m.Site.code),
        Column("product", "Product", m.Product.sku),
        Column("quantity", "Quantity", m.WorkOrder.quantity, "qty"),
        Column("state", "State", m.WorkOrder.state, "enum"),
        Column("product_name", "Name", m.Product.name),
    ),
    tie_breaker=m.WorkOrder.id,
    search=(m.WorkOrder.number, m.Product.sku, m.Product.name, m.Site.code),
    filters={
        "late_on": is_late,
        "site_id": lambda v: m.WorkOrder.site_id == v,
    },
    default_sort="due_date",
)


def late_count(session: Session, today: date) -> int:
    return int(session.scalar(select(func.count()).select_from(m.WorkOrder)
                              .where(is_late(today))) or 0)


# --- stock below its reorder point ---------------------------------------------------------


def _reorder_levels() -> Subquery:
    """Each reorder point with the stock on hand at its site's internal locations."""
    balance, location, point = m.StockBalance, m.Location, m.ReorderPoint
    on_hand = func.coalesce(func.sum(balance.on_hand), 0)
    return (select(point.id, point.product_id, point.site_id, point.minimum,
                   point.reorder_quantity, on_hand.label("on_hand"))
            .select_from(point)
            .outerjoin(location, and_(location.site_id == point.site_id,
                                      location.kind == LocationKind.INTERNAL.value))
            .outerjoin(balance, and_(balance.product_id == point.product_id,
                                     balance.location_id == location.id))
            .group_by(point.id)
            .subquery("reorder_level"))


_level = _reorder_levels()


def _below_base() -> Select[Any]:
    return (select(_level)
            .join(m.Product, m.Product.id == _level.c.product_id)
            .join(m.Site, m.Site.id == _level.c.site_id)
            .where(_level.c.on_hand < _level.c.minimum, m.Product.archived.is_(False),
                   m.Site.archived.is_(False)))


BELOW_REORDER_POINT = ListSpec(
    name="items below reorder point",
    base=_below_base,
    columns=(
        Column("site", "Site", m.Site.code),
        Column("product", "Product", m.Product.sku),
        Column("on_hand", "On hand", _level.c.on_hand, "qty"),
        Column("minimum", "Minimum", _level.c.minimum, "qty"),
        Column("short", "Short by", type_coerce(_level.c.minimum - _level.c.on_hand, Qty()),
               "qty"),
        Column("reorder_quantity", "Reorder qty", _level.c.reorder_quantity, "qty"),
        Column("unit", "Unit", m.Product.unit),
        Column("product_name", "Name", m.Product.name),
    ),
    tie_breaker=_level.c.id,
    search=(m.Product.sku, m.Product.name, m.Site.code),
    filters={"site_id": lambda v: _level.c.site_id == v},
    default_sort="site",
)


def below_reorder_count(session: Session) -> int:
    return count(session, BELOW_REORDER_POINT)


# --- all of it -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Dashboard:
    today: date
    open_work: OpenWork
    late: int
    below_reorder: int


def dashboard(session: Session, today: date) -> Dashboard:
    return Dashboard(today, open_work_by_site(session), late_count(session, today),
                     below_reorder_count(session))
