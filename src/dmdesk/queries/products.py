"""The read side of one product: its header, multi-level BOM, where it is used, operations,
design files (every version) and stock by site; and the product search of pickers.

Trees are read one level per query (``parent_id IN (...)``), so a BOM of any shape costs as many
queries as it has levels, not one per line. A path never repeats a product, so even a cycle that
slipped in through sync cannot make a tree endless; ``max_depth`` bounds it as well.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import Session

from dmdesk.db import models as m
from dmdesk.db.units import whole_units
from dmdesk.domain.errors import NotFoundError
from dmdesk.queries.lookup import ProductChoice, product_choice

MAX_DEPTH = 32


@dataclass(frozen=True)
class ProductHeader:
    id: uuid.UUID
    sku: str
    name: str
    kind: str
    unit: str
    unit_name: str
    description: str
    standard_cost: Decimal
    price: Decimal
    lot_tracked: bool
    archived: bool


@dataclass(frozen=True)
class BomNode:
    """One BOM line: ``component`` goes into ``parent_id`` ``quantity`` times per unit."""

    line_id: uuid.UUID
    parent_id: uuid.UUID
    component_id: uuid.UUID
    sku: str
    name: str
    kind: str
    unit: str
    quantity: Decimal
    scrap_pct: Decimal
    sequence: int
    notes: str
    archived: bool
    level: int
    children: tuple[BomNode, ...] = ()


@dataclass(frozen=True)
class UsedIn:
    """A product that contains the one asked about (``quantity`` of it per unit), and, in
    ``parents``, the products that contain this one in turn."""

    line_id: uuid.UUID
    product_id: uuid.UUID
    sku: str
    name: str
    kind: str
    quantity: Decimal
    archived: bool
    level: int
    parents: tuple[UsedIn, ...] = ()


@dataclass(frozen=True)
class OperationRow:
    id: uuid.UUID
    sequence: int
    name: str
    capability: str
    setup_minutes: Decimal
    run_minutes: Decimal


@dataclass(frozen=True)
class DesignFileRow:
    id: uuid.UUID
    name: str
    version: int
    sha256: str
    size: int
    media_type: str
    created_at: datetime
    latest: bool


@dataclass(frozen=True)
class DesignFileContent:
    name: str
    version: int
    media_type: str
    data: bytes


@dataclass(frozen=True)
class SiteStock:
    site_id: uuid.UUID
    code: str
    name: str
    on_hand: Decimal
    reserved: Decimal
    minimum: Decimal | None = None

    @property
    def available(self) -> Decimal:
        return self.on_hand - self.reserved

    @property
    def below_minimum(self) -> bool:
        return self.minimum is not None and self.available < self.minimum


@dataclass(frozen=True)
class ProductDetail:
    header: ProductHeader
    bom: list[BomNode] = field(default_factory=list)
    used_in: list[UsedIn] = field(default_factory=list)
    operations: list[OperationRow] = field(default_factory=list)
    design_files: list[DesignFileRow] = field(default_factory=list)
    stock: list[SiteStock] = field(default_factory=list)


# --- header, units, search ---------------------------------------------------------------------


def product_header(session: Session, product_id: uuid.UUID) -> ProductHeader:
    row = session.execute(
        select(m.Product, m.Unit.name).join(m.Unit, m.Unit.code == m.Product.unit)
        .where(m.Product.id == product_id)).first()
    if row is None:
        raise NotFoundError(f"Unknown product: {product_id}.", field="product")
    p, unit_name = row
    return ProductHeader(p.id, p.sku, p.name, p.kind, p.unit, unit_name, p.description,
                         p.standard_cost, p.price, p.lot_tracked, p.archived)


def units(session: Session) -> list[tuple[str, str]]:
    """(code, name) of every unit, by code."""
    return [(code, name) for code, name in session.execute(
        select(m.Unit.code, m.Unit.name).order_by(m.Unit.code))]


def find_products(session: Session, search: str, *, exclude: uuid.UUID | None = None,
                  include_archived: bool = False, limit: int = 50) -> list[ProductChoice]:
    """Products whose SKU or name contains every word of ``search``; an exact SKU first."""
    query = select(m.Product)
    for word in search.split():
        query = query.where(_contains(word))
    if exclude is not None:
        query = query.where(m.Product.id != exclude)
    if not include_archived:
        query = query.where(m.Product.archived.is_(False))
    exact = func.lower(m.Product.sku) == search.strip().lower()
    query = query.order_by(exact.desc(), m.Product.sku).limit(limit)
    whole = whole_units(session)
    return [product_choice(p, whole) for p in session.scalars(query)]


def _contains(word: str) -> ColumnElement[bool]:
    escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    pattern = f"%{escaped}%"
    return or_(m.Product.sku.ilike(pattern, escape="\\"),
               m.Product.name.ilike(pattern, escape="\\"))


# --- bill of materials, both ways -------------------------------------------------------------

_LINE_COLUMNS = (m.BomLine.id, m.BomLine.parent_id, m.BomLine.component_id, m.Product.sku,
                 m.Product.name, m.Product.kind, m.Product.unit, m.BomLine.quantity,
                 m.BomLine.scrap_pct, m.BomLine.sequence, m.BomLine.notes, m.Product.archived)


def _levels(session: Session, root: uuid.UUID, *, down: bool,
            max_depth: int) -> dict[uuid.UUID, list[Any]]:
    """BOM line rows keyed by the product they hang from, walking down or up from ``root``."""
    key = m.BomLine.parent_id if down else m.BomLine.component_id
    other = m.BomLine.component_id if down else m.BomLine.parent_id
    rows_of: dict[uuid.UUID, list[Any]] = {}
    frontier: set[uuid.UUID] = {root}
    seen: set[uuid.UUID] = set()
    for _ in range(max_depth):
        if not frontier:
            break
        seen |= frontier
        query = (select(*_LINE_COLUMNS).join(m.Product, m.Product.id == other)
                 .where(key.in_(frontier)).order_by(m.BomLine.sequence, m.Product.sku))
        frontier = set()
        for row in session.execute(query):
            hang = row.parent_id if down else row.component_id
            rows_of.setdefault(hang, []).append(row)
            nxt = row.component_id if down else row.parent_id
            if nxt not in seen:
                frontier.add(nxt)
    return rows_of


def bom_tree(session: Session, product_id: uuid.UUID,
             max_depth: int = MAX_DEPTH) -> list[BomNode]:
    """The multi-level BOM of a product: its lines, each with its component's lines."""
    rows_of = _levels(session, product_id, down=True, max_depth=max_depth)

    def build(parent: uuid.UUID, path: frozenset[uuid.UUID], level: int) -> tuple[BomNode, ...]:
        if level > max_depth:
            return ()
        return tuple(
            BomNode(row.id, row.parent_id, row.component_id, row.sku, row.name, row.kind,
                    row.unit, row.quantity, row.scrap_pct, row.sequence, row.notes,
                    row.archived, level,
                    children=build(row.component_id, path | {row.component_id}, level + 1))
            for row in rows_of.get(parent, []) if row.component_id not in path)

    return list(build(product_id, frozenset({product_id}), 1))


