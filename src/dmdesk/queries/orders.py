"""The read side of work orders and customer orders: what a detail pane and a form need.

``work_order_detail`` gathers one work order with its materials (and where they are reserved),
its operations and the customer order it serves. Before release the materials come from the
product's current BOM (what release would reserve); afterwards from the pinned material lines.
``customer_order_detail`` gathers one customer order with its lines and the work orders serving
each line. The ``*_choices`` functions list what the order forms offer to pick from.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dmdesk.db import models as m
from dmdesk.db.line_plan import LinePlan, line_plans
from dmdesk.db.units import whole_units
from dmdesk.domain.errors import NotFoundError
from dmdesk.domain.kinds import (
    MAKING_SITE_KINDS,
    ContactRole,
    CustomerOrderState,
    LocationKind,
    ProductKind,
    SiteStatus,
)
from dmdesk.domain.quantity import required_with_scrap
from dmdesk.domain.work_order_states import FINAL_STATES, WOState
from dmdesk.queries.lookup import ProductChoice, product_choice
from dmdesk.queries.permissions import work_order_rights

ZERO = Decimal(0)


# --- work orders -------------------------------------------------------------------------------


# Shown for a product or site whose row this database does not have (not shared with it).
NOT_SHARED = "not shared"


@dataclass(frozen=True)
class MaterialRow:
    """One component of a work order, with the stock picture at the making site."""

    product_id: uuid.UUID
    sku: str
    name: str
    unit: str
    required: Decimal
    reserved: Decimal
    consumed: Decimal
    available: Decimal  # on hand less reserved (by anything) at the making site's locations
    shortage: Decimal  # what is still needed and neither reserved nor available


@dataclass(frozen=True)
class ReservationRow:
    sku: str
    location: str
    lot: str | None
    quantity: Decimal


@dataclass(frozen=True)
class OperationRow:
    sequence: int
    name: str
    capability: str
    setup_minutes: Decimal
    run_minutes: Decimal
    good: Decimal
    scrap: Decimal
    started_at: datetime | None
    finished_at: datetime | None


@dataclass(frozen=True)
class WorkOrderDetail:
    id: uuid.UUID
    number: str
    state: WOState
    held_from: WOState | None
    product_id: uuid.UUID
    sku: str
    product_name: str
    unit: str
    whole_only: bool  # the unit is counted in whole numbers (pieces, sets)
    quantity: Decimal
    site_id: uuid.UUID
    site_code: str
    site_name: str
    due_date: date
    priority: int
    customer_order_line_id: uuid.UUID | None
    customer_order_id: uuid.UUID | None
    customer_order_number: str | None
    customer_order_line_no: int | None
    customer_name: str | None
    bom_hash: str | None
    design_name: str | None
    design_version: int | None
    design_sha256: str | None
    design_pinned: bool  # False: the design file release would pin (none pinned yet)
    good_qty: Decimal
    scrap_qty: Decimal
    released_at: datetime | None
    started_at: datetime | None
    completed_at: datetime | None
    override_reason: str
    notes: str
    materials: tuple[MaterialRow, ...]
    operations: tuple[OperationRow, ...]
    reservations: tuple[ReservationRow, ...]
    # Why this database may not act on the order's lifecycle / change its planning ("" when
    # it may): queries/permissions.py, from the write rules the server applies.
    act_refusal: str = ""
    plan_refusal: str = ""
    # A split reroute moved this order on (services/rerouting.py): the order that makes the
    # rest, its site and quantity ("" / None when not moved). At a producer that order is a
    # stub of just these (domain/read_scope.py).
    moved_to_number: str = ""
    moved_to_site: str = ""
    moved_to_quantity: Decimal | None = None

    @property
    def materials_pinned(self) -> bool:
        """True once released: the materials are the order's own lines, not the BOM's."""
        return self.state != WOState.DRAFT

    @property
    def short(self) -> tuple[MaterialRow, ...]:
        return tuple(row for row in self.materials if row.shortage > 0)

    def reportable(self, sequence: int) -> Decimal:
        """How much more (good plus scrap) operation ``sequence`` may report: the order
        quantity for the first operation, the previous operation's good output after that
        (the rule ``work_orders.report_progress`` enforces)."""
        for index, operation in enumerate(self.operations):
            if operation.sequence == sequence:
                ceiling = (self.quantity if index == 0
                           else self.operations[index - 1].good)
                return max(ceiling - operation.good - operation.scrap, ZERO)
        raise NotFoundError(f"{self.number} has no operation {sequence}.", field="sequence")


def work_order_detail(session: Session, wo_id: uuid.UUID) -> WorkOrderDetail:
    order = session.get(m.WorkOrder, wo_id)
    if order is None:
        raise NotFoundError(f"Unknown work order: {wo_id}.", field="work order")
    # A producer's database may lack the row of a product or site it is not shared: say so
    # rather than fail (the order itself is shared, so it is shown).
    product = session.get(m.Product, order.product_id)
    site = session.get(m.Site, order.site_id)
    co_id, co_number, co_line_no, customer = _line_info(session, order.customer_order_line_id)
    design, pinned = _design(session, order)
    state = WOState(order.state)
    rights = work_order_rights(session, order.id)
    moved = _moved_to(session, order.moved_to_id)
    return WorkOrderDetail(
        id=order.id, number=order.number, state=state,
        held_from=WOState(order.held_from) if order.held_from else None,
        product_id=order.product_id, sku=product.sku if product else NOT_SHARED,
        product_name=product.name if product else "", unit=product.unit if product else "",
        whole_only=product is not None and product.unit in whole_units(session),
        quantity=order.quantity, site_id=order.site_id,
        site_code=site.code if site else NOT_SHARED, site_name=site.name if site else "",
        due_date=order.due_date, priority=order.priority,
        customer_order_line_id=order.customer_order_line_id, customer_order_id=co_id,
        customer_order_number=co_number, customer_order_line_no=co_line_no,
        customer_name=customer,
        bom_hash=order.bom_hash,
        design_name=design.name if design else None,
        design_version=design.version if design else None,
        design_sha256=order.design_sha256 if pinned else (design.sha256 if design else None),
        design_pinned=pinned, good_qty=order.good_qty, scrap_qty=order.scrap_qty,
        released_at=order.released_at, started_at=order.started_at,
        completed_at=order.completed_at, override_reason=order.override_reason,
        notes=order.notes, materials=tuple(_materials(session, order)),
        operations=tuple(_operations(session, order)),
        reservations=tuple(_reservations(session, order)),
        act_refusal=rights.act_refusal, plan_refusal=rights.plan_refusal,
        moved_to_number=moved[0], moved_to_site=moved[1], moved_to_quantity=moved[2])


def _moved_to(session: Session, moved_to_id: uuid.UUID | None
              ) -> tuple[str, str, Decimal | None]:
    """(number, site code, quantity) of the order a split moved this one on to."""
    if moved_to_id is None:
        return "", "", None
    target = session.get(m.WorkOrder, moved_to_id)
    if target is None:  # not arrived yet
        return NOT_SHARED, NOT_SHARED, None
    site = session.get(m.Site, target.site_id)
    return target.number, site.code if site else NOT_SHARED, target.quantity


LineInfo = tuple[uuid.UUID | None, str | None, int | None, str | None]


def _line_info(session: Session, line_id: uuid.UUID | None) -> LineInfo:
    """(customer order id, its number, the line's number, the customer's name)."""
    empty: LineInfo = (None, None, None, None)
    if line_id is None:
        return empty
    row = session.execute(
        select(m.CustomerOrder.id, m.CustomerOrder.number, m.CustomerOrderLine.line_no,
               m.Contact.name)
        .join(m.CustomerOrder, m.CustomerOrder.id == m.CustomerOrderLine.order_id)
        .join(m.Contact, m.Contact.id == m.CustomerOrder.customer_id)
        .where(m.CustomerOrderLine.id == line_id)).first()
    if row is None:  # the line has not arrived by sync yet
        return empty
    return row[0], row[1], row[2], row[3]


def _design(session: Session, order: m.WorkOrder) -> tuple[m.DesignFile | None, bool]:
    """The pinned design file, or (before release) the one release would pin."""
    if order.design_file_id is not None:
        return session.get(m.DesignFile, order.design_file_id), True
    if order.state != WOState.DRAFT:
        return None, True  # released with no design file
    latest = session.scalars(
        select(m.DesignFile).where(m.DesignFile.product_id == order.product_id,
                                   m.DesignFile.archived.is_(False))
        .order_by(m.DesignFile.version.desc(), m.DesignFile.name).limit(1)).first()
    return latest, False


def _available_at(session: Session, site_id: uuid.UUID,
                  product_ids: list[uuid.UUID]) -> dict[uuid.UUID, Decimal]:
    """On hand less reserved, per product, over the site's open internal locations."""
    if not product_ids:
        return {}
    rows = session.execute(
        select(m.StockBalance.product_id,
               func.sum(m.StockBalance.on_hand), func.sum(m.StockBalance.reserved))
        .join(m.Location, m.Location.id == m.StockBalance.location_id)
        .where(m.Location.site_id == site_id, m.Location.kind == LocationKind.INTERNAL,
               m.Location.archived.is_(False), m.StockBalance.product_id.in_(product_ids))
        .group_by(m.StockBalance.product_id))
    return {pid: Decimal(on_hand) - Decimal(reserved) for pid, on_hand, reserved in rows}


