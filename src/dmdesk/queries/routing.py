"""Routing, read side: which sites could serve a customer order line, best first, and why.

Two ways to serve a line: **ship** it from stock a site already holds, or **make** it at a site
that has every capability the product's operations need and the free capacity to finish before
the due date. Each candidate carries its score (0-100), the parts of the score and readable
reasons; a line nobody can serve says why (missing capability, no capacity, sites offline).

Scoring (higher is better; each part is 0..1, weighted, and the weights of the parts that apply
are normalised so a score stays on 0-100):

- distance: great-circle km from the site to the ship-to, 1 / (1 + km / 200) (200 km = 0.5);
  left out, and said so, when the ship-to has no coordinates;
- load: 1 - the share of the site's capacity until the due date that is taken (shipping from
  stock takes none);
- lead time: the share of the time until the due date still left when the goods are ready;
- record: the site's scorecard (on time, scrap, failed quality checks), queries.scorecards;
- materials (make only): 1 if the site holds every component, less when components must be
  transferred in, or bought; work starts when they arrive (a day per 300 km for a transfer,
  PURCHASE_LEAD_DAYS for a purchase), which moves the ready date.

The plan is a snapshot (``NetworkSnapshot``): sites, their open work and records are read once,
so routing a thousand lines costs one query per product rather than per site and line.
Writes (creating the transfer or the work order) are in services.routing.
"""

from __future__ import annotations

import bisect
import math
import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_CEILING, Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dmdesk.db import models as m
from dmdesk.domain.errors import NotFoundError
from dmdesk.domain.geo import distance_km
from dmdesk.domain.kinds import LocationKind, ProductKind, SiteKind, SiteStatus
from dmdesk.domain.quantity import format_quantity, required_with_scrap
from dmdesk.domain.workorder_states import OPEN_STATES
from dmdesk.queries.scorecards import Scorecard, site_scorecards

MAKING_KINDS = frozenset({SiteKind.OWN_WORKSHOP.value, SiteKind.MICRO_PRODUCER.value})
OPEN_STATE_VALUES = tuple(s.value for s in OPEN_STATES)

WEIGHTS = {"distance": 0.35, "load": 0.2, "lead time": 0.2, "record": 0.15, "materials": 0.1}
KM_HALF_SCORE = 200.0   # the distance at which the distance part is 0.5
KM_PER_TRANSIT_DAY = 300.0  # a rough day's haul: lead time of a shipment
# Components no site holds are bought; dmdesk has no purchasing yet, so a week is assumed.
PURCHASE_LEAD_DAYS = 7
Point = tuple[float | None, float | None]


def today_utc() -> date:
    return datetime.now(UTC).date()


# --- results -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ScorePart:
    """One weighted part of a candidate's score: ``value`` 0..1 (higher is better)."""

    name: str
    value: float
    weight: float
    detail: str


@dataclass(frozen=True)
class ComponentSource:
    """A component the making site lacks, and the site it would be transferred from (None:
    no site has enough, so it must be bought)."""

    product_id: uuid.UUID
    sku: str
    unit: str
    missing: Decimal
    from_site_id: uuid.UUID | None
    from_site_code: str
    distance_km: float | None


@dataclass(frozen=True)
class Candidate:
    site_id: uuid.UUID
    site_code: str
    site_name: str
    action: str  # "ship" (from stock) or "make" (a work order)
    score: float  # 0-100
    parts: tuple[ScorePart, ...]
    reasons: tuple[str, ...]
    distance_km: float | None
    ready_date: date
    load_share: float | None  # make: capacity until the due date taken, with this line
    available: Decimal  # ship: what the site holds free of reservations
    late: bool  # ready after the due date
    components: tuple[ComponentSource, ...] = ()


