"""The data model (SQLAlchemy 2 typed models).

Conventions: UUIDv7 primary keys; quantities and money as scaled integers (``Qty``/``Money``);
timestamps in UTC; master data is archived, not deleted; ``stock_move`` is insert-only.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any, ClassVar

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from dmdesk.db.ids import new_id
from dmdesk.db.types import Money, Qty, UTCDateTime, UUIDBytes

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        uuid.UUID: UUIDBytes(), datetime: UTCDateTime()}


def _pk() -> Mapped[uuid.UUID]:
    return mapped_column(UUIDBytes(), primary_key=True, default=new_id)


def _fk(target: str, *, nullable: bool = False, index: bool = True) -> Mapped[uuid.UUID]:
    return mapped_column(UUIDBytes(), ForeignKey(target), nullable=nullable, index=index)


# --- network ---------------------------------------------------------------------------


class Site(Base):
    __tablename__ = "site"

    id: Mapped[uuid.UUID] = _pk()
    code: Mapped[str] = mapped_column(String(6), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(20))
    address: Mapped[str] = mapped_column(Text, default="")
    latitude: Mapped[float | None]
    longitude: Mapped[float | None]
    # A sorted, comma-separated list: one field, so sync can merge it like any other.
    capabilities: Mapped[str] = mapped_column(Text, default="")
    weekly_capacity_hours: Mapped[Decimal] = mapped_column(Qty(), default=Decimal(0))
    status: Mapped[str] = mapped_column(String(10), default="active")
    # The site runs dmdesk and reports its own work orders' progress; otherwise the owner
    # does it on its behalf (domain/lifecycle.py: exactly one holder per work order).
    reports_progress: Mapped[bool] = mapped_column(Boolean, default=False)
    archived: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    locations: Mapped[list[Location]] = relationship(back_populates="site")


class Location(Base):
    __tablename__ = "location"
    __table_args__ = (UniqueConstraint("site_id", "code"),)

    id: Mapped[uuid.UUID] = _pk()
    site_id: Mapped[uuid.UUID] = _fk("site.id")
    code: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(120), default="")
    kind: Mapped[str] = mapped_column(String(10), default="internal")
    archived: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    site: Mapped[Site] = relationship(back_populates="locations")


# --- products ----------------------------------------------------------------------------


class Unit(Base):
    __tablename__ = "unit"

    code: Mapped[str] = mapped_column(String(10), primary_key=True)
    name: Mapped[str] = mapped_column(String(40))
    # Counted units (pieces, sets) take whole quantities only.
    whole_only: Mapped[bool] = mapped_column(Boolean, default=False)


class Product(Base):
    __tablename__ = "product"

    id: Mapped[uuid.UUID] = _pk()
    sku: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    unit: Mapped[str] = mapped_column(String(10), ForeignKey("unit.code"))
    description: Mapped[str] = mapped_column(Text, default="")
    standard_cost: Mapped[Decimal] = mapped_column(Money(), default=Decimal(0))
    price: Mapped[Decimal] = mapped_column(Money(), default=Decimal(0))
    lot_tracked: Mapped[bool] = mapped_column(Boolean, default=False)
    archived: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class ReorderPoint(Base):
    __tablename__ = "reorder_point"
    __table_args__ = (UniqueConstraint("product_id", "site_id"),)

    id: Mapped[uuid.UUID] = _pk()
    product_id: Mapped[uuid.UUID] = _fk("product.id")
    site_id: Mapped[uuid.UUID] = _fk("site.id")
    minimum: Mapped[Decimal] = mapped_column(Qty())
    reorder_quantity: Mapped[Decimal] = mapped_column(Qty(), default=Decimal(0))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class FileBlob(Base):
    """File contents, addressed by their SHA-256: one copy however many versions share it."""

    __tablename__ = "file_blob"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int] = mapped_column(Integer)
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime]


class DesignFile(Base):
    __tablename__ = "design_file"
    __table_args__ = (UniqueConstraint("product_id", "name", "version"),)

    id: Mapped[uuid.UUID] = _pk()
    product_id: Mapped[uuid.UUID] = _fk("product.id")
    name: Mapped[str] = mapped_column(String(200))
    version: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64), ForeignKey("file_blob.sha256"), index=True)
    media_type: Mapped[str] = mapped_column(String(80), default="application/octet-stream")
    archived: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class BomLine(Base):
    __tablename__ = "bom_line"
    __table_args__ = (UniqueConstraint("parent_id", "component_id"),)

    id: Mapped[uuid.UUID] = _pk()
    parent_id: Mapped[uuid.UUID] = _fk("product.id")
    component_id: Mapped[uuid.UUID] = _fk("product.id")
    sequence: Mapped[int] = mapped_column(Integer, default=10)
    quantity: Mapped[Decimal] = mapped_column(Qty())
    scrap_pct: Mapped[Decimal] = mapped_column(Qty(), default=Decimal(0))
    notes: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class Operation(Base):
    __tablename__ = "operation"
    __table_args__ = (UniqueConstraint("product_id", "sequence"),)

    id: Mapped[uuid.UUID] = _pk()
    product_id: Mapped[uuid.UUID] = _fk("product.id")
    sequence: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(120))
    capability: Mapped[str] = mapped_column(String(40), default="")
    setup_minutes: Mapped[Decimal] = mapped_column(Qty(), default=Decimal(0))
    run_minutes: Mapped[Decimal] = mapped_column(Qty(), default=Decimal(0))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


# --- people and orders -----------------------------------------------------------------------


class Contact(Base):
    """An organisation or a person; customers and micro-producers alike."""

    __tablename__ = "contact"

    id: Mapped[uuid.UUID] = _pk()
    kind: Mapped[str] = mapped_column(String(15))
    role: Mapped[str] = mapped_column(String(15))
    name: Mapped[str] = mapped_column(String(200), index=True)
    organisation_id: Mapped[uuid.UUID | None] = _fk("contact.id", nullable=True)
    site_id: Mapped[uuid.UUID | None] = _fk("site.id", nullable=True)
    email: Mapped[str] = mapped_column(String(200), default="")
    phone: Mapped[str] = mapped_column(String(60), default="")
    address: Mapped[str] = mapped_column(Text, default="")
    latitude: Mapped[float | None]
    longitude: Mapped[float | None]
    capabilities: Mapped[str] = mapped_column(Text, default="")
    lead_time_days: Mapped[int] = mapped_column(Integer, default=0)
    hourly_rate: Mapped[Decimal] = mapped_column(Money(), default=Decimal(0))
    notes: Mapped[str] = mapped_column(Text, default="")
    archived: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class CustomerOrder(Base):
    __tablename__ = "customer_order"

    id: Mapped[uuid.UUID] = _pk()
    number: Mapped[str] = mapped_column(String(24), unique=True)
    customer_id: Mapped[uuid.UUID] = _fk("contact.id")
    ship_to: Mapped[str] = mapped_column(Text, default="")
    ship_latitude: Mapped[float | None]
    ship_longitude: Mapped[float | None]
    due_date: Mapped[date] = mapped_column(Date, index=True)
    state: Mapped[str] = mapped_column(String(12), default="open")
    notes: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    lines: Mapped[list[CustomerOrderLine]] = relationship(
        back_populates="order", order_by="CustomerOrderLine.line_no"
    )


class CustomerOrderLine(Base):
    __tablename__ = "customer_order_line"
    __table_args__ = (UniqueConstraint("order_id", "line_no"),)

    id: Mapped[uuid.UUID] = _pk()
    order_id: Mapped[uuid.UUID] = _fk("customer_order.id")
    line_no: Mapped[int] = mapped_column(Integer)
    product_id: Mapped[uuid.UUID] = _fk("product.id")
    quantity: Mapped[Decimal] = mapped_column(Qty())
    unit_price: Mapped[Decimal] = mapped_column(Money(), default=Decimal(0))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    order: Mapped[CustomerOrder] = relationship(back_populates="lines")


# --- stock ----------------------------------------------------------------------------------


class Lot(Base):
    __tablename__ = "lot"
    __table_args__ = (UniqueConstraint("product_id", "code"),)

    id: Mapped[uuid.UUID] = _pk()
    product_id: Mapped[uuid.UUID] = _fk("product.id")
    code: Mapped[str] = mapped_column(String(60))
    work_order_id: Mapped[uuid.UUID | None] = _fk("work_order.id", nullable=True)
    created_at: Mapped[datetime]


class LotGenealogy(Base):
    """Which component lots went into which output lot (and through which work order)."""

    __tablename__ = "lot_genealogy"
    __table_args__ = (UniqueConstraint("output_lot_id", "component_lot_id"),)

    id: Mapped[uuid.UUID] = _pk()
    output_lot_id: Mapped[uuid.UUID] = _fk("lot.id")
    component_lot_id: Mapped[uuid.UUID] = _fk("lot.id")
    work_order_id: Mapped[uuid.UUID] = _fk("work_order.id")
    quantity: Mapped[Decimal] = mapped_column(Qty())
    created_at: Mapped[datetime]


class StockMove(Base):
    """The ledger. Rows are inserted, never updated or deleted; a correction is a reversal.

    Each row changes the stock of one (product, location, lot) by a signed quantity, so
    on-hand is a plain SUM and a transfer is a pair of rows (out of one place, into another).
    """

    __tablename__ = "stock_move"
    __table_args__ = (
        CheckConstraint("quantity <> 0", name="nonzero"),
        Index("ix_stock_move_product_id_id", "product_id", "id"),
        Index("ix_stock_move_location_id_id", "location_id", "id"),
        Index("ix_stock_move_document_id", "document_id"),
        # Moves are looked up by document number (reversal, search, sync checks).
        Index("ix_stock_move_reference", "reference"),
    )

    id: Mapped[uuid.UUID] = _pk()
    product_id: Mapped[uuid.UUID] = _fk("product.id", index=False)
    location_id: Mapped[uuid.UUID] = _fk("location.id", index=False)
    lot_id: Mapped[uuid.UUID | None] = _fk("lot.id", nullable=True, index=False)
    quantity: Mapped[Decimal] = mapped_column(Qty())
    reason: Mapped[str] = mapped_column(String(20))
    # The human number of the document that caused the move (a move number, WO, transfer).
    reference: Mapped[str] = mapped_column(String(24))
    document_id: Mapped[uuid.UUID | None] = mapped_column(UUIDBytes(), nullable=True)
    note: Mapped[str] = mapped_column(Text, default="")
    # Why the user allowed stock to go below what was available, when they did.
    override_reason: Mapped[str] = mapped_column(Text, default="")
    actor: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime]


class StockBalance(Base):
    """Cache of the ledger per (product, location, lot), kept in the same transaction.

    ``lot_key`` is the lot id's bytes, or empty for stock without a lot, so the key can be a
    primary key (SQL treats NULLs as distinct, which would allow duplicate rows).
    """

    __tablename__ = "stock_balance"

    product_id: Mapped[uuid.UUID] = mapped_column(
        UUIDBytes(), ForeignKey("product.id"), primary_key=True
    )
    location_id: Mapped[uuid.UUID] = mapped_column(
        UUIDBytes(), ForeignKey("location.id"), primary_key=True, index=True
    )
    lot_key: Mapped[bytes] = mapped_column(LargeBinary(16), primary_key=True)
    lot_id: Mapped[uuid.UUID | None] = _fk("lot.id", nullable=True, index=False)
    on_hand: Mapped[Decimal] = mapped_column(Qty(), default=Decimal(0))
    reserved: Mapped[Decimal] = mapped_column(Qty(), default=Decimal(0))


class Reservation(Base):
    """Stock set aside for a released work order's component line."""

    __tablename__ = "reservation"

    id: Mapped[uuid.UUID] = _pk()
    material_id: Mapped[uuid.UUID] = _fk("wo_material.id")
    product_id: Mapped[uuid.UUID] = _fk("product.id", index=False)
    location_id: Mapped[uuid.UUID] = _fk("location.id", index=False)
    lot_id: Mapped[uuid.UUID | None] = _fk("lot.id", nullable=True, index=False)
    quantity: Mapped[Decimal] = mapped_column(Qty())
    created_at: Mapped[datetime]


