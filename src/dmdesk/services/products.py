"""Products, their bills of materials, operations, design files and reorder points."""

from __future__ import annotations

import hashlib
import uuid
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dmdesk.db import models as m
from dmdesk.domain.bom import would_create_cycle
from dmdesk.domain.errors import ValidationError
from dmdesk.domain.kinds import ProductKind
from dmdesk.services import records
from dmdesk.services.context import ServiceContext, UnitOfWork
from dmdesk.services.fields import amount, choice, flag, integer, qty, text

PRODUCT_FIELDS = {
    "sku": text(40, required=True),
    "name": text(200, required=True),
    "kind": choice(ProductKind),
    "unit": text(10, required=True),
    "description": text(4000),
    "standard_cost": amount(),
    "price": amount(),
    "lot_tracked": flag(),
}
BOM_FIELDS = {
    "quantity": qty(allow_zero=False),
    "scrap_pct": lambda v, f: _scrap(v, f),
    "sequence": integer(0, 100_000),
    "notes": text(1000),
}
OPERATION_FIELDS = {
    "sequence": integer(1, 100_000),
    "name": text(120, required=True),
    "capability": text(40),
    "setup_minutes": qty(),
    "run_minutes": qty(),
}


def _scrap(value: Any, field: str) -> Decimal:
    number: Decimal = qty()(value, field)
    if number >= 100:
        raise ValidationError(f"{field} must be below 100 %.", field=field)
    return number


def _check_unit(uow: UnitOfWork, unit: str) -> None:
    if uow.session.get(m.Unit, unit) is None:
        known = ", ".join(uow.session.scalars(select(m.Unit.code).order_by(m.Unit.code)))
        raise ValidationError(f"Unknown unit '{unit}'. Known units: {known}.", field="unit")


def create_product(ctx: ServiceContext, **values: Any) -> uuid.UUID:
    with ctx.transaction() as uow:
        return _create_product(uow, values).id


def create_product_in(uow: UnitOfWork, values: dict[str, Any], *,
                      sku_checked: bool = False) -> m.Product:
    """Create a product in the caller's transaction (imports: many in one). ``sku_checked``:
    the caller has already checked, under this transaction's lock, that no SKU is taken; the
    case-insensitive lookup cannot use the index, so 100,000 of them would scan quadratically."""
    return _create_product(uow, values, sku_checked=sku_checked)


def _create_product(uow: UnitOfWork, values: dict[str, Any], *,
                    sku_checked: bool = False) -> m.Product:
    sku = PRODUCT_FIELDS["sku"](values.get("sku"), "sku")
    if not sku_checked:
        records.ensure_unique(uow, m.Product, "sku", sku, what="SKU")
    values = {"kind": ProductKind.COMPONENT, "unit": "pcs", **values, "sku": sku}
    _check_unit(uow, PRODUCT_FIELDS["unit"](values["unit"], "unit"))
    return records.create_row(uow, m.Product, PRODUCT_FIELDS, values, what="product",
                              require=("sku", "name"))


def update_product(ctx: ServiceContext, product_id: uuid.UUID, **changes: Any) -> None:
    with ctx.transaction() as uow:
        update_product_in(uow, uow.get(m.Product, product_id, "product"), changes)


def update_product_in(uow: UnitOfWork, product: m.Product, changes: dict[str, Any]) -> None:
    """Edit a product in the caller's transaction (imports: many in one); the same checks as
    the form's edit."""
    if "sku" in changes:
        sku = PRODUCT_FIELDS["sku"](changes["sku"], "sku")
        records.ensure_unique(uow, m.Product, "sku", sku, what="SKU", exclude=product.id)
    if "unit" in changes and changes["unit"] != product.unit:
        _check_unit(uow, PRODUCT_FIELDS["unit"](changes["unit"], "unit"))
        refusal = unit_change_refusal(uow.session, product.id)
        if refusal:
            raise ValidationError(refusal, field="unit")
    records.update_row(uow, product, PRODUCT_FIELDS, changes, what="product")