def _bom_requirements(session: Session, order: m.WorkOrder
                      ) -> list[tuple[m.Product, Decimal, Decimal, Decimal]]:
    """(component, required, reserved, consumed) from the current BOM, as release computes."""
    whole = whole_units(session)
    result = []
    for line, component in session.execute(
            select(m.BomLine, m.Product).join(m.Product, m.Product.id == m.BomLine.component_id)
            .where(m.BomLine.parent_id == order.product_id).order_by(m.BomLine.sequence)):
        need = required_with_scrap(line.quantity, order.quantity, line.scrap_pct,
                                   whole=component.unit in whole)
        result.append((component, need, ZERO, ZERO))
    return result


def _pinned_requirements(session: Session, order: m.WorkOrder
                         ) -> list[tuple[m.Product, Decimal, Decimal, Decimal]]:
    reserved: dict[uuid.UUID, Decimal] = defaultdict(Decimal)
    for material_id, qty in session.execute(
            select(m.Reservation.material_id, m.Reservation.quantity)
            .join(m.WOMaterial, m.WOMaterial.id == m.Reservation.material_id)
            .where(m.WOMaterial.work_order_id == order.id)):
        reserved[material_id] += qty
    rows = session.execute(
        select(m.WOMaterial, m.Product).join(m.Product, m.Product.id == m.WOMaterial.product_id)
        .where(m.WOMaterial.work_order_id == order.id).order_by(m.WOMaterial.line_no))
    return [(component, material.required, reserved[material.id], material.consumed)
            for material, component in rows]


