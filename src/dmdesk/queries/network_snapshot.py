"""A snapshot of the network for planning (routing, rerouting, capacity): the sites, the open
work queued at each, their records, and (loaded as needed, in batches) products with their
operations and BOMs and the free stock per site.

Read once, then used for many lines: routing a thousand lines costs a few queries per line
(the products of a line and its components are loaded together), not a few per site and
product.
"""

from __future__ import annotations

import bisect
import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Integer, case, func, select, type_coerce
from sqlalchemy.orm import Session

from dmdesk.db import models as m
from dmdesk.db.chunks import chunked
from dmdesk.domain.errors import NotFoundError
from dmdesk.domain.kinds import LocationKind, SiteKind, SiteStatus
from dmdesk.domain.quantity import QUANTITY_SCALE
from dmdesk.domain.work_order_states import OPEN_STATES
from dmdesk.queries.scorecards import Scorecard, site_scorecards

OPEN_STATE_VALUES = tuple(s.value for s in OPEN_STATES)
Point = tuple[float | None, float | None]
_SCALE = QUANTITY_SCALE


def today_utc() -> date:
    return datetime.now(UTC).date()


@dataclass(frozen=True)
class SiteInfo:
    id: uuid.UUID
    code: str
    name: str
    kind: str
    status: str
    archived: bool
    point: Point
    capabilities: frozenset[str]
    weekly_minutes: Decimal
    lead_days: int  # a producer's own lead time (its contacts'), added before it can start

    @property
    def usable(self) -> bool:
        return self.status == SiteStatus.ACTIVE and not self.archived

    @property
    def daily_minutes(self) -> float:
        return float(self.weekly_minutes) / 7

    def state_text(self) -> str:
        return "archived" if self.archived else self.status


@dataclass(frozen=True)
class ProductInfo:
    id: uuid.UUID
    sku: str
    name: str
    kind: str
    unit: str
    whole: bool
    capabilities: frozenset[str]
    setup_minutes: Decimal  # summed over the operations
    run_minutes: Decimal    # per unit, summed over the operations
    bom: tuple[tuple[uuid.UUID, Decimal, Decimal], ...]  # (component, per unit, scrap %)

    def minutes_for(self, qty: Decimal) -> float:
        return float(self.setup_minutes + self.run_minutes * qty)


@dataclass
class SiteLoad:
    """A site's open work as (due date, minutes left), sorted, with running totals."""

    dues: list[date] = field(default_factory=list)
    totals: list[float] = field(default_factory=list)

    def before(self, due: date) -> float:
        """Minutes of open work due on or before ``due`` (done first, earliest due first)."""
        index = bisect.bisect_right(self.dues, due)
        return self.totals[index - 1] if index else 0.0

    def add(self, due: date, minutes: float) -> None:
        """Queue more work (a proposal being planned): later totals grow by ``minutes``."""
        index = bisect.bisect_right(self.dues, due)
        self.dues.insert(index, due)
        self.totals.insert(index, (self.totals[index - 1] if index else 0.0) + minutes)
        for later in range(index + 1, len(self.totals)):
            self.totals[later] += minutes


class NetworkSnapshot:
    """Sites, open work, records and (lazily, in batches) products and stock."""

    def __init__(self, session: Session, today: date | None = None) -> None:
        self.session = session
        self.today = today or today_utc()
        self.sites = _load_sites(session)
        self.loads = _load_work(session)
        self.records: dict[uuid.UUID, Scorecard] = site_scorecards(session)
        self._products: dict[uuid.UUID, ProductInfo] = {}
        self._stock: dict[uuid.UUID, dict[uuid.UUID, Decimal]] = {}

    def prefetch(self, *product_ids: uuid.UUID, materials: bool = True) -> None:
        """Load products, their components and the stock of all of them, a few queries per
        batch of 400; an unknown product raises NotFoundError. ``materials=False`` loads the
        products alone: ranking work that takes its reserved components along (rerouting)
        looks at neither, and reading them for thousands of orders cost more than the rest."""
        missing = [p for p in set(product_ids) if p not in self._products]
        if missing:
            self._products.update(_load_products(self.session, missing))
        for product_id in product_ids:
            if product_id not in self._products:
                raise NotFoundError(f"Unknown product: {product_id}.", field="product")
        if not materials:
            return
        wanted = set(product_ids)
        for product_id in product_ids:
            wanted.update(c for c, _q, _s in self._products[product_id].bom)
        components = [p for p in wanted if p not in self._products]
        if components:
            self._products.update(_load_products(self.session, components))
        unstocked = [p for p in wanted if p not in self._stock]
        if unstocked:
            self._stock.update(available_by_site(self.session, unstocked))

    def product(self, product_id: uuid.UUID) -> ProductInfo:
        if product_id not in self._products:
            self.prefetch(product_id)
        return self._products[product_id]

    def available(self, product_id: uuid.UUID) -> dict[uuid.UUID, Decimal]:
        """Per site: on hand less reserved, in internal locations that are not archived."""
        if product_id not in self._stock:
            self._stock.update(available_by_site(self.session, [product_id]))
        return self._stock[product_id]

    def load(self, site_id: uuid.UUID) -> SiteLoad:
        return self.loads.setdefault(site_id, SiteLoad())

    def record(self, site_id: uuid.UUID) -> Scorecard | None:
        return self.records.get(site_id)


