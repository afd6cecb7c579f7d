"""After a sync: settling split reroutes (services/rerouting.py explains the split).

Two steps, each run by the side whose job it is, each order in its own transaction:

- ``settle_moved`` at the holder of a withdrawn order (``moved_to_id`` set by the owner): the
  order is cancelled when nothing good was made on it, else closed with the good output reported
  so far, consuming only the share of components for the units it handled. Whatever the holder
  did before it learned of the move stands.
- ``reconcile_splits`` at the owner, once the old order is final: the new order is corrected
  by the difference between what the old site really made and what was counted at the split.
  A draft is reduced (or, with nothing left to make, withdrawn: cancelled if the owner holds
  it, else handed back to its holder to settle); an order already under way or done is left
  alone and the owner is told by how much it overshoots. When the owner has split the new
  order onward meanwhile, the correction goes to the last order of that chain, which carries
  the rest.

A withdrawn order may still have been made: the owner saw it as a draft, while its holder,
offline, had already made some or all of it. That work happened, so it stands (closed with
what was made, or done already); ``overshoots`` names each such order, at its holder and at
the owner, so that the extra output is never left unexplained.

They return one sentence per order they dealt with, for the sync's alerts.
"""

from __future__ import annotations

import uuid
from decimal import Decimal

from sqlalchemy import select

from dmdesk.db import models as m
from dmdesk.db.models_network import WorkOrderReroute
from dmdesk.domain import lifecycle
from dmdesk.domain.quantity import format_quantity
from dmdesk.domain.work_order_states import FINAL_STATES, WOState
from dmdesk.services.context import ServiceContext, UnitOfWork
from dmdesk.services.work_orders import cancel_in, complete_in


def _holds(uow: UnitOfWork, order: m.WorkOrder) -> bool:
    site = uow.get(m.Site, order.site_id, "site")
    return lifecycle.may_act(uow.side, site.code, site.reports_progress)


def _open_values() -> list[str]:
    return [state.value for state in WOState if state not in FINAL_STATES]


# --- at the holder of a withdrawn order ---------------------------------------------------------


def settle_moved(ctx: ServiceContext) -> list[str]:
    """Settle every open order of this database that the owner moved elsewhere."""
    with ctx.db.read_session() as session:
        ids = list(session.scalars(select(m.WorkOrder.id).where(
            m.WorkOrder.moved_to_id.is_not(None), m.WorkOrder.state.in_(_open_values()))))
    return [text for wo_id in ids if (text := _settle_one(ctx, wo_id))]


def _withdrawn(order: m.WorkOrder) -> bool:
    """A split's new order handed back because its old order made it all (reconcile below)."""
    return order.moved_to_id is not None and order.moved_to_id == order.rerouted_from_id


def _settle_one(ctx: ServiceContext, wo_id: uuid.UUID) -> str:
    with ctx.transaction() as uow:
        order = uow.get(m.WorkOrder, wo_id, "work order")
        if WOState(order.state) in FINAL_STATES or not _holds(uow, order):
            return ""
        moved = uow.get(m.WorkOrder, order.moved_to_id, "work order")
        why = ("withdrawn (nothing was left to make)" if _withdrawn(order)
               else f"moved to {moved.number}")
        if order.state == WOState.ON_HOLD and order.held_from:
            order.state, order.held_from = order.held_from, None  # settled from where it was
        if order.good_qty <= 0:
            cancel_in(uow, order, reason=why)
            return (f"{order.number} was {why} by the owner before any good output here: it "
                    "was cancelled and its reservations released.")
        handled = min(order.quantity, order.good_qty + order.scrap_qty)
        complete_in(uow, order, WOState.DONE, order.good_qty,
                    override_reason=f"Closed when it was {why}.",
                    share=handled / order.quantity)
        if _withdrawn(order):
            return ""  # what it made is more than needed: ``overshoots`` says so
        return (f"{order.number} was {why} by the owner: it was closed here with the "
                f"{format_quantity(order.good_qty)} good already made; {moved.number} makes "
                "the rest.")


# --- at the holder and at the owner, once a withdrawn order was made anyway ------------------


def overshoots(ctx: ServiceContext) -> list[tuple[uuid.UUID, str]]:
    """Each withdrawn order that ended done with good output, as (its id, the sentence),
    where this database holds it or is the owner; the caller alerts once per order."""
    with ctx.transaction() as uow:
        orders = uow.session.scalars(select(m.WorkOrder).where(
            m.WorkOrder.moved_to_id.is_not(None),
            m.WorkOrder.moved_to_id == m.WorkOrder.rerouted_from_id,
            m.WorkOrder.state == WOState.DONE.value, m.WorkOrder.good_qty > 0)).all()
        return [(order.id, _overshoot_text(uow, order)) for order in orders
                if uow.side.is_owner or _holds(uow, order)]


