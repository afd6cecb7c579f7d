"""What is planned for a customer order line, and what is still open: the one query behind the
order's detail, the Route… and Create work order… dialogs, `dmdesk route`, and the services that
refuse planning more than a line needs (it lives in db/, as free_stock does, because both the
write side and the read side need it and neither may import the other).

A line is planned by the documents linked to it:

- work orders (``work_order.customer_order_line_id``): a live order counts its quantity; a done
  one what it made (good output: a short closure frees the rest to plan again); a withdrawn one
  (split by a reroute, ``moved_to_id``) what it made, since the order it was moved to carries the
  remainder; a cancelled one nothing.
- transfers that ship the line's product for it (``transfer.customer_order_line_id``, routing's
  "ship"): the quantity of their lines of that product. Transfers cannot be cancelled (the
  stock left in the same transaction), so every linked transfer counts.

Shipped: dmdesk has no shipments to the customer yet (issue 17's next part), so nothing is
shipped; ``ready`` counts what exists instead: what linked transfers delivered to the
dispatching site (received) and the good output of linked work orders.

Two sites that plan the same line offline both pass their own check; after sync the line holds
both and shows the surplus as ``over`` (visible in the line and the Route… dialog) rather than
hiding it.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dmdesk.db import models as m
from dmdesk.db.chunks import chunked
from dmdesk.domain.errors import NotFoundError
from dmdesk.domain.kinds import TransferState
from dmdesk.domain.quantity import format_quantity
from dmdesk.domain.work_order_states import WOState

ZERO = Decimal(0)


@dataclass(frozen=True)
class PlannedDocument:
    """A transfer or work order serving a line, and how much of the line it covers."""

    kind: str  # "transfer" or "work order"
    number: str
    state: str  # the transfer's or work order's state
    quantity: Decimal  # what it counts for the line (0 when cancelled)
    ready: Decimal  # of that, what is already there: received, or made

    @property
    def counts(self) -> bool:
        return self.quantity > 0


@dataclass(frozen=True)
class LinePlan:
    line_id: uuid.UUID
    quantity: Decimal  # ordered
    unit: str
    documents: tuple[PlannedDocument, ...]  # by kind, then number; cancelled ones included
    shipped: Decimal = ZERO  # no shipments yet: see the module's docstring

    @property
    def planned(self) -> Decimal:
        return sum((d.quantity for d in self.documents), ZERO)

    @property
    def open(self) -> Decimal:
        """What is left to plan."""
        return max(self.quantity - self.planned, ZERO)

    @property
    def over(self) -> Decimal:
        """Planned beyond the order (two sites planned it offline at once)."""
        return max(self.planned - self.quantity, ZERO)

    @property
    def ready(self) -> Decimal:
        return sum((d.ready for d in self.documents), ZERO)

    def summary(self) -> str:
        """'2 of 3 pcs planned: LIS-TR-00004 (2 pcs)'."""
        text = (f"{format_quantity(self.planned)} of {format_quantity(self.quantity)} "
                f"{self.unit} planned")
        counted = [d for d in self.documents if d.counts]
        if counted:
            text += ": " + ", ".join(f"{d.number} ({format_quantity(d.quantity)} {self.unit})"
                                     for d in counted)
        if self.over > 0:
            text += f"; {format_quantity(self.over)} {self.unit} more than ordered"
        return text


def counted_quantity(order: m.WorkOrder) -> Decimal:
    """What a work order linked to a line counts for it (the rules in the docstring)."""
    if order.state == WOState.CANCELLED:
        return ZERO
    if order.state == WOState.DONE or order.moved_to_id is not None:
        return order.good_qty
    return order.quantity


def line_plans(session: Session, line_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, LinePlan]:
    """The plan of each line given (unknown lines are left out)."""
    wanted = list(dict.fromkeys(line_ids))
    lines: dict[uuid.UUID, tuple[Decimal, uuid.UUID, str]] = {}
    documents: dict[uuid.UUID, list[PlannedDocument]] = defaultdict(list)
    for chunk in chunked(wanted):
        for line_id, qty, product_id, unit in session.execute(
                select(m.CustomerOrderLine.id, m.CustomerOrderLine.quantity,
                       m.CustomerOrderLine.product_id, m.Product.unit)
                .join(m.Product, m.Product.id == m.CustomerOrderLine.product_id)
                .where(m.CustomerOrderLine.id.in_(chunk))):
            lines[line_id] = (qty, product_id, unit)
        for transfer, linked, qty in session.execute(
                select(m.Transfer, m.Transfer.customer_order_line_id,
                       func.sum(m.TransferLine.quantity))
                .join(m.TransferLine, m.TransferLine.transfer_id == m.Transfer.id)
                .join(m.CustomerOrderLine,
                      m.CustomerOrderLine.id == m.Transfer.customer_order_line_id)
                .where(m.Transfer.customer_order_line_id.in_(chunk),
                       m.TransferLine.product_id == m.CustomerOrderLine.product_id)
                .group_by(m.Transfer.id)):
            assert linked is not None  # joined on it
            amount = Decimal(qty)
            received = amount if transfer.state == TransferState.RECEIVED else ZERO
            documents[linked].append(PlannedDocument(
                "transfer", transfer.number, transfer.state, amount, received))
        for order in session.scalars(select(m.WorkOrder).where(
                m.WorkOrder.customer_order_line_id.in_(chunk))):
            assert order.customer_order_line_id is not None
            counted = counted_quantity(order)
            documents[order.customer_order_line_id].append(PlannedDocument(
                "work order", order.number, order.state, counted,
                min(order.good_qty, counted)))
    return {line_id: LinePlan(line_id, qty, unit, tuple(sorted(
                documents.get(line_id, []), key=lambda d: (d.kind, d.number))))
            for line_id, (qty, _product, unit) in lines.items()}


def line_plan(session: Session, line_id: uuid.UUID) -> LinePlan:
    """One line's plan (NotFoundError if the line is unknown)."""
    found = line_plans(session, [line_id]).get(line_id)
    if found is None:
        raise NotFoundError(f"Unknown customer order line: {line_id}.",
                            field="customer order line")
    return found