@dataclass(frozen=True)
class LineRouting:
    order_id: uuid.UUID
    order_number: str
    line_id: uuid.UUID
    line_no: int
    product_id: uuid.UUID
    sku: str
    product_name: str
    quantity: Decimal
    unit: str
    due_date: date
    customer: str
    ship_to: Point
    candidates: tuple[Candidate, ...]
    notes: tuple[str, ...]
    why_none: str  # empty when there are candidates

    @property
    def best(self) -> Candidate | None:
        return self.candidates[0] if self.candidates else None


# --- the snapshot of the network ---------------------------------------------------------


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


class NetworkSnapshot:
    """Sites, open work, records and (lazily, per product) stock, read once for many lines."""

    def __init__(self, session: Session, today: date | None = None) -> None:
        self.session = session
        self.today = today or today_utc()
        self.sites = _load_sites(session)
        self.loads = _load_work(session)
        self.records: dict[uuid.UUID, Scorecard] = site_scorecards(session)
        self._products: dict[uuid.UUID, ProductInfo] = {}
        self._stock: dict[uuid.UUID, dict[uuid.UUID, Decimal]] = {}

    def product(self, product_id: uuid.UUID) -> ProductInfo:
        if product_id not in self._products:
            self._products[product_id] = _load_product(self.session, product_id)
        return self._products[product_id]

    def available(self, product_id: uuid.UUID) -> dict[uuid.UUID, Decimal]:
        """Per site: on hand less reserved, in internal locations that are not archived."""
        if product_id not in self._stock:
            self._stock[product_id] = available_by_site(self.session, product_id)
        return self._stock[product_id]

    def load(self, site_id: uuid.UUID) -> SiteLoad:
        return self.loads.get(site_id, SiteLoad())

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


def remaining_minutes(quantity: Decimal, setup: Decimal, run: Decimal, good: Decimal,
                      scrap: Decimal) -> Decimal:
    """Minutes an operation still needs: setup unless begun, run time for what is left."""
    handled = good + scrap
    left = max(quantity - handled, Decimal(0))
    return (setup if handled == 0 else Decimal(0)) + run * left if left > 0 else Decimal(0)


def open_work_minutes(session: Session, site_id: uuid.UUID | None = None
                      ) -> list[tuple[uuid.UUID, uuid.UUID, date, Decimal]]:
    """(site, work order, due date, minutes left) of every open work order (or the site's)."""
    query = (select(m.WorkOrder.site_id, m.WorkOrder.id, m.WorkOrder.due_date,
                    m.WorkOrder.quantity, m.WOOperation.setup_minutes,
                    m.WOOperation.run_minutes, m.WOOperation.good_qty, m.WOOperation.scrap_qty)
             .outerjoin(m.WOOperation, m.WOOperation.work_order_id == m.WorkOrder.id)
             .where(m.WorkOrder.state.in_(OPEN_STATE_VALUES)))
    if site_id is not None:
        query = query.where(m.WorkOrder.site_id == site_id)
    minutes: dict[uuid.UUID, Decimal] = defaultdict(Decimal)
    where: dict[uuid.UUID, tuple[uuid.UUID, date]] = {}
    for site, wo, due, qty, setup, run, good, scrap in session.execute(query):
        if setup is not None:  # an order without operations takes no time
            minutes[wo] += remaining_minutes(qty, setup, run, good, scrap)
        where[wo] = (site, due)
    return [(site, wo, due, minutes.get(wo, Decimal(0))) for wo, (site, due) in where.items()]


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


def _load_product(session: Session, product_id: uuid.UUID) -> ProductInfo:
    row = session.execute(select(m.Product, m.Unit.whole_only)
                          .join(m.Unit, m.Unit.code == m.Product.unit)
                          .where(m.Product.id == product_id)).first()
    if row is None:
        raise NotFoundError(f"Unknown product: {product_id}.", field="product")
    product, whole = row
    operations = list(session.scalars(select(m.Operation).where(
        m.Operation.product_id == product_id)))
    bom = tuple((c, q, s) for c, q, s in session.execute(
        select(m.BomLine.component_id, m.BomLine.quantity, m.BomLine.scrap_pct)
        .where(m.BomLine.parent_id == product_id).order_by(m.BomLine.sequence)))
    return ProductInfo(
        product.id, product.sku, product.name, product.kind, product.unit, bool(whole),
        frozenset(op.capability for op in operations if op.capability),
        sum((op.setup_minutes for op in operations), Decimal(0)),
        sum((op.run_minutes for op in operations), Decimal(0)), bom)


