"""Small lookups for forms: a product by SKU, the stock locations, a lot by code."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dmdesk.db import models as m
from dmdesk.domain.errors import NotFoundError
from dmdesk.domain.kinds import LocationKind


@dataclass(frozen=True)
class ProductRef:
    id: uuid.UUID
    sku: str
    name: str
    unit: str
    lot_tracked: bool
    archived: bool


@dataclass(frozen=True)
class LocationRef:
    id: uuid.UUID
    site_id: uuid.UUID
    site_code: str
    code: str

    @property
    def label(self) -> str:
        return f"{self.site_code} / {self.code}"


def product_by_sku(session: Session, sku: str) -> ProductRef:
    row = session.scalars(select(m.Product).where(
        func.lower(m.Product.sku) == sku.strip().lower())).first()
    if row is None:
        raise NotFoundError(f"No product has the SKU '{sku.strip()}'.", field="product")
    return ProductRef(row.id, row.sku, row.name, row.unit, row.lot_tracked, row.archived)


def stock_locations(session: Session) -> list[LocationRef]:
    """Every location stock can be put in or taken from by hand (not in-transit)."""
    rows = session.execute(
        select(m.Location.id, m.Location.site_id, m.Site.code, m.Location.code)
        .join(m.Site, m.Site.id == m.Location.site_id)
        .where(m.Location.kind == LocationKind.INTERNAL, m.Location.archived.is_(False),
               m.Site.archived.is_(False))
        .order_by(m.Site.code, m.Location.code))
    return [LocationRef(*row) for row in rows]


def lot_by_code(session: Session, product_id: uuid.UUID, code: str) -> uuid.UUID:
    lot_id = session.scalar(select(m.Lot.id).where(m.Lot.product_id == product_id,
                                                   m.Lot.code == code.strip()))
    if lot_id is None:
        raise NotFoundError(f"This product has no lot '{code.strip()}'.", field="lot")
    return lot_id
