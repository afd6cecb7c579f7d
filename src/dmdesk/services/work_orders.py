"""Work orders: create, release (reserve), start, report progress, complete, hold, cancel.

Components are reserved at the making site on release and consumed on completion, when the
product is output into stock, all in one transaction. Short stock is refused with the list of
what is missing unless the user gives a reason, which is kept on the order and its moves.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_CEILING, Decimal
from typing import Any

from sqlalchemy import delete, select

from dmdesk.db import models as m
from dmdesk.db.free_stock import free_at
from dmdesk.db.units import whole_units
from dmdesk.domain import lifecycle
from dmdesk.domain.errors import (
    IllegalTransitionError,
    InsufficientStockError,
    NotYoursError,
    Shortage,
    ValidationError,
)
from dmdesk.domain.kinds import (
    MAKING_SITE_KINDS,
    LocationKind,
    MoveReason,
    ProductKind,
    SiteStatus,
)
from dmdesk.domain.numbering import DocKind
from dmdesk.domain.quantity import format_quantity, quantity, required_with_scrap
from dmdesk.domain.stock_take import take_in_order
from dmdesk.domain.work_order_states import RESERVING_STATES, WOAction, WOState, next_state
from dmdesk.services import records
from dmdesk.services.context import ServiceContext, UnitOfWork
from dmdesk.services.fields import a_date, integer, text
from dmdesk.services.ledger import (
    BalanceKey,
    MoveLine,
    StockCheck,
    change_reserved,
    lot_key,
    post_moves,
)
from dmdesk.services.line_room import refuse_over_plan
from dmdesk.services.stock import find_or_create_lot


@dataclass(frozen=True)
class CreatedWorkOrder:
    id: uuid.UUID
    number: str


def create_work_order(ctx: ServiceContext, product_id: uuid.UUID, qty: Any,
                      site_id: uuid.UUID, due_date: date | str, priority: int = 3,
                      customer_order_line_id: uuid.UUID | None = None,
                      notes: str = "") -> CreatedWorkOrder:
    """A new draft work order; one serving a customer order line may cover at most what is
    still open of the line (services/line_room.py)."""
    with ctx.transaction() as uow:
        if customer_order_line_id is not None:
            line = uow.get(m.CustomerOrderLine, customer_order_line_id, "customer order line")
            refuse_over_plan(uow, line, quantity(qty), product_id)
        return create_work_order_in(uow, product_id, qty, site_id, due_date, priority,
                                    customer_order_line_id, notes)


def create_work_order_in(uow: UnitOfWork, product_id: uuid.UUID, qty: Any,
                         site_id: uuid.UUID, due_date: date | str, priority: int = 3,
                         customer_order_line_id: uuid.UUID | None = None,
                         notes: str = "") -> CreatedWorkOrder:
    """``create_work_order`` inside the caller's transaction (routing adds transfers), without
    the check of the line's open quantity: the caller does it (routing) or moves work already
    planned (a split reroute)."""
    amount = quantity(qty)
    product = uow.get(m.Product, product_id, "product")
    if product.archived:
        raise ValidationError(f"{product.sku} is archived.", field="product")
    if product.kind == ProductKind.RAW_MATERIAL:
        raise ValidationError(f"{product.sku} is a raw material: it is bought, not made.",
                              field="product")
    if product.unit in whole_units(uow.session) and amount != amount.to_integral_value():
        raise ValidationError(f"{format_quantity(amount)} {product.unit} is not a whole "
                              "number.", field="quantity")
    _check_making_site(uow.get(m.Site, site_id, "site"))
    if customer_order_line_id is not None:
        uow.get(m.CustomerOrderLine, customer_order_line_id, "customer order line")
    order = m.WorkOrder(
        number=uow.next_number(DocKind.WORK_ORDER), product_id=product_id,
        quantity=amount, site_id=site_id, due_date=a_date()(due_date, "due_date"),
        priority=integer(1, 5)(priority, "priority"),
        customer_order_line_id=customer_order_line_id, state=WOState.DRAFT.value,
        notes=text(10_000)(notes, "notes"))
    uow.session.add(order)
    uow.session.flush()
    for op in uow.session.scalars(select(m.Operation).where(
            m.Operation.product_id == product_id).order_by(m.Operation.sequence)):
        uow.session.add(m.WOOperation(
            work_order_id=order.id, sequence=op.sequence, name=op.name,
            capability=op.capability, setup_minutes=op.setup_minutes,
            run_minutes=op.run_minutes))
    uow.session.flush()
    uow.audit("create", "work_order", order.id, number=order.number,
              quantity=str(amount))
    return CreatedWorkOrder(order.id, order.number)


def _check_making_site(site: m.Site) -> None:
    if site.kind not in MAKING_SITE_KINDS:
        raise ValidationError(f"{site.code} is a {site.kind.replace('_', ' ')}; work orders go "
                              "to own workshops or micro-producers.", field="site")
    if site.archived or site.status != SiteStatus.ACTIVE:
        raise ValidationError(f"{site.code} is {'archived' if site.archived else site.status}; "
                              "choose an active site.", field="site")


def _load(uow: UnitOfWork, wo_id: uuid.UUID) -> m.WorkOrder:
    return uow.get(m.WorkOrder, wo_id, "work order")


def _load_held(uow: UnitOfWork, wo_id: uuid.UUID) -> m.WorkOrder:
    """The order, if this database holds its lifecycle (domain/lifecycle.py); else refused,
    before anything is written, as the sync server would refuse it."""
    order = _load(uow, wo_id)
    site = uow.get(m.Site, order.site_id, "site")
    why = lifecycle.why_not(uow.side, order.number, site.code, site.reports_progress)
    if why:
        raise NotYoursError(why, field="site")
    return order


def _refuse_moved(uow: UnitOfWork, order: m.WorkOrder) -> None:
    """A withdrawn order (split by a reroute) is only settled: cancelled or closed."""
    if order.moved_to_id is not None:
        moved = uow.get(m.WorkOrder, order.moved_to_id, "work order")
        raise IllegalTransitionError(
            f"{order.number} was moved to {moved.number}: it can only be cancelled or "
            "completed with what was made.", field="state")


def _transition(uow: UnitOfWork, order: m.WorkOrder, action: WOAction) -> WOState:
    held = WOState(order.held_from) if order.held_from else None
    return next_state(action, WOState(order.state), held)


# --- release: pin the BOM, reserve components --------------------------------------------------


def bom_hash(lines: list[tuple[str, Decimal, Decimal]]) -> str:
    canonical = json.dumps([[sku, str(q), str(s)] for sku, q, s in sorted(lines)])
    return hashlib.sha256(canonical.encode()).hexdigest()


def _materials_from_bom(uow: UnitOfWork, order: m.WorkOrder) -> list[m.WOMaterial]:
    whole = whole_units(uow.session)
    lines = uow.session.execute(
        select(m.BomLine, m.Product).join(m.Product, m.Product.id == m.BomLine.component_id)
        .where(m.BomLine.parent_id == order.product_id).order_by(m.BomLine.sequence)).all()
    materials = []
    for number, (line, component) in enumerate(lines, start=1):
        required = required_with_scrap(line.quantity, order.quantity, line.scrap_pct,
                                       whole=component.unit in whole)
        materials.append(m.WOMaterial(
            work_order_id=order.id, line_no=number, product_id=component.id,
            quantity_per_unit=line.quantity, scrap_pct=line.scrap_pct, required=required,
            consumed=Decimal(0)))
    order.bom_hash = bom_hash([(c.sku, ln.quantity, ln.scrap_pct) for ln, c in lines])
    return materials


def shortages(uow: UnitOfWork, order: m.WorkOrder,
              materials: list[m.WOMaterial] | None = None) -> list[Shortage]:
    """What the making site lacks for the order's unreserved requirements."""
    materials = materials if materials is not None else list(order.materials)
    reserved = _reserved_by_material(uow, order)
    result = []
    for material in materials:
        still = material.required - material.consumed - reserved.get(material.id, Decimal(0))
        if still <= 0:
            continue
        available = sum((s.free for s in free_at(uow.session, order.site_id,
                                                 material.product_id)), Decimal(0))
        if available < still:
            sku = uow.get(m.Product, material.product_id, "product").sku
            result.append(Shortage(sku, still, available))
    return result


