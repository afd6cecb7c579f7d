"""The read side of a job sheet (shop-floor traveler): everything printed on it, as plain rows.

The pick list of a released order is its reservations (where the stock was set aside, which lot),
plus a row without a location for any part of a line still neither reserved nor consumed. A draft
order has no reservations yet: its lines come from the current BOM (what release would reserve)
and are placed on the making site's stock the way release would take it (first location and lot
with stock available, in code order); what the site does not have is listed without a location.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from dmdesk.db import models as m
from dmdesk.domain.errors import NotFoundError
from dmdesk.domain.kinds import LocationKind
from dmdesk.domain.workorder_states import FINAL_STATES, WOState
from dmdesk.queries.orders import MaterialRow, work_order_detail

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
    image: bytes | None  # the blob when it is a PNG or JPEG image or a PDF, for a thumbnail

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


def job_sheet_numbers(session: Session, numbers: Sequence[str]) -> dict[str, uuid.UUID]:
    """The ids of the work orders ``numbers`` (in order), or a NotFoundError naming every
    unknown number."""
    wanted = [n.strip() for n in numbers]
    found = {number: wo_id for number, wo_id in session.execute(
        select(m.WorkOrder.number, m.WorkOrder.id)
        .where(m.WorkOrder.number.in_(set(wanted))))}
    missing = [n for n in wanted if n not in found]
    if missing:
        names = ", ".join(missing)
        plural = "s" if len(missing) > 1 else ""
        raise NotFoundError(f"Unknown work order{plural}: {names}.", field="work order")
    return {n: found[n] for n in wanted}


def job_sheet_data(session: Session, number: str) -> JobSheetData:
    ids = job_sheet_numbers(session, [number])
    return _sheet(session, ids[number.strip()])


def job_sheets_data(session: Session, numbers: Sequence[str]) -> list[JobSheetData]:
    """One sheet's data per number, in the order given; NotFoundError before anything else if
    any number is unknown."""
    ids = job_sheet_numbers(session, numbers)
    return [_sheet(session, ids[n.strip()]) for n in numbers]


def _sheet(session: Session, wo_id: uuid.UUID) -> JobSheetData:
    detail = work_order_detail(session, wo_id)
    order = session.get_one(m.WorkOrder, wo_id)
    reserved = detail.state != WOState.DRAFT
    if reserved:
        picks = _reserved_picks(session, order)
    else:
        picks = _planned_picks(session, order.site_id, detail.materials)
    return JobSheetData(
        number=detail.number, state=detail.state, priority=detail.priority, sku=detail.sku,
        product_name=detail.product_name, quantity=detail.quantity, unit=detail.unit,
        site_code=detail.site_code, site_name=detail.site_name, due_date=detail.due_date,
        customer_order_number=detail.customer_order_number,
        customer_order_line_no=detail.customer_order_line_no,
        customer_name=detail.customer_name, pick_list=tuple(picks),
        pick_list_reserved=reserved,
        operations=tuple(SheetOperation(op.sequence, op.name, op.capability, op.setup_minutes,
                                        op.run_minutes) for op in detail.operations),
        design=_design(session, detail.design_name, detail.design_version,
                       detail.design_sha256),
        notes=detail.notes)


def _reserved_picks(session: Session, order: m.WorkOrder) -> list[PickRow]:
    rows: list[PickRow] = []
    by_material: dict[uuid.UUID, list[tuple[str, str | None, Decimal]]] = defaultdict(list)
    for material_id, location, lot, qty in session.execute(
            select(m.Reservation.material_id, m.Location.code, m.Lot.code,
                   m.Reservation.quantity)
            .join(m.WOMaterial, m.WOMaterial.id == m.Reservation.material_id)
            .join(m.Location, m.Location.id == m.Reservation.location_id)
            .outerjoin(m.Lot, m.Lot.id == m.Reservation.lot_id)
            .where(m.WOMaterial.work_order_id == order.id)
            .order_by(m.Location.code, m.Lot.code)):
        by_material[material_id].append((location, lot, qty))
    lines = session.execute(
        select(m.WOMaterial, m.Product).join(m.Product, m.Product.id == m.WOMaterial.product_id)
        .where(m.WOMaterial.work_order_id == order.id).order_by(m.WOMaterial.line_no)).all()
    open_order = WOState(order.state) not in FINAL_STATES
    for index, (material, product) in enumerate(lines, start=1):
        held = by_material.get(material.id, [])
        for place, lot_code, held_qty in held:
            rows.append(PickRow(index, product.sku, product.name, held_qty, product.unit,
                                place, lot_code))
        rest = material.required - material.consumed - sum((q for *_, q in held), ZERO)
        if open_order and rest > 0:
            rows.append(PickRow(index, product.sku, product.name, rest, product.unit,
                                None, None))
    return rows


def _planned_picks(session: Session, site_id: uuid.UUID,
                   materials: Sequence[MaterialRow]) -> list[PickRow]:
    """Place each BOM line on the site's available stock, as release would reserve it."""
    product_ids = [row.product_id for row in materials]
    stock: dict[uuid.UUID, list[tuple[str, str | None, Decimal]]] = defaultdict(list)
    if product_ids:
        for product_id, location, lot, on_hand, held in session.execute(
                select(m.StockBalance.product_id, m.Location.code, m.Lot.code,
                       m.StockBalance.on_hand, m.StockBalance.reserved)
                .join(m.Location, m.Location.id == m.StockBalance.location_id)
                .outerjoin(m.Lot, m.Lot.id == m.StockBalance.lot_id)
                .where(m.Location.site_id == site_id,
                       m.Location.kind == LocationKind.INTERNAL,
                       m.Location.archived.is_(False),
                       m.StockBalance.product_id.in_(product_ids))
                .order_by(m.Location.code, m.Lot.code)):
            free = Decimal(on_hand) - Decimal(held)
            if free > 0:
                stock[product_id].append((location, lot, free))
    rows: list[PickRow] = []
    for index, material in enumerate(materials, start=1):
        need = material.required - material.consumed
        for place, lot_code, spare in stock.get(material.product_id, []):
            if need <= 0:
                break
            take = min(need, spare)
            rows.append(PickRow(index, material.sku, material.name, take, material.unit,
                                place, lot_code))
            need -= take
        if need > 0:
            rows.append(PickRow(index, material.sku, material.name, need, material.unit,
                                None, None))
    return rows


def _design(session: Session, name: str | None, version: int | None,
            sha256: str | None) -> SheetDesign | None:
    if name is None or version is None or sha256 is None:
        return None
    image: bytes | None = None
    size = session.scalar(select(m.FileBlob.size).where(m.FileBlob.sha256 == sha256))
    if size is not None and size <= MAX_THUMBNAIL_BYTES:
        head = session.scalar(select(m.FileBlob.data).where(m.FileBlob.sha256 == sha256))
        if head is not None and _is_image(head):
            image = bytes(head)
    return SheetDesign(name, version, sha256, image)


def _is_image(data: bytes) -> bool:
    """PNG, JPEG, or a PDF drawing (the sheet shows its first page)."""
    return data.startswith((b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"%PDF-"))
