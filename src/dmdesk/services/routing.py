"""Routing, write side: serve a customer order line from the site the owner chose.

``apply_route`` does what a candidate of queries.routing proposes for what is still open of the
line (db/line_plan.py; a fully planned line is refused), in one transaction:

- **ship**: a transfer of that quantity, linked to the line, from the site's stock to the
  dispatching site (this database's own site, or ``to_location_id``);
- **make**: a work order at the site for the line, plus a transfer for each component the site
  lacks, from the nearest sites that hold it (what no site holds is reported as to be bought).

Everything is checked again here (the stock or the site may have changed since the ranking):
a refusal raises a domain error and writes nothing.
"""

from __future__ import annotations

import math
import uuid
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select

from dmdesk.db import models as m
from dmdesk.db.free_stock import free_at
from dmdesk.db.units import whole_units
from dmdesk.domain.errors import IllegalTransitionError, ValidationError
from dmdesk.domain.geo import distance_km
from dmdesk.domain.kinds import (
    MAKING_SITE_KINDS,
    LocationKind,
    ProductKind,
    SiteKind,
    SiteStatus,
)
from dmdesk.domain.quantity import format_quantity, required_with_scrap
from dmdesk.domain.stock_take import take_in_order
from dmdesk.services.context import ServiceContext, UnitOfWork
from dmdesk.services.line_room import open_quantity
from dmdesk.services.stock import TransferLineSpec, ship_transfer_in
from dmdesk.services.work_orders import create_work_order_in

ACTIONS = ("ship", "make")

# (location, lot, free quantity)
StockSlot = tuple[uuid.UUID, uuid.UUID | None, Decimal]


@dataclass(frozen=True)
class RouteResult:
    action: str
    site_code: str
    work_order_id: uuid.UUID | None
    work_order_number: str  # empty for a shipment
    transfer_numbers: tuple[str, ...]
    messages: tuple[str, ...]  # what was done and what is left to do, as sentences


def free_stock(uow: UnitOfWork, site_id: uuid.UUID, product_id: uuid.UUID) -> list[StockSlot]:
    """Stock of ``product_id`` at the site free of reservations (db.free_stock: internal open
    locations, oldest lots first)."""
    return [slot.by_id for slot in free_at(uow.session, site_id, product_id)]


def main_location(uow: UnitOfWork, site: m.Site) -> m.Location:
    """The site's first internal open location (by code): where transfers to it arrive."""
    location = uow.session.scalars(
        select(m.Location).where(m.Location.site_id == site.id,
                                 m.Location.kind == LocationKind.INTERNAL.value,
                                 m.Location.archived.is_(False))
        .order_by(m.Location.code).limit(1)).first()
    if location is None:
        raise ValidationError(f"{site.code} has no open stock location to receive into.",
                              field="site")
    return location


def take(slots: list[StockSlot], wanted: Decimal) -> list[StockSlot]:
    """Slots covering ``wanted`` (or as much of it as there is), in order."""
    return take_in_order(slots, wanted).takes


def ship_slots(uow: UnitOfWork, slots: list[StockSlot], product_id: uuid.UUID,
               destination: uuid.UUID, note: str,
               line_id: uuid.UUID | None = None) -> list[str]:
    """One transfer per source location, into ``destination`` (for the customer order line
    ``line_id`` when they ship its product); their numbers."""
    by_location: dict[uuid.UUID, list[TransferLineSpec]] = defaultdict(list)
    for location, lot, amount in slots:
        by_location[location].append(TransferLineSpec(product_id, amount, lot))
    return [ship_transfer_in(uow, location, destination, lines, note=note,
                             customer_order_line_id=line_id).reference
            for location, lines in by_location.items()]


def _usable_site(uow: UnitOfWork, site_id: uuid.UUID) -> m.Site:
    site = uow.get(m.Site, site_id, "site")
    if site.archived or site.status != SiteStatus.ACTIVE:
        raise ValidationError(f"{site.code} is {'archived' if site.archived else site.status}; "
                              "choose an active site.", field="site")
    return site


def apply_route(ctx: ServiceContext, line_id: uuid.UUID, site_id: uuid.UUID, action: str,
                *, to_location_id: uuid.UUID | None = None) -> RouteResult:
    """Serve what is still open of the customer order line ``line_id`` (db/line_plan.py) from
    ``site_id`` by ``action`` ("ship" or "make"), in one transaction. A line fully planned is
    refused, naming what serves it. Returns the documents made and what is left to do."""
    if action not in ACTIONS:
        raise ValidationError(f"Unknown routing action {action!r}: use 'ship' or 'make'.",
                              field="action")
    with ctx.transaction() as uow:
        line = uow.get(m.CustomerOrderLine, line_id, "customer order line")
        order = uow.get(m.CustomerOrder, line.order_id, "customer order")
        if order.state != "open":
            raise IllegalTransitionError(f"Order {order.number} is {order.state}; only open "
                                         "orders are routed.", field="order")
        site = _usable_site(uow, site_id)
        label = f"{order.number} line {line.line_no}"
        wanted = open_quantity(uow, line).open
        if action == "ship":
            result = _ship(uow, line, site, label, wanted, to_location_id)
        else:
            result = _make(uow, line, order, site, label, wanted)
        uow.audit("route", "customer_order_line", line.id, order=order.number,
                  line=line.line_no, how=action, site=site.code,
                  work_order=result.work_order_number,
                  transfers=",".join(result.transfer_numbers))
        return result


