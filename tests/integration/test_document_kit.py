"""The document kit: the company letter head (from the settings) and "Page x of y" on a real
job sheet and on a titled document of flowing blocks, read back with pdftotext, pdftoppm and
zbarimg as a person would check the printout."""

from __future__ import annotations

import subprocess
from io import BytesIO
from pathlib import Path

from PIL import Image, ImageDraw

from dmdesk.documents.jobsheet.sections import place_table
from dmdesk.documents.jobsheet.sheet import render_job_sheets
from dmdesk.documents.jobsheet.styles import GRID, SHADE, Styles
from dmdesk.documents.kit.document import Block, write_document
from dmdesk.documents.pdf.flow import Cell, Flow, Row, Table, TableStyle, row_height
from dmdesk.queries.settings import CompanyProfile, company_profile
from dmdesk.services import settings, work_orders
from dmdesk.services.context import ServiceContext
from tests.helpers import require_tool
from tests.integration.support import Network

DUE = "2030-06-30"
NAME = "Acme Machining Ltd"
ADDRESS = "12 Mill Lane\nSheffield S1 2AB\nUnited Kingdom"
RED = (220, 20, 20)


def logo_png() -> bytes:
    """A 300 x 120 logo: a red bar on white with a blue disc, so it is easy to find."""
    image = Image.new("RGB", (300, 120), "white")
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, 200, 120), fill=RED)
    draw.ellipse((210, 20, 290, 100), fill=(20, 40, 200))
    out = BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def _text(pdf: Path, page: int) -> str:
    return subprocess.run([require_tool("pdftotext"), "-layout", "-f", str(page), "-l",
                           str(page), str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout


def _raster(pdf: Path, page: int, out: Path) -> Path:
    prefix = out.with_suffix("")
    subprocess.run([require_tool("pdftoppm"), "-r", "150", "-png", "-f", str(page), "-l",
                    str(page), "-singlefile", str(pdf), str(prefix)], check=True)
    return prefix.with_suffix(".png")


def _scan(png: Path, symbology: str) -> list[str]:
    result = subprocess.run([require_tool("zbarimg"), "--quiet", "--raw", "-Sdisable",
                             f"-S{symbology}.enable", str(png)], capture_output=True,
                            text=True, check=False)
    assert result.returncode == 0, (symbology, result.stderr)
    return result.stdout.split()


def _red_box(png: Path) -> tuple[int, int, int, int] | None:
    """The bounding box of the logo's red (not the darker red of "no stock" text)."""
    with Image.open(png) as page:
        rgb = page.convert("RGB")
    data, width = rgb.tobytes(), rgb.width
    red = [(x, y) for y in range(0, rgb.height, 3) for x in range(0, width, 3)
           if data[3 * (y * width + x)] > 200 and data[3 * (y * width + x) + 1] < 60
           and data[3 * (y * width + x) + 2] < 60]
    if not red:
        return None
    xs, ys = [x for x, _ in red], [y for _, y in red]
    return min(xs), min(ys), max(xs), max(ys)


def _set_company(ctx: ServiceContext) -> None:
    settings.set_company_name(ctx, NAME)
    settings.set_company_address(ctx, ADDRESS)
    settings.set_company_logo(ctx, logo_png())


def test_the_job_sheet_carries_the_company_header_logo_footer_and_both_codes(
        ctx: ServiceContext, network: Network, tmp_path: Path) -> None:
    _set_company(ctx)
    created = work_orders.create_work_order(ctx, network.chair, 2, network.hq, DUE)
    out = tmp_path / "sheet.pdf"
    assert render_job_sheets(ctx.db, [created.number], out) == 1
    text = _text(out, 1)
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    assert lines[:4] == [NAME, "12 Mill Lane", "Sheffield S1 2AB", "United Kingdom"], lines[:6]
    assert lines[4] == "JOB SHEET" and created.number in text
    assert lines[-1].startswith(f"Job sheet {created.number}")
    assert lines[-1].endswith("Page 1 of 1")
    png = _raster(out, 1, tmp_path / "sheet.png")
    box = _red_box(png)
    assert box is not None, "no logo on the page"
    with Image.open(png) as page:
        width, height = page.size
    left, top, right, _ = box
    assert left < width * 0.15 and top < height * 0.1, box  # top left, in the margin's corner
    assert 0.1 * width < right - left < 0.3 * width, box  # fitted in its box, not tiny
    assert _scan(png, "qrcode") == [created.number]
    assert _scan(png, "code128") == [created.number]


def test_without_company_settings_the_sheet_starts_with_its_title(
        ctx: ServiceContext, network: Network, tmp_path: Path) -> None:
    created = work_orders.create_work_order(ctx, network.chair, 2, network.hq, DUE)
    out = tmp_path / "plain.pdf"
    render_job_sheets(ctx.db, [created.number], out)
    lines = [line.strip() for line in _text(out, 1).splitlines() if line.strip()]
    assert lines[0] == "JOB SHEET"
    assert _red_box(_raster(out, 1, tmp_path / "plain.png")) is None


def _rows_block(count: int) -> Block:
    def place(flow: Flow, s: Styles) -> None:
        style = TableStyle([60.0, flow.frame.width - 60.0], GRID, SHADE)
        header = Row([s.head.cell("Line", 48), s.head.cell("Item", 200)], 0.0)
        header = Row(header.cells, row_height(header.cells, style))
        rows = []
        for n in range(1, count + 1):
            cells: list[Cell | None] = [s.cell.cell(str(n), 48),
                                        s.cell.cell(f"Item {n} — Ωmega 日本 한국", 300)]
            rows.append(Row(cells, row_height(cells, style)))
        place_table(flow, "Lines", Table(header, style), rows, s)
    return place


def test_a_titled_document_flows_its_blocks_with_header_on_page_one_and_footer_on_all(
        ctx: ServiceContext, tmp_path: Path) -> None:
    _set_company(ctx)
    with ctx.db.read_session() as session:
        company = company_profile(session)
    out = tmp_path / "po.pdf"
    pages = write_document(out, "Purchase order PO-00042", company, [_rows_block(120)],
                           label="PO-00042")
    assert pages >= 3
    first = _text(out, 1)
    assert NAME in first and "Sheffield S1 2AB" in first and "Purchase order PO-00042" in first
    for page in range(1, pages + 1):
        text = _text(out, page)
        assert f"Page {page} of {pages}" in text and "PO-00042" in text
        assert "Line" in text and "Item" in text  # the header row repeats
        if page > 1:
            assert NAME not in text
    everything = "".join(_text(out, page) for page in range(1, pages + 1))
    for n in (1, 60, 120):
        assert f"Item {n} — Ωmega 日本 한국" in everything  # every script, via the fallbacks


def test_a_document_is_written_whole_or_not_at_all(tmp_path: Path) -> None:
    out = tmp_path / "doc.pdf"
    out.write_bytes(b"the old file")

    def broken(flow: Flow, s: Styles) -> None:
        flow.draw(lambda ink: (_ for _ in ()).throw(RuntimeError("drawing failed")))

    try:
        write_document(out, "Broken", CompanyProfile(), [broken])
    except RuntimeError:
        pass
    else:
        raise AssertionError("the failure was swallowed")
    assert out.read_bytes() == b"the old file"
    assert [p.name for p in tmp_path.iterdir()] == ["doc.pdf"]
