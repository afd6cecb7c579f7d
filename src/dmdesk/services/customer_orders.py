"""Customer orders and their lines."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select

from dmdesk.db import models as m
from dmdesk.db.units import whole_units
from dmdesk.domain.errors import IllegalTransitionError, ValidationError
from dmdesk.domain.kinds import CustomerOrderState
from dmdesk.domain.numbering import DocKind
from dmdesk.domain.quantity import whole_number_required
from dmdesk.services import records
from dmdesk.services.context import ServiceContext, UnitOfWork
from dmdesk.services.fields import a_date, amount, coordinate, qty, text


@dataclass(frozen=True)
class OrderLineSpec:
    product_id: uuid.UUID
    quantity: Decimal | int | str
    unit_price: Decimal | int | str | None = None


@dataclass(frozen=True)
class CreatedOrder:
    id: uuid.UUID
    number: str
    line_ids: list[uuid.UUID]


def create_customer_order(ctx: ServiceContext, customer_id: uuid.UUID, due_date: date | str,
                          lines: Sequence[OrderLineSpec], ship_to: str = "",
                          ship_latitude: Any = None, ship_longitude: Any = None,
                          notes: str = "") -> CreatedOrder:
    with ctx.transaction() as uow:
        customer = uow.get(m.Contact, customer_id, "customer")
        if customer.archived:
            raise ValidationError(f"{customer.name} is archived.", field="customer")
        if not lines:
            raise ValidationError("An order needs at least one line.", field="lines")
        order = m.CustomerOrder(
            number=uow.next_number(DocKind.CUSTOMER_ORDER), customer_id=customer_id,
            due_date=a_date()(due_date, "due_date"),
            ship_to=text(500)(ship_to or customer.address, "ship_to"),
            ship_latitude=coordinate(90)(
                ship_latitude if ship_latitude is not None else customer.latitude,
                "ship_latitude"),
            ship_longitude=coordinate(180)(
                ship_longitude if ship_longitude is not None else customer.longitude,
                "ship_longitude"),
            notes=text(10_000)(notes, "notes"), state=CustomerOrderState.OPEN.value)
        uow.session.add(order)
        uow.session.flush()
        line_ids = [_add_line(uow, order, spec).id for spec in lines]
        uow.audit("create", "customer_order", order.id, number=order.number, lines=len(lines))
        return CreatedOrder(order.id, order.number, line_ids)


def _add_line(uow: UnitOfWork, order: m.CustomerOrder, spec: OrderLineSpec
              ) -> m.CustomerOrderLine:
    product = uow.get(m.Product, spec.product_id, "product")
    if product.archived:
        raise ValidationError(f"{product.sku} is archived and cannot be ordered.",
                              field="product")
    ordered = qty(allow_zero=False)(spec.quantity, "quantity")
    if product.unit in whole_units(uow.session):
        whole_number_required(ordered, product.unit)
    top = uow.session.scalar(select(func.max(m.CustomerOrderLine.line_no)).where(
        m.CustomerOrderLine.order_id == order.id))
    line = m.CustomerOrderLine(
        order_id=order.id, line_no=(top or 0) + 1, product_id=product.id,
        quantity=ordered,
        unit_price=amount()(product.price if spec.unit_price is None else spec.unit_price,
                            "unit_price"))
    uow.session.add(line)
    uow.session.flush()
    return line


def _require_open(order: m.CustomerOrder) -> None:
    if order.state != CustomerOrderState.OPEN:
        raise IllegalTransitionError(f"Order {order.number} is {order.state}; only open orders "
                                     "can change.", field="state")


def set_customer_order_state(ctx: ServiceContext, order_id: uuid.UUID,
                             state: CustomerOrderState) -> None:
    with ctx.transaction() as uow:
        order = uow.get(m.CustomerOrder, order_id, "customer order")
        _require_open(order)
        order.state = CustomerOrderState(state).value
        uow.session.flush()
        uow.audit(str(state), "customer_order", order.id, number=order.number)


ORDER_FIELDS = {
    "due_date": a_date(),
    "ship_to": text(500),
    "ship_latitude": coordinate(90),
    "ship_longitude": coordinate(180),
    "notes": text(10_000),
}


def update_customer_order(ctx: ServiceContext, order_id: uuid.UUID, **changes: Any) -> None:
    """Change an open order's due date, ship-to or notes (fields as in ORDER_FIELDS)."""
    with ctx.transaction() as uow:
        order = uow.get(m.CustomerOrder, order_id, "customer order")
        _require_open(order)
        records.update_row(uow, order, ORDER_FIELDS, changes, what="customer order")
