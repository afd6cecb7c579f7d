"""Import products: one row per product (SKU, name, unit, kind, costs, lot tracking)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dmdesk.db import models as m
from dmdesk.documents.importing.base import Checker, ImportKind, RowView
from dmdesk.documents.importing.columns import Field
from dmdesk.domain.kinds import ProductKind
from dmdesk.domain.quantity import MONEY_PLACES
from dmdesk.services import products, records
from dmdesk.services.context import UnitOfWork

SKU_SYNONYMS = ("item code", "item", "code", "product code", "article", "article number",
                "part number", "part no", "pn", "item number", "item no", "reference", "ref")

FIELDS = (
    Field("sku", "SKU", True, SKU_SYNONYMS),
    Field("name", "Name", True, ("product", "product name", "item name", "title")),
    Field("unit", "Unit", True, ("uom", "unit of measure", "units", "measure")),
    Field("kind", "Kind", False, ("type", "product kind", "product type")),
    Field("description", "Description", False, ("details", "long description")),
    Field("standard_cost", "Standard cost", False,
          ("cost", "unit cost", "std cost", "cost price")),
    Field("price", "Price", False, ("sales price", "selling price", "unit price", "list price")),
    Field("lot_tracked", "Lot tracked", False,
          ("lot", "lots", "tracked by lot", "batch tracked", "lot tracking")),
    Field("archived", "Archived", False, ("inactive", "discontinued")),
)

KIND_SPELLINGS = {k.value: k.value for k in ProductKind} | {
    "raw": ProductKind.RAW_MATERIAL.value, "material": ProductKind.RAW_MATERIAL.value,
    "finished_good": ProductKind.FINISHED.value, "product": ProductKind.FINISHED.value,
    "finished_product": ProductKind.FINISHED.value, "part": ProductKind.COMPONENT.value,
    "sub_assembly": ProductKind.COMPONENT.value, "subassembly": ProductKind.COMPONENT.value,
}


class ProductChecker(Checker[dict[str, Any]]):
    def __init__(self, session: Session) -> None:
        super().__init__(session)
        self.taken = set(session.scalars(select(func.lower(m.Product.sku))))
        # Held, so the service's per-row unit lookup (session.get) is answered from the
        # session's identity map instead of a query per row.
        self.unit_rows = list(session.scalars(select(m.Unit)))
        self.units = {unit.code.casefold(): unit.code for unit in self.unit_rows}
        self.seen: dict[str, int] = {}

    def check(self, row: RowView) -> dict[str, Any] | None:
        sku = row.text("sku", 40, required=True)
        if sku:
            key = sku.casefold()
            if key in self.seen:
                row.problem("sku", f"duplicate SKU '{sku}': row {self.seen[key]} has it too.")
            elif key in self.taken:
                row.problem("sku", f"duplicate SKU '{sku}': a product with it is already in "
                                   "the database.")
            self.seen.setdefault(key, row.number)
        values: dict[str, Any] = {
            "sku": sku, "name": row.text("name", 200, required=True),
            "unit": self._unit(row), "description": row.text("description", 4000) or "",
            "kind": row.choice("kind", KIND_SPELLINGS) or ProductKind.COMPONENT.value,
            "lot_tracked": bool(row.flag("lot_tracked")),
            "archived": bool(row.flag("archived")),
        }
        for money in ("standard_cost", "price"):
            amount = row.decimal(money, places=MONEY_PLACES)
            if amount is not None:
                values[money] = amount
        return values if row.ok else None

    def _unit(self, row: RowView) -> str | None:
        unit = row.text("unit", 10, required=True)
        if unit is None:
            return None
        code = self.units.get(unit.casefold())
        if code is None:
            row.problem("unit", f"unknown unit '{unit}'. Known units: "
                                f"{', '.join(sorted(self.units.values()))}.")
        return code

    def write(self, uow: UnitOfWork, record: dict[str, Any]) -> None:
        values = dict(record)
        archived = values.pop("archived")
        product = products.create_product_in(uow, values, sku_checked=True)
        if archived:
            records.set_archived(uow, product, True)

    def summary(self, rows: int) -> str:
        return f"{rows} product{'s' if rows != 1 else ''}"


KIND = ImportKind("products", "Products", FIELDS, ("products", "product", "items"),
                  ProductChecker, "products")
