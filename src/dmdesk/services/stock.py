"""Stock use cases: receive, issue, scrap, adjust, count, transfer between sites, reverse."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from dmdesk.db import models as m
from dmdesk.domain.errors import IllegalTransitionError, ValidationError
from dmdesk.domain.kinds import LocationKind, MoveReason, TransferState
from dmdesk.domain.numbering import DocKind
from dmdesk.domain.quantity import quantity
from dmdesk.services.context import ServiceContext, UnitOfWork
from dmdesk.services.ledger import MoveLine, StockCheck, load_balances, lot_key, post_moves
from dmdesk.services.lots import clean_lot_code, lot_of_product
from dmdesk.services.sites import transit_location


@dataclass(frozen=True)
class MoveResult:
    reference: str
    move_ids: list[uuid.UUID]


@dataclass(frozen=True)
class ReceiptLine:
    product_id: uuid.UUID
    location_id: uuid.UUID
    quantity: Decimal | int | str
    lot_code: str | None = None


@dataclass(frozen=True)
class TransferLineSpec:
    product_id: uuid.UUID
    quantity: Decimal | int | str
    lot_id: uuid.UUID | None = None


def find_or_create_lot(uow: UnitOfWork, product_id: uuid.UUID, code: str,
                       work_order_id: uuid.UUID | None = None) -> m.Lot:
    code = clean_lot_code(code)
    lot = lot_of_product(uow, product_id, code)
    if lot is None:
        lot = m.Lot(product_id=product_id, code=code, work_order_id=work_order_id)
        uow.session.add(lot)
        uow.session.flush()
    return lot


def _lot_for_receipt(uow: UnitOfWork, product: m.Product, code: str | None) -> uuid.UUID | None:
    if code:
        return find_or_create_lot(uow, product.id, code).id
    if product.lot_tracked:
        raise ValidationError(f"{product.sku} is tracked by lot: give a lot code.", field="lot")
    return None


def receive(ctx: ServiceContext, product_id: uuid.UUID, location_id: uuid.UUID,
            qty: Any, lot_code: str | None = None, note: str = "") -> MoveResult:
    """Goods arriving from outside (a supplier, a customer return)."""
    return receive_many(ctx, [ReceiptLine(product_id, location_id, qty, lot_code)], note=note)


def receive_many(ctx: ServiceContext, lines: Sequence[ReceiptLine], note: str = "",
                 reason: MoveReason = MoveReason.RECEIPT) -> MoveResult:
    """One receipt of many lines: one reference, one transaction."""
    with ctx.transaction() as uow:
        products = {p.id: p for p in uow.session.scalars(select(m.Product).where(
            m.Product.id.in_({line.product_id for line in lines})))}
        moves = []
        for line in lines:
            amount = quantity(line.quantity)
            product = products.get(line.product_id)
            lot_id = (_lot_for_receipt(uow, product, line.lot_code) if product is not None
                      and (line.lot_code or product.lot_tracked) else None)
            moves.append(MoveLine(line.product_id, line.location_id, amount, reason, lot_id))
        reference = uow.next_number(DocKind.MOVE)
        ids = post_moves(uow, moves, reference=reference, note=note, check=StockCheck.NONE)
        uow.audit(reason.value, "stock_move", None, reference=reference, lines=len(moves))
        return MoveResult(reference, ids)


def _take(ctx: ServiceContext, reason: MoveReason, product_id: uuid.UUID,
          location_id: uuid.UUID, qty: Any, lot_id: uuid.UUID | None, note: str,
          override_reason: str) -> MoveResult:
    amount = quantity(qty)
    with ctx.transaction() as uow:
        reference = uow.next_number(DocKind.MOVE)
        ids = post_moves(uow, [MoveLine(product_id, location_id, -amount, reason, lot_id)],
                         reference=reference, note=note, override_reason=override_reason)
        uow.audit(reason.value, "stock_move", ids[0], reference=reference,
                  quantity=str(amount), override_reason=override_reason)
        return MoveResult(reference, ids)


def issue(ctx: ServiceContext, product_id: uuid.UUID, location_id: uuid.UUID, qty: Any,
          lot_id: uuid.UUID | None = None, note: str = "",
          override_reason: str = "") -> MoveResult:
    """Stock leaving (sold, sent out). More than is available needs ``override_reason``."""
    return _take(ctx, MoveReason.ISSUE, product_id, location_id, qty, lot_id, note,
                 override_reason)


def scrap(ctx: ServiceContext, product_id: uuid.UUID, location_id: uuid.UUID, qty: Any,
          lot_id: uuid.UUID | None = None, note: str = "",
          override_reason: str = "") -> MoveResult:
    return _take(ctx, MoveReason.SCRAP, product_id, location_id, qty, lot_id, note,
                 override_reason)


def adjust(ctx: ServiceContext, product_id: uuid.UUID, location_id: uuid.UUID, delta: Any,
           note: str, lot_id: uuid.UUID | None = None) -> MoveResult:
    """A signed correction; the note (why) is required."""
    amount = quantity(delta, what="Adjustment", allow_negative=True)
    if not note.strip():
        raise ValidationError("Say why stock is adjusted (the note is required).", field="note")
    with ctx.transaction() as uow:
        reference = uow.next_number(DocKind.MOVE)
        ids = post_moves(uow, [MoveLine(product_id, location_id, amount,
                                        MoveReason.ADJUSTMENT, lot_id)],
                         reference=reference, note=note, check=StockCheck.NONE)
        uow.audit("adjustment", "stock_move", ids[0], reference=reference, delta=str(amount),
                  note=note)
        return MoveResult(reference, ids)


@dataclass(frozen=True)
class CountLine:
    product_id: uuid.UUID
    location_id: uuid.UUID
    counted: Decimal | int | str
    lot_id: uuid.UUID | None = None


def count(ctx: ServiceContext, product_id: uuid.UUID, location_id: uuid.UUID, counted: Any,
          lot_id: uuid.UUID | None = None, note: str = "") -> MoveResult | None:
    """Record a physical count: the difference from the books becomes a count move.
    Returns None when the count agrees with the books (nothing to post)."""
    amount = quantity(counted, what="Counted quantity", allow_zero=True)
    with ctx.transaction() as uow:
        return record_counts(uow, [CountLine(product_id, location_id, amount, lot_id)], note)


def record_counts(uow: UnitOfWork, lines: Sequence[CountLine],
                  note: str = "") -> MoveResult | None:
    """Counts of many (product, location, lot) in the caller's transaction, posted as one
    document (one reference); None when every count agrees with the books."""
    amounts = [quantity(line.counted, what="Counted quantity", allow_zero=True)
               for line in lines]
    # Checked here too: a count that agrees with the books posts no move (and so never
    # reaches the ledger's own checks), but must not be recorded for a product or place
    # that does not exist.
    for product_id in {line.product_id for line in lines}:
        uow.get(m.Product, product_id, "product")
    for location_id in {line.location_id for line in lines}:
        uow.get(m.Location, location_id, "location")
    keys = [(line.product_id, line.location_id, lot_key(line.lot_id)) for line in lines]
    balances = load_balances(uow, keys)
    moves = []
    for line, key, amount in zip(lines, keys, amounts, strict=True):
        difference = amount - balances.get(key, (Decimal(0), Decimal(0)))[0]
        if difference != 0:
            moves.append(MoveLine(line.product_id, line.location_id, difference,
                                  MoveReason.COUNT, line.lot_id))
    if not moves:
        uow.audit("count", "stock_balance", None, counted=", ".join(map(str, amounts)),
                  difference="0")
        return None
    reference = uow.next_number(DocKind.MOVE)
    ids = post_moves(uow, moves, reference=reference, note=note, check=StockCheck.NONE)
    if len(lines) == 1:
        uow.audit("count", "stock_move", ids[0], reference=reference, counted=str(amounts[0]),
                  difference=str(moves[0].quantity))
    else:
        uow.audit("count", "stock_move", ids[0], reference=reference, lines=len(lines),
                  moves=len(moves))
    return MoveResult(reference, ids)


# --- transfers between sites ------------------------------------------------------------------


def ship_transfer(ctx: ServiceContext, from_location_id: uuid.UUID,
                  to_location_id: uuid.UUID, lines: Sequence[TransferLineSpec],
                  note: str = "", override_reason: str = "") -> MoveResult:
    """Ship stock towards another site: out of the source, into in-transit."""
    with ctx.transaction() as uow:
        return ship_transfer_in(uow, from_location_id, to_location_id, lines, note,
                                override_reason)


def ship_transfer_in(uow: UnitOfWork, from_location_id: uuid.UUID,
                     to_location_id: uuid.UUID, lines: Sequence[TransferLineSpec],
                     note: str = "", override_reason: str = "",
                     customer_order_line_id: uuid.UUID | None = None) -> MoveResult:
    """``ship_transfer`` inside the caller's transaction (routing ships several at once, for
    the customer order line ``customer_order_line_id`` when it ships the line's product)."""
    if not lines:
        raise ValidationError("A transfer needs at least one line.", field="lines")
    source = uow.get(m.Location, from_location_id, "source location")
    destination = uow.get(m.Location, to_location_id, "destination location")
    if source.id == destination.id:
        raise ValidationError("Source and destination are the same location.",
                              field="to_location")
    for end in (source, destination):
        if end.archived:
            raise ValidationError(f"Location {end.code} is archived; restore it to move "
                                  "stock there.", field="to_location")
    if LocationKind.TRANSIT in (source.kind, destination.kind):
        raise ValidationError("Ship from and to real locations; in-transit is used "
                              "automatically.", field="to_location")
    transit = transit_location(uow)
    transfer = m.Transfer(number=uow.next_number(DocKind.TRANSFER),
                          from_location_id=source.id, to_location_id=destination.id,
                          transit_location_id=transit.id,
                          state=TransferState.SHIPPED.value, shipped_at=uow.now,
                          note=note, customer_order_line_id=customer_order_line_id)
    uow.session.add(transfer)
    uow.session.flush()
    moves: list[MoveLine] = []
    for number, spec in enumerate(lines, start=1):
        amount = quantity(spec.quantity)
        uow.session.add(m.TransferLine(transfer_id=transfer.id, line_no=number,
                                       product_id=spec.product_id, lot_id=spec.lot_id,
                                       quantity=amount))
        moves.append(MoveLine(spec.product_id, source.id, -amount,
                              MoveReason.TRANSFER_OUT, spec.lot_id))
        moves.append(MoveLine(spec.product_id, transit.id, amount,
                              MoveReason.TRANSFER_IN, spec.lot_id))
    ids = post_moves(uow, moves, reference=transfer.number, document_id=transfer.id,
                     note=note, override_reason=override_reason)
    uow.audit("ship", "transfer", transfer.id, number=transfer.number, lines=len(lines))
    return MoveResult(transfer.number, ids)


