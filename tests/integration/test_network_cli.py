"""`dmdesk route`, `reroute`, `trace`, `capacity` and `reorder` on a real database file."""

from __future__ import annotations

import hashlib
import subprocess
import sys
import uuid
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from dmdesk import cli
from dmdesk.db import models as m
from dmdesk.db.database import Database, open_database
from dmdesk.services import products, stock, work_orders
from dmdesk.services.context import ServiceContext
from tests.integration.network_geo import TODAY, build_geo_network, order
from tests.integration.support import checkpoint


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def network_file(tmp_path: Path) -> tuple[Path, str, str]:
    """A network with stock and open work at HQ; (path, customer order number, WO number)."""
    path = tmp_path / "network.sqlite"
    db = open_database(path)
    ctx = ServiceContext(db, actor="tester")
    geo = build_geo_network(ctx)
    net = geo.net
    stock.receive(ctx, net.chair, net.wh_stock, 4)
    stock.receive(ctx, net.frame, net.hq_stock, 5)
    stock.receive(ctx, net.fabric, net.hq_stock, 3, lot_code="F-9")
    stock.receive(ctx, net.screw, net.hq_stock, 50)
    number, _line = order(ctx, geo.lisbon_customer, net.chair, 2)
    wo = work_orders.create_work_order(ctx, net.chair, 2, net.hq, TODAY + timedelta(days=10))
    work_orders.release(ctx, wo.id)
    products.set_reorder_point(ctx, net.screw, geo.mp2, 10)
    checkpoint(db)
    db.close()
    return path, number, wo.number


def test_route_prints_ranked_candidates_with_reasons(
        network_file: tuple[Path, str, str], capsys: pytest.CaptureFixture[str]) -> None:
    path, number, _wo = network_file
    before = _digest(path)
    assert cli.main(["route", number, "--db", str(path)]) == 0
    out = capsys.readouterr().out
    assert f"{number} line 1: 2 pcs CHAIR (Lounge chair)" in out
    assert "1. HQ     make" in out and "WH     ship" in out and "MP2    make" in out
    assert "Makes it: HQ has what the operations need (assembly, upholstery)." in out
    assert "score parts: distance" in out
    assert _digest(path) == before  # reading changes nothing


def test_route_apply_creates_the_documents(network_file: tuple[Path, str, str],
                                           capsys: pytest.CaptureFixture[str]) -> None:
    path, number, _wo = network_file
    assert cli.main(["route", number, "--db", str(path), "--apply"]) == 0
    out = capsys.readouterr().out
    assert f"{number} line 1: Work order HQ-WO-" in out
    db = open_database(path, create=False)
    try:
        with db.read_session() as session:
            made = session.scalars(select(m.WorkOrder).where(
                m.WorkOrder.customer_order_line_id.is_not(None))).all()
        assert len(made) == 1 and made[0].notes.startswith(f"For {number} line 1")
    finally:
        db.close()


def test_reroute_proposes_then_applies(network_file: tuple[Path, str, str],
                                       capsys: pytest.CaptureFixture[str]) -> None:
    path, _number, wo = network_file
    before = _digest(path)
    assert cli.main(["reroute", "HQ", "--db", str(path)]) == 0
    out = capsys.readouterr().out
    assert "HQ (Head office workshop, active): 1 open work order" in out
    assert f"{wo}  2 of 2 CHAIR, released" in out and "-> MP2" in out
    assert "moves with it: 2 pcs FRAME from STOCK" in out
    assert _digest(path) == before
    assert cli.main(["reroute", "HQ", "--db", str(path), "--apply", "--reason", "flood"]) == 0
    out = capsys.readouterr().out
    assert "HQ is now offline; moved 1 work order." in out
    assert f"{wo}: HQ -> MP2." in out


