"""Lots: the one rule for a lot code, and renaming a lot.

Renaming is how a person settles two sites that made a lot with the same code for the same
product while offline: the sync merge keeps the other site's lot waiting (nothing lost) until
one of the two is renamed. The rename is an ordinary update of ``lot.code``, so it travels to
the other sites like any change; a lot is referred to by its id, never by its code, so stock,
genealogy and documents follow it.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import select

from dmdesk.db import models as m
from dmdesk.domain.errors import DuplicateError, NotFoundError, ValidationError
from dmdesk.services.context import ServiceContext, UnitOfWork

MAX_CODE = 60


@dataclass(frozen=True)
class LotRenamed:
    lot_id: uuid.UUID
    sku: str
    old_code: str
    new_code: str


def clean_lot_code(code: str | None) -> str:
    """A lot code as stored: trimmed, 1 to 60 characters."""
    cleaned = (code or "").strip()
    if not cleaned or len(cleaned) > MAX_CODE:
        raise ValidationError(f"A lot code must be 1 to {MAX_CODE} characters.", field="lot")
    return cleaned


def lot_of_product(uow: UnitOfWork, product_id: uuid.UUID, code: str) -> m.Lot | None:
    return uow.session.scalars(select(m.Lot).where(m.Lot.product_id == product_id,
                                                   m.Lot.code == code)).first()


def rename_lot(ctx: ServiceContext, lot_id: uuid.UUID, new_code: str) -> LotRenamed:
    """Give the lot ``lot_id`` the code ``new_code`` (unique among its product's lots)."""
    code = clean_lot_code(new_code)
    with ctx.transaction() as uow:
        return _rename(uow, uow.get(m.Lot, lot_id, "lot"), code)


def rename_lot_by_code(ctx: ServiceContext, sku: str, code: str, new_code: str) -> LotRenamed:
    """The same, naming the lot as people do: the product's SKU and the lot's current code."""
    wanted = clean_lot_code(new_code)
    with ctx.transaction() as uow:
        product = uow.session.scalars(select(m.Product).where(
            m.Product.sku == sku.strip())).first()
        if product is None:
            raise NotFoundError(f"There is no product with SKU '{sku.strip()}'.", field="sku")
        lot = lot_of_product(uow, product.id, code.strip())
        if lot is None:
            raise NotFoundError(f"Product {product.sku} has no lot '{code.strip()}'.",
                                field="lot")
        return _rename(uow, lot, wanted)


def _rename(uow: UnitOfWork, lot: m.Lot, code: str) -> LotRenamed:
    sku = uow.session.scalar(select(m.Product.sku).where(m.Product.id == lot.product_id)) or ""
    old = lot.code
    if code == old:
        raise ValidationError(f"Lot '{old}' of {sku} already has that code; nothing to rename.",
                              field="lot")
    if lot_of_product(uow, lot.product_id, code) is not None:
        raise DuplicateError(f"Product {sku} already has a lot '{code}'; choose another code.",
                             field="lot")
    lot.code = code
    uow.session.flush()  # the outbox row (change capture) is written in this transaction
    uow.audit("rename", "lot", lot.id, sku=sku, code=[old, code])
    return LotRenamed(lot.id, sku, old, code)
