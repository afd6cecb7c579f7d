"""Rerouting, write side: move open work orders off a site that is paused or going offline.

``apply_reroute`` marks the site (paused or offline) and then moves each accepted work order in
its own transaction (so one refusal does not undo the others), reporting what happened to each:

- the order's making site changes; reported progress (good and scrap per operation) stays on
  the order and is reported with the move;
- its reservations at the old site are released and made again at the new site from the stock
  there; what the new site still lacks is transferred from the released stock of the old site
  (the transfer arrives in transit and is reserved on release or consumed on completion there);
- a ``work_order_reroute`` row and an audit entry keep where the work was before.

That is when this database holds the order's lifecycle (domain/lifecycle.py): nobody else can
act on it meanwhile. When another site holds it (it reports its own progress and may be working
offline right now), the order is never taken from under it: the reroute SPLITS it instead.

- The old order stays at its site and is withdrawn: ``moved_to_id`` (a planning field) names a
  new order at the target for the remainder (its quantity less the good output counted here),
  whose ``rerouted_from_id`` points back. Nothing of the old site's stock is touched.
- The old site, when it learns of the move at its next sync, settles its order
  (services/reroute_settle.py): cancelled if not started, else closed with what it made (only
  that share of the components consumed). What it did before it learned stands: it happened.
- The owner then reconciles the new order once with what the old site really made
  (``work_order_reroute.counted_good`` against the final figure): reduced while it is a draft,
  withdrawn when nothing is left to make, or an alert to the owner when it is already under way.

queries.rerouting.propose_reroute proposes the moves (the best other site for each order).
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import delete, select

from dmdesk.db import models as m
from dmdesk.db.models_network import WorkOrderReroute
from dmdesk.domain import lifecycle
from dmdesk.domain.errors import DomainError, IllegalTransitionError, ValidationError
from dmdesk.domain.kinds import MAKING_SITE_KINDS, SiteStatus
from dmdesk.domain.progress import Progress
from dmdesk.domain.quantity import format_quantity
from dmdesk.domain.work_order_states import OPEN_STATES, RESERVING_STATES, WOState
from dmdesk.services.context import ServiceContext, UnitOfWork
from dmdesk.services.ledger import BalanceKey, change_reserved, lot_key
from dmdesk.services.routing import (
    StockSlot,
    free_stock,
    main_location,
    ship_slots,
    take,
)
from dmdesk.services.work_orders import create_work_order_in


@dataclass(frozen=True)
class RerouteChoice:
    """An accepted move: this work order goes to that site."""

    work_order_id: uuid.UUID
    to_site_id: uuid.UUID


@dataclass(frozen=True)
class MovedWorkOrder:
    work_order_id: uuid.UUID
    number: str
    from_site: str
    to_site: str
    state: str
    progress_kept: tuple[str, ...]  # "10 Cut tubes: 4 good, 1 scrap of 10"
    transfers: tuple[str, ...]
    messages: tuple[str, ...]
    # A split: the number of the new order that carries the rest on ("" when moved whole).
    continued_as: str = ""


@dataclass(frozen=True)
class RerouteResult:
    site_code: str
    status: str
    moved: tuple[MovedWorkOrder, ...]
    failed: tuple[tuple[str, str], ...]  # (work order number or id, why)


def set_site_status(ctx: ServiceContext, site_id: uuid.UUID, status: str) -> str:
    """Mark a site paused, offline or active again; returns its code."""
    value = SiteStatus(status).value if status in set(SiteStatus) else None
    if value is None:
        raise ValidationError(f"Unknown site status {status!r}: use active, paused or "
                              "offline.", field="status")
    with ctx.transaction() as uow:
        site = uow.get(m.Site, site_id, "site")
        was = site.status
        site.status = value
        uow.session.flush()
        uow.audit("set_status", "site", site.id, code=site.code, status=value, was=was)
        return site.code


def apply_reroute(ctx: ServiceContext, site_id: uuid.UUID, accepted: Sequence[RerouteChoice],
                  status: str = SiteStatus.OFFLINE.value, reason: str = "",
                  progress: Progress | None = None) -> RerouteResult:
    """Mark the site ``status`` (paused or offline), then move each accepted work order in its
    own transaction. Refusals are collected per order (``failed``), not raised.

    ``progress(done, total, text)`` is called before each move; if it raises (a task the user
    cancelled), the moves made so far stay made: each is complete in itself."""
    if status not in (SiteStatus.PAUSED, SiteStatus.OFFLINE):
        raise ValidationError(f"A site being rerouted is paused or offline, not {status!r}.",
                              field="status")
    code = set_site_status(ctx, site_id, status)
    moved, failed = [], []
    for done, choice in enumerate(accepted):
        if progress is not None:
            progress(done, len(accepted), f"Moving work order {done + 1} of {len(accepted)}")
        try:
            moved.append(reroute_work_order(ctx, choice.work_order_id, choice.to_site_id,
                                            reason=reason, from_site_id=site_id))
        except DomainError as exc:
            failed.append((_number_of(ctx, choice.work_order_id), exc.message))
    return RerouteResult(code, status, tuple(moved), tuple(failed))


def _number_of(ctx: ServiceContext, work_order_id: uuid.UUID) -> str:
    with ctx.db.read_session() as session:
        number = session.scalar(select(m.WorkOrder.number).where(
            m.WorkOrder.id == work_order_id))
    return number or str(work_order_id)


def reroute_work_order(ctx: ServiceContext, work_order_id: uuid.UUID, to_site_id: uuid.UUID,
                       reason: str = "", from_site_id: uuid.UUID | None = None
                       ) -> MovedWorkOrder:
    """Move one open work order to ``to_site_id`` in one transaction (see the module's
    docstring). ``from_site_id``, when given, must be where the order is now."""
    with ctx.transaction() as uow:
        order = uow.get(m.WorkOrder, work_order_id, "work order")
        if WOState(order.state) not in OPEN_STATES:
            raise IllegalTransitionError(f"{order.number} is {order.state}: only open work "
                                         "orders move.", field="state")
        source = uow.get(m.Site, order.site_id, "site")
        if from_site_id is not None and from_site_id != source.id:
            raise ValidationError(f"{order.number} is no longer at the site being rerouted "
                                  f"(it is at {source.code}).", field="work_order")
        target = _check_target(uow, order, source, to_site_id)
        if not lifecycle.may_act(uow.side, source.code, source.reports_progress):
            return _split(uow, order, source, target, reason)
        freed = _release_reservations(uow, order)
        order.site_id = target.id
        uow.session.flush()
        transfers: list[str] = []
        messages: list[str] = []
        if WOState(order.state) in RESERVING_STATES:
            transfers, messages = _reserve_at_target(uow, order, target, freed)
        elif freed:
            messages.append("Nothing was reserved to move.")
        else:
            messages.append(f"Components are reserved at {target.code} when the order is "
                            "released.")
        progress = tuple(_progress_text(op, order.quantity) for op in order.operations
                         if op.good_qty or op.scrap_qty)
        if progress:
            messages.insert(0, f"Progress kept: {'; '.join(progress)}.")
        uow.session.add(WorkOrderReroute(
            work_order_id=order.id, from_site_id=source.id, to_site_id=target.id,
            state=order.state, progress="; ".join(progress), transfers=", ".join(transfers),
            reason=reason.strip(), actor=uow.actor))
        uow.session.flush()
        uow.audit("reroute", "work_order", order.id, number=order.number, was_at=source.code,
                  now_at=target.code, transfers=", ".join(transfers), reason=reason.strip())
        return MovedWorkOrder(order.id, order.number, source.code, target.code, order.state,
                              progress, tuple(transfers), tuple(messages))


def _split(uow: UnitOfWork, order: m.WorkOrder, source: m.Site, target: m.Site,
           reason: str) -> MovedWorkOrder:
    """Withdraw ``order`` from its holder and continue the remainder in a new order at
    ``target`` (see the module's docstring)."""
    if order.moved_to_id is not None:
        moved = uow.get(m.WorkOrder, order.moved_to_id, "work order")
        raise ValidationError(f"{order.number} was already moved to {moved.number}.",
                              field="work_order")
    counted = order.good_qty
    remainder = order.quantity - counted
    if remainder <= 0:
        raise ValidationError(f"{order.number} has made all {format_quantity(order.quantity)} "
                              "already: nothing is left to move.", field="work_order")
    created = create_work_order_in(
        uow, order.product_id, remainder, target.id, order.due_date, order.priority,
        order.customer_order_line_id, notes=f"Continues {order.number} (moved from "
                                             f"{source.code}).")
    continued = uow.get(m.WorkOrder, created.id, "work order")
    continued.rerouted_from_id = order.id
    order.moved_to_id = continued.id
    progress = tuple(_progress_text(op, order.quantity) for op in order.operations
                     if op.good_qty or op.scrap_qty)
    uow.session.add(WorkOrderReroute(
        work_order_id=order.id, from_site_id=source.id, to_site_id=target.id,
        state=order.state, progress="; ".join(progress), transfers="", reason=reason.strip(),
        actor=uow.actor, to_work_order_id=continued.id, counted_good=counted))
    uow.session.flush()
    uow.audit("reroute", "work_order", order.id, number=order.number, was_at=source.code,
              now_at=target.code, continued_as=continued.number,
              counted_good=str(counted), reason=reason.strip())
    messages = (
        f"{source.code} reports its own progress, so {order.number} stays with it until it "
        f"learns of the move: it then cancels the order if not started, or closes it with "
        f"what it made. {continued.number} at {target.code} makes the remaining "
        f"{format_quantity(remainder)}, and is adjusted once {source.code}'s figure is known.",)
    return MovedWorkOrder(order.id, order.number, source.code, target.code, order.state,
                          progress, (), messages, continued.number)


def _check_target(uow: UnitOfWork, order: m.WorkOrder, source: m.Site,
                  to_site_id: uuid.UUID) -> m.Site:
    target = uow.get(m.Site, to_site_id, "site")
    if target.id == source.id:
        raise ValidationError(f"{order.number} is already at {target.code}.", field="site")
    if target.kind not in MAKING_SITE_KINDS:
        raise ValidationError(f"{target.code} is a {target.kind.replace('_', ' ')}: it does "
                              "not make things.", field="site")
    if target.archived or target.status != SiteStatus.ACTIVE:
        raise ValidationError(f"{target.code} is "
                              f"{'archived' if target.archived else target.status}; choose an "
                              "active site.", field="site")
    needed = {op.capability for op in order.operations if op.capability}
    have = {t.strip() for t in target.capabilities.split(",") if t.strip()}
    if needed - have:
        raise ValidationError(f"{target.code} lacks the capability "
                              f"{', '.join(sorted(needed - have))} that {order.number} needs.",
                              field="site")
    return target


def _release_reservations(uow: UnitOfWork, order: m.WorkOrder
                          ) -> dict[uuid.UUID, list[StockSlot]]:
    """Delete the order's reservations; what they held, per material."""
    material_ids = [mat.id for mat in order.materials]
    freed: dict[uuid.UUID, list[StockSlot]] = defaultdict(list)
    deltas: dict[BalanceKey, Decimal] = defaultdict(Decimal)
    for res in uow.session.scalars(select(m.Reservation).where(
            m.Reservation.material_id.in_(material_ids)).order_by(m.Reservation.id)):
        freed[res.material_id].append((res.location_id, res.lot_id, res.quantity))
        deltas[(res.product_id, res.location_id, lot_key(res.lot_id))] -= res.quantity
    uow.session.execute(delete(m.Reservation).where(m.Reservation.material_id.in_(material_ids)))
    if deltas:
        change_reserved(uow, deltas)
    return freed


def _reserve_at_target(uow: UnitOfWork, order: m.WorkOrder, target: m.Site,
                       freed: dict[uuid.UUID, list[StockSlot]]) -> tuple[list[str], list[str]]:
    """Reserve each material's remainder at the target; ship what it lacks from the stock the
    order held at the old site. Returns (transfer numbers, messages)."""
    transfers: list[str] = []
    messages: list[str] = []
    deltas: dict[BalanceKey, Decimal] = defaultdict(Decimal)
    destination = main_location(uow, target).id
    for material in order.materials:
        product = uow.get(m.Product, material.product_id, "product")
        need = material.required - material.consumed
        if need <= 0:
            continue
        for location, lot, amount in take(free_stock(uow, target.id, product.id), need):
            uow.session.add(m.Reservation(material_id=material.id, product_id=product.id,
                                          location_id=location, lot_id=lot, quantity=amount,
                                          created_at=uow.now))
            deltas[(product.id, location, lot_key(lot))] += amount
            need -= amount
        if need <= 0:
            continue
        sent = take(freed.get(material.id, []), need)
        if sent:
            numbers = ship_slots(uow, sent, product.id, destination,
                                 f"Rerouted {order.number} to {target.code}")
            transfers += numbers
            moving = sum((s[2] for s in sent), Decimal(0))
            need -= moving
            messages.append(f"{format_quantity(moving)} {product.unit} {product.sku} follow on "
                            f"{', '.join(numbers)} (reserve them when received).")
        if need > 0:
            messages.append(f"{target.code} is still short of {format_quantity(need)} "
                            f"{product.unit} {product.sku}.")
    uow.session.flush()
    if deltas:
        change_reserved(uow, deltas)
    return transfers, messages


def _progress_text(op: m.WOOperation, of: Decimal) -> str:
    done = " (finished)" if op.finished_at is not None else ""
    return (f"{op.sequence} {op.name}: {format_quantity(op.good_qty)} good, "
            f"{format_quantity(op.scrap_qty)} scrap of {format_quantity(of)}{done}")