def _reserved_by_material(uow: UnitOfWork, order: m.WorkOrder) -> dict[uuid.UUID, Decimal]:
    totals: dict[uuid.UUID, Decimal] = defaultdict(Decimal)
    for material_id, qty in uow.session.execute(
            select(m.Reservation.material_id, m.Reservation.quantity)
            .join(m.WOMaterial, m.WOMaterial.id == m.Reservation.material_id)
            .where(m.WOMaterial.work_order_id == order.id)):
        totals[material_id] += qty
    return totals


def _reserve(uow: UnitOfWork, order: m.WorkOrder, materials: list[m.WOMaterial]) -> None:
    deltas: dict[BalanceKey, Decimal] = defaultdict(Decimal)
    for material in materials:
        stock = free_at(uow.session, order.site_id, material.product_id)
        for location_id, lot_id, take in take_in_order([s.by_id for s in stock],
                                                       material.required).takes:
            uow.session.add(m.Reservation(material_id=material.id,
                                          product_id=material.product_id,
                                          location_id=location_id, lot_id=lot_id,
                                          quantity=take, created_at=uow.now))
            deltas[(material.product_id, location_id, lot_key(lot_id))] += take
    uow.session.flush()
    if deltas:
        change_reserved(uow, deltas)


def _unreserve(uow: UnitOfWork, order: m.WorkOrder) -> None:
    deltas: dict[BalanceKey, Decimal] = defaultdict(Decimal)
    material_ids = [mat.id for mat in order.materials]
    for res in uow.session.scalars(select(m.Reservation).where(
            m.Reservation.material_id.in_(material_ids))):
        deltas[(res.product_id, res.location_id, lot_key(res.lot_id))] -= res.quantity
    uow.session.execute(delete(m.Reservation).where(m.Reservation.material_id.in_(material_ids)))
    if deltas:
        change_reserved(uow, deltas)