class Transfer(Base):
    """Stock between two sites: shipped into in-transit, then received at the destination."""

    __tablename__ = "transfer"

    id: Mapped[uuid.UUID] = _pk()
    number: Mapped[str] = mapped_column(String(24), unique=True)
    from_location_id: Mapped[uuid.UUID] = _fk("location.id")
    to_location_id: Mapped[uuid.UUID] = _fk("location.id")
    transit_location_id: Mapped[uuid.UUID] = _fk("location.id", index=False)
    state: Mapped[str] = mapped_column(String(10))
    shipped_at: Mapped[datetime]
    received_at: Mapped[datetime | None]
    note: Mapped[str] = mapped_column(Text, default="")
    # The customer order line this transfer ships the product of (routing's "ship"): what is
    # planned for a line counts it (db/line_plan.py). Component transfers for a work order
    # have none: the work order itself is what serves the line.
    customer_order_line_id: Mapped[uuid.UUID | None] = _fk(
        "customer_order_line.id", nullable=True
    )
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    lines: Mapped[list[TransferLine]] = relationship(order_by="TransferLine.line_no")


class TransferLine(Base):
    __tablename__ = "transfer_line"
    __table_args__ = (UniqueConstraint("transfer_id", "line_no"),)

    id: Mapped[uuid.UUID] = _pk()
    transfer_id: Mapped[uuid.UUID] = _fk("transfer.id")
    line_no: Mapped[int] = mapped_column(Integer)
    product_id: Mapped[uuid.UUID] = _fk("product.id")
    lot_id: Mapped[uuid.UUID | None] = _fk("lot.id", nullable=True, index=False)
    quantity: Mapped[Decimal] = mapped_column(Qty())
    created_at: Mapped[datetime]


