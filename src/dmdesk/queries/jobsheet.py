"""The read side of a job sheet (shop-floor traveler): everything printed on it, as plain rows.

The pick list of a released order is its reservations (where the stock was set aside, which lot),
plus a row without a location for any part of a line still neither reserved nor consumed. A draft
order has no reservations yet: its lines come from the current BOM (what release would reserve)
and are placed on the making site's free stock (db.free_stock) by release's rule
(domain.stock_take), slots taken in location code, then lot code order; what the site does not
have is listed without a location.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy.orm import Session

from dmdesk.db.free_stock import FreeSlot, FreeStock, free_stock
from dmdesk.domain.errors import NotFoundError
from dmdesk.domain.stock_take import take_in_order
from dmdesk.domain.work_order_states import FINAL_STATES, WOState
from dmdesk.queries import jobsheet_load as load

ZERO = Decimal(0)
# Thumbnails are drawn only from blobs at most this big (a drawing, not a video).
MAX_THUMBNAIL_BYTES = 20 * 1024 * 1024
SHORT_HASH = 12


@dataclass(frozen=True)
class PickRow:
    line_no: int
    sku: str
    name: str
    quantity: Decimal
    unit: str
    location: str | None  # None: not reserved / not in stock at the making site
    lot: str | None


@dataclass(frozen=True)
class SheetOperation:
    sequence: int
    name: str
    capability: str
    setup_minutes: Decimal
    run_minutes: Decimal  # per unit


@dataclass(frozen=True)
class SheetDesign:
    name: str
    version: int
    sha256: str
    image: bytes | None  # the blob when it is a PNG, JPEG, PDF or SVG drawing, for a thumbnail

    @property
    def short_hash(self) -> str:
        return self.sha256[:SHORT_HASH]


@dataclass(frozen=True)
class JobSheetData:
    number: str
    state: WOState
    priority: int
    sku: str
    product_name: str
    quantity: Decimal
    unit: str
    site_code: str
    site_name: str
    due_date: date
    customer_order_number: str | None
    customer_order_line_no: int | None
    customer_name: str | None
    pick_list: tuple[PickRow, ...]
    pick_list_reserved: bool  # True: from reservations; False: computed from the BOM/materials
    operations: tuple[SheetOperation, ...]
    design: SheetDesign | None
    notes: str


def job_sheets_data(session: Session, numbers: Sequence[str]) -> list[JobSheetData]:
    """One sheet's data per number, in the order given; NotFoundError before anything else if
    any number is unknown or any sheet would lack what it is for (``job_sheets_refusal``).
    All the orders are read together, in a few set-based queries (jobsheet_load), so a batch
    costs little more per sheet than one row of each table."""
    wanted = [n.strip() for n in numbers]
    orders = load.orders(session, wanted)
    refusal = _refusal(wanted, orders)
    if refusal:
        raise NotFoundError(refusal, field="work order")
    drafts = [o for o in orders.values() if o.state == WOState.DRAFT]
    pinned = [o.id for o in orders.values() if o.state != WOState.DRAFT]
    pinned_lines, held = load.pinned_materials(session, pinned)
    materials = {**pinned_lines, **load.bom_materials(session, drafts)}
    stock = free_stock(session, (o.site_id for o in drafts),
                       (line.product_id for o in drafts for line in materials[o.id]))
    designs = _designs(session, orders.values())
    operations = load.operations(session, [o.id for o in orders.values()])
    sheets = []
    for number in wanted:
        order = orders[number]
        if order.state == WOState.DRAFT:
            picks = _planned_picks(materials[order.id], stock, order.site_id)
        else:
            picks = _reserved_picks(materials.get(order.id, []), held,
                                    order.state not in FINAL_STATES)
        line = order.customer_line
        sheets.append(JobSheetData(
            number=order.number, state=order.state, priority=order.priority, sku=order.sku,
            product_name=order.product_name, quantity=order.quantity, unit=order.unit,
            site_code=order.site_code, site_name=order.site_name, due_date=order.due_date,
            customer_order_number=line[0] if line else None,
            customer_order_line_no=line[1] if line else None,
            customer_name=line[2] if line else None, pick_list=tuple(picks),
            pick_list_reserved=order.state != WOState.DRAFT,
            operations=tuple(SheetOperation(*op) for op in operations.get(order.id, [])),
            design=designs.get(order.id), notes=order.notes))
    return sheets


def job_sheets_refusal(session: Session, numbers: Sequence[str]) -> str:
    """Why the job sheets of ``numbers`` cannot be made ("" when they can): asked before a
    print dialog, so nobody chooses a printer or a file for nothing. One query per chunk."""
    wanted = [n.strip() for n in numbers]
    return _refusal(wanted, load.orders(session, wanted))


def _refusal(wanted: Sequence[str], orders: Mapping[str, load.OrderRow]) -> str:
    """Unknown numbers; then orders this database holds without their product or a component
    (a producer's, before the owner's rows arrive). A sheet without them would tell the shop
    neither what to make nor what to pick, so it is not printed: the message says why and
    what to do."""
    missing = list(dict.fromkeys(n for n in wanted if n not in orders))
    if missing:
        plural = "s" if len(missing) > 1 else ""
        return f"Unknown work order{plural}: {', '.join(missing)}."
    lacking = [orders[n] for n in dict.fromkeys(wanted)
               if not orders[n].product_shared or orders[n].materials_unshared]
    if not lacking:
        return ""
    names = ", ".join(o.number for o in lacking)
    if len(lacking) > 1:
        return (f"Cannot print the job sheets of {names} yet: what they make or use has not "
                "been shared with this site. Sync again, or ask the owner to share it.")
    what, them = (("its product has", "it") if not lacking[0].product_shared
                  else ("some of its materials have", "them"))
    return (f"Cannot print the job sheet of {names} yet: {what} not been shared with this "
            f"site. Sync again, or ask the owner to share {them}.")


def _reserved_picks(lines: Sequence[load.MaterialLine],
                    held: Mapping[uuid.UUID, list[tuple[str, str | None, Decimal]]],
                    open_order: bool) -> list[PickRow]:
    """A released order's reservations, plus what is still neither reserved nor consumed."""
    rows: list[PickRow] = []
    for index, line in enumerate(lines, start=1):
        places = held.get(line.id, []) if line.id else []
        for place, lot_code, held_qty in places:
            rows.append(PickRow(index, line.sku, line.name, held_qty, line.unit, place,
                                lot_code))
        rest = line.required - line.consumed - sum((q for *_, q in places), ZERO)
        if open_order and rest > 0:
            rows.append(PickRow(index, line.sku, line.name, rest, line.unit, None, None))
    return rows


