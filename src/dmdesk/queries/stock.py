"""Stock figures: on hand, reserved and available; a work order's shortages; the product and
location a stock-on-hand row names."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dmdesk.db import models as m
from dmdesk.db.units import whole_units
from dmdesk.domain.errors import NotFoundError
from dmdesk.domain.kinds import LocationKind
from dmdesk.domain.quantity import required_with_scrap
from dmdesk.domain.work_order_states import WOState


@dataclass(frozen=True)
class StockFigures:
    on_hand: Decimal
    reserved: Decimal

    @property
    def available(self) -> Decimal:
        return self.on_hand - self.reserved


def figures(session: Session, product_id: uuid.UUID, *, site_id: uuid.UUID | None = None,
            location_id: uuid.UUID | None = None) -> StockFigures:
    """Totals of a product, at one location, one site (its internal locations) or everywhere."""
    query = (select(func.coalesce(func.sum(m.StockBalance.on_hand), 0),
                    func.coalesce(func.sum(m.StockBalance.reserved), 0))
             .where(m.StockBalance.product_id == product_id))
    if location_id is not None:
        query = query.where(m.StockBalance.location_id == location_id)
    if site_id is not None:
        query = query.join(m.Location, m.Location.id == m.StockBalance.location_id).where(
            m.Location.site_id == site_id, m.Location.kind == LocationKind.INTERNAL)
    on_hand, reserved = session.execute(query).one()
    # SUM keeps the column's Qty type, so the sums come back as exact Decimals.
    return StockFigures(Decimal(on_hand), Decimal(reserved))


@dataclass(frozen=True)
class BalancePlace:
    """The product and the location of a stock-on-hand row, as ids (None where a code names
    nothing any more, e.g. renamed since the list was read)."""

    product_id: uuid.UUID | None
    location_id: uuid.UUID | None


def balance_place(session: Session, sku: str, site_code: str,
                  location_code: str) -> BalancePlace:
    """The ids behind the codes a stock-on-hand row shows (the SKU, the site's and the
    location's codes: each unique where it is), to list that balance's moves."""
    product_id = session.scalar(select(m.Product.id).where(m.Product.sku == sku))
    location_id = session.scalar(
        select(m.Location.id).join(m.Site, m.Site.id == m.Location.site_id)
        .where(m.Site.code == site_code, m.Location.code == location_code))
    return BalancePlace(product_id, location_id)


@dataclass(frozen=True)
class ShortageRow:
    product_id: uuid.UUID
    sku: str
    name: str
    unit: str
    required: Decimal
    reserved: Decimal
    available: Decimal

    @property
    def missing(self) -> Decimal:
        return max(self.required - self.reserved - self.available, Decimal(0))


def work_order_shortages(session: Session, wo_id: uuid.UUID) -> list[ShortageRow]:
    """Components the making site lacks for an open work order.

    Before release the requirement comes from the current BOM; afterwards from the order's
    pinned material lines, less what is already reserved for it.
    """
    order = session.get(m.WorkOrder, wo_id)
    if order is None:
        raise NotFoundError(f"Unknown work order: {wo_id}.")
    if order.state in (WOState.DONE, WOState.CANCELLED):
        return []
    rows = []
    for product, required, reserved in _requirements(session, order):
        available = figures(session, product.id, site_id=order.site_id).available
        row = ShortageRow(product.id, product.sku, product.name, product.unit, required,
                          reserved, available)
        if row.missing > 0:
            rows.append(row)
    return rows


def _requirements(session: Session, order: m.WorkOrder
                  ) -> list[tuple[m.Product, Decimal, Decimal]]:
    whole = whole_units(session)
    if order.state == WOState.DRAFT:
        result = []
        for line, product in session.execute(
                select(m.BomLine, m.Product).join(m.Product,
                                                  m.Product.id == m.BomLine.component_id)
                .where(m.BomLine.parent_id == order.product_id)
                .order_by(m.BomLine.sequence)):
            need = required_with_scrap(line.quantity, order.quantity, line.scrap_pct,
                                       whole=product.unit in whole)
            result.append((product, need, Decimal(0)))
        return result
    result = []
    for material in order.materials:
        reserved = session.scalar(select(func.coalesce(func.sum(m.Reservation.quantity), 0))
                                  .where(m.Reservation.material_id == material.id)) or 0
        component = session.get(m.Product, material.product_id)
        assert component is not None
        result.append((component, material.required - material.consumed, Decimal(reserved)))
    return result