# --- work orders ----------------------------------------------------------------------------


class WorkOrder(Base):
    __tablename__ = "work_order"
    __table_args__ = (Index("ix_work_order_site_id_state", "site_id", "state"),)

    id: Mapped[uuid.UUID] = _pk()
    number: Mapped[str] = mapped_column(String(24), unique=True)
    product_id: Mapped[uuid.UUID] = _fk("product.id")
    quantity: Mapped[Decimal] = mapped_column(Qty())
    site_id: Mapped[uuid.UUID] = _fk("site.id", index=False)
    due_date: Mapped[date] = mapped_column(Date, index=True)
    priority: Mapped[int] = mapped_column(Integer, default=3)
    customer_order_line_id: Mapped[uuid.UUID | None] = _fk(
        "customer_order_line.id", nullable=True
    )
    state: Mapped[str] = mapped_column(String(12), default="draft", index=True)
    held_from: Mapped[str | None] = mapped_column(String(12))
    # What the order was released with, pinned by content hash.
    bom_hash: Mapped[str | None] = mapped_column(String(64))
    design_file_id: Mapped[uuid.UUID | None] = _fk("design_file.id", nullable=True, index=False)
    design_sha256: Mapped[str | None] = mapped_column(String(64))
    good_qty: Mapped[Decimal] = mapped_column(Qty(), default=Decimal(0))
    scrap_qty: Mapped[Decimal] = mapped_column(Qty(), default=Decimal(0))
    released_at: Mapped[datetime | None]
    started_at: Mapped[datetime | None]
    completed_at: Mapped[datetime | None]
    notes: Mapped[str] = mapped_column(Text, default="")
    override_reason: Mapped[str] = mapped_column(Text, default="")
    # A reroute of an order another site holds splits it (services/rerouting.py): the owner
    # withdraws this order (``moved_to_id``, a planning field) and the remainder goes on in
    # the new order (``rerouted_from_id``); the holder settles the withdrawal when it learns.
    moved_to_id: Mapped[uuid.UUID | None] = _fk("work_order.id", nullable=True, index=False)
    rerouted_from_id: Mapped[uuid.UUID | None] = _fk("work_order.id", nullable=True,
                                                     index=False)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    materials: Mapped[list[WOMaterial]] = relationship(order_by="WOMaterial.line_no")
    operations: Mapped[list[WOOperation]] = relationship(order_by="WOOperation.sequence")