def _ship(uow: UnitOfWork, line: m.CustomerOrderLine, site: m.Site, label: str,
          wanted: Decimal, to_location_id: uuid.UUID | None) -> RouteResult:
    product = uow.get(m.Product, line.product_id, "product")
    if to_location_id is not None:
        destination = uow.get(m.Location, to_location_id, "destination location")
    else:
        home = uow.session.scalars(select(m.Site).where(m.Site.code == uow.site_code)).first()
        if home is None:
            raise ValidationError("This database's own site is not set: give the location "
                                  "to ship to.", field="to_location")
        destination = main_location(uow, home)
    slots = free_stock(uow, site.id, product.id)
    free = sum((s[2] for s in slots), Decimal(0))
    if free < wanted:
        raise ValidationError(f"{site.code} holds only {format_quantity(free)} {product.unit} "
                              f"of {product.sku} free; {label} needs "
                              f"{format_quantity(wanted)}.", field="site")
    if destination.site_id == site.id:
        return RouteResult("ship", site.code, None, "", (), (
            f"{format_quantity(wanted)} {product.unit} of {product.sku} for {label} "
            f"are already at {site.code}, the dispatching site: no transfer needed.",))
    numbers = ship_slots(uow, take(slots, wanted), product.id, destination.id,
                         f"For {label}", line.id)
    return RouteResult("ship", site.code, None, "", tuple(numbers), (
        f"Shipped {format_quantity(wanted)} {product.unit} of {product.sku} from "
        f"{site.code} for {label} ({', '.join(numbers)}).",))


def _make(uow: UnitOfWork, line: m.CustomerOrderLine, order: m.CustomerOrder, site: m.Site,
          label: str, wanted: Decimal) -> RouteResult:
    product = uow.get(m.Product, line.product_id, "product")
    if product.kind == ProductKind.RAW_MATERIAL:
        raise ValidationError(f"{product.sku} is a raw material: it is bought, not made.",
                              field="product")
    if site.kind not in MAKING_SITE_KINDS:
        raise ValidationError(f"{site.code} is a {site.kind.replace('_', ' ')}: it does not "
                              "make things.", field="site")
    _check_capabilities(uow, site, product)
    customer = uow.get(m.Contact, order.customer_id, "customer")
    created = create_work_order_in(uow, product.id, wanted, site.id, order.due_date,
                                   customer_order_line_id=line.id,
                                   notes=f"For {label}, {customer.name}")
    messages = [f"Work order {created.number} for {format_quantity(wanted)} "
                f"{product.unit} of {product.sku} at {site.code}."]
    transfers: list[str] = []
    for component_id, missing in _missing_components(uow, site, product, wanted):
        sent, left = _bring_in(uow, site, component_id, missing, created.number)
        transfers += sent
        component = uow.get(m.Product, component_id, "product")
        if sent:
            messages.append(f"{component.sku}: transfer {', '.join(sent)} to {site.code}.")
        if left > 0:
            messages.append(f"{component.sku}: {format_quantity(left)} {component.unit} are "
                            "held nowhere else in the network: buy them.")
    return RouteResult("make", site.code, created.id, created.number, tuple(transfers),
                       tuple(messages))


def _check_capabilities(uow: UnitOfWork, site: m.Site, product: m.Product) -> None:
    needed = {c for c in uow.session.scalars(select(m.Operation.capability).where(
        m.Operation.product_id == product.id)) if c}
    have = {t.strip() for t in site.capabilities.split(",") if t.strip()}
    if needed - have:
        raise ValidationError(f"{site.code} lacks the capability "
                              f"{', '.join(sorted(needed - have))} that {product.sku}'s "
                              "operations need.", field="site")


def _missing_components(uow: UnitOfWork, site: m.Site, product: m.Product, qty: Decimal
                        ) -> list[tuple[uuid.UUID, Decimal]]:
    whole = whole_units(uow.session)
    result = []
    for line, component in uow.session.execute(
            select(m.BomLine, m.Product).join(m.Product, m.Product.id == m.BomLine.component_id)
            .where(m.BomLine.parent_id == product.id).order_by(m.BomLine.sequence)):
        required = required_with_scrap(line.quantity, qty, line.scrap_pct,
                                       whole=component.unit in whole)
        free = sum((s[2] for s in free_stock(uow, site.id, component.id)), Decimal(0))
        if required > free:
            result.append((component.id, required - free))
    return result


def _bring_in(uow: UnitOfWork, site: m.Site, product_id: uuid.UUID, missing: Decimal,
              reference: str) -> tuple[list[str], Decimal]:
    """Transfers of ``missing`` from the nearest usable sites that hold it (several if one is
    not enough); returns their numbers and what no site could give."""
    destination = main_location(uow, site).id
    sources = [s for s in uow.session.scalars(select(m.Site).where(
        m.Site.id != site.id, m.Site.archived.is_(False),
        m.Site.status == SiteStatus.ACTIVE.value, m.Site.kind != SiteKind.IN_TRANSIT.value))]
    sources.sort(key=lambda s: (distance_km((site.latitude, site.longitude),
                                            (s.latitude, s.longitude)) or math.inf, s.code))
    numbers: list[str] = []
    for source in sources:
        if missing <= 0:
            break
        picked = take(free_stock(uow, source.id, product_id), missing)
        if picked:
            numbers += ship_slots(uow, picked, product_id, destination, f"For {reference}")
            missing -= sum((p[2] for p in picked), Decimal(0))
    return numbers, max(missing, Decimal(0))
