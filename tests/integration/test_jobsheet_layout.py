"""The job sheet's own layout (no platypus): long texts wrap inside their cells and boxes,
long notes and pick lists go on over pages, and nothing is drawn outside the page's frame.
Read back with pdftotext -bbox: every word's box, as a person would see it on the page."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from dmdesk.documents.jobsheet.sheet import MARGIN, render_job_sheets
from dmdesk.services import products, work_orders
from dmdesk.services.context import ServiceContext
from tests.helpers import require_tool
from tests.integration.support import Network

DUE = "2030-06-30"
WORD = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">'
                  r"([^<]*)</word>")
PAGE = re.compile(r'<page width="([\d.]+)" height="([\d.]+)">')


def _words(pdf: Path) -> list[list[tuple[float, float, float, float, str]]]:
    """Per page: (x min, y min, x max, y max, text) of every word, y from the top."""
    html = subprocess.run([require_tool("pdftotext"), "-bbox", str(pdf), "-"],
                          capture_output=True, text=True, check=True).stdout
    pages = []
    for chunk in html.split("<page ")[1:]:
        words = [(float(a), float(b), float(c), float(d), text)
                 for a, b, c, d, text in WORD.findall(chunk)]
        pages.append(words)
    return pages


def _page_width(pdf: Path) -> float:
    html = subprocess.run([require_tool("pdftotext"), "-bbox", "-l", "1", str(pdf), "-"],
                          capture_output=True, text=True, check=True).stdout
    found = PAGE.search(html)
    assert found, html[:500]
    return float(found.group(1))


def test_long_texts_wrap_inside_the_page_and_long_notes_go_on_over_pages(
        ctx: ServiceContext, network: Network, tmp_path: Path) -> None:
    name = " ".join(["Extra long upholstered lounge chair"] * 4)
    chair = products.create_product(ctx, sku="LOUNGE-LONG", name=name, kind="finished",
                                    unit="pcs")
    part_name = "Very long component name that cannot fit in its column " * 2
    part = products.create_product(ctx, sku="P-" + "X" * 30, name=part_name.strip(),
                                   kind="raw_material", unit="pcs")
    products.add_bom_line(ctx, chair, part, 2)
    notes = "\n".join(f"Note line {n}: check the seams twice before upholstery."
                      for n in range(1, 121))
    created = work_orders.create_work_order(ctx, chair, 1, network.hq, DUE, notes=notes)
    out = tmp_path / "long.pdf"
    pages = render_job_sheets(ctx.db, [created.number], out)

    words = _words(out)
    assert len(words) == pages >= 3  # 120 note lines do not fit on two pages
    width = _page_width(out)
    for page in words:
        for x_min, _y0, x_max, _y1, text in page:
            assert x_min >= MARGIN - 1 and x_max <= width - MARGIN + 1, (text, x_min, x_max)
    text = " ".join(w[4] for page in words for w in page)
    assert text.count("upholstered") == 4  # the whole product name, wrapped
    sku_pieces = [w[4] for w in words[0] if w[4].startswith("P-X") or set(w[4]) == {"X"}]
    assert len(sku_pieces) > 1 and "".join(sku_pieces) == "P-" + "X" * 30  # cut, all there
    for n in (1, 60, 120):
        assert f"{n}: check the seams" in text
    last = " ".join(w[4] for w in words[-1])
    assert f"Page {pages} of {pages}" in last and created.number in last


def test_lines_of_a_wrapped_cell_stay_in_its_row(
        ctx: ServiceContext, network: Network, tmp_path: Path) -> None:
    """A component name on three lines makes its row taller: the next row's SKU is below the
    name's last line, not on top of it."""
    table = products.create_product(ctx, sku="TABLE", name="Table", kind="finished",
                                    unit="pcs")
    long_part = products.create_product(
        ctx, sku="TOP", name="Solid oak table top, oiled, with breadboard ends and bowties",
        kind="raw_material", unit="pcs")
    leg = products.create_product(ctx, sku="LEG", name="Leg", kind="raw_material", unit="pcs")
    products.add_bom_line(ctx, table, long_part, 1)
    products.add_bom_line(ctx, table, leg, 4)
    created = work_orders.create_work_order(ctx, table, 1, network.hq, DUE)
    out = tmp_path / "rows.pdf"
    render_job_sheets(ctx.db, [created.number], out)
    page = _words(out)[0]
    bowties = next(w for w in page if w[4] == "bowties")
    oak = next(w for w in page if w[4] == "oak")
    leg_sku = next(w for w in page if w[4] == "LEG")
    assert bowties[1] > oak[1]  # wrapped onto a later line
    assert leg_sku[1] > bowties[3]  # the next row starts below the wrapped name


def test_the_code128_and_the_qr_code_both_scan_to_the_number(
        ctx: ServiceContext, network: Network, tmp_path: Path) -> None:
    created = work_orders.create_work_order(ctx, network.chair, 2, network.hq, DUE)
    out = tmp_path / "codes.pdf"
    render_job_sheets(ctx.db, [created.number], out)
    prefix = tmp_path / "page"
    subprocess.run([require_tool("pdftoppm"), "-r", "200", "-png", "-singlefile", str(out),
                    str(prefix)], check=True)
    found = {}
    for symbology in ("code128", "qrcode"):
        result = subprocess.run([require_tool("zbarimg"), "--quiet", "--raw", "-Sdisable",
                                 f"-S{symbology}.enable", str(prefix.with_suffix(".png"))],
                                capture_output=True, text=True, check=False)
        assert result.returncode == 0, (symbology, result.stderr)
        found[symbology] = result.stdout.split()
    assert found == {"code128": [created.number], "qrcode": [created.number]}


def test_numbers_are_never_broken_across_lines(
        ctx: ServiceContext, network: Network, tmp_path: Path) -> None:
    """Line numbers past 9 and quantities wider than their column stay whole words (set
    smaller to fit), where wrapping would print "1" over "0"."""
    rack = products.create_product(ctx, sku="RACK", name="Rack", kind="finished", unit="m")
    for index in range(1, 13):
        part = products.create_product(ctx, sku=f"RP-{index}", name=f"Rack part {index}",
                                       kind="raw_material", unit="m")
        products.add_bom_line(ctx, rack, part, "1234.567")
    created = work_orders.create_work_order(ctx, rack, 100, network.hq, DUE)
    out = tmp_path / "numbers.pdf"
    render_job_sheets(ctx.db, [created.number], out)
    words = [w[4] for page in _words(out) for w in page]
    for index in (10, 11, 12):
        assert str(index) in words
    assert words.count("123456.7") == 12  # 1234.567 m x 100, each on one line