def unit_change_refusal(session: Session, product_id: uuid.UUID) -> str | None:
    """Why the product's unit may not change, or None. Asked by the edit above and by the
    import's check, so a file is refused before anything is written."""
    if session.scalar(select(m.StockMove.id).where(
            m.StockMove.product_id == product_id).limit(1)) is not None:
        return ("The unit of a product that has stock moves cannot change: the ledger would "
                "mean something else. Create a new product instead.")
    return None


def set_product_archived(ctx: ServiceContext, product_id: uuid.UUID,
                         archived: bool = True) -> None:
    with ctx.transaction() as uow:
        records.set_archived(uow, uow.get(m.Product, product_id, "product"), archived)


def delete_product(ctx: ServiceContext, product_id: uuid.UUID) -> None:
    with ctx.transaction() as uow:
        records.delete_row(uow, uow.get(m.Product, product_id, "product"), what="product")


def set_reorder_point(ctx: ServiceContext, product_id: uuid.UUID, site_id: uuid.UUID,
                      minimum: Any, reorder_quantity: Any = 0) -> None:
    with ctx.transaction() as uow:
        uow.get(m.Product, product_id, "product")
        uow.get(m.Site, site_id, "site")
        values = {"minimum": qty()(minimum, "minimum"),
                  "reorder_quantity": qty()(reorder_quantity, "reorder_quantity")}
        row = uow.session.scalars(select(m.ReorderPoint).where(
            m.ReorderPoint.product_id == product_id, m.ReorderPoint.site_id == site_id)).first()
        if row is None:
            row = m.ReorderPoint(product_id=product_id, site_id=site_id, **values)
            uow.session.add(row)
        else:
            for name, value in values.items():
                setattr(row, name, value)
        uow.session.flush()
        uow.audit("set_reorder_point", "reorder_point", row.id,
                  **{k: str(v) for k, v in values.items()})


# --- bill of materials -------------------------------------------------------------------


def children_of(uow: UnitOfWork, product_id: uuid.UUID) -> list[uuid.UUID]:
    return list(uow.session.scalars(select(m.BomLine.component_id).where(
        m.BomLine.parent_id == product_id)))


def add_bom_line(ctx: ServiceContext, parent_id: uuid.UUID, component_id: uuid.UUID,
                 quantity: Any, scrap_pct: Any = 0, sequence: int | None = None,
                 notes: str = "") -> uuid.UUID:
    with ctx.transaction() as uow:
        return _add_bom_line(uow, parent_id, component_id, quantity, scrap_pct, sequence,
                             notes).id


def add_bom_line_in(uow: UnitOfWork, parent_id: uuid.UUID, component_id: uuid.UUID,
                    quantity: Any, scrap_pct: Any = 0, sequence: int | None = None,
                    notes: str = "") -> m.BomLine:
    """Add a BOM line in the caller's transaction (imports: many in one)."""
    return _add_bom_line(uow, parent_id, component_id, quantity, scrap_pct, sequence, notes)


def _add_bom_line(uow: UnitOfWork, parent_id: uuid.UUID, component_id: uuid.UUID,
                  quantity: Any, scrap_pct: Any, sequence: int | None, notes: str) -> m.BomLine:
    parent = uow.get(m.Product, parent_id, "product")
    component = uow.get(m.Product, component_id, "component")
    if component.archived:
        raise ValidationError(f"{component.sku} is archived; restore it to use it in a BOM.",
                              field="component")
    if would_create_cycle(parent_id, component_id, lambda p: children_of(uow, p)):
        raise ValidationError(
            f"{component.sku} cannot go into {parent.sku}: {parent.sku} is already part of "
            f"{component.sku}, so the BOM would contain itself.", field="component")
    if uow.session.scalar(select(m.BomLine.id).where(
            m.BomLine.parent_id == parent_id, m.BomLine.component_id == component_id)):
        raise ValidationError(f"{component.sku} is already in the BOM of {parent.sku}; "
                              "change that line's quantity instead.", field="component")
    if sequence is None:
        top = uow.session.scalar(select(func.max(m.BomLine.sequence)).where(
            m.BomLine.parent_id == parent_id))
        sequence = (top or 0) + 10
    return records.create_row(uow, m.BomLine, {**BOM_FIELDS, "parent_id": _same,
                                               "component_id": _same}, {
        "parent_id": parent_id, "component_id": component_id, "quantity": quantity,
        "scrap_pct": scrap_pct, "sequence": sequence, "notes": notes}, what="BOM line")


