"""Import products: one row per product (SKU, name, unit, kind, costs, lot tracking).

Two modes. ``ProductChecker`` only adds: a SKU already in the database is a problem.
``ProductUpdater`` (``--update``, the wizard's checkbox) also updates: a row whose SKU exists
changes that product, through the product form's edit service, in the fields the file has
columns for; a field without a column is never touched.

An empty cell in a present column keeps the stored value, for every field. An empty cell says
"no value given" more often than "erase": a column filled in only for the rows someone worked
on, or a required Name or Unit left blank. Prices and costs cannot be empty (0 is a price,
not its absence), kind and the yes/no fields have no empty value, and SKU, name and unit are
required; only the description could be cleared, and one exception to "empty keeps" is a rule
to remember for the sake of one field. Write the value you want (0 for a price) to change it.
"""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dmdesk.db import models as m
from dmdesk.documents.importing import cells
from dmdesk.documents.importing.base import Checker, ImportKind, RowView, UpdatePlan
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
            "unit": self.unit(row), "description": row.text("description", 4000) or "",
            "kind": row.choice("kind", KIND_SPELLINGS) or ProductKind.COMPONENT.value,
            "lot_tracked": bool(row.flag("lot_tracked")),
            "archived": bool(row.flag("archived")),
        }
        for money in ("standard_cost", "price"):
            amount = row.decimal(money, places=MONEY_PLACES)
            if amount is not None:
                values[money] = amount
        return values if row.ok else None

    def unit(self, row: RowView) -> str | None:
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


Update = tuple[m.Product, dict[str, Any], bool | None]  # product, changes, archived (None: keep)
LABELS = {f.name: f.label.casefold() for f in FIELDS}


class ProductUpdater(Checker[dict[str, Any] | Update]):
    """Rows with a new SKU are checked and created by a ``ProductChecker``; rows whose SKU
    exists become the changes to that product (only fields whose value differs; an unchanged
    row writes nothing, so no outbox or audit rows)."""

    def __init__(self, session: Session) -> None:
        super().__init__(session)
        self.adder = ProductChecker(session)
        self.adder.taken = set()  # an existing SKU is an update here, not a duplicate
        self.exact: dict[str, m.Product] = {}
        self.folded: dict[str, list[m.Product]] = {}
        for product in session.scalars(select(m.Product)):
            self.exact[product.sku] = product
            self.folded.setdefault(product.sku.casefold(), []).append(product)
        self.created = self.updated = self.unchanged = 0
        self.fields: Counter[str] = Counter()

    def check(self, row: RowView) -> dict[str, Any] | Update | None:
        try:
            sku = cells.as_text(row.raw("sku"), 40)
        except cells.CellError:
            sku = ""  # the adder's check says what is wrong with it
        found = self._existing(sku) if sku else []
        if len(found) > 1:
            row.problem("sku", f"'{sku}' matches more than one product when case is ignored ("
                               f"{', '.join(sorted(p.sku for p in found))}); write it exactly.")
            return None
        if not found:
            record = self.adder.check(row)
            self.created += record is not None
            return record
        product = found[0]
        key = product.sku.casefold()
        if key in self.adder.seen:
            row.problem("sku", f"duplicate SKU '{sku}': row {self.adder.seen[key]} has it too.")
        self.adder.seen.setdefault(key, row.number)
        changes = self._changes(row, product)
        archived = row.flag("archived")
        if archived == product.archived:
            archived = None
        if not row.ok:
            return None
        if not changes and archived is None:
            self.unchanged += 1
            return None  # nothing to write
        self.updated += 1
        self.fields.update(LABELS[name] for name in changes)
        if archived is not None:
            self.fields[LABELS["archived"]] += 1
        return product, changes, archived

    def _existing(self, sku: str) -> list[m.Product]:
        """The product the SKU names: exactly, else ignoring case (may be several)."""
        product = self.exact.get(sku)
        return [product] if product is not None else self.folded.get(sku.casefold(), [])

    def _changes(self, row: RowView, product: m.Product) -> dict[str, Any]:
        """Each present, non-empty cell whose value differs from the product's (an empty
        cell or a missing column keeps the stored value: see the module's docstring)."""
        values: dict[str, Any] = {
            "name": row.text("name", 200), "kind": row.choice("kind", KIND_SPELLINGS),
            "description": row.text("description", 4000),
            "standard_cost": row.decimal("standard_cost", places=MONEY_PLACES),
            "price": row.decimal("price", places=MONEY_PLACES),
            "lot_tracked": row.flag("lot_tracked"),
        }
        if row.has("unit"):
            values["unit"] = self.adder.unit(row)
        changes = {name: value for name, value in values.items()
                   if value is not None and not _same(getattr(product, name), value)}
        if "unit" in changes:
            refusal = products.unit_change_refusal(self.session, product.id)
            if refusal:
                row.problem("unit", f"{product.sku} from {product.unit} to {changes['unit']}: "
                                    f"{refusal}")
        return changes

    def write(self, uow: UnitOfWork, record: dict[str, Any] | Update) -> None:
        if isinstance(record, dict):
            self.adder.write(uow, record)
            return
        product, changes, archived = record
        if changes:
            products.update_product_in(uow, product, changes)
        if archived is not None:
            records.set_archived(uow, product, archived)

    def summary(self, rows: int) -> str:
        return f"{rows} product row{'s' if rows != 1 else ''}: {self.plan().describe(done=True)}"

    def plan(self) -> UpdatePlan:
        return UpdatePlan("product", self.created, self.updated, self.unchanged,
                          tuple(self.fields.most_common()))


def _same(stored: Any, value: Any) -> bool:
    if isinstance(value, Decimal):
        return stored is not None and Decimal(stored) == value
    return bool(stored == value)


KIND = ImportKind("products", "Products", FIELDS, ("products", "product", "items"),
                  ProductChecker, ProductUpdater)
