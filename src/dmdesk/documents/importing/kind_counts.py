"""Import stock counts: site, location, SKU, lot, counted quantity.

Each count becomes the difference from the books as a count move (services.stock.record_counts),
so importing the same count twice changes nothing the second time. Every 10,000 lines make one
count document (one reference), which keeps the buffered lines bounded.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from dmdesk.db import models as m
from dmdesk.db.units import whole_units
from dmdesk.documents.importing.base import Checker, ImportKind, RowView
from dmdesk.documents.importing.columns import Field
from dmdesk.documents.importing.kind_products import SKU_SYNONYMS
from dmdesk.domain.kinds import LocationKind
from dmdesk.domain.quantity import format_quantity
from dmdesk.services import stock
from dmdesk.services.context import UnitOfWork

FIELDS = (
    Field("site", "Site", True, ("site code", "warehouse", "workshop")),
    Field("location", "Location", True, ("location code", "bin", "place", "shelf", "loc")),
    Field("sku", "SKU", True, SKU_SYNONYMS),
    Field("lot", "Lot", False, ("lot code", "batch", "lot number", "batch number", "lot no")),
    Field("counted", "Counted", True,
          ("counted quantity", "count", "quantity", "qty", "counted qty", "quantity counted",
           "physical", "physical count", "on hand counted")),
)
BATCH = 10_000


@dataclass(frozen=True)
class CountRecord:
    product_id: uuid.UUID
    location_id: uuid.UUID
    lot_code: str
    counted: Decimal


@dataclass(frozen=True)
class _Product:
    id: uuid.UUID
    sku: str
    unit: str
    lot_tracked: bool


class CountChecker(Checker[CountRecord]):
    def __init__(self, session: Session) -> None:
        super().__init__(session)
        self.sites = {code.casefold(): (sid, code) for sid, code in
                      session.execute(select(m.Site.id, m.Site.code))}
        self.locations = {(site, code.casefold()): (lid, kind) for lid, site, code, kind in
                          session.execute(select(m.Location.id, m.Location.site_id,
                                                 m.Location.code, m.Location.kind))}
        self.products = {row.sku.casefold(): _Product(*row) for row in session.execute(
            select(m.Product.id, m.Product.sku, m.Product.unit, m.Product.lot_tracked))}
        self.whole = whole_units(session)
        self.seen: dict[tuple[uuid.UUID, uuid.UUID, str], int] = {}
        self.buffer: list[stock.CountLine] = []

    def _location(self, row: RowView) -> uuid.UUID | None:
        site_code = row.text("site", 6, required=True)
        code = row.text("location", 40, required=True)
        if site_code is None:
            return None
        site = self.sites.get(site_code.casefold())
        if site is None:
            known = ", ".join(sorted(code for _, code in self.sites.values()))
            row.problem("site", f"unknown site code '{site_code}'. Known: {known}.")
            return None
        if code is None:
            return None
        found = self.locations.get((site[0], code.casefold()))
        if found is None:
            row.problem("location", f"site {site[1]} has no location '{code}'.")
            return None
        if found[1] == LocationKind.TRANSIT:
            row.problem("location", f"'{code}' is the in-transit location; count real "
                                    "locations.")
        return found[0]

    def check(self, row: RowView) -> CountRecord | None:
        location = self._location(row)
        sku = row.text("sku", 40, required=True)
        product = self.products.get(sku.casefold()) if sku else None
        if sku and product is None:
            row.problem("sku", f"unknown SKU '{sku}'.")
        lot = row.text("lot", 60) or ""
        if product is not None and product.lot_tracked and not lot:
            row.problem("lot", f"{product.sku} is tracked by lot: give a lot code.")
        counted = row.decimal("counted", required=True)
        if counted is not None and product is not None and product.unit in self.whole \
                and counted != counted.to_integral_value():
            row.problem("counted", f"{format_quantity(counted)} {product.unit} is not a whole "
                                   f"number: '{product.unit}' is counted in whole units.")
        if location is not None and product is not None:
            key = (product.id, location, lot.casefold())
            if key in self.seen:
                row.problem("sku", f"duplicate count: row {self.seen[key]} counts the same "
                                   "product, location and lot.")
            self.seen.setdefault(key, row.number)
        if not row.ok or location is None or product is None or counted is None:
            return None
        return CountRecord(product.id, location, lot, counted)

    def write(self, uow: UnitOfWork, record: CountRecord) -> None:
        lot_id = (stock.find_or_create_lot(uow, record.product_id, record.lot_code).id
                  if record.lot_code else None)
        self.buffer.append(stock.CountLine(record.product_id, record.location_id,
                                           record.counted, lot_id))
        if len(self.buffer) >= BATCH:
            self.flush(uow)

    def flush(self, uow: UnitOfWork) -> None:
        if self.buffer:
            stock.record_counts(uow, self.buffer, note=f"Count imported from {self.source}")
            self.buffer = []

    def summary(self, rows: int) -> str:
        return f"{rows} count{'s' if rows != 1 else ''}"


KIND = ImportKind("counts", "Stock counts", FIELDS, ("counts", "stockcounts", "count", "stock"),
                  CountChecker)