class WOMaterial(Base):
    __tablename__ = "wo_material"
    __table_args__ = (UniqueConstraint("work_order_id", "line_no"),)

    id: Mapped[uuid.UUID] = _pk()
    work_order_id: Mapped[uuid.UUID] = _fk("work_order.id")
    line_no: Mapped[int] = mapped_column(Integer)
    product_id: Mapped[uuid.UUID] = _fk("product.id")
    quantity_per_unit: Mapped[Decimal] = mapped_column(Qty())
    scrap_pct: Mapped[Decimal] = mapped_column(Qty(), default=Decimal(0))
    required: Mapped[Decimal] = mapped_column(Qty())
    consumed: Mapped[Decimal] = mapped_column(Qty(), default=Decimal(0))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class WOOperation(Base):
    __tablename__ = "wo_operation"
    __table_args__ = (UniqueConstraint("work_order_id", "sequence"),)

    id: Mapped[uuid.UUID] = _pk()
    work_order_id: Mapped[uuid.UUID] = _fk("work_order.id")
    sequence: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(120))
    capability: Mapped[str] = mapped_column(String(40), default="")
    setup_minutes: Mapped[Decimal] = mapped_column(Qty(), default=Decimal(0))
    run_minutes: Mapped[Decimal] = mapped_column(Qty(), default=Decimal(0))
    good_qty: Mapped[Decimal] = mapped_column(Qty(), default=Decimal(0))
    scrap_qty: Mapped[Decimal] = mapped_column(Qty(), default=Decimal(0))
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


