"""Set-based reads for job sheets: the rows of many work orders in a few queries.

A batch of job sheets used to cost about 17 queries per order (the detail pane's reads, one
order at a time). Here every kind of row is read once for all the orders (in chunks of ids,
below SQLite's limit on bound parameters: db.chunks) and grouped in Python; ``queries.jobsheet``
assembles the sheets from these maps. Columns are selected, not ORM entities: nothing here
needs identity or change tracking, and building entities was a large share of the time.
"""

from __future__ import annotations

import functools
import uuid
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import BindParameter, ColumnElement, Executable, bindparam, case, func, or_, select
from sqlalchemy.orm import Session, aliased

from dmdesk.db import models as m
from dmdesk.db.chunks import chunked
from dmdesk.db.units import whole_units
from dmdesk.domain.quantity import required_with_scrap
from dmdesk.domain.work_order_states import WOState
from dmdesk.queries.orders import NOT_SHARED

# The ids a statement reads, bound per chunk: the statements are built once per process.
IDS: BindParameter[Any] = bindparam("ids", expanding=True)
# The first bytes of the files a sheet can show as a thumbnail: PNG, JPEG, PDF, SVG (an XML
# file whose root is <svg>; the renderer checks that, and skips what it cannot draw).
IMAGE_MAGIC = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"%PDF-", b"<svg", b"<?xml")


@dataclass(frozen=True)
class OrderRow:
    id: uuid.UUID
    number: str
    state: WOState
    priority: int
    product_id: uuid.UUID
    sku: str
    product_name: str
    unit: str
    quantity: Decimal
    site_id: uuid.UUID
    site_code: str
    site_name: str
    due_date: date
    design_file_id: uuid.UUID | None
    design_sha256: str | None
    notes: str
    # (customer order number, line number, customer name); None without a line, or while the
    # line has not arrived by sync
    customer_line: tuple[str, int, str] | None
    # (name, version) of the pinned design file (None: none pinned, or not arrived yet)
    pinned_design: tuple[str, int] | None
    # False: this database lacks the product row (a producer's, not shared it yet)
    product_shared: bool = True
    # True: a component the sheet lists (material or, for a draft, BOM line) has no row here
    materials_unshared: bool = False


@dataclass(frozen=True)
class MaterialLine:
    """A component line: pinned (released orders, ``id`` set) or from the BOM (drafts)."""

    id: uuid.UUID | None
    product_id: uuid.UUID
    sku: str
    name: str
    unit: str
    required: Decimal
    consumed: Decimal


def _rows(session: Session, statement: Executable, ids: Iterable[Any],
          **params: Any) -> Iterator[Any]:
    """Rows of ``statement`` (a select over the expanding parameter ``ids``) for every chunk
    of ``ids``. Core execution on the session's connection: these are plain column reads,
    and the ORM's execution path cost more than the queries."""
    unique = list(dict.fromkeys(ids))
    connection = session.connection()
    for part in chunked(unique):
        yield from connection.execute(statement, {"ids": part, **params})


@functools.cache
def _orders_query() -> Executable:
    wo = m.WorkOrder
    # Outer joins: a producer's database may hold an order whose product or site it has not
    # been shared (yet); the order is there, so it is found, and says what it lacks.
    return (select(wo.id, wo.number, wo.state, wo.priority, wo.product_id,
                   func.coalesce(m.Product.sku, NOT_SHARED), func.coalesce(m.Product.name, ""),
                   func.coalesce(m.Product.unit, ""), wo.quantity, wo.site_id,
                   func.coalesce(m.Site.code, NOT_SHARED), func.coalesce(m.Site.name, ""),
                   wo.due_date, wo.design_file_id, wo.design_sha256, wo.notes,
                   m.CustomerOrder.number, m.CustomerOrderLine.line_no, m.Contact.name,
                   m.DesignFile.name, m.DesignFile.version, m.Product.id.is_not(None),
                   _materials_unshared(wo))
            .outerjoin(m.Product, m.Product.id == wo.product_id)
            .outerjoin(m.Site, m.Site.id == wo.site_id)
            .outerjoin(m.CustomerOrderLine,
                       m.CustomerOrderLine.id == wo.customer_order_line_id)
            .outerjoin(m.CustomerOrder, m.CustomerOrder.id == m.CustomerOrderLine.order_id)
            .outerjoin(m.Contact, m.Contact.id == m.CustomerOrder.customer_id)
            .outerjoin(m.DesignFile, m.DesignFile.id == wo.design_file_id)
            .where(wo.number.in_(IDS)))


