"""Small lookups for forms: a product by SKU (and the one ProductChoice every form picks
from), the stock locations, a lot by code, whether a lot code is taken."""

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


@dataclass(frozen=True)
class ProductChoice:
    """A product as the forms offer and check it (order lines, work orders, stock moves, BOM
    components)."""

    id: uuid.UUID
    sku: str
    name: str
    unit: str
    kind: str
    price: Decimal
    whole_only: bool  # the unit is counted in whole numbers (pieces, sets)
    lot_tracked: bool
    archived: bool

    @property
    def label(self) -> str:
        return f"{self.sku} — {self.name}"


def product_choice(product: m.Product, whole: frozenset[str]) -> ProductChoice:
    """``product`` as a choice; ``whole`` is db.units.whole_units (read once per list)."""
    return ProductChoice(product.id, product.sku, product.name, product.unit, product.kind,
                         product.price, product.unit in whole, product.lot_tracked,
                         product.archived)


@dataclass(frozen=True)
class LocationRef:
    id: uuid.UUID
    site_id: uuid.UUID
    site_code: str
    code: str

    @property
    def label(self) -> str:
        return f"{self.site_code} / {self.code}"


def product_by_sku(session: Session, sku: str) -> ProductChoice | None:
    """The product with exactly this SKU, else the one SKU equal to it ignoring case (None
    when there is none, or several that differ only in case); archived products included
    (the caller says why they cannot be used)."""
    wanted = sku.strip()
    product = session.scalars(select(m.Product).where(m.Product.sku == wanted)).first()
    if product is None:
        found = list(session.scalars(select(m.Product).where(
            func.lower(m.Product.sku) == wanted.lower()).limit(2)))
        product = found[0] if len(found) == 1 else None
    if product is None:
        return None
    return product_choice(product, whole_units(session))


def find_site(session: Session, site: uuid.UUID | str) -> m.Site:
    """A site by id, or by code in any case; else a NotFoundError naming what was given and
    the codes there are."""
    if isinstance(site, uuid.UUID):
        found = session.get(m.Site, site)
    else:
        found = session.scalars(select(m.Site).where(
            func.upper(m.Site.code) == site.strip().upper())).first()
    if found is None:
        known = ", ".join(sorted(session.scalars(select(m.Site.code))))
        raise NotFoundError(f"There is no site {str(site).strip()}. Known site codes: "
                            f"{known or 'none'}.", field="site")
    return found


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


def lot_code_taken(session: Session, sku: str, code: str) -> bool:
    """Whether the product with exactly this SKU already has a lot with exactly this code
    (what renaming a lot to ``code`` would clash with)."""
    lot_id = session.scalar(
        select(m.Lot.id).join(m.Product, m.Product.id == m.Lot.product_id)
        .where(m.Product.sku == sku, m.Lot.code == code))
    return lot_id is not None
