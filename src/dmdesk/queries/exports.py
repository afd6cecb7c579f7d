"""Read-side row streams for the Excel exports: plain tuples, in a stable order.

Quantities come back as exact ``Decimal``s (money and value too); the big ledger stream reads
raw scaled integers and naive UTC datetimes instead of going through the column types, so a
million moves stream without building an ORM object or an aware datetime per row.

Periods are half-open UTC intervals ``[start, end)``; the caller turns calendar days into them.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    DateTime,
    Integer,
    Select,
    and_,
    case,
    func,
    or_,
    select,
    text,
    true,
    type_coerce,
)
from sqlalchemy.orm import Session, aliased

from dmdesk.db import models as m
from dmdesk.domain.kinds import ContactKind, SiteKind
from dmdesk.domain.quantity import (
    MONEY_SCALE,
    QUANTITY_PLACES,
    QUANTITY_SCALE,
    from_scaled,
)
from dmdesk.domain.work_order_states import WOState

# Labour is costed at the site's rate: the hourly rate of the contacts linked to the site (its
# organisation first, then people; the highest rate). A site with no rate gets this default.
DEFAULT_LABOUR_RATE = Decimal("35.00")

MOVES_BATCH = 5000


def _qty(raw: int | None) -> Decimal:
    return from_scaled(int(raw or 0), QUANTITY_SCALE, QUANTITY_PLACES)


def _raw(column: Any) -> Any:
    """The stored scaled integer of a Qty/Money column, without the Decimal conversion."""
    return type_coerce(column, Integer)


# --- stock ---------------------------------------------------------------------------------

def _stock_query(query: Select[Any], site_id: uuid.UUID | None) -> Select[Any]:
    query = (query.join(m.Location, m.Location.id == m.StockBalance.location_id)
             .where((m.StockBalance.on_hand != 0) | (m.StockBalance.reserved != 0)))
    return query if site_id is None else query.where(m.Location.site_id == site_id)


def stock_count(session: Session, site_id: uuid.UUID | None) -> int:
    return int(session.scalar(_stock_query(
        select(func.count()).select_from(m.StockBalance), site_id)) or 0)


StockRow = tuple[str, str, str, str, str, Decimal, Decimal, Decimal, str]


def stock_rows(session: Session, site_id: uuid.UUID | None) -> Iterator[StockRow]:
    """(site, location, sku, name, lot, on hand, reserved, available, unit) per balance."""
    base: Any = select(m.Site.code, m.Location.code, m.Product.sku, m.Product.name,
                       m.Lot.code, m.StockBalance.on_hand, m.StockBalance.reserved,
                       m.Product.unit)
    query = (_stock_query(base, site_id)
             .join(m.Product, m.Product.id == m.StockBalance.product_id)
             .join(m.Site, m.Site.id == m.Location.site_id)
             .outerjoin(m.Lot, m.Lot.id == m.StockBalance.lot_id)
             .order_by(m.Site.code, m.Location.code, m.Product.sku, m.Lot.code))
    for site, location, sku, name, lot, on_hand, reserved, unit in session.execute(query):
        yield (site, location, sku, name, lot or "", on_hand, reserved, on_hand - reserved,
               unit)


# --- valuation -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ValuationRow:
    site: str
    site_name: str
    sku: str
    name: str
    unit: str
    quantity: Decimal
    unit_cost: Decimal

    @property
    def value(self) -> Decimal:
        return self.quantity * self.unit_cost


def valuation_rows(session: Session, site_id: uuid.UUID | None,
                   as_of: datetime | None = None) -> list[ValuationRow]:
    """Quantity x standard cost per product per site, ordered by site then SKU.

    Without ``as_of`` the quantities are today's balances; with it, the ledger summed up to
    (not including) that instant. The cost is the product's current standard cost (there is
    no cost history). Rows with a zero quantity are left out. One row per product and site,
    so the list is small (products x sites) and fits in memory.
    """
    if as_of is None:
        quantity = func.sum(_raw(m.StockBalance.on_hand))
        query = (select(m.Location.site_id, m.StockBalance.product_id, quantity)
                 .join(m.Location, m.Location.id == m.StockBalance.location_id)
                 .group_by(m.Location.site_id, m.StockBalance.product_id))
    else:
        quantity = func.sum(_raw(m.StockMove.quantity))
        query = (select(m.Location.site_id, m.StockMove.product_id, quantity)
                 .join(m.Location, m.Location.id == m.StockMove.location_id)
                 .where(m.StockMove.created_at < as_of)
                 .group_by(m.Location.site_id, m.StockMove.product_id))
    if site_id is not None:
        query = query.where(m.Location.site_id == site_id)
    totals = {(s, p): int(q) for s, p, q in session.execute(query) if q}
    sites = {row.id: row for row in session.execute(select(m.Site.id, m.Site.code, m.Site.name))}
    products = {row.id: row for row in session.execute(
        select(m.Product.id, m.Product.sku, m.Product.name, m.Product.unit,
               m.Product.standard_cost))}
    rows = [ValuationRow(sites[s].code, sites[s].name, products[p].sku, products[p].name,
                         products[p].unit, _qty(q), products[p].standard_cost)
            for (s, p), q in totals.items()]
    rows.sort(key=lambda r: (r.site, r.sku))
    return rows


# --- moves ---------------------------------------------------------------------------------


def _moves_where(query: Select[Any], site_id: uuid.UUID | None, start: datetime | None,
                 end: datetime | None) -> Select[Any]:
    if site_id is not None:
        query = query.where(m.Location.site_id == site_id)
    if start is not None:
        query = query.where(m.StockMove.created_at >= start)
    if end is not None:
        query = query.where(m.StockMove.created_at < end)
    return query


def move_count(session: Session, site_id: uuid.UUID | None, start: datetime | None,
               end: datetime | None) -> int:
    query = (select(func.count()).select_from(m.StockMove)
             .join(m.Location, m.Location.id == m.StockMove.location_id))
    return int(session.scalar(_moves_where(query, site_id, start, end)) or 0)


MoveRow = tuple[datetime, str, str, str, str, str, str, Decimal, str, str]


def move_rows(session: Session, site_id: uuid.UUID | None, start: datetime | None,
              end: datetime | None) -> Iterator[MoveRow]:
    """(when UTC naive, reference, reason, sku, site, location, lot, quantity, by, note),
    in ledger order, streamed in batches."""
    query = (select(type_coerce(m.StockMove.created_at, DateTime()), m.StockMove.reference,
                    m.StockMove.reason, m.Product.sku, m.Site.code, m.Location.code,
                    m.Lot.code, _raw(m.StockMove.quantity), m.StockMove.actor,
                    m.StockMove.note)
             .join(m.Product, m.Product.id == m.StockMove.product_id)
             .join(m.Location, m.Location.id == m.StockMove.location_id)
             .join(m.Site, m.Site.id == m.Location.site_id)
             .outerjoin(m.Lot, m.Lot.id == m.StockMove.lot_id)
             .order_by(m.StockMove.id))
    query = _moves_where(query, site_id, start, end)
    result = session.execute(query.execution_options(yield_per=MOVES_BATCH))
    scale = QUANTITY_SCALE
    for when, ref, reason, sku, site, loc, lot, qty, actor, note in result:
        # Decimal(int) / 1000 is exact (context precision 28 digits is far beyond 10**12).
        yield when, ref, reason, sku, site, loc, lot or "", Decimal(qty) / scale, actor, note


@contextmanager
def _sorting_on_disk(session: Session) -> Iterator[None]:
    """Let SQLite spill a big GROUP BY's sorter to a temporary file for one query.

    The engine keeps temporary tables in memory (fast for the small sorts of the GUI); grouping
    a million moves that way costs ~50 MB of RAM, so the export's big aggregate sorts on disk.
    """
    previous = int(session.execute(text("PRAGMA temp_store")).scalar_one())
    session.execute(text("PRAGMA temp_store = FILE"))
    try:
        yield
    finally:
        session.execute(text(f"PRAGMA temp_store = {previous}"))


@dataclass(frozen=True, slots=True)
class BalanceRow:
    sku: str
    name: str
    unit: str
    site: str
    opening: Decimal
    received: Decimal
    issued: Decimal

    @property
    def net(self) -> Decimal:
        return self.received - self.issued

    @property
    def closing(self) -> Decimal:
        return self.opening + self.net


def period_balances(session: Session, site_id: uuid.UUID | None, start: datetime | None,
                    end: datetime | None) -> list[BalanceRow]:
    """Per product and site: opening (every move before ``start``), what came in and went out
    within the period, and so the closing balance. Pairs with nothing at all are left out."""
    qty = _raw(m.StockMove.quantity)
    before = m.StockMove.created_at < start if start is not None else None
    in_period: list[Any] = []
    if start is not None:
        in_period.append(m.StockMove.created_at >= start)
    if end is not None:
        in_period.append(m.StockMove.created_at < end)
    zero: Any = 0
    opening = func.sum(case((before, qty), else_=zero)) if before is not None else zero
    period = and_(true(), *in_period)
    received = func.sum(case((period & (qty > 0), qty), else_=zero))
    issued = func.sum(case((period & (qty < 0), -qty), else_=zero))
    query = (select(m.StockMove.product_id, m.Location.site_id, opening, received, issued)
             .join(m.Location, m.Location.id == m.StockMove.location_id)
             .group_by(m.StockMove.product_id, m.Location.site_id))
    if site_id is not None:
        query = query.where(m.Location.site_id == site_id)
    if end is not None:
        query = query.where(m.StockMove.created_at < end)
    sites = {site: code for site, code in session.execute(select(m.Site.id, m.Site.code))}
    products = {row.id: row for row in session.execute(
        select(m.Product.id, m.Product.sku, m.Product.name, m.Product.unit))}
    rows = []
    with _sorting_on_disk(session):
        for product_id, site, open_raw, in_raw, out_raw in session.execute(query):
            if not (open_raw or in_raw or out_raw):
                continue
            product = products[product_id]
            rows.append(BalanceRow(product.sku, product.name, product.unit, sites[site],
                                   _qty(open_raw), _qty(in_raw), _qty(out_raw)))
    rows.sort(key=lambda r: (r.site, r.sku))
    return rows


# --- work orders ---------------------------------------------------------------------------


@dataclass(frozen=True)
class WorkOrderRow:
    number: str
    sku: str
    name: str
    site: str
    state: str
    due_date: date
    released_at: datetime | None
    started_at: datetime | None
    completed_at: datetime | None
    quantity: Decimal
    good: Decimal
    scrap: Decimal
    unit: str
    material_cost: Decimal
    labour_minutes: Decimal
    labour_rate: Decimal

    @property
    def labour_cost(self) -> Decimal:
        return self.labour_minutes * self.labour_rate / 60

    @property
    def total_cost(self) -> Decimal:
        return self.material_cost + self.labour_cost


def site_labour_rates(session: Session) -> dict[uuid.UUID, Decimal]:
    """Each site's hourly rate (see DEFAULT_LABOUR_RATE); sites with none are absent."""
    rows = session.execute(
        select(m.Contact.site_id, m.Contact.kind, m.Contact.hourly_rate)
        .where(m.Contact.site_id.is_not(None), m.Contact.archived.is_(False),
               _raw(m.Contact.hourly_rate) > 0))
    best: dict[uuid.UUID, tuple[bool, Decimal]] = {}
    for site_id, kind, rate in rows:
        if site_id is None:
            continue
        key = (kind == ContactKind.ORGANISATION.value, rate)
        if site_id not in best or key > best[site_id]:
            best[site_id] = key
    return {site: rate for site, (_org, rate) in best.items()}


