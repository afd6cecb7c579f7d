"""Job sheets rendered to real PDFs and read back with the tools a person would use:
pdftotext for the text, pdftoppm + zbarimg for the QR code, pdfinfo for the page count."""

from __future__ import annotations

import re
import struct
import subprocess
import zlib
from pathlib import Path

import pytest

from dmdesk import cli
from dmdesk.documents.jobsheet.sheet import default_page_size, render_job_sheets
from dmdesk.domain.errors import NotFoundError
from dmdesk.services import products, stock, work_orders
from dmdesk.services.context import ServiceContext
from tests.helpers import require_tool
from tests.integration.support import Network

DUE = "2030-06-30"


def _text(pdf: Path, page: int | None = None) -> str:
    args = [require_tool("pdftotext"), "-layout"]
    if page is not None:
        args += ["-f", str(page), "-l", str(page)]
    return subprocess.run([*args, str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout


def _pages(pdf: Path) -> int:
    info = subprocess.run([require_tool("pdfinfo"), str(pdf)], capture_output=True, text=True,
                          check=True).stdout
    found = re.search(r"^Pages:\s+(\d+)", info, re.MULTILINE)
    assert found, info
    return int(found.group(1))


def _qr_codes(pdf: Path, tmp_path: Path, page: int = 1) -> list[str]:
    prefix = tmp_path / f"page{page}"
    subprocess.run([require_tool("pdftoppm"), "-r", "150", "-png", "-f", str(page), "-l",
                    str(page), "-singlefile", str(pdf), str(prefix)], check=True)
    result = subprocess.run([require_tool("zbarimg"), "--quiet", "--raw", "-Sdisable",
                             "-Sqrcode.enable", str(prefix.with_suffix(".png"))],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    return result.stdout.split()


def _png(width: int, height: int) -> bytes:
    """A small grey PNG, for a design file with a thumbnail."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
    raw = b"".join(b"\x00" + bytes([120]) * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0,
                                                               0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


@pytest.fixture
def released(ctx: ServiceContext, network: Network) -> str:
    """A released order for 4 FRAME at HQ, its steel and screws reserved, with a PNG drawing."""
    stock.receive(ctx, network.steel, network.hq_stock, 20)
    stock.receive(ctx, network.screw, network.hq_stock, 100)
    products.add_design_file(ctx, network.frame, "frame-drawing.png", _png(80, 50),
                             media_type="image/png")
    created = work_orders.create_work_order(ctx, network.frame, 4, network.hq, DUE,
                                           notes="Deburr every cut.")
    assert work_orders.release(ctx, created.id) == []
    return created.number


def test_released_sheet_has_the_order_its_pick_list_and_a_readable_qr(
        ctx: ServiceContext, released: str, tmp_path: Path) -> None:
    out = tmp_path / "sheet.pdf"
    assert render_job_sheets(ctx.db, [released], out) == 1
    text = _text(out)
    for expected in (released, "FRAME", "Chair frame", "4 pcs", "Head office workshop",
                     DUE, "STEEL", "Steel tube 20 mm", "SCREW", "Screw M6", "STOCK",
                     "Cut tubes", "Weld frame", "frame-drawing.png", "version 1",
                     "Deburr every cut.", "Sign-off", "Page 1 of 1"):
        assert expected in text, expected
    # 2.5 m x 4 x 110 % = 11 m of steel; 8 x 4 = 32 screws, as reserved at release
    # Each location with its site (the making site's stock)
    assert re.search(r"STEEL\s+Steel tube 20 mm\s+11\s+m\s+HQ / STOCK", text), text
    assert re.search(r"SCREW\s+Screw M6\s+32\s+pcs\s+HQ / STOCK", text), text
    assert re.search(r"State / priority\s+released / 3", text), text
    assert _qr_codes(out, tmp_path) == [released]


def test_the_state_is_printed_in_words(ctx: ServiceContext, network: Network,
                                       tmp_path: Path) -> None:
    created = work_orders.create_work_order(ctx, network.frame, 1, network.hq, DUE)
    work_orders.release(ctx, created.id, override_reason="the sheet only")
    work_orders.start(ctx, created.id)
    out = tmp_path / "started.pdf"
    render_job_sheets(ctx.db, [created.number], out)
    text = _text(out)
    assert re.search(r"State / priority\s+in progress / 3", text), text
    assert "in_progress" not in text


def test_draft_sheet_computes_the_pick_list_from_the_bom(
        ctx: ServiceContext, network: Network, tmp_path: Path) -> None:
    stock.receive(ctx, network.fabric, network.hq_stock, "1", lot_code="F-100")
    created = work_orders.create_work_order(ctx, network.chair, 2, network.hq, DUE)
    out = tmp_path / "draft.pdf"
    render_job_sheets(ctx.db, [created.number], out, page_size="Letter")
    text = _text(out)
    assert "not reserved yet" in text
    # 1.5 m2 fabric: 1 from lot F-100 at STOCK, 0.5 with no stock; frames and screws: none.
    # The line's second row leaves number, SKU and name blank: one component, named once.
    assert re.search(r"FABRIC\s+Upholstery fabric\s+1\s+m2\s+HQ / STOCK\s+F-100\n"
                     r"\s+0\.5\s+m2\s+no stock", text), text
    assert text.count("FABRIC") == 1, text
    assert re.search(r"FRAME\s+Chair frame\s+2\s+pcs\s+no stock", text), text
    assert re.search(r"SCREW\s+Screw M6\s+8\s+pcs\s+no stock", text), text
    info = subprocess.run([require_tool("pdfinfo"), str(out)], capture_output=True,
                          text=True, check=True).stdout
    assert "612 x 792 pts (letter)" in info


def test_a_60_line_bom_flows_onto_more_pages_with_the_header_repeated(
        ctx: ServiceContext, network: Network, tmp_path: Path) -> None:
    big = products.create_product(ctx, sku="CABINET", name="Workshop cabinet",
                                  kind="finished", unit="pcs")
    for index in range(1, 61):
        part = products.create_product(ctx, sku=f"PART-{index:03d}",
                                       name=f"Cabinet part number {index}",
                                       kind="raw_material", unit="pcs")
        products.add_bom_line(ctx, big, part, index)
    created = work_orders.create_work_order(ctx, big, 1, network.hq, DUE)
    out = tmp_path / "long.pdf"
    pages = render_job_sheets(ctx.db, [created.number], out)
    assert pages == _pages(out) >= 2
    everything = _text(out)
    for index in range(1, 61):
        assert f"PART-{index:03d}" in everything
    second = _text(out, page=2)
    assert re.search(r"#\s+SKU\s+Component\s+Qty\s+Unit\s+Location\s+Lot", second), second
    assert f"Page 2 of {pages}" in second and created.number in second


def test_a_line_of_notes_gets_no_page_of_its_own(
        ctx: ServiceContext, network: Network, tmp_path: Path) -> None:
    """A pick list that ends near the foot of the page: the typed note still fits there, and
    the box to write in shrinks to the room left (it took a second page with the note)."""
    cabinet = products.create_product(ctx, sku="CABINET", name="Workshop cabinet",
                                      kind="finished", unit="pcs")
    for index in range(25):
        part = products.create_product(ctx, sku=f"PART-{index:03d}",
                                       name=f"Cabinet part number {index}",
                                       kind="raw_material", unit="pcs")
        products.add_bom_line(ctx, cabinet, part, 1)
    created = work_orders.create_work_order(ctx, cabinet, 1, network.hq, DUE,
                                           notes="Mind the edges.")
    out = tmp_path / "near-the-foot.pdf"
    assert render_job_sheets(ctx.db, [created.number], out, page_size="A4") == 1
    text = _text(out)
    assert "PART-024" in text and "Mind the edges." in text and "Page 1 of 1" in text


def test_non_latin_names_come_back_from_the_pdf(
        ctx: ServiceContext, network: Network, tmp_path: Path) -> None:
    name = "Cadeira Ação — Καρέκλα — Стул"
    chair = products.create_product(ctx, sku="CADEIRA", name=name, kind="finished", unit="pcs")
    products.add_bom_line(ctx, chair, network.screw, 4)
    created = work_orders.create_work_order(ctx, chair, 3, network.hq, DUE,
                                           notes="Verniz à base de água")
    out = tmp_path / "utf.pdf"
    render_job_sheets(ctx.db, [created.number], out)
    text = _text(out)
    assert name in text
    assert "Verniz à base de água" in text


def test_two_numbers_give_one_pdf_with_a_sheet_each(
        ctx: ServiceContext, network: Network, released: str, tmp_path: Path) -> None:
    other = work_orders.create_work_order(ctx, network.chair, 1, network.hq, DUE)
    out = tmp_path / "cli.pdf"
    db_path = ctx.db.path
    assert cli.main(["jobsheet", released, other.number, "--db", str(db_path),
                     "--out", str(out)]) == 0
    assert _pages(out) == 2
    assert released in _text(out, page=1) and "Chair frame" in _text(out, page=1)
    assert other.number in _text(out, page=2) and "Lounge chair" in _text(out, page=2)
    assert "Page 1 of 1" in _text(out, page=2)
    assert _qr_codes(out, tmp_path, page=2) == [other.number]


def test_an_unknown_number_is_named_and_nothing_is_written(
        ctx: ServiceContext, released: str, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "none.pdf"
    with pytest.raises(NotFoundError, match="HQ-WO-99999"):
        render_job_sheets(ctx.db, [released, "HQ-WO-99999"], out)
    assert cli.main(["jobsheet", released, "HQ-WO-99999", "--db", str(ctx.db.path),
                     "--out", str(out)]) == 1
    assert "Unknown work order: HQ-WO-99999." in capsys.readouterr().err
    assert list(tmp_path.glob("none.pdf*")) == []
    assert list(tmp_path.glob(".none.pdf*")) == []


@pytest.mark.parametrize(("environ", "expected"), [
    ({"LANG": "en_US.UTF-8"}, "Letter"),
    ({"LANG": "fr_CA.UTF-8"}, "Letter"),
    ({"LANG": "en_GB.UTF-8"}, "A4"),
    ({"LANG": "en_US.UTF-8", "LC_PAPER": "pt_PT.UTF-8"}, "A4"),
    ({"LC_ALL": "en_CA.UTF-8", "LC_PAPER": "de_DE.UTF-8"}, "Letter"),
    ({"LANG": "C.UTF-8"}, "A4"),
    ({"LANG": "English_United States.1252"}, "Letter"),
])
def test_page_size_follows_the_paper_locale(environ: dict[str, str], expected: str) -> None:
    assert default_page_size(environ) == expected
