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
- materials: 1 when shipping (already made) or when the site holds every component, less when
  components must be transferred in, or bought; work starts when they arrive (a day per
  300 km for a transfer, PURCHASE_LEAD_DAYS for a purchase), which moves the ready date.

The network is read once into a snapshot (queries.network_snapshot), so routing many lines
costs a few queries a line.
Writes (creating the transfer or the work order) are in services.routing.
"""

from __future__ import annotations

import math
import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from dmdesk.db import models as m
from dmdesk.db.chunks import chunked
from dmdesk.db.line_plan import LinePlan, line_plan, line_plans
from dmdesk.domain.errors import NotFoundError
from dmdesk.domain.geo import distance_km
from dmdesk.domain.kinds import MAKING_SITE_KINDS, ProductKind
from dmdesk.domain.quantity import format_quantity, required_with_scrap
from dmdesk.queries.network_snapshot import (
    NetworkSnapshot,
    Point,
    ProductInfo,
    SiteInfo,
)

WEIGHTS = {"distance": 0.35, "load": 0.2, "lead time": 0.2, "record": 0.15, "materials": 0.1}
KM_HALF_SCORE = 200.0   # the distance at which the distance part is 0.5
KM_PER_TRANSIT_DAY = 300.0  # a rough day's haul: lead time of a shipment
# Components no site holds are bought; dmdesk has no purchasing yet, so a week is assumed.
PURCHASE_LEAD_DAYS = 7
ASAP_HORIZON_DAYS = 7  # the capacity a line already past due is weighed against


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
    quantity: Decimal  # ordered
    unit: str
    due_date: date
    customer: str
    ship_to: Point
    candidates: tuple[Candidate, ...]  # for the open quantity only
    notes: tuple[str, ...]
    why_none: str  # empty when there are candidates
    plan: LinePlan  # what is planned for the line already (db/line_plan.py)

    @property
    def best(self) -> Candidate | None:
        return self.candidates[0] if self.candidates else None

    @property
    def open(self) -> Decimal:
        """What the candidates serve: the line's quantity less what is planned."""
        return self.plan.open

    @property
    def fully_planned(self) -> bool:
        return self.plan.open <= 0


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

    makers: int = 0  # making sites looked at (not excluded)
    offline_makers: list[str] = field(default_factory=list)
    offline_holders: list[str] = field(default_factory=list)
    missing: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    no_capacity_set: list[str] = field(default_factory=list)
    too_busy: list[str] = field(default_factory=list)
    short_stock: list[str] = field(default_factory=list)

    def _making(self, product: ProductInfo, demand: Demand) -> list[str]:
        if self.makers == 0:
            return ["no other site makes things (no own workshop or micro-producer)"]
        if len(self.offline_makers) == self.makers:
            return ["every site that makes things is offline or paused ("
                    f"{', '.join(self.offline_makers)})"]
        parts = [f"missing capability {caps} at {', '.join(codes)}"
                 for caps, codes in sorted(self.missing.items())]
        if self.too_busy:
            parts.append(f"no capacity before {demand.due_date.isoformat()} at "
                         f"{', '.join(self.too_busy)}")
        if self.no_capacity_set:
            parts.append(f"no weekly capacity set at {', '.join(self.no_capacity_set)}")
        if self.offline_makers:
            parts.append(f"offline or paused: {', '.join(self.offline_makers)}")
        return parts

    def sentence(self, product: ProductInfo, demand: Demand, make: bool, ship: bool) -> str:
        parts = (self._making(product, demand) if make
                 else [f"{product.sku} is a raw material: it is bought, not made"])
        if ship:
            held = self.short_stock + [f"{h} holds some but is offline or paused"
                                       for h in self.offline_holders]
            parts.append("no site holds "
                         f"{format_quantity(demand.quantity)} {product.unit} of {product.sku}"
                         + (f" ({', '.join(held)})" if held else ""))
        return "No site can serve it: " + "; ".join(parts) + "."


def rank(network: NetworkSnapshot, demand: Demand) -> tuple[list[Candidate], str, list[str]]:
    """Candidates best first, the reason when there are none, and notes about the ranking."""
    network.prefetch(demand.product_id, materials=demand.consider_materials)
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
            refusals.offline_holders.append(site.code)
            continue
        if available < demand.quantity:
            refusals.short_stock.append(f"{site.code} has {format_quantity(available)}")
            continue
        distance = distance_km(site.point, demand.ship_to)
        ready = network.today + timedelta(days=transit_days(distance))
        reasons = [f"Ships from stock: {site.code} holds {format_quantity(available)} "
                   f"{product.unit} of {product.sku} free of reservations (needs "
                   f"{format_quantity(demand.quantity)})."]
        parts = [ScorePart("load", 1.0, WEIGHTS["load"], "from stock: no production load"),
                 ScorePart("materials", 1.0, WEIGHTS["materials"], "already made")]
        result.append(_finish(network, site, "ship", demand, parts, reasons, distance, ready,
                              None, available, ()))
    return result