def available_by_site(session: Session, product_id: uuid.UUID) -> dict[uuid.UUID, Decimal]:
    """Per site: on hand less reserved of ``product_id`` in internal, open locations."""
    # Each SUM keeps the column's type (so comes back as a Decimal); a difference would not.
    rows = session.execute(
        select(m.Location.site_id, func.sum(m.StockBalance.on_hand),
               func.sum(m.StockBalance.reserved))
        .join(m.Location, m.Location.id == m.StockBalance.location_id)
        .where(m.StockBalance.product_id == product_id,
               m.Location.kind == LocationKind.INTERNAL.value, m.Location.archived.is_(False))
        .group_by(m.Location.site_id))
    return {site: on_hand - held for site, on_hand, held in rows if on_hand - held > 0}


# --- ranking --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Demand:
    """What is to be served: the product, how much, by when, where to."""

    product_id: uuid.UUID
    quantity: Decimal
    due_date: date
    ship_to: Point = (None, None)
    exclude: frozenset[uuid.UUID] = frozenset()  # sites not to propose (a site going offline)
    consider_materials: bool = True  # rerouting moves the reserved components itself

    @property
    def located(self) -> bool:
        return self.ship_to[0] is not None and self.ship_to[1] is not None


@dataclass
class _Refusals:
    """Why sites were not candidates, grouped into the sentences of the no-candidate answer."""

    offline: list[str] = field(default_factory=list)
    missing: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    no_capacity_set: list[str] = field(default_factory=list)
    too_busy: list[str] = field(default_factory=list)
    short_stock: list[str] = field(default_factory=list)

    def sentence(self, product: ProductInfo, demand: Demand, make: bool, ship: bool) -> str:
        parts = []
        if not make:
            parts.append(f"{product.sku} is a raw material: it is bought, not made")
        parts += [f"missing capability {caps} at {', '.join(codes)}"
                  for caps, codes in sorted(self.missing.items())]
        if self.too_busy:
            parts.append(f"no capacity before {demand.due_date.isoformat()} at "
                         f"{', '.join(self.too_busy)}")
        if self.no_capacity_set:
            parts.append(f"no weekly capacity set at {', '.join(self.no_capacity_set)}")
        if self.offline:
            parts.append(f"offline or paused: {', '.join(self.offline)}")
        if ship:
            parts.append("no site holds "
                         f"{format_quantity(demand.quantity)} {product.unit} of {product.sku}"
                         + (f" ({', '.join(self.short_stock)})" if self.short_stock else ""))
        if make and not parts[:-1] and not self.missing and not self.too_busy:
            parts.insert(0, "no site makes it (no own workshop or micro-producer)")
        return "No site can serve it: " + "; ".join(parts) + "."


def rank(network: NetworkSnapshot, demand: Demand) -> tuple[list[Candidate], str, list[str]]:
    """Candidates best first, the reason when there are none, and notes about the ranking."""
    product = network.product(demand.product_id)
    notes = []
    if not demand.located:
        notes.append("The ship-to has no coordinates: sites are ranked by capacity, lead time "
                     "and record, not by distance.")
    if demand.due_date < network.today:
        notes.append(f"The due date {demand.due_date.isoformat()} has passed: every candidate "
                     "is late; they are ranked by how soon they can deliver.")
    refusals = _Refusals()
    candidates = _ship_candidates(network, product, demand, refusals)
    makeable = product.kind != ProductKind.RAW_MATERIAL
    if makeable:
        candidates += _make_candidates(network, product, demand, refusals)
    candidates.sort(key=lambda c: (-c.score, c.distance_km if c.distance_km is not None
                                   else math.inf, c.site_code, c.action))
    why = "" if candidates else refusals.sentence(product, demand, makeable,
                                                  demand.consider_materials)
    return candidates, why, notes