# --- bookkeeping ---------------------------------------------------------------------------


class AuditEntry(Base):
    """Who did what and when. Each entry hashes the previous one, so editing history shows."""

    __tablename__ = "audit_log"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(String(80))
    site_code: Mapped[str] = mapped_column(String(6))
    action: Mapped[str] = mapped_column(String(40))
    entity: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[uuid.UUID | None] = mapped_column(UUIDBytes(), nullable=True)
    details: Mapped[str] = mapped_column(Text, default="{}")
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class OutboxOp(Base):
    """A change waiting to be pushed to the sync server, written with the change itself."""

    __tablename__ = "outbox"
    # "Made here" (db/ownership.py): did this database record the row's insert? And the
    # refused changes still to take back (sync/revert.py, at every push): a partial index, a
    # handful of rows, where a scan of a network's outbox took seconds.
    __table_args__ = (
        Index("ix_outbox_entity_entity_id", "entity", "entity_id"),
        Index("ix_outbox_to_revert", "seq",
              sqlite_where=text("refusal IS NOT NULL AND reverted_at IS NULL")),
    )

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    op_id: Mapped[uuid.UUID] = mapped_column(UUIDBytes(), unique=True)
    entity: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[bytes] = mapped_column(LargeBinary)
    op: Mapped[str] = mapped_column(String(10))
    payload: Mapped[str] = mapped_column(Text)
    hlc: Mapped[str] = mapped_column(String(40))
    schema_version: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[datetime]
    pushed_at: Mapped[datetime | None] = mapped_column(index=True)
    # The server refused this op (its reason); it stays marked pushed and is never sent
    # again. ``reverted_at``: when the row was set back to the network's values.
    refusal: Mapped[str | None] = mapped_column(Text)
    reverted_at: Mapped[datetime | None]


class NumberSequence(Base):
    """The last number handed out per (site code, document kind)."""

    __tablename__ = "number_sequence"

    prefix: Mapped[str] = mapped_column(String(6), primary_key=True)
    kind: Mapped[str] = mapped_column(String(4), primary_key=True)
    last: Mapped[int] = mapped_column(Integer, default=0)


class Setting(Base):
    """Per-database settings: which site this database belongs to, the sync server..."""

    __tablename__ = "setting"

    key: Mapped[str] = mapped_column(String(60), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


# Feature tables live in their own modules; importing them here registers them on Base.metadata
# for Alembic and create_all.
from dmdesk.db import models_network, models_sync  # noqa: E402, F401
