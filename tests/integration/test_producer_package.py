"""`dmdesk package`: the zip for a producer that runs no dmdesk, opened and read back with the
tools the producer would use (pdftotext, openpyxl, LibreOffice), and its refusals."""

from __future__ import annotations

import hashlib
import subprocess
import zipfile
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import select

from dmdesk import cli
from dmdesk.db import models as m
from dmdesk.documents.producer_package import design_entry_names, safe_part
from dmdesk.queries.producer_package import DesignBytes
from dmdesk.services import products, settings, stock, work_orders
from dmdesk.services.context import ServiceContext
from tests.gui.office import sheets_as_csv
from tests.helpers import require_tool
from tests.integration.support import Network

SVG = b'<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20"><rect width="40" ' \
      b'height="20"/></svg>'


def _blob(ctx: ServiceContext, sha: str) -> bytes:
    with ctx.db.read_session() as session:
        return session.scalars(select(m.FileBlob.data).where(m.FileBlob.sha256 == sha)).one()


def _pinned_sha(ctx: ServiceContext, number: str) -> str:
    with ctx.db.read_session() as session:
        sha = session.scalars(select(m.WorkOrder.design_sha256)
                              .where(m.WorkOrder.number == number)).one()
    assert sha is not None
    return sha


@pytest.fixture
def orders(ctx: ServiceContext, network: Network) -> tuple[str, str, str]:
    """At MP1: FRAME x4 released with drawing v1 (then v2 is added, which must not be sent),
    FRAME x6 a draft (gets v2), and at HQ: a released FRAME x2."""
    settings.set_company_name(ctx, "Acme Furniture Ltd")
    settings.set_company_address(ctx, "1 Mill Lane\nLeeds")
    stock.receive(ctx, network.steel, network.mp_stock, 50)
    stock.receive(ctx, network.screw, network.mp_stock, 100)
    stock.receive(ctx, network.steel, network.hq_stock, 50)
    stock.receive(ctx, network.screw, network.hq_stock, 100)
    # A stored name that tries to leave the package's folder.
    products.add_design_file(ctx, network.frame, "../../etc/drawing.svg", SVG,
                             media_type="image/svg+xml")
    first = work_orders.create_work_order(ctx, network.frame, 4, network.mp, "2030-06-30")
    work_orders.release(ctx, first.id)
    products.add_design_file(ctx, network.frame, "../../etc/drawing.svg", SVG + b"<!--v2-->",
                             media_type="image/svg+xml")
    draft = work_orders.create_work_order(ctx, network.frame, 6, network.mp, "2030-07-15")
    other = work_orders.create_work_order(ctx, network.frame, 2, network.hq, "2030-06-01")
    work_orders.release(ctx, other.id)
    return first.number, draft.number, other.number


def _run(db: Path, *args: str) -> int:
    return cli.main(["package", *args, "--db", str(db)])


def test_package_holds_sheets_designs_pick_list_and_readme(
        ctx: ServiceContext, orders: tuple[str, str, str], db_path: Path,
        tmp_path: Path) -> None:
    first, draft, _other = orders
    out = tmp_path / "MP1-2030-06-01.zip"
    assert _run(db_path, first, draft, "--out", str(out)) == 0
    with zipfile.ZipFile(out) as archive:
        names = set(archive.namelist())
        assert names == {"README.txt", "job-sheets.pdf", "pick-list.xlsx",
                         f"{first}/FRAME-v1-drawing.svg", f"{draft}/FRAME-v2-drawing.svg"}
        # The released order carries the drawing pinned at release, byte for byte.
        pinned = archive.read(f"{first}/FRAME-v1-drawing.svg")
        assert hashlib.sha256(pinned).hexdigest() == _pinned_sha(ctx, first)
        assert pinned == _blob(ctx, _pinned_sha(ctx, first)) == SVG
        assert archive.read(f"{draft}/FRAME-v2-drawing.svg") == SVG + b"<!--v2-->"
        archive.extract("job-sheets.pdf", tmp_path)
        archive.extract("pick-list.xlsx", tmp_path)
        readme = archive.read("README.txt").decode("utf-8")
    text = subprocess.run([require_tool("pdftotext"), str(tmp_path / "job-sheets.pdf"), "-"],
                          capture_output=True, text=True, check=True).stdout
    assert first in text and draft in text
    assert f"{first}: make 4 pcs of FRAME Chair frame, due by 2030-06-30" in readme
    assert f"{draft}: make 6 pcs of FRAME Chair frame, due by 2030-07-15" in readme
    assert "Acme Furniture Ltd" in readme and "1 Mill Lane" in readme

    # FRAME needs 2.5 m steel + 10 % scrap (2.75) and 8 screws per piece.
    expected = [[first, "STEEL", "Steel tube 20 mm", 11, "m"],
                [first, "SCREW", "Screw M6", 32, "pcs"],
                [draft, "STEEL", "Steel tube 20 mm", 16.5, "m"],
                [draft, "SCREW", "Screw M6", 48, "pcs"]]
    book = openpyxl.load_workbook(tmp_path / "pick-list.xlsx")
    sheet = book["Pick list"]
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref == "A1:E5"
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert rows[0] == ["Work order", "SKU", "Name", "Quantity", "Unit"]
    assert rows[1:] == expected
    assert all(isinstance(r[3], int | float) for r in rows[1:])  # real number cells
    csv = sheets_as_csv(tmp_path / "pick-list.xlsx", tmp_path)["Pick list"]
    assert [row[3] for row in csv[1:]] == ["11", "32", "16.5", "48"]


@pytest.mark.parametrize(("case", "message"), [
    ("unknown", "Unknown work orders: WO-NOPE, WO-GONE"),
    ("mixed", "one producer"),
    ("cancelled", "cancelled"),
])
def test_refusals_name_the_problem_and_leave_no_file(
        ctx: ServiceContext, orders: tuple[str, str, str], db_path: Path, tmp_path: Path,
        capsys: pytest.CaptureFixture[str], case: str, message: str) -> None:
    first, draft, other = orders
    numbers = {"unknown": [first, "WO-NOPE", "WO-GONE"], "mixed": [first, other],
               "cancelled": [first, draft]}[case]
    if case == "cancelled":
        with ctx.db.read_session() as session:
            draft_id = session.scalars(select(m.WorkOrder.id)
                                       .where(m.WorkOrder.number == draft)).one()
        work_orders.cancel(ctx, draft_id, "not needed")
    out = tmp_path / "p.zip"
    assert _run(db_path, *numbers, "--out", str(out)) == 1
    err = capsys.readouterr().err
    assert message in err
    if case == "mixed":
        assert f"MP1: {first}" in err and f"HQ: {other}" in err
    if case == "cancelled":
        assert f"{draft} (cancelled)" in err
    assert list(tmp_path.glob("p.zip*")) == [] and list(tmp_path.glob(".p.zip*")) == []


def test_stored_names_cannot_leave_the_folder_and_duplicates_get_numbers() -> None:
    assert safe_part("../../etc/passwd") == "passwd"
    assert safe_part("..\\..\\boot.ini") == "boot.ini"
    assert safe_part("..") == ""
    designs = [DesignBytes("WO-1", "A/B", "x.svg", 1, "h", b""),
               DesignBytes("WO-1", "A/B", "X.svg", 1, "h", b""),
               DesignBytes("WO-1", "A/B", "x.svg", 1, "h", b"")]
    names = design_entry_names(designs)
    assert names == ["WO-1/B-v1-x.svg", "WO-1/B-v1-X-2.svg", "WO-1/B-v1-x-3.svg"]
    assert all(".." not in n and n.count("/") == 1 for n in names)