def where_used(session: Session, product_id: uuid.UUID,
               max_depth: int = MAX_DEPTH) -> list[UsedIn]:
    """The products that contain this one, each with the products that contain it."""
    rows_of = _levels(session, product_id, down=False, max_depth=max_depth)

    def build(child: uuid.UUID, path: frozenset[uuid.UUID], level: int) -> tuple[UsedIn, ...]:
        if level > max_depth:
            return ()
        return tuple(
            UsedIn(row.id, row.parent_id, row.sku, row.name, row.kind, row.quantity,
                   row.archived, level,
                   parents=build(row.parent_id, path | {row.parent_id}, level + 1))
            for row in rows_of.get(child, []) if row.parent_id not in path)

    return list(build(product_id, frozenset({product_id}), 1))


def bom_depth(nodes: Iterable[BomNode]) -> int:
    """How many levels a BOM tree has (0 for a product without lines)."""
    return max((1 + bom_depth(node.children) for node in nodes), default=0)


# --- operations, design files, stock ----------------------------------------------------------


def operations(session: Session, product_id: uuid.UUID) -> list[OperationRow]:
    op = m.Operation
    return [OperationRow(*row) for row in session.execute(
        select(op.id, op.sequence, op.name, op.capability, op.setup_minutes, op.run_minutes)
        .where(op.product_id == product_id).order_by(op.sequence))]