def work_order_count(session: Session, site_id: uuid.UUID | None, first: date | None,
                     last: date | None) -> int:
    return int(session.scalar(_work_orders_where(
        select(func.count()).select_from(m.WorkOrder), site_id, first, last)) or 0)


def _work_orders_where(query: Select[Any], site_id: uuid.UUID | None, first: date | None,
                       last: date | None) -> Select[Any]:
    if site_id is not None:
        query = query.where(m.WorkOrder.site_id == site_id)
    if first is not None:
        query = query.where(m.WorkOrder.due_date >= first)
    if last is not None:
        query = query.where(m.WorkOrder.due_date <= last)
    return query


def work_order_rows(session: Session, site_id: uuid.UUID | None, first: date | None,
                    last: date | None) -> Iterator[WorkOrderRow]:
    """Work orders due within [first, last], by number, with their costs.

    Material cost: what was consumed x the component's standard cost. Labour: the planned
    minutes of the order's operations (setup + run per unit x quantity; before release, the
    product's routing) x the making site's hourly rate (``site_labour_rates``, else
    ``DEFAULT_LABOUR_RATE``).
    """
    component = aliased(m.Product)
    material: dict[uuid.UUID, Any] = {wo: total for wo, total in session.execute(
        select(m.WOMaterial.work_order_id,
               func.sum(_raw(m.WOMaterial.consumed) * _raw(component.standard_cost)))
        .join(component, component.id == m.WOMaterial.product_id)
        .group_by(m.WOMaterial.work_order_id))}
    pinned = {wo: (int(s or 0), int(r or 0)) for wo, s, r in session.execute(
        select(m.WOOperation.work_order_id, func.sum(_raw(m.WOOperation.setup_minutes)),
               func.sum(_raw(m.WOOperation.run_minutes)))
        .group_by(m.WOOperation.work_order_id))}
    routing = {p: (int(s or 0), int(r or 0)) for p, s, r in session.execute(
        select(m.Operation.product_id, func.sum(_raw(m.Operation.setup_minutes)),
               func.sum(_raw(m.Operation.run_minutes)))
        .group_by(m.Operation.product_id))}
    rates = site_labour_rates(session)
    base: Any = (
        select(m.WorkOrder, m.Product.sku, m.Product.name, m.Product.unit, m.Site.code)
        .join(m.Product, m.Product.id == m.WorkOrder.product_id)
        .join(m.Site, m.Site.id == m.WorkOrder.site_id)
        .order_by(m.WorkOrder.number))
    query = _work_orders_where(base, site_id, first, last)
    for wo, sku, name, unit, site in session.execute(query.execution_options(yield_per=1000)):
        setup, run = pinned.get(wo.id) or routing.get(wo.product_id, (0, 0))
        minutes = _qty(setup) + _qty(run) * wo.quantity
        raw_material = int(material.get(wo.id) or 0)
        material_cost = Decimal(raw_material) / (QUANTITY_SCALE * MONEY_SCALE)
        yield WorkOrderRow(wo.number, sku, name, site, wo.state, wo.due_date, wo.released_at,
                           wo.started_at, wo.completed_at, wo.quantity, wo.good_qty,
                           wo.scrap_qty, unit, material_cost, minutes,
                           rates.get(wo.site_id, DEFAULT_LABOUR_RATE))