def _make_candidates(network: NetworkSnapshot, product: ProductInfo, demand: Demand,
                     refusals: _Refusals) -> list[Candidate]:
    result = []
    for site in network.sites.values():
        if site.kind not in MAKING_SITE_KINDS or site.id in demand.exclude:
            continue
        refusals.makers += 1
        if not site.usable:
            refusals.offline_makers.append(f"{site.code} {site.state_text()}")
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
    days_left = (demand.due_date - network.today).days
    # A line already past due is made as soon as possible: its load is weighed over a week.
    horizon = (demand.due_date if days_left > 0
               else network.today + timedelta(days=ASAP_HORIZON_DAYS))
    queued = network.load(site.id).before(horizon)
    work_days = math.ceil((queued + need) / site.daily_minutes) if need + queued > 0 else 0
    ready = network.today + timedelta(days=site.lead_days + work_days)
    capacity = site.daily_minutes * max((horizon - network.today).days - site.lead_days, 0)
    if days_left > 0 and ready > demand.due_date:
        free = max(capacity - queued, 0.0)
        refusals.too_busy.append(f"{site.code} (needs {need / 60:.1f} h, {free / 60:.1f} h "
                                 "free)")
        return None
    share = (queued + need) / capacity if capacity > 0 else 1.0
    needed = ", ".join(sorted(product.capabilities)) or "no special capability"
    reasons = [f"Makes it: {site.code} has what the operations need ({needed})."]
    until = (f"until {demand.due_date.isoformat()}" if days_left > 0
             else f"in the coming {ASAP_HORIZON_DAYS} days")
    reasons.append(f"Load {until}: {(queued + need) / 60:.1f} h of {capacity / 60:.1f} h "
                   f"({share:.0%}), this line {need / 60:.1f} h.")
    if site.lead_days:
        reasons.append(f"{site.code} needs {site.lead_days} days' notice before it starts.")
    parts = [ScorePart("load", max(0.0, 1.0 - min(share, 1.0)), WEIGHTS["load"],
                       f"{share:.0%} of the capacity {until}")]
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
        required = required_with_scrap(per_unit, qty, scrap, whole=component.whole)
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
    return _route(network, *row, line_plan(session, line_id))


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
    plans = line_plans(session, [line.id for line in order.lines])
    return [_route(network, line, order, customer, plans[line.id]) for line in order.lines]


def route_lines(session: Session, line_ids: Iterable[uuid.UUID], today: date | None = None,
                network: NetworkSnapshot | None = None) -> list[LineRouting]:
    """Many lines against one snapshot of the network (batch planning, the benchmark): the
    lines, their products and components and their stock are read in batches, then ranked.
    Lines come back in the order given; an unknown line raises NotFoundError."""
    wanted = list(line_ids)
    network = network or NetworkSnapshot(session, today)
    rows: dict[uuid.UUID, tuple[m.CustomerOrderLine, m.CustomerOrder, m.Contact]] = {}
    for chunk in chunked(wanted):
        for line, order, customer in session.execute(
                select(m.CustomerOrderLine, m.CustomerOrder, m.Contact)
                .join(m.CustomerOrder, m.CustomerOrder.id == m.CustomerOrderLine.order_id)
                .join(m.Contact, m.Contact.id == m.CustomerOrder.customer_id)
                .where(m.CustomerOrderLine.id.in_(chunk))):
            rows[line.id] = (line, order, customer)
    unknown = [line_id for line_id in wanted if line_id not in rows]
    if unknown:
        raise NotFoundError(f"Unknown customer order line: {unknown[0]}.", field="line")
    network.prefetch(*{line.product_id for line, _o, _c in rows.values()})
    plans = line_plans(session, wanted)
    return [_route(network, *rows[line_id], plans[line_id]) for line_id in wanted]


def ship_to_of(order: m.CustomerOrder, customer: m.Contact) -> Point:
    """The order's ship-to coordinates, else the customer's (None, None if neither)."""
    if order.ship_latitude is not None and order.ship_longitude is not None:
        return (order.ship_latitude, order.ship_longitude)
    return (customer.latitude, customer.longitude)


def _route(network: NetworkSnapshot, line: m.CustomerOrderLine, order: m.CustomerOrder,
           customer: m.Contact, plan: LinePlan) -> LineRouting:
    """Rank the sites for what is open of the line; a fully planned line is not ranked."""
    point = ship_to_of(order, customer)
    product = network.product(line.product_id)
    if plan.open <= 0:
        candidates: list[Candidate] = []
        notes: list[str] = []
        why = f"Nothing left to plan: {plan.summary()}."
    else:
        candidates, why, notes = rank(network, Demand(line.product_id, plan.open,
                                                      order.due_date, point))
        if plan.planned > 0:
            notes.insert(0, f"{plan.summary()}; the sites are ranked for the "
                         f"{format_quantity(plan.open)} {product.unit} left.")
    return LineRouting(order.id, order.number, line.id, line.line_no, product.id, product.sku,
                       product.name, line.quantity, product.unit, order.due_date, customer.name,
                       point, tuple(candidates), tuple(notes), why, plan)