def design_files(session: Session, product_id: uuid.UUID) -> list[DesignFileRow]:
    """Every version of every design file of the product: by name, newest version first."""
    d = m.DesignFile
    rows = session.execute(
        select(d.id, d.name, d.version, d.sha256, m.FileBlob.size, d.media_type, d.created_at)
        .join(m.FileBlob, m.FileBlob.sha256 == d.sha256)
        .where(d.product_id == product_id, d.archived.is_(False))
        .order_by(d.name, d.version.desc())).all()
    latest: dict[str, int] = {}
    for row in rows:
        latest.setdefault(row.name, row.version)
    return [DesignFileRow(*row, latest=latest[row.name] == row.version) for row in rows]


def design_file_content(session: Session, design_file_id: uuid.UUID) -> DesignFileContent:
    row = session.execute(
        select(m.DesignFile.name, m.DesignFile.version, m.DesignFile.media_type,
               m.FileBlob.data)
        .join(m.FileBlob, m.FileBlob.sha256 == m.DesignFile.sha256)
        .where(m.DesignFile.id == design_file_id)).first()
    if row is None:
        raise NotFoundError(f"Unknown design file: {design_file_id}.", field="design_file")
    return DesignFileContent(row.name, row.version, row.media_type, bytes(row.data))


def stock_by_site(session: Session, product_id: uuid.UUID) -> list[SiteStock]:
    """On hand and reserved per site (every location of the site, in transit included), with
    the site's reorder minimum; sites with a minimum but no stock are listed too."""
    totals = _site_totals(session, product_id)
    minimums = {row.id: row for row in session.execute(
        select(m.Site.id, m.Site.code, m.Site.name, m.ReorderPoint.minimum)
        .join(m.Site, m.Site.id == m.ReorderPoint.site_id)
        .where(m.ReorderPoint.product_id == product_id))}
    for site_id, row in minimums.items():
        known = totals.get(site_id) or SiteStock(site_id, row.code, row.name, Decimal(0),
                                                 Decimal(0))
        totals[site_id] = replace(known, minimum=row.minimum)
    return sorted(totals.values(), key=lambda s: s.code)


def _site_totals(session: Session, product_id: uuid.UUID) -> dict[uuid.UUID, SiteStock]:
    balance = m.StockBalance
    on_hand, reserved = func.sum(balance.on_hand), func.sum(balance.reserved)
    rows = session.execute(
        select(m.Site.id, m.Site.code, m.Site.name, on_hand, reserved)
        .join(m.Location, m.Location.id == balance.location_id)
        .join(m.Site, m.Site.id == m.Location.site_id)
        .where(balance.product_id == product_id)
        .group_by(m.Site.id, m.Site.code, m.Site.name)
        .having((on_hand != 0) | (reserved != 0)))
    # SUM keeps the column's Qty type: exact Decimals.
    return {site_id: SiteStock(site_id, code, name, Decimal(held), Decimal(kept))
            for site_id, code, name, held, kept in rows}


def product_detail(session: Session, product_id: uuid.UUID) -> ProductDetail:
    """Everything the product's detail pane shows, read in one transaction."""
    return ProductDetail(
        header=product_header(session, product_id),
        bom=bom_tree(session, product_id),
        used_in=where_used(session, product_id),
        operations=operations(session, product_id),
        design_files=design_files(session, product_id),
        stock=stock_by_site(session, product_id),
    )