def _overshoot_text(uow: UnitOfWork, order: m.WorkOrder) -> str:
    old = uow.session.get(m.WorkOrder, order.rerouted_from_id)
    site = uow.get(m.Site, order.site_id, "site")
    product = uow.get(m.Product, order.product_id, "product")
    made = f"{format_quantity(order.good_qty)} {product.unit} {product.sku}"
    # A producer may hold only a stub of the old order (domain/read_scope.py), or none.
    continued = f" continued {old.number} and" if old else ""
    return (f"{order.number} at {site.code}{continued} was withdrawn once nothing was left "
            f"to make, but {site.code} had already made {made} on it: that work stands, so "
            f"the network made {made} more than planned (overshoot). Use them for other "
            "demand or plan less.")


# --- at the owner, once the old order is final ---------------------------------------------------


def reconcile_splits(ctx: ServiceContext) -> list[str]:
    """Correct each split's new order by what its old site really made (once)."""
    with ctx.db.read_session() as session:
        ids = list(session.scalars(
            select(WorkOrderReroute.id)
            .join(m.WorkOrder, m.WorkOrder.id == WorkOrderReroute.work_order_id)
            .where(WorkOrderReroute.to_work_order_id.is_not(None),
                   WorkOrderReroute.settled_at.is_(None),
                   m.WorkOrder.state.in_([s.value for s in FINAL_STATES]))))
    return [text for reroute_id in ids if (text := _reconcile_one(ctx, reroute_id))]


def _reconcile_one(ctx: ServiceContext, reroute_id: uuid.UUID) -> str:
    with ctx.transaction() as uow:
        if not uow.side.is_owner:
            return ""
        reroute = uow.get(WorkOrderReroute, reroute_id, "reroute")
        if reroute.settled_at is not None:
            return ""
        old = uow.get(m.WorkOrder, reroute.work_order_id, "work order")
        new = uow.get(m.WorkOrder, reroute.to_work_order_id, "work order")
        reroute.settled_at = uow.now
        made = old.good_qty if old.state == WOState.DONE else Decimal(0)
        surplus = made - reroute.counted_good
        text = _correct(uow, old, new, surplus) if surplus else ""
        uow.session.flush()
        uow.audit("reconcile_reroute", "work_order", new.id, number=new.number,
                  old=old.number, made=str(made), counted=str(reroute.counted_good),
                  quantity=str(new.quantity))
        return text


def _correct(uow: UnitOfWork, old: m.WorkOrder, new: m.WorkOrder, surplus: Decimal) -> str:
    """Change the order carrying ``new``'s work by ``surplus`` (what the old site made beyond
    what was counted)."""
    made = old.good_qty if old.state == WOState.DONE else Decimal(0)
    told = f"{old.number} made {format_quantity(made)} before its site learned of the move"
    target = _carrier(uow, new)
    if target is not new:
        told += f"; {new.number} had been moved on to {target.number}"
    if target.state == WOState.CANCELLED:
        return ""
    if target.state != WOState.DRAFT:
        verb = "overshoots" if surplus > 0 else "falls short"
        return (f"{told}; {target.number} is already {target.state.replace('_', ' ')}, so it "
                f"{verb} by {format_quantity(abs(surplus))}: adjust it at its site.")
    left = target.quantity - surplus
    if left > 0:
        was, target.quantity = target.quantity, left
        return (f"{told}; {target.number} was changed from {format_quantity(was)} to "
                f"{format_quantity(left)}.")
    if _holds(uow, target):
        cancel_in(uow, target, reason=f"{old.number} made it all")
        return f"{told}: nothing is left to make, so {target.number} was cancelled."
    target.moved_to_id = target.rerouted_from_id  # withdrawn: its holder settles it
    return (f"{told}: nothing is left to make, so {target.number} was withdrawn; its site "
            "cancels it at its next sync.")


def _carrier(uow: UnitOfWork, new: m.WorkOrder) -> m.WorkOrder:
    """The order that carries ``new``'s remaining work: ``new`` itself, or, when the owner
    split it onward meanwhile, the last order of that chain (the withdrawn one in between
    keeps only what its site made, and is reconciled on its own)."""
    order = new
    while order.moved_to_id is not None and not _withdrawn(order):
        order = uow.get(m.WorkOrder, order.moved_to_id, "work order")
    return order