def test_trace_capacity_and_reorder(network_file: tuple[Path, str, str], tmp_path: Path,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    path, _number, _wo = network_file
    assert cli.main(["trace", "F-9", "--db", str(path)]) == 0
    out = capsys.readouterr().out
    assert "FABRIC lot F-9" in out and "bought:" in out and "receipt 3 at HQ/STOCK" in out
    assert cli.main(["capacity", "--db", str(path), "--weeks", "2"]) == 0
    out = capsys.readouterr().out
    assert "HQ (Head office workshop, active): 40 h a week, backlog 1.8 h" in out
    assert cli.main(["reorder", "--db", str(path)]) == 0
    out = capsys.readouterr().out
    assert "MP2 SCREW: 0 available, minimum 10; transfer 10 pcs from HQ." in out
    target = tmp_path / "reorder.xlsx"
    assert cli.main(["reorder", "--db", str(path), "--out", str(target)]) == 0
    assert target.is_file() and "Wrote 1 suggestion" in capsys.readouterr().out
    also = tmp_path / "also.xlsx"  # the same file through `dmdesk export reorder`
    assert cli.main(["export", "reorder", "--db", str(path), "--out", str(also)]) == 0
    assert also.is_file() and "Wrote 1 suggestion" in capsys.readouterr().out


@pytest.mark.parametrize(("argv", "message"), [
    (["route", "CO-NOPE"], "dmdesk: There is no customer order 'CO-NOPE'."),
    (["reroute", "NOPE"], "dmdesk: There is no site NOPE. Known site codes: HQ, MP1, MP2, WH."),
    (["trace", "NOPE"], "dmdesk: There is no lot 'NOPE'."),
])
def test_bad_input_is_one_line_and_changes_nothing(network_file: tuple[Path, str, str],
                                                   argv: list[str], message: str) -> None:
    path, _number, _wo = network_file
    before = _digest(path)
    result = subprocess.run([sys.executable, "-m", "dmdesk.cli", *argv, "--db", str(path)],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 1
    assert result.stderr.strip() == message
    assert _digest(path) == before


def _line_documents(path: Path) -> tuple[list[tuple[str, Decimal]], list[str]]:
    """(work orders as (number, quantity), transfer numbers) linked to a customer order line."""
    db = open_database(path, create=False)
    try:
        with db.read_session() as session:
            made = session.execute(select(m.WorkOrder.number, m.WorkOrder.quantity).where(
                m.WorkOrder.customer_order_line_id.is_not(None))
                .order_by(m.WorkOrder.number)).all()
            sent = session.scalars(select(m.Transfer.number).where(
                m.Transfer.customer_order_line_id.is_not(None))).all()
        return [(number, qty) for number, qty in made], list(sent)
    finally:
        db.close()


def test_route_twice_plans_a_line_once(network_file: tuple[Path, str, str],
                                       capsys: pytest.CaptureFixture[str]) -> None:
    """Issue 17: `dmdesk route --apply` again does not plan the line a second time, and the
    ranking no longer offers it."""
    path, number, _wo = network_file
    assert cli.main(["route", number, "--db", str(path), "--apply"]) == 0
    capsys.readouterr()
    made, sent = _line_documents(path)
    [(wo_number, quantity)] = made
    assert quantity == 2 and sent == []
    before = _digest(path)
    assert cli.main(["route", number, "--db", str(path), "--apply"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[1] == (f"  Nothing left to plan: 2 of 2 pcs planned: {wo_number} "
                                   "(2 pcs).")
    assert "1. " not in out and "Work order" not in out  # neither ranked nor planned again
    assert _line_documents(path) == (made, [])
    assert _digest(path) == before


def test_route_ranks_and_plans_only_the_open_quantity(network_file: tuple[Path, str, str],
                                                      capsys: pytest.CaptureFixture[str]
                                                      ) -> None:
    path, number, _wo = network_file
    db = open_database(path, create=False)
    try:
        ctx = ServiceContext(db, actor="tester")
        with db.read_session() as session:
            line_id = session.scalars(select(m.CustomerOrderLine.id)).one()
        first = work_orders.create_work_order(ctx, _chair(db), 1, _site(db, "MP2"),
                                              TODAY + timedelta(days=10),
                                              customer_order_line_id=line_id)
        checkpoint(db)
    finally:
        db.close()
    assert cli.main(["route", number, "--db", str(path), "--top", "9"]) == 0
    out = capsys.readouterr().out
    assert (f"  Note: 1 of 2 pcs planned: {first.number} (1 pcs); the sites are ranked for "
            "the 1 pcs left.") in out
    assert "Ships from stock: WH holds 4 pcs of CHAIR free of reservations (needs 1)." in out
    assert cli.main(["route", number, "--db", str(path), "--apply"]) == 0
    made, sent = _line_documents(path)
    assert sorted(qty for _n, qty in made) == [1, 1] and sent == []


def _chair(db: Database) -> uuid.UUID:
    with db.read_session() as session:
        return session.scalars(select(m.Product.id).where(m.Product.sku == "CHAIR")).one()


def _site(db: Database, code: str) -> uuid.UUID:
    with db.read_session() as session:
        return session.scalars(select(m.Site.id).where(m.Site.code == code)).one()