def _materials(session: Session, order: m.WorkOrder) -> list[MaterialRow]:
    pinned = order.state != WOState.DRAFT
    needs = (_pinned_requirements if pinned else _bom_requirements)(session, order)
    available = _available_at(session, order.site_id, [c.id for c, *_ in needs])
    open_order = WOState(order.state) not in FINAL_STATES
    rows = []
    for component, required, reserved, consumed in needs:
        here = available.get(component.id, ZERO)
        still = required - consumed - reserved
        shortage = max(still - max(here, ZERO), ZERO) if open_order else ZERO
        rows.append(MaterialRow(component.id, component.sku, component.name, component.unit,
                                required, reserved, consumed, here, shortage))
    return rows


def _operations(session: Session, order: m.WorkOrder) -> list[OperationRow]:
    return [OperationRow(op.sequence, op.name, op.capability, op.setup_minutes,
                         op.run_minutes, op.good_qty, op.scrap_qty, op.started_at,
                         op.finished_at)
            for op in session.scalars(select(m.WOOperation).where(
                m.WOOperation.work_order_id == order.id).order_by(m.WOOperation.sequence))]


def _reservations(session: Session, order: m.WorkOrder) -> list[ReservationRow]:
    rows = session.execute(
        select(m.Product.sku, m.Location.code, m.Lot.code, m.Reservation.quantity)
        .join(m.WOMaterial, m.WOMaterial.id == m.Reservation.material_id)
        .join(m.Product, m.Product.id == m.Reservation.product_id)
        .join(m.Location, m.Location.id == m.Reservation.location_id)
        .outerjoin(m.Lot, m.Lot.id == m.Reservation.lot_id)
        .where(m.WOMaterial.work_order_id == order.id)
        .order_by(m.WOMaterial.line_no, m.Location.code, m.Lot.code))
    return [ReservationRow(sku, location, lot, qty) for sku, location, lot, qty in rows]


# --- customer orders -----------------------------------------------------------------------------


@dataclass(frozen=True)
class LineWorkOrder:
    id: uuid.UUID
    number: str
    state: WOState
    quantity: Decimal
    good_qty: Decimal
    site_code: str