def _refuse_short(short: list[Shortage], override_reason: str, verb: str) -> None:
    if short and not override_reason.strip():
        listed = "; ".join(f"{s.sku}: need {format_quantity(s.required)}, available "
                           f"{format_quantity(s.available)}" for s in short)
        raise InsufficientStockError(
            f"Cannot {verb}: components are short at the making site ({listed}). "
            "Give a reason to go ahead anyway.",
            shortages=short)


def _latest_design(uow: UnitOfWork, product_id: uuid.UUID) -> m.DesignFile | None:
    return uow.session.scalars(
        select(m.DesignFile).where(m.DesignFile.product_id == product_id,
                                   m.DesignFile.archived.is_(False))
        .order_by(m.DesignFile.version.desc(), m.DesignFile.name).limit(1)).first()


def release(ctx: ServiceContext, wo_id: uuid.UUID, override_reason: str = "") -> list[Shortage]:
    """Pin the BOM and design file, reserve components at the making site.

    Returns the shortages that were overridden (empty when stock was sufficient)."""
    with ctx.transaction() as uow:
        order = _load_held(uow, wo_id)
        _refuse_moved(uow, order)
        target = _transition(uow, order, WOAction.RELEASE)
        _check_making_site(uow.get(m.Site, order.site_id, "site"))
        materials = _materials_from_bom(uow, order)
        short = shortages(uow, order, materials)
        _refuse_short(short, override_reason, f"release {order.number}")
        for material in materials:
            uow.session.add(material)
        uow.session.flush()
        _reserve(uow, order, materials)
        design = _latest_design(uow, order.product_id)
        if design is not None:
            order.design_file_id, order.design_sha256 = design.id, design.sha256
        order.state, order.released_at = target.value, uow.now
        if short:
            order.override_reason = override_reason.strip()
        uow.session.flush()
        uow.audit("release", "work_order", order.id, number=order.number,
                  bom_hash=order.bom_hash, shortages=len(short),
                  override_reason=override_reason.strip() if short else "")
        return short