def _same(value: Any, _field: str) -> Any:
    return value


def update_bom_line(ctx: ServiceContext, line_id: uuid.UUID, **changes: Any) -> None:
    with ctx.transaction() as uow:
        line = uow.get(m.BomLine, line_id, "BOM line")
        records.update_row(uow, line, BOM_FIELDS, changes, what="BOM line")


def remove_bom_line(ctx: ServiceContext, line_id: uuid.UUID) -> None:
    """BOM lines are copied onto work orders when released, so removing one is safe."""
    with ctx.transaction() as uow:
        records.delete_row(uow, uow.get(m.BomLine, line_id, "BOM line"), what="BOM line")


# --- operations --------------------------------------------------------------------------


def add_operation(ctx: ServiceContext, product_id: uuid.UUID, **values: Any) -> uuid.UUID:
    with ctx.transaction() as uow:
        uow.get(m.Product, product_id, "product")
        if "sequence" not in values:
            top = uow.session.scalar(select(func.max(m.Operation.sequence)).where(
                m.Operation.product_id == product_id))
            values["sequence"] = (top or 0) + 10
        elif uow.session.scalar(select(m.Operation.id).where(
                m.Operation.product_id == product_id,
                m.Operation.sequence == values["sequence"])):
            raise ValidationError(f"Operation {values['sequence']} already exists.",
                                  field="sequence")
        return records.create_row(uow, m.Operation, {**OPERATION_FIELDS, "product_id": _same},
                                  {**values, "product_id": product_id}, what="operation",
                                  require=("name",)).id


def update_operation(ctx: ServiceContext, operation_id: uuid.UUID, **changes: Any) -> None:
    with ctx.transaction() as uow:
        operation = uow.get(m.Operation, operation_id, "operation")
        if "sequence" in changes and uow.session.scalar(select(m.Operation.id).where(
                m.Operation.product_id == operation.product_id,
                m.Operation.sequence == OPERATION_FIELDS["sequence"](changes["sequence"],
                                                                     "sequence"),
                m.Operation.id != operation_id)):
            raise ValidationError(f"Operation {changes['sequence']} already exists.",
                                  field="sequence")
        records.update_row(uow, operation, OPERATION_FIELDS, changes, what="operation")


def remove_operation(ctx: ServiceContext, operation_id: uuid.UUID) -> None:
    with ctx.transaction() as uow:
        records.delete_row(uow, uow.get(m.Operation, operation_id, "operation"),
                           what="operation")


# --- design files ------------------------------------------------------------------------


def add_design_file(ctx: ServiceContext, product_id: uuid.UUID, name: str, data: bytes,
                    media_type: str = "application/octet-stream") -> uuid.UUID:
    """Attach a file; a file of the same name becomes its next version. Contents are stored
    once per SHA-256, however many versions or products share them."""
    if not isinstance(data, bytes | bytearray):
        raise ValidationError("A design file's contents must be bytes.", field="data")
    with ctx.transaction() as uow:
        uow.get(m.Product, product_id, "product")
        clean_name = text(200, required=True)(name, "name")
        digest = hashlib.sha256(data).hexdigest()
        if uow.session.get(m.FileBlob, digest) is None:
            uow.session.add(m.FileBlob(sha256=digest, size=len(data), data=bytes(data)))
        top = uow.session.scalar(select(func.max(m.DesignFile.version)).where(
            m.DesignFile.product_id == product_id, m.DesignFile.name == clean_name))
        design = m.DesignFile(product_id=product_id, name=clean_name, version=(top or 0) + 1,
                              sha256=digest, media_type=media_type)
        uow.session.add(design)
        uow.session.flush()
        uow.audit("add_design_file", "design_file", design.id, name=clean_name,
                  version=design.version, sha256=digest)
        return design.id