@dataclass(frozen=True)
class CustomerOrderLineRow:
    id: uuid.UUID
    line_no: int
    product_id: uuid.UUID
    sku: str
    name: str
    unit: str
    quantity: Decimal
    unit_price: Decimal
    work_orders: tuple[LineWorkOrder, ...]
    plan: LinePlan  # what transfers and work orders cover of it (db/line_plan.py)

    @property
    def total(self) -> Decimal:
        return self.quantity * self.unit_price

    @property
    def planned(self) -> Decimal:
        return self.plan.planned

    @property
    def unplanned(self) -> Decimal:
        return self.plan.open


@dataclass(frozen=True)
class CustomerOrderDetail:
    id: uuid.UUID
    number: str
    customer_id: uuid.UUID
    customer_name: str
    due_date: date
    state: CustomerOrderState
    ship_to: str
    notes: str
    created_at: datetime
    lines: tuple[CustomerOrderLineRow, ...]

    @property
    def total(self) -> Decimal:
        return sum((line.total for line in self.lines), ZERO)

    def line(self, line_id: uuid.UUID) -> CustomerOrderLineRow:
        for line in self.lines:
            if line.id == line_id:
                return line
        raise NotFoundError(f"{self.number} has no line {line_id}.", field="line")


def customer_order_detail(session: Session, order_id: uuid.UUID) -> CustomerOrderDetail:
    order = session.get(m.CustomerOrder, order_id)
    if order is None:
        raise NotFoundError(f"Unknown customer order: {order_id}.", field="customer order")
    customer = session.get_one(m.Contact, order.customer_id)
    return CustomerOrderDetail(
        id=order.id, number=order.number, customer_id=customer.id,
        customer_name=customer.name, due_date=order.due_date,
        state=CustomerOrderState(order.state), ship_to=order.ship_to, notes=order.notes,
        created_at=order.created_at, lines=tuple(_order_lines(session, order.id)))


def _order_lines(session: Session, order_id: uuid.UUID) -> list[CustomerOrderLineRow]:
    lines = session.execute(
        select(m.CustomerOrderLine, m.Product)
        .join(m.Product, m.Product.id == m.CustomerOrderLine.product_id)
        .where(m.CustomerOrderLine.order_id == order_id)
        .order_by(m.CustomerOrderLine.line_no)).all()
    serving = _work_orders_of_lines(session, [line.id for line, _ in lines])
    plans = line_plans(session, [line.id for line, _ in lines])
    return [CustomerOrderLineRow(line.id, line.line_no, product.id, product.sku, product.name,
                                 product.unit, line.quantity, line.unit_price,
                                 tuple(serving.get(line.id, [])), plans[line.id])
            for line, product in lines]


def _work_orders_of_lines(session: Session, line_ids: list[uuid.UUID]
                          ) -> dict[uuid.UUID, list[LineWorkOrder]]:
    result: dict[uuid.UUID, list[LineWorkOrder]] = defaultdict(list)
    if not line_ids:
        return result
    rows = session.execute(
        select(m.WorkOrder, m.Site.code).join(m.Site, m.Site.id == m.WorkOrder.site_id)
        .where(m.WorkOrder.customer_order_line_id.in_(line_ids))
        .order_by(m.WorkOrder.number))
    for order, site_code in rows:
        assert order.customer_order_line_id is not None
        result[order.customer_order_line_id].append(LineWorkOrder(
            order.id, order.number, WOState(order.state), order.quantity, order.good_qty,
            site_code))
    return result


# --- what the forms offer ------------------------------------------------------------------------


@dataclass(frozen=True)
class SiteChoice:
    id: uuid.UUID
    code: str
    name: str
    kind: str
    active: bool


@dataclass(frozen=True)
class CustomerChoice:
    id: uuid.UUID
    name: str
    address: str


@dataclass(frozen=True)
class OpenLine:
    """A line of an open customer order, for linking a work order to it."""

    id: uuid.UUID
    order_id: uuid.UUID
    order_number: str
    line_no: int
    customer_name: str
    due_date: date
    product_id: uuid.UUID
    sku: str
    quantity: Decimal
    plan: LinePlan  # what transfers and work orders cover of it (db/line_plan.py)

    @property
    def planned(self) -> Decimal:
        return self.plan.planned

    @property
    def unplanned(self) -> Decimal:
        return self.plan.open