def _ship_candidates(network: NetworkSnapshot, product: ProductInfo, demand: Demand,
                     refusals: _Refusals) -> list[Candidate]:
    if not demand.consider_materials:  # rerouting work: shipping stock is not an answer
        return []
    result = []
    for site_id, available in network.available(product.id).items():
        site = network.sites.get(site_id)
        if site is None or site_id in demand.exclude:
            continue
        if not site.usable:
            refusals.offline.append(f"{site.code} ({site.state_text()}, holds "
                                    f"{format_quantity(available)})")
            continue
        if available < demand.quantity:
            refusals.short_stock.append(f"{site.code} has {format_quantity(available)}")
            continue
        distance = distance_km(site.point, demand.ship_to)
        ready = network.today + timedelta(days=transit_days(distance))
        reasons = [f"Ships from stock: {site.code} holds {format_quantity(available)} "
                   f"{product.unit} of {product.sku} free of reservations (needs "
                   f"{format_quantity(demand.quantity)})."]
        parts = [ScorePart("load", 1.0, WEIGHTS["load"], "from stock: no production load")]
        result.append(_finish(network, site, "ship", demand, parts, reasons, distance, ready,
                              None, available, ()))
    return result


def _make_candidates(network: NetworkSnapshot, product: ProductInfo, demand: Demand,
                     refusals: _Refusals) -> list[Candidate]:
    result = []
    for site in network.sites.values():
        if site.kind not in MAKING_KINDS or site.id in demand.exclude:
            continue
        if not site.usable:
            refusals.offline.append(f"{site.code} ({site.state_text()})")
            continue
        missing = product.capabilities - site.capabilities
        if missing:
            refusals.missing[", ".join(sorted(missing))].append(site.code)
            continue
        if site.weekly_minutes <= 0:
            refusals.no_capacity_set.append(site.code)
            continue
        candidate = _make_candidate(network, site, product, demand, refusals)
        if candidate is not None:
            result.append(candidate)
    return result


def _make_candidate(network: NetworkSnapshot, site: SiteInfo, product: ProductInfo,
                    demand: Demand, refusals: _Refusals) -> Candidate | None:
    need = product.minutes_for(demand.quantity)
    queued = network.load(site.id).before(demand.due_date)
    days_left = (demand.due_date - network.today).days
    work_days = math.ceil((queued + need) / site.daily_minutes) if need + queued > 0 else 0
    ready = network.today + timedelta(days=site.lead_days + work_days)
    usable_days = max(days_left - site.lead_days, 0)
    capacity = site.daily_minutes * usable_days
    if days_left > 0 and ready > demand.due_date:
        free = max(capacity - queued, 0.0)
        refusals.too_busy.append(f"{site.code} (needs {need / 60:.1f} h, {free / 60:.1f} h "
                                 "free)")
        return None
    share = (queued + need) / capacity if capacity > 0 else 1.0
    needed = ", ".join(sorted(product.capabilities)) or "no special capability"
    reasons = [f"Makes it: {site.code} has what the operations need ({needed})."]
    if days_left > 0:
        reasons.append(f"Load until {demand.due_date.isoformat()}: {(queued + need) / 60:.1f} h "
                       f"of {capacity / 60:.1f} h ({share:.0%}), this line "
                       f"{need / 60:.1f} h.")
    if site.lead_days:
        reasons.append(f"{site.code} needs {site.lead_days} days' notice before it starts.")
    parts = [ScorePart("load", max(0.0, 1.0 - min(share, 1.0)), WEIGHTS["load"],
                       f"{share:.0%} of the capacity until the due date")]
    components: tuple[ComponentSource, ...] = ()
    if demand.consider_materials:
        components = _components(network, site, product, demand.quantity)
        parts.append(_materials_part(components))
        reasons += [_component_reason(c) for c in components]
        # Work starts when the components are there (a capacity check alone would not see it).
        waiting = max((material_days(c) for c in components), default=0)
        if waiting > site.lead_days:
            ready += timedelta(days=waiting - site.lead_days)
            reasons.append(f"Components are expected in {waiting} day"
                           f"{'s' if waiting != 1 else ''}: work starts then.")
    return _finish(network, site, "make", demand, parts, reasons,
                   distance_km(site.point, demand.ship_to), ready, share, Decimal(0),
                   components)


