"""Tables of the network feature (kept apart from models.py, which holds the core data).

- ``quality_check``: a measured check on a work order (or one of its operations), with target
  and tolerance; out-of-tolerance results count in the making site's record.
- ``work_order_reroute``: where a work order was before it was moved to another site, and what
  moved with it, so history keeps the path of the work even though the order row changes.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from dmdesk.db.ids import new_id
from dmdesk.db.models import Base
from dmdesk.db.types import Qty, UUIDBytes


class QualityCheck(Base):
    """One measurement against a target +/- tolerance. ``passed`` is stored (not recomputed)
    so the site's record reads it with a plain SUM."""

    __tablename__ = "quality_check"

    id: Mapped[uuid.UUID] = mapped_column(UUIDBytes(), primary_key=True, default=new_id)
    work_order_id: Mapped[uuid.UUID] = mapped_column(
        UUIDBytes(), ForeignKey("work_order.id"), index=True)
    # The site that made the work when it was measured (a reroute must not move the blame).
    site_id: Mapped[uuid.UUID] = mapped_column(UUIDBytes(), ForeignKey("site.id"), index=True)
    operation_sequence: Mapped[int | None] = mapped_column(Integer, nullable=True)
    name: Mapped[str] = mapped_column(String(120))
    unit: Mapped[str] = mapped_column(String(20), default="")
    target: Mapped[Decimal] = mapped_column(Qty())
    tolerance: Mapped[Decimal] = mapped_column(Qty())
    measured: Mapped[Decimal] = mapped_column(Qty())
    passed: Mapped[bool] = mapped_column(Boolean)
    notes: Mapped[str] = mapped_column(Text, default="")
    actor: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class WorkOrderReroute(Base):
    """A work order moved from one site to another (insert-only history)."""

    __tablename__ = "work_order_reroute"

    id: Mapped[uuid.UUID] = mapped_column(UUIDBytes(), primary_key=True, default=new_id)
    work_order_id: Mapped[uuid.UUID] = mapped_column(
        UUIDBytes(), ForeignKey("work_order.id"), index=True)
    from_site_id: Mapped[uuid.UUID] = mapped_column(UUIDBytes(), ForeignKey("site.id"),
                                                    index=True)
    to_site_id: Mapped[uuid.UUID] = mapped_column(UUIDBytes(), ForeignKey("site.id"),
                                                  index=True)
    state: Mapped[str] = mapped_column(String(12))
    # Readable summaries, as shown in the history: "10 Cut tubes: 4 good, 1 scrap; ..."
    progress: Mapped[str] = mapped_column(Text, default="")
    transfers: Mapped[str] = mapped_column(Text, default="")
    reason: Mapped[str] = mapped_column(Text, default="")
    actor: Mapped[str] = mapped_column(String(80))
    # A split (the order was held by another site): the order that carries the rest on, and
    # the good quantity the rerouter counted at the old site when it split. When the old
    # site's final figure differs, the owner reconciles the new order once (``settled_at``).
    to_work_order_id: Mapped[uuid.UUID | None] = mapped_column(
        UUIDBytes(), ForeignKey("work_order.id"), nullable=True, index=True)
    counted_good: Mapped[Decimal] = mapped_column(Qty(), default=Decimal(0))
    settled_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