def start(ctx: ServiceContext, wo_id: uuid.UUID) -> None:
    with ctx.transaction() as uow:
        order = _load_held(uow, wo_id)
        _refuse_moved(uow, order)
        order.state = _transition(uow, order, WOAction.START).value
        order.started_at = uow.now
        uow.session.flush()
        uow.audit("start", "work_order", order.id, number=order.number)


def report_progress(ctx: ServiceContext, wo_id: uuid.UUID, sequence: int, good: Any = 0,
                    scrap: Any = 0, finished: bool = False) -> None:
    """Add good and scrap quantities to one operation of an order in progress."""
    good_qty = quantity(good, what="Good quantity", field="good", allow_zero=True)
    scrap_qty = quantity(scrap, what="Scrap quantity", field="scrap", allow_zero=True)
    if good_qty == 0 and scrap_qty == 0 and not finished:
        raise ValidationError("Report a good or a scrap quantity.", field="good")
    with ctx.transaction() as uow:
        order = _load_held(uow, wo_id)
        _transition(uow, order, WOAction.REPORT)
        operations = list(order.operations)
        index = next((i for i, op in enumerate(operations) if op.sequence == sequence), None)
        if index is None:
            known = ", ".join(str(op.sequence) for op in operations) or "none"
            raise ValidationError(f"{order.number} has no operation {sequence} (it has: "
                                  f"{known}).", field="sequence")
        operation = operations[index]
        ceiling = order.quantity if index == 0 else operations[index - 1].good_qty
        total = operation.good_qty + operation.scrap_qty + good_qty + scrap_qty
        if total > ceiling:
            source = ("the order quantity" if index == 0
                      else f"the good output of operation {operations[index - 1].sequence}")
            raise ValidationError(
                f"Operation {sequence} would have handled {format_quantity(total)}, more than "
                f"{source} ({format_quantity(ceiling)}).", field="good")
        operation.good_qty += good_qty
        operation.scrap_qty += scrap_qty
        operation.started_at = operation.started_at or uow.now
        if finished:
            operation.finished_at = uow.now
        order.good_qty = operations[-1].good_qty
        order.scrap_qty = sum((op.scrap_qty for op in operations), Decimal(0))
        uow.session.flush()
        uow.audit("report", "work_order", order.id, number=order.number, operation=sequence,
                  good=str(good_qty), scrap=str(scrap_qty))


def _output_location(uow: UnitOfWork, order: m.WorkOrder,
                     location_id: uuid.UUID | None) -> m.Location:
    if location_id is not None:
        location = uow.get(m.Location, location_id, "output location")
        if location.site_id != order.site_id:
            raise ValidationError("The output location must be at the making site.",
                                  field="location")
        return location
    found = uow.session.scalars(
        select(m.Location).where(m.Location.site_id == order.site_id,
                                 m.Location.kind == LocationKind.INTERNAL,
                                 m.Location.archived.is_(False))
        .order_by(m.Location.code).limit(1)).first()
    if found is None:
        raise ValidationError("The making site has no stock location to put the output in.")
    return found


def complete(ctx: ServiceContext, wo_id: uuid.UUID, good_qty: Any = None,
             override_reason: str = "", output_location_id: uuid.UUID | None = None) -> str:
    """Consume the components and put the product into stock, in one transaction.

    The output is ``good_qty`` if given, else the good quantity reported on the last
    operation, else the order quantity. Returns the stock reference (the WO number)."""
    with ctx.transaction() as uow:
        order = _load_held(uow, wo_id)
        target = _transition(uow, order, WOAction.COMPLETE)
        output = _output_quantity(order, good_qty)
        complete_in(uow, order, target, output, override_reason, output_location_id)
        return order.number