def _sheet_order(slots: Sequence[FreeSlot]) -> list[tuple[str, str | None, Decimal]]:
    """The slots by location code, then lot code (no lot first, as SQL sorts NULL), the order
    this sheet has always placed a draft's lines in. Release takes the oldest lot first
    (db.free_stock's order), so with several lots the sheet can name other lots than release
    then reserves."""
    ordered = sorted(slots, key=lambda s: (s.location_code, s.lot_code is not None,
                                           s.lot_code or ""))
    return [slot.by_code for slot in ordered]


def _planned_picks(lines: Sequence[load.MaterialLine], stock: FreeStock,
                   site_id: uuid.UUID) -> list[PickRow]:
    """Place each BOM line on the site's available stock by release's rule."""
    rows: list[PickRow] = []
    for index, line in enumerate(lines, start=1):
        slots = _sheet_order(stock.get((site_id, line.product_id), []))
        takes, need = take_in_order(slots, line.required - line.consumed)
        rows.extend(PickRow(index, line.sku, line.name, take, line.unit, place, lot_code)
                    for place, lot_code, take in takes)
        if need > 0:
            rows.append(PickRow(index, line.sku, line.name, need, line.unit, None, None))
    return rows


def _designs(session: Session, orders: Iterable[load.OrderRow]
             ) -> dict[uuid.UUID, SheetDesign]:
    """The design file per order: the pinned one (with the hash pinned at release), or for a
    draft the one release would pin; with its blob when that is an image or a PDF."""
    orders = list(orders)
    latest = load.latest_designs(session, (o.product_id for o in orders
                                           if o.design_file_id is None
                                           and o.state == WOState.DRAFT))
    found: dict[uuid.UUID, tuple[str, int, str]] = {}
    for order in orders:
        if order.design_file_id is not None:
            design = order.pinned_design
            if design is not None and order.design_sha256 is not None:
                found[order.id] = (design[0], design[1], order.design_sha256)
        elif order.state == WOState.DRAFT and order.product_id in latest:
            found[order.id] = latest[order.product_id]
    images = load.image_blobs(session, (sha for *_, sha in found.values()),
                              MAX_THUMBNAIL_BYTES)
    return {wo_id: SheetDesign(name, version, sha, images.get(sha))
            for wo_id, (name, version, sha) in found.items()}
