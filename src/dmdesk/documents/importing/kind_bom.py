"""Import BOM lines: parent SKU, component SKU, quantity per parent, scrap %, sequence, notes.

Parents and components must exist already (import products first). A line may not close a
loop, counting the lines already in the database together with the file's own lines.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from itertools import pairwise

from sqlalchemy import select
from sqlalchemy.orm import Session

from dmdesk.db import models as m
from dmdesk.documents.importing.base import Checker, ImportKind, RowView
from dmdesk.documents.importing.columns import Field
from dmdesk.documents.importing.cycles import find_cycle
from dmdesk.documents.importing.problems import Problems
from dmdesk.services import products
from dmdesk.services.context import UnitOfWork

FIELDS = (
    Field("parent_sku", "Parent SKU", True,
          ("parent", "assembly", "parent item", "parent code", "product sku", "bom of",
           "assembly sku", "finished sku")),
    Field("component_sku", "Component SKU", True,
          ("component", "child", "child sku", "component code", "part", "material",
           "component item", "part number")),
    Field("quantity", "Quantity", True,
          ("qty", "quantity per", "qty per", "per unit", "quantity per unit", "amount")),
    Field("scrap_pct", "Scrap %", False, ("scrap", "scrap percent", "waste", "scrap pct")),
    Field("sequence", "Sequence", False, ("seq", "line", "position", "pos", "line no")),
    Field("notes", "Notes", False, ("note", "comment", "comments", "remarks")),
)


@dataclass(frozen=True)
class BomRecord:
    parent_id: uuid.UUID
    component_id: uuid.UUID
    quantity: Decimal
    scrap_pct: Decimal
    sequence: int | None
    notes: str


class BomChecker(Checker[BomRecord]):
    def __init__(self, session: Session) -> None:
        super().__init__(session)
        self.products = {sku.casefold(): (pid, sku, archived) for pid, sku, archived in
                         session.execute(select(m.Product.id, m.Product.sku,
                                                m.Product.archived))}
        self.sku_of = {pid: sku for pid, sku, _ in self.products.values()}
        self.edges: dict[uuid.UUID, list[uuid.UUID]] = defaultdict(list)
        for parent, child in session.execute(select(m.BomLine.parent_id,
                                                    m.BomLine.component_id)):
            self.edges[parent].append(child)
        self.existing = {(p, c) for p, children in self.edges.items() for c in children}
        self.file_rows: dict[tuple[uuid.UUID, uuid.UUID], int] = {}

    def _product(self, row: RowView, field: str) -> uuid.UUID | None:
        sku = row.text(field, 40, required=True)
        if sku is None:
            return None
        found = self.products.get(sku.casefold())
        if found is None:
            what = "parent" if field == "parent_sku" else "component"
            row.problem(field, f"unknown {what} SKU '{sku}' (import or create the product "
                               "first).")
            return None
        if found[2] and field == "component_sku":
            row.problem(field, f"{found[1]} is archived; restore it to use it in a BOM.")
        return found[0]

    def check(self, row: RowView) -> BomRecord | None:
        parent, component = self._product(row, "parent_sku"), self._product(row, "component_sku")
        quantity = row.decimal("quantity", required=True, positive=True)
        scrap = row.decimal("scrap_pct", below=Decimal(100), percent=True)
        sequence = row.integer("sequence", 0, 100_000)
        notes = row.text("notes", 1000)
        if parent is not None and component is not None:
            self._check_pair(row, parent, component)
        if not row.ok or parent is None or component is None or quantity is None:
            return None
        return BomRecord(parent, component, quantity, scrap or Decimal(0), sequence, notes or "")

    def _check_pair(self, row: RowView, parent: uuid.UUID, component: uuid.UUID) -> None:
        names = f"{self.sku_of[component]} in {self.sku_of[parent]}"
        if parent == component:
            row.problem("component_sku", f"BOM cycle: {self.sku_of[parent]} cannot contain "
                                         "itself.")
        elif (parent, component) in self.file_rows:
            row.problem("component_sku", f"duplicate line {names}: row "
                                         f"{self.file_rows[(parent, component)]} has it too.")
        elif (parent, component) in self.existing:
            row.problem("component_sku", f"{names} is already in the database's BOM; change "
                                         "that line instead.")
        else:
            self.file_rows[(parent, component)] = row.number
            self.edges[parent].append(component)

    def finish(self, problems: Problems, labels: Mapping[str, str]) -> None:
        """Report each loop formed by the file's lines (with the database's), then break it by
        leaving out one of its file lines and look again, so every loop gets a problem."""
        for _ in range(1000):
            cycle = find_cycle(self.edges)
            if cycle is None:
                return
            pairs = list(pairwise(cycle))
            rows = [self.file_rows[p] for p in pairs if p in self.file_rows]
            if not rows:
                return  # a loop already in the database is not this file's doing
            # Start the path at the file's first line in the loop, whatever node the search
            # happened to start from.
            first = min((p for p in pairs if p in self.file_rows), key=self.file_rows.__getitem__)
            turn = pairs.index(first)
            cycle = [*cycle[turn:-1], *cycle[:turn], cycle[turn]]
            pairs = list(pairwise(cycle))
            path = " → ".join(self.sku_of[node] for node in cycle)
            where = ", ".join(map(str, sorted(rows)))
            also = " with lines already in the database" if len(rows) < len(pairs) else ""
            problems.add(max(rows), labels["component_sku"],
                         f"BOM cycle: {path} (file rows {where}{also}): a product would "
                         "contain itself.")
            last = next(p for p in reversed(pairs) if p in self.file_rows)
            self.edges[last[0]].remove(last[1])

    def write(self, uow: UnitOfWork, record: BomRecord) -> None:
        products.add_bom_line_in(uow, record.parent_id, record.component_id, record.quantity,
                                 record.scrap_pct, record.sequence, record.notes)

    def summary(self, rows: int) -> str:
        return f"{rows} BOM line{'s' if rows != 1 else ''}"


KIND = ImportKind("bom", "BOM lines", FIELDS, ("bom", "bomlines", "billofmaterials", "boms"),
                  BomChecker)
