"""Posting to the stock ledger: the one path every stock change takes.

A batch of signed move lines is checked (exact, whole units where counted, known and not
archived, enough stock unless overridden with a reason), inserted into ``stock_move``,
recorded in the outbox, and folded into the ``stock_balance`` cache, all in the caller's
transaction. It writes with set-based statements (executemany), not one ORM object per row,
so large batches (imports, counts, the benchmark) run at close to raw-SQL speed.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import and_, bindparam, insert, select, update

from dmdesk.db import models as m
from dmdesk.db.chunks import IN_CHUNK, chunked
from dmdesk.db.ids import new_id
from dmdesk.db.raw_insert import insert_many, qty_int, utc_text, uuid_bytes
from dmdesk.db.types import Qty
from dmdesk.db.units import whole_units
from dmdesk.domain.errors import (
    InsufficientStockError,
    NotFoundError,
    Shortage,
    ValidationError,
)
from dmdesk.domain.kinds import MoveReason
from dmdesk.domain.quantity import format_quantity, quantity, whole_number_required
from dmdesk.services.context import UnitOfWork


class StockCheck(StrEnum):
    AVAILABLE = "available"  # on hand less reserved must stay >= 0
    ON_HAND = "on_hand"      # on hand must stay >= 0 (consuming what was reserved)
    NONE = "none"            # increases, counts: nothing to check


@dataclass(frozen=True)
class MoveLine:
    product_id: uuid.UUID
    location_id: uuid.UUID
    quantity: Decimal  # signed: positive into the location, negative out of it
    reason: MoveReason
    lot_id: uuid.UUID | None = None


BalanceKey = tuple[uuid.UUID, uuid.UUID, bytes]


def lot_key(lot_id: uuid.UUID | None) -> bytes:
    return lot_id.bytes if lot_id is not None else b""


def _key(line: MoveLine) -> BalanceKey:
    return (line.product_id, line.location_id, lot_key(line.lot_id))


Balances = dict[BalanceKey, tuple[Decimal, Decimal]]


def load_balances(uow: UnitOfWork, keys: Sequence[BalanceKey]) -> Balances:
    """(on_hand, reserved) for each key that has a balance row.

    Looked up by product, the primary key's first column (an index seek per product), and
    narrowed to the exact keys here. A row-value ``(product, location, lot) IN (...)`` finds
    the same rows, but SQLite plans it as a scan of the whole table, so every batch would get
    slower as the site stocks more products and locations."""
    table = m.StockBalance
    wanted = set(keys)
    locations = list({key[1] for key in wanted})
    found: dict[BalanceKey, tuple[Decimal, Decimal]] = {}
    for chunk in chunked(list({key[0] for key in wanted})):
        query = select(table.product_id, table.location_id, table.lot_key, table.on_hand,
                       table.reserved).where(table.product_id.in_(chunk))
        if len(locations) <= IN_CHUNK:  # else all of the products' rows, narrowed below
            query = query.where(table.location_id.in_(locations))
        for product_id, location_id, key, on_hand, reserved in uow.session.execute(query):
            balance_key = (product_id, location_id, bytes(key))
            if balance_key in wanted:
                found[balance_key] = (on_hand, reserved)
    return found


def _check_references(uow: UnitOfWork, lines: Sequence[MoveLine]) -> dict[uuid.UUID, m.Product]:
    product_ids = {line.product_id for line in lines}
    location_ids = {line.location_id for line in lines}
    products = {p.id: p for p in uow.session.scalars(
        select(m.Product).where(m.Product.id.in_(product_ids)))}
    for product_id in product_ids - products.keys():
        raise NotFoundError(f"Unknown product: {product_id}.", field="product")
    locations = {loc.id: loc for loc in uow.session.scalars(
        select(m.Location).where(m.Location.id.in_(location_ids)))}
    for location_id in location_ids - locations.keys():
        raise NotFoundError(f"Unknown location: {location_id}.", field="location")
    for loc in locations.values():
        if loc.archived:
            raise ValidationError(f"Location {loc.code} is archived; restore it to move stock "
                                  "there.", field="location")
    whole = whole_units(uow.session)
    for line in lines:
        quantity(abs(line.quantity), what="Quantity")  # exact, at most three places, not zero
        product = products[line.product_id]
        if product.unit in whole:
            whole_number_required(abs(line.quantity), product.unit)
    return products


def _shortages(deltas: dict[BalanceKey, Decimal],
               reserved_deltas: dict[BalanceKey, Decimal],
               balances: dict[BalanceKey, tuple[Decimal, Decimal]],
               check: StockCheck,
               products: dict[uuid.UUID, m.Product]) -> list[Shortage]:
    """Outbound keys that would end below their floor: what stays reserved after this batch
    (AVAILABLE), or zero (ON_HAND)."""
    short: list[Shortage] = []
    if check is StockCheck.NONE:
        return short
    for key, delta in deltas.items():
        if delta >= 0:
            continue
        on_hand, reserved = balances.get(key, (Decimal(0), Decimal(0)))
        floor = Decimal(0)
        if check is StockCheck.AVAILABLE:
            floor = max(reserved + reserved_deltas.get(key, Decimal(0)), Decimal(0))
        if on_hand + delta < floor:
            short.append(Shortage(products[key[0]].sku, -delta,
                                  max(on_hand - floor, Decimal(0))))
    return short


def post_moves(uow: UnitOfWork, lines: Sequence[MoveLine], *, reference: str,
               document_id: uuid.UUID | None = None, note: str = "",
               override_reason: str = "", check: StockCheck = StockCheck.AVAILABLE,
               reserved_deltas: dict[BalanceKey, Decimal] | None = None) -> list[uuid.UUID]:
    """Write ``lines`` to the ledger and the balance cache; return the new move ids.

    Outbound lines are checked against ``check``; a shortage raises InsufficientStockError
    unless ``override_reason`` is given, in which case it is recorded on every move.
    ``reserved_deltas`` change the reserved figure of balance rows in the same pass.
    """
    if not lines:
        raise ValidationError("Nothing to move: add at least one line.")
    uow.session.flush()  # rows the caller added (a new lot) must exist before moves refer to them
    products = _check_references(uow, lines)
    deltas: dict[BalanceKey, Decimal] = defaultdict(Decimal)
    lot_of: dict[BalanceKey, uuid.UUID | None] = {}
    for line in lines:
        deltas[_key(line)] += line.quantity
        lot_of[_key(line)] = line.lot_id
    reserved_deltas = reserved_deltas or {}
    all_keys = list(deltas.keys() | reserved_deltas.keys())
    balances = load_balances(uow, all_keys)
    short = _shortages(deltas, reserved_deltas, balances, check, products)
    override_reason = override_reason.strip()
    if short and not override_reason:
        listed = "; ".join(f"{s.sku}: wanted {format_quantity(s.required)}, available "
                           f"{format_quantity(s.available)}" for s in short)
        raise InsufficientStockError(
            f"Not enough stock ({listed}). Give a reason to go ahead anyway.", shortages=short)
    _check_rules(uow, lines, document_id)
    ids = _insert_moves(uow, lines, reference, document_id, note,
                        override_reason if short else "")
    _fold_into_balances(uow, deltas, reserved_deltas, balances, lot_of)
    return ids


def _check_rules(uow: UnitOfWork, lines: Sequence[MoveLine],
                 document_id: uuid.UUID | None) -> None:
    """The write rules, once per location and reason (all a move's rule reads): moves are
    recorded below without change capture, so they are checked here."""
    guard = uow.changes.guard
    if guard is None:
        return
    document = document_id.hex if document_id is not None else None
    seen: set[tuple[uuid.UUID, MoveReason]] = set()
    for line in lines:
        if (line.location_id, line.reason) in seen:
            continue
        seen.add((line.location_id, line.reason))
        guard("stock_move", "insert", new_id().bytes, {
            "product_id": line.product_id.hex, "location_id": line.location_id.hex,
            "lot_id": line.lot_id.hex if line.lot_id else None, "reason": line.reason.value,
            "document_id": document, "quantity": str(line.quantity)})


MOVE_COLUMNS = ("id", "product_id", "location_id", "lot_id", "quantity", "reason",
                "reference", "document_id", "note", "override_reason", "actor", "created_at")
OUTBOX_COLUMNS = ("op_id", "entity", "entity_id", "op", "payload", "hlc", "schema_version",
                  "created_at")


def _insert_moves(uow: UnitOfWork, lines: Sequence[MoveLine], reference: str,
                  document_id: uuid.UUID | None, note: str,
                  override_reason: str) -> list[uuid.UUID]:
    # Values the whole batch shares are encoded once.
    now, document = utc_text(uow.now), uuid_bytes(document_id)
    schema = uow.changes.schema_version
    ids: list[uuid.UUID] = []
    moves: list[tuple[Any, ...]] = []
    outbox: list[tuple[Any, ...]] = []
    for line in lines:
        move_id = new_id()
        ids.append(move_id)
        moves.append((move_id.bytes, line.product_id.bytes, line.location_id.bytes,
                      uuid_bytes(line.lot_id), qty_int(line.quantity), line.reason.value,
                      reference, document, note, override_reason, uow.actor, now))
        # Moves are immutable: the outbox refers to the row instead of copying it.
        outbox.append((new_id().bytes, "stock_move", move_id.bytes, "insert", "",
                       uow.changes.stamp(), schema, now))
    connection = uow.session.connection()
    insert_many(connection, "stock_move", MOVE_COLUMNS, moves)
    insert_many(connection, "outbox", OUTBOX_COLUMNS, outbox)
    return ids


def _fold_into_balances(uow: UnitOfWork, deltas: dict[BalanceKey, Decimal],
                        reserved_deltas: dict[BalanceKey, Decimal],
                        balances: dict[BalanceKey, tuple[Decimal, Decimal]],
                        lot_of: dict[BalanceKey, uuid.UUID | None]) -> None:
    table = m.StockBalance
    updates: list[dict[str, Any]] = []
    inserts: list[dict[str, Any]] = []
    for key in deltas.keys() | reserved_deltas.keys():
        on_hand, reserved = balances.get(key, (Decimal(0), Decimal(0)))
        new_on_hand = on_hand + deltas.get(key, Decimal(0))
        new_reserved = reserved + reserved_deltas.get(key, Decimal(0))
        values = {"b_product": key[0], "b_location": key[1], "b_lot_key": key[2],
                  "v_on_hand": new_on_hand, "v_reserved": new_reserved}
        if key in balances:
            updates.append(values)
        else:
            product_id, location_id, lkey = key
            lot_id = lot_of.get(key) or (uuid.UUID(bytes=lkey) if lkey else None)
            inserts.append({"product_id": product_id, "location_id": location_id,
                            "lot_key": lkey, "lot_id": lot_id, "on_hand": new_on_hand,
                            "reserved": new_reserved})
    connection = uow.session.connection()
    if updates:
        statement = update(table).where(and_(
            table.product_id == bindparam("b_product"),
            table.location_id == bindparam("b_location"),
            table.lot_key == bindparam("b_lot_key"),
        )).values(on_hand=bindparam("v_on_hand", type_=Qty()),
                 reserved=bindparam("v_reserved", type_=Qty()))
        connection.execute(statement, updates)
    if inserts:
        connection.execute(insert(table), inserts)


def change_reserved(uow: UnitOfWork, deltas: dict[BalanceKey, Decimal]) -> None:
    """Change reserved figures without moving stock (reserve on release, free on cancel)."""
    balances = load_balances(uow, list(deltas))
    _fold_into_balances(uow, {}, deltas, balances, {})