def _components(network: NetworkSnapshot, site: SiteInfo, product: ProductInfo,
                qty: Decimal) -> tuple[ComponentSource, ...]:
    result = []
    for component_id, per_unit, scrap in product.bom:
        component = network.product(component_id)
        required = required_with_scrap(per_unit, qty, scrap)
        if component.whole:
            required = required.to_integral_value(rounding=ROUND_CEILING)
        stock = network.available(component_id)
        missing = required - stock.get(site.id, Decimal(0))
        if missing <= 0:
            continue
        source = nearest_source(network, site, stock, missing)
        result.append(ComponentSource(
            component_id, component.sku, component.unit, missing,
            source.id if source else None, source.code if source else "",
            distance_km(site.point, source.point) if source else None))
    return tuple(result)


def nearest_source(network: NetworkSnapshot, site: SiteInfo, stock: dict[uuid.UUID, Decimal],
                   wanted: Decimal) -> SiteInfo | None:
    """The usable site nearest to ``site`` holding at least ``wanted`` (None if none does);
    sites without coordinates come after those with."""
    holders = [network.sites[s] for s, qty in stock.items()
               if s != site.id and qty >= wanted and s in network.sites
               and network.sites[s].usable]
    holders.sort(key=lambda h: (distance_km(site.point, h.point) or math.inf, h.code))
    return holders[0] if holders else None