def complete_in(uow: UnitOfWork, order: m.WorkOrder, target: WOState, output: Decimal,
                override_reason: str = "", output_location_id: uuid.UUID | None = None,
                share: Decimal | None = None) -> None:
    """Complete ``order`` inside the caller's transaction. ``share`` (0..1), when given,
    consumes only that share of each material (an order closed short: the units it handled),
    releasing the rest of its reservations."""
    location = _output_location(uow, order, output_location_id)
    consume, genealogy_lots, reserved_back = _consumption(uow, order, share)
    product = uow.get(m.Product, order.product_id, "product")
    out_lot = None
    if product.lot_tracked or genealogy_lots:
        out_lot = find_or_create_lot(uow, product.id, order.number, order.id)
    moves = [*consume, MoveLine(product.id, location.id, output,
                                MoveReason.PRODUCTION_OUTPUT,
                                out_lot.id if out_lot else None)]
    post_moves(uow, moves, reference=order.number, document_id=order.id,
               override_reason=override_reason, check=StockCheck.AVAILABLE,
               reserved_deltas=reserved_back)
    uow.session.execute(delete(m.Reservation).where(
        m.Reservation.material_id.in_([mat.id for mat in order.materials])))
    for material in order.materials:
        material.consumed = _consumption_target(uow, material, share)
    if out_lot is not None:
        for lot_id, qty in genealogy_lots.items():
            uow.session.add(m.LotGenealogy(output_lot_id=out_lot.id, component_lot_id=lot_id,
                                           work_order_id=order.id, quantity=qty,
                                           created_at=uow.now))
    order.state, order.completed_at, order.good_qty = target.value, uow.now, output
    if override_reason.strip():
        order.override_reason = override_reason.strip()
    uow.session.flush()
    uow.audit("complete", "work_order", order.id, number=order.number,
              output=str(output), override_reason=override_reason.strip())


def _consumption_target(uow: UnitOfWork, material: m.WOMaterial,
                        share: Decimal | None) -> Decimal:
    """What a material has consumed once the order completes: all of it, or its share
    (rounded up to a whole unit where the unit is counted, never above what was required)."""
    if share is None:
        return material.required
    step = Decimal("0.001")  # quantities keep three decimals (domain/quantity.py)
    product = uow.get(m.Product, material.product_id, "product")
    if product.unit in whole_units(uow.session):
        step = Decimal(1)
    target = (material.required * share).quantize(step, rounding=ROUND_CEILING)
    return max(material.consumed, min(material.required, target))


def _output_quantity(order: m.WorkOrder, good_qty: Any) -> Decimal:
    if good_qty is not None:
        return quantity(good_qty, what="Good quantity", field="good")
    if order.operations and order.good_qty > 0:
        return order.good_qty
    if order.operations and order.scrap_qty > 0:
        raise ValidationError("Every unit was scrapped: give the good quantity explicitly "
                              "or cancel the order.", field="good")
    return order.quantity


def _consumption(uow: UnitOfWork, order: m.WorkOrder, share: Decimal | None = None
                 ) -> tuple[list[MoveLine], dict[uuid.UUID, Decimal], dict[BalanceKey, Decimal]]:
    """Moves taking each material's remainder: reserved stock first, then whatever else the
    site has (checked for availability by the ledger)."""
    moves: list[MoveLine] = []
    lots: dict[uuid.UUID, Decimal] = defaultdict(Decimal)
    reserved_back: dict[BalanceKey, Decimal] = defaultdict(Decimal)
    reservations = defaultdict(list)
    for res in uow.session.scalars(select(m.Reservation).where(
            m.Reservation.material_id.in_([mat.id for mat in order.materials]))):
        reservations[res.material_id].append(res)
    for material in order.materials:
        remaining = _consumption_target(uow, material, share) - material.consumed
        for res in reservations[material.id]:
            take = min(res.quantity, remaining)
            key = (res.product_id, res.location_id, lot_key(res.lot_id))
            reserved_back[key] -= res.quantity
            if take > 0:
                moves.append(MoveLine(res.product_id, res.location_id, -take,
                                      MoveReason.PRODUCTION_CONSUME, res.lot_id))
                if res.lot_id is not None:
                    lots[res.lot_id] += take
            remaining -= take
        if remaining > 0:
            moves.extend(_unreserved_take(uow, order, material, remaining, lots))
    return moves, dict(lots), dict(reserved_back)