# --- producers -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ProducerRow:
    code: str
    name: str
    status: str
    address: str
    capabilities: str
    weekly_capacity_hours: Decimal
    contacts: int
    finished: int
    on_time: int
    good: Decimal
    scrap: Decimal

    @property
    def on_time_rate(self) -> Decimal | None:
        return Decimal(self.on_time) / self.finished if self.finished else None

    @property
    def scrap_rate(self) -> Decimal | None:
        made = self.good + self.scrap
        return self.scrap / made if made else None


@dataclass(frozen=True)
class ProducerContactRow:
    site: str
    name: str
    organisation: str
    role: str
    email: str
    phone: str
    capabilities: str
    lead_time_days: int
    hourly_rate: Decimal


def _producer_sites(session: Session, site_id: uuid.UUID | None) -> list[m.Site]:
    query = (select(m.Site).where(m.Site.kind == SiteKind.MICRO_PRODUCER.value)
             .order_by(m.Site.code))
    if site_id is not None:
        query = query.where(m.Site.id == site_id)
    return list(session.scalars(query))


def producer_rows(session: Session, site_id: uuid.UUID | None, start: datetime | None,
                  end: datetime | None) -> list[ProducerRow]:
    """Micro-producer sites with on-time and scrap figures from the work orders finished
    (state done) within [start, end). On time: completed on or before the due date (UTC day,
    as the site view counts it). Scrap rate: scrap / (good + scrap)."""
    on_time = func.date(m.WorkOrder.completed_at) <= m.WorkOrder.due_date
    done = (select(m.WorkOrder.site_id, func.count(),
                   func.sum(case((on_time, 1), else_=0)),
                   func.sum(_raw(m.WorkOrder.good_qty)), func.sum(_raw(m.WorkOrder.scrap_qty)))
            .where(m.WorkOrder.state == WOState.DONE.value)
            .group_by(m.WorkOrder.site_id))
    if start is not None:
        done = done.where(m.WorkOrder.completed_at >= start)
    if end is not None:
        done = done.where(m.WorkOrder.completed_at < end)
    figures = {row[0]: row[1:] for row in session.execute(done)}
    rows = []
    for site in _producer_sites(session, site_id):
        count, punctual, good, scrap = figures.get(site.id, (0, 0, 0, 0))
        contacts = int(session.scalar(select(func.count()).select_from(m.Contact).where(
            _contact_at(site.id), m.Contact.archived.is_(False))) or 0)
        rows.append(ProducerRow(site.code, site.name, site.status, site.address,
                                site.capabilities.replace(",", ", "),
                                site.weekly_capacity_hours, contacts, int(count or 0),
                                int(punctual or 0), _qty(good), _qty(scrap)))
    return rows