def transit_days(distance: float | None) -> int:
    """A shipment's lead time: a day, plus one per KM_PER_TRANSIT_DAY."""
    return 1 + int((distance or 0.0) // KM_PER_TRANSIT_DAY)


def material_days(c: ComponentSource) -> int:
    return transit_days(c.distance_km) if c.from_site_id else PURCHASE_LEAD_DAYS


def _materials_part(components: Sequence[ComponentSource]) -> ScorePart:
    if not components:
        return ScorePart("materials", 1.0, WEIGHTS["materials"], "every component on site")
    if all(c.from_site_id for c in components):
        return ScorePart("materials", 0.6, WEIGHTS["materials"],
                         f"{len(components)} component(s) to transfer in")
    return ScorePart("materials", 0.2, WEIGHTS["materials"], "components to buy")


def _component_reason(c: ComponentSource) -> str:
    short = f"Lacks {format_quantity(c.missing)} {c.unit} of {c.sku}"
    if c.from_site_id is None:
        return f"{short}: no site holds that much, so it must be bought."
    away = f" ({c.distance_km:.0f} km away)" if c.distance_km is not None else ""
    return f"{short}: a transfer from {c.from_site_code}{away} is needed."


def _finish(network: NetworkSnapshot, site: SiteInfo, action: str, demand: Demand,
            parts: list[ScorePart], reasons: list[str], distance: float | None, ready: date,
            share: float | None, available: Decimal,
            components: tuple[ComponentSource, ...]) -> Candidate:
    """Add the distance, lead-time and record parts and the overall score."""
    if distance is not None:
        parts.insert(0, ScorePart("distance", 1 / (1 + distance / KM_HALF_SCORE),
                                  WEIGHTS["distance"], f"{distance:.0f} km from the ship-to"))
        reasons.append(f"{distance:.0f} km from the ship-to.")
    days_left = (demand.due_date - network.today).days
    slack = (demand.due_date - ready).days
    lead_value = 0.0 if slack < 0 else (slack / days_left if days_left > 0 else 0.0)
    parts.append(ScorePart("lead time", min(lead_value, 1.0), WEIGHTS["lead time"],
                           f"ready {ready.isoformat()}"))
    record = network.record(site.id)
    record_value = record.record_score if record else 0.75
    parts.append(ScorePart("record", record_value, WEIGHTS["record"],
                           record.summary() if record else "no record"))
    if record is not None:
        reasons.append(record.summary())
    if slack >= 0:
        reasons.append(f"Ready by {ready.isoformat()}, {slack} day{'s' if slack != 1 else ''} "
                       f"before the due date.")
    else:
        reasons.append(f"Late: ready by {ready.isoformat()}, {-slack} day"
                       f"{'s' if slack != -1 else ''} after the due date.")
    total = sum(p.weight for p in parts)
    score = 100 * sum(p.value * p.weight for p in parts) / total
    return Candidate(site.id, site.code, site.name, action, round(score, 1), tuple(parts),
                     tuple(reasons), distance, ready, share, available, slack < 0,
                     components)


# --- customer order lines -----------------------------------------------------------------


def route_line(session: Session, line_id: uuid.UUID, today: date | None = None,
               network: NetworkSnapshot | None = None) -> LineRouting:
    """The ranked candidates of one customer order line (NotFoundError if unknown)."""
    row = session.execute(
        select(m.CustomerOrderLine, m.CustomerOrder, m.Contact)
        .join(m.CustomerOrder, m.CustomerOrder.id == m.CustomerOrderLine.order_id)
        .join(m.Contact, m.Contact.id == m.CustomerOrder.customer_id)
        .where(m.CustomerOrderLine.id == line_id)).first()
    if row is None:
        raise NotFoundError(f"Unknown customer order line: {line_id}.", field="line")
    network = network or NetworkSnapshot(session, today)
    return _route(network, *row)


def route_order(session: Session, number: str, today: date | None = None,
                network: NetworkSnapshot | None = None) -> list[LineRouting]:
    """The ranked candidates of every line of the customer order ``number``."""
    order = session.scalars(select(m.CustomerOrder).where(
        m.CustomerOrder.number == number.strip())).first()
    if order is None:
        raise NotFoundError(f"There is no customer order {number.strip()!r}.", field="order")
    customer = session.get(m.Contact, order.customer_id)
    assert customer is not None  # a foreign key
    network = network or NetworkSnapshot(session, today)
    return [_route(network, line, order, customer) for line in order.lines]


def route_lines(session: Session, line_ids: Iterable[uuid.UUID], today: date | None = None
                ) -> list[LineRouting]:
    """Many lines against one snapshot of the network (the benchmark, batch planning)."""
    network = NetworkSnapshot(session, today)
    return [route_line(session, line_id, network=network) for line_id in line_ids]


def ship_to_of(order: m.CustomerOrder, customer: m.Contact) -> Point:
    """The order's ship-to coordinates, else the customer's (None, None if neither)."""
    if order.ship_latitude is not None and order.ship_longitude is not None:
        return (order.ship_latitude, order.ship_longitude)
    return (customer.latitude, customer.longitude)


def _route(network: NetworkSnapshot, line: m.CustomerOrderLine, order: m.CustomerOrder,
           customer: m.Contact) -> LineRouting:
    point = ship_to_of(order, customer)
    product = network.product(line.product_id)
    candidates, why, notes = rank(network, Demand(line.product_id, line.quantity,
                                                  order.due_date, point))
    return LineRouting(order.id, order.number, line.id, line.line_no, product.id, product.sku,
                       product.name, line.quantity, product.unit, order.due_date, customer.name,
                       point, tuple(candidates), tuple(notes), why)