def _unreserved_take(uow: UnitOfWork, order: m.WorkOrder, material: m.WOMaterial,
                     remaining: Decimal, lots: dict[uuid.UUID, Decimal]) -> list[MoveLine]:
    moves = []
    stock = [s.by_id for s in free_at(uow.session, order.site_id, material.product_id)]
    takes, remaining = take_in_order(stock, remaining)
    for location_id, lot_id, take in takes:
        moves.append(MoveLine(material.product_id, location_id, -take,
                              MoveReason.PRODUCTION_CONSUME, lot_id))
        if lot_id is not None:
            lots[lot_id] += take
    if remaining > 0:  # nothing left anywhere: the ledger refuses unless overridden
        fallback = stock[0][0] if stock else _output_location(uow, order, None).id
        moves.append(MoveLine(material.product_id, fallback, -remaining,
                              MoveReason.PRODUCTION_CONSUME, None))
    return moves


def hold(ctx: ServiceContext, wo_id: uuid.UUID, reason: str = "") -> None:
    with ctx.transaction() as uow:
        order = _load_held(uow, wo_id)
        target = _transition(uow, order, WOAction.HOLD)
        order.held_from, order.state = order.state, target.value
        uow.session.flush()
        uow.audit("hold", "work_order", order.id, number=order.number, reason=reason)


def resume(ctx: ServiceContext, wo_id: uuid.UUID) -> None:
    with ctx.transaction() as uow:
        order = _load_held(uow, wo_id)
        order.state = _transition(uow, order, WOAction.RESUME).value
        order.held_from = None
        uow.session.flush()
        uow.audit("resume", "work_order", order.id, number=order.number)


def cancel(ctx: ServiceContext, wo_id: uuid.UUID, reason: str = "") -> None:
    """Cancel an open order; its reservations are released, reported progress is kept."""
    with ctx.transaction() as uow:
        cancel_in(uow, _load_held(uow, wo_id), reason)


def cancel_in(uow: UnitOfWork, order: m.WorkOrder, reason: str = "") -> None:
    """``cancel`` inside the caller's transaction."""
    was = WOState(order.state)
    order.state = _transition(uow, order, WOAction.CANCEL).value
    if was in RESERVING_STATES:
        _unreserve(uow, order)
    uow.session.flush()
    uow.audit("cancel", "work_order", order.id, number=order.number, reason=reason)


PLANNING_FIELDS = {
    "due_date": a_date(),
    "priority": integer(1, 5),
    "notes": text(10_000),
}
DRAFT_ONLY_FIELDS = frozenset({"quantity", "site_id"})


def update_work_order(ctx: ServiceContext, wo_id: uuid.UUID, **changes: Any) -> None:
    """Change planning fields; quantity and making site only while the order is a draft
    (after release the reservations and pinned BOM depend on them)."""
    with ctx.transaction() as uow:
        order = _load(uow, wo_id)
        if WOState(order.state) in (WOState.DONE, WOState.CANCELLED):
            raise IllegalTransitionError(f"{order.number} is {order.state}; it cannot change.")
        draft_changes = {k: changes.pop(k) for k in list(changes) if k in DRAFT_ONLY_FIELDS}
        if draft_changes and order.state != WOState.DRAFT:
            raise IllegalTransitionError(
                f"{order.number} is {order.state}: quantity and site change only in draft "
                "(cancel and re-plan instead).", field=next(iter(draft_changes)))
        if "site_id" in draft_changes:
            _check_making_site(uow.get(m.Site, draft_changes["site_id"], "site"))
            order.site_id = draft_changes["site_id"]
        if "quantity" in draft_changes:
            amount = quantity(draft_changes["quantity"])
            product = uow.get(m.Product, order.product_id, "product")
            if product.unit in whole_units(uow.session) and amount != amount.to_integral_value():
                raise ValidationError(f"{format_quantity(amount)} {product.unit} is not a "
                                      "whole number.", field="quantity")
            order.quantity = amount
        records.update_row(uow, order, PLANNING_FIELDS, changes, what="work order")
        if draft_changes:
            uow.audit("edit", "work_order", order.id,
                      **{k: str(v) for k, v in draft_changes.items()})
