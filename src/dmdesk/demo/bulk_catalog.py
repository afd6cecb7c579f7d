"""The catalogue through the bulk writer: products, BOM lines, operations, design files and
reorder points, as the product services would have written them (SKUs, sequences 10, 20...,
design versions per file name, one stored blob per distinct content)."""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from dmdesk.db.ids import new_id
from dmdesk.demo.bulk import BulkWriter
from dmdesk.demo.catalog import Catalog, ProductSpec
from dmdesk.demo.planning import Plan
from dmdesk.domain.progress import Progress
from dmdesk.domain.quantity import MONEY_SCALE, QUANTITY_SCALE, to_scaled
from dmdesk.services.work_orders import bom_hash

THOUSANDTH = Decimal("0.001")


def qty(value: Decimal) -> int:
    return to_scaled(value, QUANTITY_SCALE)


def money(value: Decimal) -> int:
    return to_scaled(value, MONEY_SCALE)


@dataclass(frozen=True)
class Pinned:
    """What a work order released today would pin: the BOM's hash and the latest design."""

    bom_hash: str
    design_id: uuid.UUID | None
    design_sha256: str | None


@dataclass
class CatalogIds:
    products: list[uuid.UUID]
    pinned: list[Pinned]


def write_catalog(writer: BulkWriter, catalog: Catalog, plan: Plan, moment: datetime,
                  progress: Progress) -> CatalogIds:
    ids = [new_id() for _ in catalog.products]
    pinned: list[Pinned] = []
    blobs: set[str] = set()
    total = len(catalog.products)
    for spec in catalog.products:
        _product(writer, spec, ids, moment)
        pinned.append(_designs(writer, spec, ids[spec.index], blobs, moment, catalog))
        if spec.index % 2000 == 0:
            progress(spec.index, total, "products")
    for spec in catalog.products:
        _reorder_points(writer, spec, ids[spec.index], plan, catalog, moment)
    return CatalogIds(ids, pinned)


def _product(writer: BulkWriter, spec: ProductSpec, ids: list[uuid.UUID],
             moment: datetime) -> None:
    product_id = ids[spec.index]
    writer.add("product", {
        "id": product_id, "sku": spec.sku, "name": spec.name, "kind": spec.kind.value,
        "unit": spec.unit, "description": spec.description,
        "standard_cost": money(spec.cost), "price": money(spec.price),
        "lot_tracked": spec.lot_tracked, "archived": False,
        "created_at": moment, "updated_at": moment})
    for n, line in enumerate(spec.bom, start=1):
        writer.add("bom_line", {
            "id": new_id(), "parent_id": product_id, "component_id": ids[line.component],
            "sequence": n * 10, "quantity": qty(line.quantity), "scrap_pct": qty(line.scrap_pct),
            "notes": "", "created_at": moment, "updated_at": moment})
    for n, op in enumerate(spec.operations, start=1):
        writer.add("operation", {
            "id": new_id(), "product_id": product_id, "sequence": n * 10, "name": op.name,
            "capability": op.capability, "setup_minutes": qty(op.setup_minutes),
            "run_minutes": qty(op.run_minutes), "created_at": moment, "updated_at": moment})


def _designs(writer: BulkWriter, spec: ProductSpec, product_id: uuid.UUID, blobs: set[str],
             moment: datetime, catalog: Catalog) -> Pinned:
    versions: dict[str, int] = {}
    latest: tuple[int, str, uuid.UUID, str] | None = None  # (-version, name, id, sha)
    for design in spec.designs:
        digest = hashlib.sha256(design.data).hexdigest()
        if digest not in blobs:
            blobs.add(digest)
            writer.add("file_blob", {"sha256": digest, "size": len(design.data),
                                     "data": design.data, "created_at": moment})
        versions[design.name] = versions.get(design.name, 0) + 1
        design_id = new_id()
        writer.add("design_file", {
            "id": design_id, "product_id": product_id, "name": design.name,
            "version": versions[design.name], "sha256": digest,
            "media_type": design.media_type, "archived": False,
            "created_at": moment, "updated_at": moment})
        candidate = (-versions[design.name], design.name, design_id, digest)
        latest = candidate if latest is None or candidate[:2] < latest[:2] else latest
    # Hashed as release sees the lines: read back from Qty columns, with three places.
    lines = [(catalog.products[b.component].sku, b.quantity.quantize(THOUSANDTH),
              b.scrap_pct.quantize(THOUSANDTH)) for b in spec.bom]
    return Pinned(bom_hash(lines), latest[2] if latest else None,
                  latest[3] if latest else None)


def _reorder_points(writer: BulkWriter, spec: ProductSpec, product_id: uuid.UUID, plan: Plan,
                    catalog: Catalog, moment: datetime) -> None:
    if spec.made and spec.kind != "finished":
        return  # components are made on demand, not stocked to a minimum
    minimum, quantity = catalog.reorder_point(spec.index)
    sites = [plan.network.warehouse] if spec.made else plan.users.get(spec.index, [])
    for site in sites:
        writer.add("reorder_point", {
            "id": new_id(), "product_id": product_id, "site_id": site.id,
            "minimum": qty(minimum), "reorder_quantity": qty(quantity),
            "created_at": moment, "updated_at": moment})