def receive_transfer(ctx: ServiceContext, transfer_id: uuid.UUID) -> MoveResult:
    """Receive a shipped transfer at its destination: out of in-transit, into the location."""
    with ctx.transaction() as uow:
        transfer = uow.get(m.Transfer, transfer_id, "transfer")
        if transfer.state != TransferState.SHIPPED:
            raise IllegalTransitionError(f"Transfer {transfer.number} was already received.",
                                         field="state")
        moves: list[MoveLine] = []
        for line in transfer.lines:
            moves.append(MoveLine(line.product_id, transfer.transit_location_id, -line.quantity,
                                  MoveReason.TRANSFER_OUT, line.lot_id))
            moves.append(MoveLine(line.product_id, transfer.to_location_id, line.quantity,
                                  MoveReason.TRANSFER_IN, line.lot_id))
        ids = post_moves(uow, moves, reference=transfer.number, document_id=transfer.id,
                         check=StockCheck.NONE)
        transfer.state = TransferState.RECEIVED.value
        transfer.received_at = uow.now
        uow.session.flush()
        uow.audit("receive", "transfer", transfer.id, number=transfer.number)
        return MoveResult(transfer.number, ids)


def reverse(ctx: ServiceContext, reference: str, note: str) -> MoveResult:
    """Undo a stock operation by posting the opposite moves (the ledger is never edited)."""
    if not note.strip():
        raise ValidationError("Say why the moves are reversed (the note is required).",
                              field="note")
    with ctx.transaction() as uow:
        originals = list(uow.session.scalars(select(m.StockMove).where(
            m.StockMove.reference == reference).order_by(m.StockMove.id)))
        if not originals:
            raise ValidationError(f"No stock moves have the reference {reference}.",
                                  field="reference")
        if any(o.document_id is not None for o in originals):
            raise IllegalTransitionError(
                f"{reference} belongs to a transfer or work order; undo it there instead.")
        marker = f"reversal of {reference}"
        # The colon ends the reference: "reversal of HQ-MV-10000" must not match the note
        # of a reversal of HQ-MV-100001. A reversal moves the same products, so the search
        # goes through the product index (a few hundred moves), not all the ledger (a full
        # scan of a million moves took 0.6 s).
        if uow.session.scalar(select(m.StockMove.id).where(
                m.StockMove.product_id.in_({o.product_id for o in originals}),
                m.StockMove.note.startswith(f"{marker}:")).limit(1)):
            raise IllegalTransitionError(f"{reference} has already been reversed.")
        new_reference = uow.next_number(DocKind.MOVE)
        moves = [MoveLine(o.product_id, o.location_id, -o.quantity, MoveReason.ADJUSTMENT,
                          o.lot_id) for o in originals]
        # Taking back a receipt whose goods are already used would drive stock negative:
        # checked like any other outbound move.
        ids = post_moves(uow, moves, reference=new_reference,
                         note=f"{marker}: {note.strip()}", check=StockCheck.AVAILABLE)
        uow.audit("reverse", "stock_move", None, reference=reference,
                  reversal=new_reference)
        return MoveResult(new_reference, ids)
