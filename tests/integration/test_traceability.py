"""Lot genealogy backward and forward through two levels (STEEL -> FRAME -> CHAIR), with the
design file hash, transfers, and the audit chain verification the app calls."""

from __future__ import annotations

import hashlib
import uuid
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import text

from dmdesk.db.database import Database
from dmdesk.domain.errors import NotFoundError, ValidationError
from dmdesk.queries.traceability import find_lot, trace_lot, verify_audit_chain
from dmdesk.services import products, stock, work_orders
from dmdesk.services.context import ServiceContext
from tests.integration.support import Network

DRAWING = b"%PDF-1.4 chair drawing"


def _make(ctx: ServiceContext, product: uuid.UUID, qty: int, site: uuid.UUID) -> str:
    order = work_orders.create_work_order(ctx, product, qty, site, date(2030, 1, 31))
    work_orders.release(ctx, order.id)
    return work_orders.complete(ctx, order.id)


@pytest.fixture
def chain(ctx: ServiceContext, network: Network) -> tuple[str, str]:
    """Two frames from steel lot S-1 and screw lot SC-1; two chairs from them and fabric F-1;
    the chairs shipped to the warehouse. Returns the frame and chair work order numbers."""
    net = network
    stock.receive(ctx, net.steel, net.hq_stock, 20, lot_code="S-1")
    stock.receive(ctx, net.screw, net.hq_stock, 100, lot_code="SC-1")
    stock.receive(ctx, net.fabric, net.hq_stock, 5, lot_code="F-1")
    products.add_design_file(ctx, net.chair, "chair.pdf", DRAWING, "application/pdf")
    frame = _make(ctx, net.frame, 2, net.hq)
    chair = _make(ctx, net.chair, 2, net.hq)
    lot = find_lot_id(ctx.db, chair)
    stock.ship_transfer(ctx, net.hq_stock, net.wh_stock,
                        [stock.TransferLineSpec(net.chair, 2, lot)])
    return frame, chair


def find_lot_id(db: Database, code: str) -> uuid.UUID:
    with db.read_session() as session:
        return find_lot(session, code).lot_id


def test_backward_from_the_chair_down_to_bought_lots(ctx: ServiceContext,
                                                     chain: tuple[str, str]) -> None:
    frame_wo, chair_wo = chain
    with ctx.db.read_session() as session:
        trace = trace_lot(session, find_lot(session, chair_wo).lot_id)
    root = trace.backward
    assert root.lot.label == f"CHAIR lot {chair_wo}"
    assert root.origin is not None and root.origin.number == chair_wo
    assert root.origin.site_code == "HQ" and root.origin.design_name == "chair.pdf"
    assert root.origin.design_sha256 == hashlib.sha256(DRAWING).hexdigest()
    components = {c.lot.label: c for c in root.components}
    assert set(components) == {f"FRAME lot {frame_wo}", "FABRIC lot F-1", "SCREW lot SC-1"}
    assert components["FABRIC lot F-1"].quantity == 1.5
    assert components["FABRIC lot F-1"].origin is None
    assert components["FABRIC lot F-1"].receipts[0].reason == "receipt"
    frame = components[f"FRAME lot {frame_wo}"]
    assert frame.origin is not None and frame.origin.number == frame_wo
    # Second level: the frame's own components.
    assert {(c.lot.label, c.quantity) for c in frame.components} == {
        ("STEEL lot S-1", Decimal("5.5")), ("SCREW lot SC-1", Decimal(16))}


def test_forward_from_the_steel_up_to_where_the_chairs_went(ctx: ServiceContext,
                                                            chain: tuple[str, str]) -> None:
    frame_wo, chair_wo = chain
    with ctx.db.read_session() as session:
        trace = trace_lot(session, find_lot(session, "S-1").lot_id)
    steel = trace.forward
    assert [(mv.reason, mv.quantity) for mv in steel.moves] == [
        ("receipt", Decimal(20)), ("production_consume", Decimal("-5.5"))]
    (frame,) = steel.used_in
    assert frame.lot.code == frame_wo and frame.quantity == 5.5
    (chair,) = frame.used_in
    assert chair.lot.code == chair_wo
    shipped = [(t.from_site, t.to_site, t.quantity) for t in chair.transfers]
    assert shipped == [("HQ", "WH", Decimal(2))]
    assert {mv.site_code for mv in chair.moves} == {"HQ", "TRN"}
    assert trace.backward.components == ()  # bought steel has nothing behind it


def test_unknown_and_ambiguous_lots_are_refused(ctx: ServiceContext, network: Network) -> None:
    stock.receive(ctx, network.steel, network.hq_stock, 1, lot_code="X-1")
    stock.receive(ctx, network.fabric, network.hq_stock, 1, lot_code="X-1")
    with ctx.db.read_session() as session:
        with pytest.raises(NotFoundError, match="There is no lot 'NOPE'"):
            find_lot(session, "NOPE")
        with pytest.raises(ValidationError, match="FABRIC/X-1, STEEL/X-1"):
            find_lot(session, "X-1")
        assert find_lot(session, "FABRIC/X-1").sku == "FABRIC"
        with pytest.raises(NotFoundError, match="Unknown lot"):
            trace_lot(session, uuid.uuid4())


def test_audit_chain_verification(ctx: ServiceContext, chain: tuple[str, str]) -> None:
    verdict = verify_audit_chain(ctx.db)
    assert verdict.ok and verdict.entries > 10 and verdict.problems == ()
    with ctx.db.writer.begin() as connection:  # tamper: the guard triggers stop plain SQL
        connection.execute(text("DROP TRIGGER audit_log_no_update"))
        connection.execute(text("UPDATE audit_log SET actor = 'mallory' WHERE seq = 3"))
    verdict = verify_audit_chain(ctx.db)
    assert not verdict.ok
    assert "entry 3" in verdict.problems[0] and "changed after it was written" in \
        verdict.problems[0]