def _materials_unshared(wo: type[m.WorkOrder]) -> ColumnElement[bool]:
    """True when a component the sheet would list has no product row here: a released
    order's own material lines, or (a draft) its product's BOM lines."""
    component = aliased(m.Product)
    pinned = (select(m.WOMaterial.id)
              .outerjoin(component, component.id == m.WOMaterial.product_id)
              .where(m.WOMaterial.work_order_id == wo.id, component.id.is_(None)))
    planned = (select(m.BomLine.id)
               .outerjoin(component, component.id == m.BomLine.component_id)
               .where(m.BomLine.parent_id == wo.product_id, component.id.is_(None)))
    return case((wo.state == WOState.DRAFT.value, planned.exists()), else_=pinned.exists())


@functools.cache
def _pinned_query() -> Executable:
    """Material lines with their reservations (none: one row with NULLs) in one read."""
    material, reservation = m.WOMaterial, m.Reservation
    return (select(material.work_order_id, material.id, material.product_id, m.Product.sku,
                   m.Product.name, m.Product.unit, material.required, material.consumed,
                   m.Location.code, m.Lot.code, reservation.quantity)
            .join(m.Product, m.Product.id == material.product_id)
            .outerjoin(reservation, reservation.material_id == material.id)
            .outerjoin(m.Location, m.Location.id == reservation.location_id)
            .outerjoin(m.Lot, m.Lot.id == reservation.lot_id)
            .where(material.work_order_id.in_(IDS))
            .order_by(material.work_order_id, material.line_no, m.Location.code, m.Lot.code))


@functools.cache
def _bom_query() -> Executable:
    return (select(m.BomLine.parent_id, m.BomLine.component_id, m.Product.sku,
                   m.Product.name, m.Product.unit, m.BomLine.quantity, m.BomLine.scrap_pct)
            .join(m.Product, m.Product.id == m.BomLine.component_id)
            .where(m.BomLine.parent_id.in_(IDS))
            .order_by(m.BomLine.parent_id, m.BomLine.sequence))


@functools.cache
def _operations_query() -> Executable:
    return (select(m.WOOperation.work_order_id, m.WOOperation.sequence, m.WOOperation.name,
                   m.WOOperation.capability, m.WOOperation.setup_minutes,
                   m.WOOperation.run_minutes)
            .where(m.WOOperation.work_order_id.in_(IDS))
            .order_by(m.WOOperation.work_order_id, m.WOOperation.sequence))


@functools.cache
def _latest_designs_query() -> Executable:
    return (select(m.DesignFile.product_id, m.DesignFile.name, m.DesignFile.version,
                   m.DesignFile.sha256)
            .where(m.DesignFile.product_id.in_(IDS), m.DesignFile.archived.is_(False))
            .order_by(m.DesignFile.product_id, m.DesignFile.version.desc(),
                      m.DesignFile.name))


@functools.cache
def _image_blobs_query() -> Executable:
    return (select(m.FileBlob.sha256, m.FileBlob.data)
            .where(m.FileBlob.sha256.in_(IDS), m.FileBlob.size <= bindparam("max_bytes"),
                   or_(*(func.substr(m.FileBlob.data, 1, len(magic)) == magic
                         for magic in IMAGE_MAGIC))))