def site_choices(session: Session, *, making_only: bool = True,
                 active_only: bool = False) -> list[SiteChoice]:
    """Sites in code order; by default those that can make things (workshops, producers).

    ``active_only`` keeps the ones a work order may go to now (active, not archived)."""
    query = select(m.Site).order_by(m.Site.code)
    if making_only:
        query = query.where(m.Site.kind.in_(MAKING_SITE_KINDS))
    if active_only:
        query = query.where(m.Site.status == SiteStatus.ACTIVE, m.Site.archived.is_(False))
    return [SiteChoice(s.id, s.code, s.name, s.kind,
                       s.status == SiteStatus.ACTIVE and not s.archived)
            for s in session.scalars(query)]


def _pattern(text: str, *, prefix: bool = False) -> str:
    """A LIKE pattern matching ``text`` literally (the user's % and _ are not wildcards)."""
    escaped = text.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"{escaped}%" if prefix else f"%{escaped}%"


def search_products(session: Session, text: str, *, makeable_only: bool = False,
                    limit: int = 30) -> list[ProductChoice]:
    """Products that are not archived whose SKU starts with, or name contains, ``text``
    (raw materials left out with ``makeable_only``), by SKU."""
    query = (select(m.Product).where(m.Product.archived.is_(False))
             .order_by(m.Product.sku).limit(limit))
    if text.strip():
        query = query.where(m.Product.sku.ilike(_pattern(text, prefix=True), escape="\\")
                            | m.Product.name.ilike(_pattern(text), escape="\\"))
    if makeable_only:
        query = query.where(m.Product.kind != ProductKind.RAW_MATERIAL)
    whole = whole_units(session)
    return [product_choice(p, whole) for p in session.scalars(query)]


def customer_choices(session: Session) -> list[CustomerChoice]:
    query = (select(m.Contact).where(m.Contact.role == ContactRole.CUSTOMER,
                                     m.Contact.archived.is_(False))
             .order_by(m.Contact.name))
    return [CustomerChoice(c.id, c.name, c.address) for c in session.scalars(query)]


def _open_lines_query(session: Session, line_id: uuid.UUID | None, text: str = "",
                      limit: int | None = None) -> list[OpenLine]:
    query = (select(m.CustomerOrderLine, m.CustomerOrder, m.Contact.name, m.Product.sku)
             .join(m.CustomerOrder, m.CustomerOrder.id == m.CustomerOrderLine.order_id)
             .join(m.Contact, m.Contact.id == m.CustomerOrder.customer_id)
             .join(m.Product, m.Product.id == m.CustomerOrderLine.product_id)
             .order_by(m.CustomerOrder.number, m.CustomerOrderLine.line_no))
    if line_id is not None:
        query = query.where(m.CustomerOrderLine.id == line_id)
    else:
        query = query.where(m.CustomerOrder.state == CustomerOrderState.OPEN)
    if text.strip():
        pattern = _pattern(text)
        query = query.where(m.CustomerOrder.number.ilike(pattern, escape="\\")
                            | m.Contact.name.ilike(pattern, escape="\\")
                            | m.Product.sku.ilike(pattern, escape="\\"))
    if limit is not None:
        query = query.limit(limit)
    rows = session.execute(query).all()
    plans = line_plans(session, [line.id for line, *_rest in rows])
    return [OpenLine(line.id, order.id, order.number, line.line_no, customer, order.due_date,
                     line.product_id, sku, line.quantity, plans[line.id])
            for line, order, customer, sku in rows]


def open_order_lines(session: Session, text: str = "", limit: int | None = None
                     ) -> list[OpenLine]:
    """Lines of the open customer orders (whose number, customer or SKU contains ``text``),
    by order number and line."""
    return _open_lines_query(session, None, text, limit)


def order_line_by_ref(session: Session, number: str, line_no: int) -> OpenLine | None:
    """A line by its order's number (case ignored) and its line number."""
    line_id = session.scalar(
        select(m.CustomerOrderLine.id)
        .join(m.CustomerOrder, m.CustomerOrder.id == m.CustomerOrderLine.order_id)
        .where(func.upper(m.CustomerOrder.number) == number.strip().upper(),
               m.CustomerOrderLine.line_no == line_no))
    return order_line(session, line_id) if line_id is not None else None


def order_line(session: Session, line_id: uuid.UUID) -> OpenLine:
    """One customer order line (whatever its order's state), with what is planned for it."""
    found = _open_lines_query(session, line_id)
    if not found:
        raise NotFoundError(f"Unknown customer order line: {line_id}.",
                            field="customer order line")
    return found[0]