def _contact_at(site_id: uuid.UUID) -> Any:
    organisations = select(m.Contact.id).where(m.Contact.site_id == site_id).scalar_subquery()
    return or_(m.Contact.site_id == site_id, m.Contact.organisation_id.in_(organisations))


def producer_contact_rows(session: Session, site_id: uuid.UUID | None
                          ) -> list[ProducerContactRow]:
    """The people and organisations linked to each micro-producer site (not archived)."""
    organisation = aliased(m.Contact)
    rows = []
    for site in _producer_sites(session, site_id):
        for contact, org_name in session.execute(
                select(m.Contact, organisation.name)
                .outerjoin(organisation, organisation.id == m.Contact.organisation_id)
                .where(_contact_at(site.id), m.Contact.archived.is_(False))
                .order_by(m.Contact.name, m.Contact.id)):
            rows.append(ProducerContactRow(site.code, contact.name, org_name or "",
                                           contact.role, contact.email, contact.phone,
                                           contact.capabilities.replace(",", ", "),
                                           contact.lead_time_days, contact.hourly_rate))
    return rows


# --- products and BOMs (the layout the importer reads back) -----------------------------------

ProductRow = tuple[str, str, str, str, str, Decimal, Decimal, str, str]


def product_count(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(m.Product)) or 0)


