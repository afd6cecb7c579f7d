"""Planning never exceeds the order: a work order or transfer for a customer order line may
cover at most what is still open of it (db/line_plan.py says what is planned). Refused with a
message that names what exists, before anything is written.

Checked against this database only: two sites planning the same line offline both pass here;
after sync the line shows the surplus (LinePlan.over) and someone cancels one of them.
"""

from __future__ import annotations

import uuid
from decimal import Decimal

from dmdesk.db import models as m
from dmdesk.db.line_plan import LinePlan, line_plan
from dmdesk.domain.errors import ValidationError
from dmdesk.domain.quantity import format_quantity
from dmdesk.services.context import UnitOfWork


def line_label(uow: UnitOfWork, line: m.CustomerOrderLine) -> str:
    order = uow.get(m.CustomerOrder, line.order_id, "customer order")
    return f"{order.number} line {line.line_no}"


def open_quantity(uow: UnitOfWork, line: m.CustomerOrderLine) -> LinePlan:
    """The line's plan, refused when nothing is left to plan."""
    plan = line_plan(uow.session, line.id)
    if plan.open <= 0:
        raise ValidationError(f"{line_label(uow, line)} is fully planned ({plan.summary()}): "
                              "nothing is left to plan.", field="quantity")
    return plan


def refuse_over_plan(uow: UnitOfWork, line: m.CustomerOrderLine, amount: Decimal,
                     product_id: uuid.UUID) -> None:
    """Refuse planning ``amount`` of ``product_id`` for ``line`` beyond what is open."""
    if product_id != line.product_id:
        product = uow.get(m.Product, line.product_id, "product")
        raise ValidationError(f"{line_label(uow, line)} is for {product.sku}: a work order "
                              "serving it makes that product.", field="product")
    plan = open_quantity(uow, line)
    if amount > plan.open:
        raise ValidationError(
            f"{line_label(uow, line)} has {format_quantity(plan.open)} {plan.unit} left to "
            f"plan ({plan.summary()}); {format_quantity(amount)} {plan.unit} would plan more "
            "than ordered.", field="quantity")
