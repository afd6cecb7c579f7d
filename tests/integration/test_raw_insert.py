"""The ledger writes moves with pre-encoded values at driver speed; they must be exactly what
the column types would have stored."""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy import select

from dmdesk.db import models as m
from dmdesk.services import products, stock
from dmdesk.services.context import ServiceContext
from tests.integration.support import Network

WHEN = datetime(2026, 3, 4, 5, 6, 7, 890123, tzinfo=UTC)


def test_moves_read_back_through_the_orm_as_written(ctx: ServiceContext,
                                                    network: Network) -> None:
    fixed = replace(ctx, clock=lambda: WHEN)
    result = stock.receive(fixed, network.fabric, network.hq_stock, "2.125", lot_code="L-7")
    shipped = stock.ship_transfer(fixed, network.hq_stock, network.wh_stock,
                                  [stock.TransferLineSpec(network.fabric, "0.5",
                                                          _lot(ctx, "L-7"))])
    with ctx.db.read_session() as session:
        move = session.get(m.StockMove, result.move_ids[0])
        assert move is not None
        assert move.quantity == Decimal("2.125") and move.created_at == WHEN
        assert move.product_id == network.fabric and move.lot_id == _lot(ctx, "L-7")
        out = session.get(m.StockMove, shipped.move_ids[0])
        assert out is not None and out.quantity == Decimal("-0.5")
        transfer_id = session.scalar(select(m.Transfer.id))
        assert out.document_id == transfer_id
        # A keyset comparison on the stored time finds the row (same text format).
        later = session.scalars(select(m.StockMove).where(m.StockMove.created_at >= WHEN))
        assert len(list(later)) == 3


def test_stored_time_text_matches_what_the_orm_writes(ctx: ServiceContext,
                                                      network: Network) -> None:
    fixed = replace(ctx, clock=lambda: WHEN)
    product_id = products.create_product(fixed, sku="TIMECHECK", name="Time check")
    stock.receive(fixed, product_id, network.hq_stock, 1)
    with sqlite3.connect(ctx.db.path) as conn:
        orm_text = conn.execute("SELECT created_at FROM product WHERE sku = 'TIMECHECK'")\
            .fetchone()[0]
        raw_text, scaled = conn.execute(
            "SELECT created_at, quantity FROM stock_move WHERE product_id = "
            "(SELECT id FROM product WHERE sku = 'TIMECHECK')").fetchone()
    assert raw_text == orm_text == "2026-03-04 05:06:07.890123"
    assert scaled == 1000


def _lot(ctx: ServiceContext, code: str) -> object:
    with ctx.db.read_session() as session:
        return session.scalar(select(m.Lot.id).where(m.Lot.code == code))