def product_rows(session: Session) -> Iterator[ProductRow]:
    """(sku, name, unit, kind, description, standard cost, price, lot tracked, archived),
    archived products too (marked), by SKU."""
    query = select(m.Product.sku, m.Product.name, m.Product.unit, m.Product.kind,
                   m.Product.description, m.Product.standard_cost, m.Product.price,
                   m.Product.lot_tracked, m.Product.archived).order_by(m.Product.sku)
    for sku, name, unit, kind, description, cost, price, lot, archived in session.execute(query):
        yield (sku, name, unit, kind, description, cost, price, "yes" if lot else "no",
               "yes" if archived else "no")


BomRow = tuple[str, str, str, str, Decimal, str, Decimal, int, str]


def bom_count(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(m.BomLine)) or 0)


def bom_rows(session: Session) -> Iterator[BomRow]:
    """(parent sku, parent name, component sku, component name, quantity, component unit,
    scrap %, sequence, notes) by parent SKU and sequence."""
    parent, component = aliased(m.Product), aliased(m.Product)
    query = (select(parent.sku, parent.name, component.sku, component.name, m.BomLine.quantity,
                    component.unit, m.BomLine.scrap_pct, m.BomLine.sequence, m.BomLine.notes)
             .join(parent, parent.id == m.BomLine.parent_id)
             .join(component, component.id == m.BomLine.component_id)
             .order_by(parent.sku, m.BomLine.sequence, component.sku))
    for row in session.execute(query):
        yield tuple(row)  # type: ignore[misc]


# --- contacts (the layout ``dmdesk import contacts`` reads back) ------------------------------

ContactRow = tuple[str, str, str, str, str, str, str, str, float | None, float | None, str, int,
                   Decimal, str]
COORDINATE_PLACES = 9  # what the contacts importer accepts (well under a millimetre)


def _exported_contact() -> Any:
    """Contacts not archived, and the archived organisations such a contact belongs to (the
    importer has no Archived column; without its organisation a person's link would be lost)."""
    members = (select(m.Contact.organisation_id)
               .where(m.Contact.archived.is_(False), m.Contact.organisation_id.is_not(None))
               .scalar_subquery())
    return or_(m.Contact.archived.is_(False),
               and_(m.Contact.kind == ContactKind.ORGANISATION, m.Contact.id.in_(members)))


def contact_count(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(m.Contact)
                              .where(_exported_contact())) or 0)


def _coordinate(value: float | None) -> float | None:
    return None if value is None else round(value, COORDINATE_PLACES)


def contact_rows(session: Session) -> Iterator[ContactRow]:
    """(name, kind, role, organisation, site code, e-mail, phone, address, latitude,
    longitude, capabilities, lead time days, hourly rate, notes): organisations first (a
    person's organisation must be on an earlier row), then people by organisation, by name.
    An organisation's own organisation is left out: the importer refuses one."""
    organisation = aliased(m.Contact)
    person = case((m.Contact.kind == ContactKind.ORGANISATION, 0), else_=1)
    query = (select(m.Contact, organisation.name, m.Site.code)
             .outerjoin(organisation, organisation.id == m.Contact.organisation_id)
             .outerjoin(m.Site, m.Site.id == m.Contact.site_id)
             .where(_exported_contact())
             .order_by(person, func.coalesce(organisation.name, ""), m.Contact.name,
                       m.Contact.id))
    for contact, org_name, site_code in session.execute(query):
        own = org_name if org_name and contact.kind != ContactKind.ORGANISATION else ""
        yield (contact.name, contact.kind, contact.role, own, site_code or "",
               contact.email, contact.phone, contact.address, _coordinate(contact.latitude),
               _coordinate(contact.longitude), contact.capabilities.replace(",", ", "),
               contact.lead_time_days, contact.hourly_rate, contact.notes)
