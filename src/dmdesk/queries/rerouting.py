"""Rerouting, read side: a site's open work orders, the best other site for each, and the stock
that would have to move with them (the components reserved at the site).

The write side (moving the accepted ones) is services.rerouting; the history of moves is
``reroute_history``. Work orders are ranked like customer order lines (queries.routing), for
what is left to make of them, towards the customer's ship-to when the order serves one (else
towards the site they leave, so the work stays near where it was planned).
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from dmdesk.db import models as m
from dmdesk.db.chunks import chunked
from dmdesk.db.models_network import WorkOrderReroute
from dmdesk.domain.progress import Progress
from dmdesk.domain.quantity import format_quantity
from dmdesk.queries.lookup import find_site
from dmdesk.queries.network_snapshot import (
    OPEN_STATE_VALUES,
    NetworkSnapshot,
    Point,
)
from dmdesk.queries.routing import Candidate, Demand, rank, ship_to_of


@dataclass(frozen=True)
class OperationProgress:
    sequence: int
    name: str
    good: Decimal
    scrap: Decimal
    of: Decimal  # the order quantity
    finished: bool

    @property
    def text(self) -> str:
        done = " (finished)" if self.finished else ""
        return (f"{self.sequence} {self.name}: {format_quantity(self.good)} good, "
                f"{format_quantity(self.scrap)} scrap of {format_quantity(self.of)}{done}")


@dataclass(frozen=True)
class StockToMove:
    """Components reserved for the order at the site it leaves."""

    product_id: uuid.UUID
    sku: str
    unit: str
    location_id: uuid.UUID
    location_code: str
    lot_id: uuid.UUID | None
    lot_code: str
    quantity: Decimal

    @property
    def text(self) -> str:
        lot = f" lot {self.lot_code}" if self.lot_code else ""
        return f"{format_quantity(self.quantity)} {self.unit} {self.sku}{lot} from " \
               f"{self.location_code}"


@dataclass(frozen=True)
class ProposedMove:
    work_order_id: uuid.UUID
    number: str
    product_sku: str
    quantity: Decimal
    remaining: Decimal  # units not yet made good by the last operation
    state: str
    due_date: date
    progress: tuple[OperationProgress, ...]
    stock: tuple[StockToMove, ...]
    best: Candidate | None
    alternatives: tuple[Candidate, ...]  # the other candidates, best first
    why_none: str  # why no other site can take it (empty when best is set)

    @property
    def in_progress(self) -> bool:
        return any(p.good or p.scrap for p in self.progress)


@dataclass(frozen=True)
class RerouteProposal:
    site_id: uuid.UUID
    site_code: str
    site_name: str
    status: str
    moves: tuple[ProposedMove, ...]

    @property
    def movable(self) -> tuple[ProposedMove, ...]:
        return tuple(move for move in self.moves if move.best is not None)


def propose_reroute(session: Session, site: uuid.UUID | str, today: date | None = None,
                    progress: Progress | None = None) -> RerouteProposal:
    """The open work orders of ``site`` (id or code), each with the best other site and the
    stock that must move; earliest due first. Each proposal counts the orders proposed before
    it as load at their new sites, so one free site is not offered to every order.

    Everything the orders need from the database (their operations, products, ship-tos and
    reserved stock) is read first, in batches: a site has thousands of orders, and a few
    queries per order cost more than the ranking itself.

    ``progress(done, total, text)`` is called before each order (thousands of orders take seconds);
    it may raise to stop the proposal, which writes nothing."""
    leaving = find_site(session, site)
    network = NetworkSnapshot(session, today)
    orders = _open_orders(session, leaving.id)
    network.prefetch(*{order.product_id for order in orders}, materials=False)
    ship_tos = _ship_tos(session, orders, (leaving.latitude, leaving.longitude))
    made = _operation_progress(session, orders)
    stock = reserved_stock(session, [order.id for order in orders])
    moves: list[ProposedMove] = []
    for done, order in enumerate(orders):
        if progress is not None:
            progress(done, len(orders), f"Order {done + 1} of {len(orders)}")
        moves.append(_propose(network, leaving, order, ship_tos[order.id],
                              made.get(order.id, ()), stock.get(order.id, ())))
    return RerouteProposal(leaving.id, leaving.code, leaving.name, leaving.status, tuple(moves))


@dataclass(frozen=True)
class _OpenOrder:
    id: uuid.UUID
    number: str
    product_id: uuid.UUID
    quantity: Decimal
    state: str
    due_date: date
    line_id: uuid.UUID | None  # the customer order line it serves


def _open_orders(session: Session, site_id: uuid.UUID) -> list[_OpenOrder]:
    """The site's open orders in the order they are proposed (plain columns: thousands of
    ORM objects cost more than the query)."""
    wo = m.WorkOrder
    rows = session.execute(
        select(wo.id, wo.number, wo.product_id, wo.quantity, wo.state, wo.due_date,
               wo.customer_order_line_id)
        .where(wo.site_id == site_id, wo.state.in_(OPEN_STATE_VALUES),
               wo.moved_to_id.is_(None))  # split already: its holder settles it
        .order_by(wo.due_date, wo.priority, wo.number))
    return [_OpenOrder(*row) for row in rows]


def _operation_progress(session: Session, orders: list[_OpenOrder]
                        ) -> dict[uuid.UUID, tuple[OperationProgress, ...]]:
    """Per order (those with operations), what each operation made so far, in sequence."""
    quantity = {order.id: order.quantity for order in orders}
    result: dict[uuid.UUID, list[OperationProgress]] = defaultdict(list)
    op = m.WOOperation
    for chunk in chunked(list(quantity)):
        for order_id, sequence, name, good, scrap, finished in session.execute(
                select(op.work_order_id, op.sequence, op.name, op.good_qty, op.scrap_qty,
                       op.finished_at)
                .where(op.work_order_id.in_(chunk)).order_by(op.sequence)):
            result[order_id].append(OperationProgress(sequence, name, good, scrap,
                                                      quantity[order_id], finished is not None))
    return {order_id: tuple(made) for order_id, made in result.items()}


def _ship_tos(session: Session, orders: list[_OpenOrder], home: Point
              ) -> dict[uuid.UUID, Point]:
    """Work order -> where it is ranked towards: its customer's ship-to when it serves one
    that has coordinates, else ``home`` (the site it leaves, so the work stays near)."""
    lines = list({o.line_id for o in orders if o.line_id is not None})
    points: dict[uuid.UUID | None, Point] = {}
    for chunk in chunked(lines):
        for line_id, order, customer in session.execute(
                select(m.CustomerOrderLine.id, m.CustomerOrder, m.Contact)
                .join(m.CustomerOrder, m.CustomerOrder.id == m.CustomerOrderLine.order_id)
                .join(m.Contact, m.Contact.id == m.CustomerOrder.customer_id)
                .where(m.CustomerOrderLine.id.in_(chunk))):
            point = ship_to_of(order, customer)
            if point[0] is not None:
                points[line_id] = point
    return {o.id: points.get(o.line_id, home) for o in orders}


def _propose(network: NetworkSnapshot, leaving: m.Site, order: _OpenOrder, ship_to: Point,
             progress: tuple[OperationProgress, ...], stock: tuple[StockToMove, ...]
             ) -> ProposedMove:
    remaining = max(order.quantity - (progress[-1].good if progress else Decimal(0)),
                    Decimal(0))
    demand = Demand(order.product_id, remaining or order.quantity, order.due_date, ship_to,
                    exclude=frozenset({leaving.id}), consider_materials=False)
    candidates, why, _notes = rank(network, demand)
    product = network.product(order.product_id)
    if candidates:  # later proposals see this order queued at its new site
        network.load(candidates[0].site_id).add(order.due_date,
                                                product.minutes_for(demand.quantity))
    return ProposedMove(order.id, order.number, product.sku, order.quantity, remaining,
                        order.state, order.due_date, progress, stock,
                        candidates[0] if candidates else None, tuple(candidates[1:]), why)


def reserved_stock(session: Session, work_order_ids: list[uuid.UUID]
                   ) -> dict[uuid.UUID, tuple[StockToMove, ...]]:
    """Per work order (those with any), the components reserved for it, by material line;
    one query per 400 orders."""
    result: dict[uuid.UUID, list[StockToMove]] = defaultdict(list)
    res = m.Reservation
    for chunk in chunked(work_order_ids):
        rows = session.execute(
            select(m.WOMaterial.work_order_id, res.product_id, m.Product.sku, m.Product.unit,
                   res.location_id, m.Location.code, res.lot_id, m.Lot.code, res.quantity)
            .join(m.WOMaterial, m.WOMaterial.id == res.material_id)
            .join(m.Product, m.Product.id == res.product_id)
            .join(m.Location, m.Location.id == res.location_id)
            .outerjoin(m.Lot, m.Lot.id == res.lot_id)
            .where(m.WOMaterial.work_order_id.in_(chunk))
            .order_by(m.WOMaterial.line_no, res.id))
        for order_id, product, sku, unit, location_id, location, lot_id, lot, qty in rows:
            result[order_id].append(StockToMove(product, sku, unit, location_id, location,
                                                lot_id, lot or "", qty))
    return {order_id: tuple(stock) for order_id, stock in result.items()}


# --- history -------------------------------------------------------------------------------


@dataclass(frozen=True)
class RerouteEntry:
    at: datetime
    work_order_id: uuid.UUID
    number: str
    from_site: str
    to_site: str
    state: str
    progress: str
    transfers: str
    reason: str
    actor: str


_from = aliased(m.Site)
_to = aliased(m.Site)


def reroute_history(session: Session, *, work_order_id: uuid.UUID | None = None,
                    site_id: uuid.UUID | None = None) -> list[RerouteEntry]:
    """Where work orders were before they moved, newest first; for one order, or the moves
    from or to one site, or all."""
    query = (select(WorkOrderReroute, m.WorkOrder.number, _from.code, _to.code)
             .join(m.WorkOrder, m.WorkOrder.id == WorkOrderReroute.work_order_id)
             .join(_from, _from.id == WorkOrderReroute.from_site_id)
             .join(_to, _to.id == WorkOrderReroute.to_site_id))
    if work_order_id is not None:
        query = query.where(WorkOrderReroute.work_order_id == work_order_id)
    if site_id is not None:
        query = query.where((WorkOrderReroute.from_site_id == site_id)
                            | (WorkOrderReroute.to_site_id == site_id))
    rows = session.execute(query.order_by(WorkOrderReroute.created_at.desc(),
                                          WorkOrderReroute.id.desc()))
    return [RerouteEntry(r.created_at, r.work_order_id, number, src, dst, r.state, r.progress,
                         r.transfers, r.reason, r.actor) for r, number, src, dst in rows]