def orders(session: Session, numbers: Sequence[str]) -> dict[str, OrderRow]:
    """The work orders ``numbers`` (unknown ones are absent) with their product, site,
    customer order line and pinned design file, and whether this database lacks the product
    or a component: one query per chunk."""
    result = {}
    for row in _rows(session, _orders_query(), numbers):
        values: list[Any] = list(row[:16])
        values[2] = WOState(values[2])
        co_number, line_no, customer, design_name, design_version, shared, unshared = row[16:]
        line = ((co_number, line_no, customer)
                if None not in (co_number, line_no, customer) else None)
        design = (design_name, design_version) if design_name is not None else None
        result[row[1]] = OrderRow(*[*values, line, design, bool(shared), bool(unshared)])
    return result


# (location code, lot code, quantity) per material line, by location and lot code.
Held = dict[uuid.UUID, list[tuple[str, str | None, Decimal]]]


def pinned_materials(session: Session, order_ids: Iterable[uuid.UUID]
                     ) -> tuple[dict[uuid.UUID, list[MaterialLine]], Held]:
    """Released orders' own material lines, in line order, and their reservations."""
    lines: dict[uuid.UUID, list[MaterialLine]] = defaultdict(list)
    held: Held = defaultdict(list)
    for wo_id, material_id, *values, location, lot, quantity in _rows(
            session, _pinned_query(), order_ids):
        order_lines = lines[wo_id]
        if not order_lines or order_lines[-1].id != material_id:
            order_lines.append(MaterialLine(material_id, *values))
        if location is not None:
            held[material_id].append((location, lot, quantity))
    return lines, held


def bom_materials(session: Session, drafts: Iterable[OrderRow]
                  ) -> dict[uuid.UUID, list[MaterialLine]]:
    """Draft orders' lines from their product's current BOM, as release computes them."""
    drafts = list(drafts)
    if not drafts:
        return {}
    whole = whole_units(session)

    boms: dict[uuid.UUID, list[tuple[Any, ...]]] = defaultdict(list)
    for parent_id, *values in _rows(session, _bom_query(), (o.product_id for o in drafts)):
        boms[parent_id].append(tuple(values))
    result: dict[uuid.UUID, list[MaterialLine]] = {}
    for order in drafts:
        lines = []
        for component_id, sku, name, unit, per_unit, scrap_pct in boms.get(order.product_id, []):
            need = required_with_scrap(per_unit, order.quantity, scrap_pct, whole=unit in whole)
            lines.append(MaterialLine(None, component_id, sku, name, unit, need, Decimal(0)))
        result[order.id] = lines
    return result


def operations(session: Session, order_ids: Iterable[uuid.UUID]
               ) -> dict[uuid.UUID, list[tuple[int, str, str, Decimal, Decimal]]]:
    """(sequence, name, capability, setup minutes, run minutes) per order, in sequence."""
    result: dict[uuid.UUID, list[tuple[int, str, str, Decimal, Decimal]]] = defaultdict(list)
    for wo_id, *values in _rows(session, _operations_query(), order_ids):
        result[wo_id].append((values[0], values[1], values[2], values[3], values[4]))
    return result


def latest_designs(session: Session, product_ids: Iterable[uuid.UUID]
                   ) -> dict[uuid.UUID, tuple[str, int, str]]:
    """The design file release would pin, per product: the highest version not archived
    (then the first by name)."""
    result: dict[uuid.UUID, tuple[str, int, str]] = {}
    rows = _rows(session, _latest_designs_query(), product_ids)
    for product_id, name, version, sha256 in rows:
        result.setdefault(product_id, (name, version, sha256))
    return result


def image_blobs(session: Session, hashes: Iterable[str], max_bytes: int
                ) -> dict[str, bytes]:
    """The blobs (at most ``max_bytes``) that are PNG, JPEG, PDF or SVG, by their first bytes:
    others (CAD files...) are never read into memory."""
    rows = _rows(session, _image_blobs_query(), hashes, max_bytes=max_bytes)
    return {sha: bytes(blob) for sha, blob in rows}
