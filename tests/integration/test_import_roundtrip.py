"""Round trip: export products and BOMs, import them into an empty database, and get the same
data field by field (through the command line, and through a copy LibreOffice re-saved)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from sqlalchemy import text

from dmdesk.cli import main
from dmdesk.db.database import Database, open_database
from dmdesk.documents.exports import export_workbook
from dmdesk.documents.importing import import_file
from dmdesk.services import products
from dmdesk.services.context import ServiceContext
from dmdesk.services.demo import build_demo
from tests.helpers import require_tool
from tests.integration.support import Network, build_network, checkpoint

PRODUCTS_SQL = """SELECT sku, name, unit, kind, description, standard_cost, price, lot_tracked,
                  archived FROM product ORDER BY sku"""
BOM_SQL = """SELECT p.sku, c.sku, b.quantity, b.scrap_pct, b.sequence, b.notes FROM bom_line b
             JOIN product p ON p.id = b.parent_id JOIN product c ON c.id = b.component_id
             ORDER BY p.sku, c.sku"""


def _data(path: Path) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    db = open_database(path, create=False, upgrade=False)
    try:
        with db.read_session() as session:
            return ([tuple(r) for r in session.execute(text(PRODUCTS_SQL))],
                    [tuple(r) for r in session.execute(text(BOM_SQL))])
    finally:
        db.close()


def _empty(path: Path) -> Path:
    open_database(path).close()
    return path


@pytest.fixture
def source(tmp_path: Path) -> Path:
    """The support network, plus what a round trip can lose: an archived product, a
    description with a line break and non-Latin text, a note, a fractional cost."""
    path = tmp_path / "source.sqlite"
    db = open_database(path)
    try:
        ctx = ServiceContext(db, actor="tester")
        net: Network = build_network(ctx)
        old = products.create_product(ctx, sku="OLD-1", name="Старый стул", unit="set",
                                      description="Line one\nLine two — «quoted»",
                                      standard_cost="0.0125", price="1999.99")
        products.add_bom_line(ctx, old, net.screw, 12, scrap_pct="2.5", notes="zinc only")
        products.set_product_archived(ctx, old)
        checkpoint(db)
    finally:
        db.close()
    return path


def test_export_then_import_through_the_command_line(source: Path, tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    target = _empty(tmp_path / "target.sqlite")
    for kind in ("products", "bom"):
        out = tmp_path / f"{kind}.xlsx"
        assert main(["export", kind, "--db", str(source), "--out", str(out)]) == 0
        assert main(["import", kind, str(out), "--db", str(target)]) == 0
    output = capsys.readouterr().out
    assert "Imported 6 products from products.xlsx" in output
    assert "Imported 6 BOM lines from bom.xlsx" in output
    assert _data(target) == _data(source)


def test_a_workbook_re_saved_by_libreoffice_imports_the_same(source: Path,
                                                             tmp_path: Path) -> None:
    soffice = require_tool("soffice")
    exported = tmp_path / "exported"
    resaved = tmp_path / "resaved"
    exported.mkdir()
    db = open_database(source, create=False)
    try:
        for kind in ("products", "bom"):
            export_workbook(db, kind, exported / f"{kind}.xlsx")
    finally:
        db.close()
    subprocess.run([soffice, f"-env:UserInstallation={(tmp_path / 'lo').as_uri()}",
                    "--headless", "--convert-to", "xlsx", "--outdir", str(resaved),
                    str(exported / "products.xlsx"), str(exported / "bom.xlsx")],
                   check=True, capture_output=True, timeout=240)
    target = _empty(tmp_path / "target.sqlite")
    db = open_database(target)
    try:
        ctx = ServiceContext(db, actor="tester")
        assert import_file(ctx, "products", resaved / "products.xlsx").rows == 6
        assert import_file(ctx, "bom", resaved / "bom.xlsx").rows == 6
    finally:
        db.close()
    assert _data(target) == _data(source)


@pytest.mark.slow
def test_the_small_demo_network_round_trips(tmp_path: Path) -> None:
    source = tmp_path / "demo.sqlite"
    db: Database = open_database(source)
    try:
        build_demo(ServiceContext(db, actor="demo"), "small")
        export_workbook(db, "products", tmp_path / "products.xlsx")
        export_workbook(db, "bom", tmp_path / "bom.xlsx")
        checkpoint(db)
    finally:
        db.close()
    target = _empty(tmp_path / "target.sqlite")
    db = open_database(target)
    try:
        ctx = ServiceContext(db, actor="tester")
        first = import_file(ctx, "products", tmp_path / "products.xlsx")
        second = import_file(ctx, "bom", tmp_path / "bom.xlsx")
    finally:
        db.close()
    products_before, bom_before = _data(source)
    assert (first.rows, second.rows) == (len(products_before), len(bom_before))
    assert len(bom_before) > 20
    assert _data(target) == (products_before, bom_before)