def _load_sites(session: Session) -> dict[uuid.UUID, SiteInfo]:
    lead = {site_id: days for site_id, days in session.execute(
        select(m.Contact.site_id, func.max(m.Contact.lead_time_days))
        .where(m.Contact.site_id.is_not(None), m.Contact.archived.is_(False))
        .group_by(m.Contact.site_id))}
    result = {}
    for site in session.scalars(select(m.Site).where(
            m.Site.kind != SiteKind.IN_TRANSIT.value).order_by(m.Site.code)):
        caps = frozenset(t.strip() for t in site.capabilities.split(",") if t.strip())
        result[site.id] = SiteInfo(site.id, site.code, site.name, site.kind, site.status,
                                   site.archived, (site.latitude, site.longitude), caps,
                                   site.weekly_capacity_hours * 60, int(lead.get(site.id) or 0))
    return result


def _raw(column: Any) -> Any:
    """A Qty column as its stored integer (thousandths), for arithmetic in SQL."""
    return type_coerce(column, Integer)


def open_work_minutes(session: Session, site_id: uuid.UUID | None = None
                      ) -> list[tuple[uuid.UUID, uuid.UUID, date, Decimal]]:
    """(site, work order, due date, minutes left) of every open work order (or the site's).

    An operation still needs its setup unless it has begun, and its run time for the units
    not yet handled (good + scrap). Summed in SQL on the stored integers, exactly, so a
    network with thousands of open orders is one grouped query and one row per order."""
    qty, good, scrap = (_raw(m.WorkOrder.quantity), _raw(m.WOOperation.good_qty),
                        _raw(m.WOOperation.scrap_qty))
    left = qty - good - scrap
    # thousandths of a minute x thousandths of a unit = millionths; setup in thousandths
    per_operation = case(
        (left > 0, case((good + scrap == 0, _raw(m.WOOperation.setup_minutes) * _SCALE),
                        else_=0) + _raw(m.WOOperation.run_minutes) * left),
        else_=0)
    query = (select(m.WorkOrder.site_id, m.WorkOrder.id, m.WorkOrder.due_date,
                    func.coalesce(func.sum(per_operation), 0))
             .outerjoin(m.WOOperation, m.WOOperation.work_order_id == m.WorkOrder.id)
             .where(m.WorkOrder.state.in_(OPEN_STATE_VALUES))
             .group_by(m.WorkOrder.id))
    if site_id is not None:
        query = query.where(m.WorkOrder.site_id == site_id)
    return [(site, wo, due, Decimal(int(total)) / _SCALE / _SCALE)
            for site, wo, due, total in session.execute(query)]


def _load_work(session: Session) -> dict[uuid.UUID, SiteLoad]:
    by_site: dict[uuid.UUID, list[tuple[date, float]]] = defaultdict(list)
    for site, _wo, due, minutes in open_work_minutes(session):
        by_site[site].append((due, float(minutes)))
    loads = {}
    for site, work in by_site.items():
        work.sort()
        load = SiteLoad()
        running = 0.0
        for due, taken in work:
            running += taken
            load.dues.append(due)
            load.totals.append(running)
        loads[site] = load
    return loads


def _load_products(session: Session, product_ids: Iterable[uuid.UUID]
                   ) -> dict[uuid.UUID, ProductInfo]:
    """Products with their operations (summed) and BOM lines: three queries per batch."""
    result = {}
    for chunk in chunked(list(set(product_ids))):
        caps: dict[uuid.UUID, set[str]] = defaultdict(set)
        setup: dict[uuid.UUID, Decimal] = defaultdict(Decimal)
        run: dict[uuid.UUID, Decimal] = defaultdict(Decimal)
        for product_id, capability, op_setup, op_run in session.execute(
                select(m.Operation.product_id, m.Operation.capability,
                       m.Operation.setup_minutes, m.Operation.run_minutes)
                .where(m.Operation.product_id.in_(chunk))):
            if capability:
                caps[product_id].add(capability)
            setup[product_id] += op_setup
            run[product_id] += op_run
        bom: dict[uuid.UUID, list[tuple[uuid.UUID, Decimal, Decimal]]] = defaultdict(list)
        for parent, component, qty, scrap in session.execute(
                select(m.BomLine.parent_id, m.BomLine.component_id, m.BomLine.quantity,
                       m.BomLine.scrap_pct)
                .where(m.BomLine.parent_id.in_(chunk))
                .order_by(m.BomLine.parent_id, m.BomLine.sequence)):
            bom[parent].append((component, qty, scrap))
        for pid, sku, name, kind, unit, whole in session.execute(
                select(m.Product.id, m.Product.sku, m.Product.name, m.Product.kind,
                       m.Product.unit, m.Unit.whole_only)
                .join(m.Unit, m.Unit.code == m.Product.unit)
                .where(m.Product.id.in_(chunk))):
            result[pid] = ProductInfo(pid, sku, name, kind, unit, bool(whole),
                                      frozenset(caps[pid]), setup[pid], run[pid],
                                      tuple(bom[pid]))
    return result


def available_by_site(session: Session, product_ids: Iterable[uuid.UUID]
                      ) -> dict[uuid.UUID, dict[uuid.UUID, Decimal]]:
    """product -> site -> on hand less reserved, in internal open locations (every product
    asked for has an entry, empty when none is free anywhere)."""
    wanted = list(set(product_ids))
    result: dict[uuid.UUID, dict[uuid.UUID, Decimal]] = {p: {} for p in wanted}
    for chunk in chunked(wanted):
        # Each SUM keeps the column's type (so comes back as a Decimal); a difference would not.
        for product, site, on_hand, held in session.execute(
                select(m.StockBalance.product_id, m.Location.site_id,
                       func.sum(m.StockBalance.on_hand), func.sum(m.StockBalance.reserved))
                .join(m.Location, m.Location.id == m.StockBalance.location_id)
                .where(m.StockBalance.product_id.in_(chunk),
                       m.Location.kind == LocationKind.INTERNAL.value,
                       m.Location.archived.is_(False))
                .group_by(m.StockBalance.product_id, m.Location.site_id)):
            if on_hand - held > 0:
                result[product][site] = on_hand - held
    return result
