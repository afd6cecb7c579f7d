"""An SVG design file is drawn on the job sheet as a vector thumbnail (svglib); one svglib
cannot read leaves the sheet without a thumbnail, never without a sheet."""

from __future__ import annotations

import subprocess
from pathlib import Path

from dmdesk.documents.jobsheet.sheet import render_job_sheets
from dmdesk.services import products, work_orders
from dmdesk.services.context import ServiceContext
from tests.helpers import require_tool
from tests.integration.support import Network

DUE = "2030-06-30"
SVG = b"""<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" width="104mm" height="145mm" viewBox="0 0 104 145">
<rect x="20" y="10" width="64" height="85" fill="none" stroke="black" stroke-width="0.7"/>
<line x1="20" y1="103" x2="84" y2="103" stroke="black" stroke-width="0.3"/>
<text x="52" y="101" font-size="4" text-anchor="middle">FRAME-THUMB-450</text>
</svg>
"""


def _text(pdf: Path) -> str:
    return subprocess.run([require_tool("pdftotext"), "-layout", str(pdf), "-"],
                          capture_output=True, text=True, check=True).stdout


def test_an_svg_drawing_is_a_vector_thumbnail(
        ctx: ServiceContext, network: Network, tmp_path: Path) -> None:
    products.add_design_file(ctx, network.frame, "frame.svg", SVG, media_type="image/svg+xml")
    created = work_orders.create_work_order(ctx, network.frame, 1, network.hq, DUE)
    out = tmp_path / "svg.pdf"
    render_job_sheets(ctx.db, [created.number], out)
    text = _text(out)
    assert "frame.svg" in text
    assert "FRAME-THUMB-450" in text  # the drawing's own text, as text: drawn as vectors


def test_an_svg_that_cannot_be_read_gives_a_sheet_without_a_thumbnail(
        ctx: ServiceContext, network: Network, tmp_path: Path) -> None:
    broken = b"<svg xmlns='http://www.w3.org/2000/svg' width='10mm'><rect x='1' </svg>"
    products.add_design_file(ctx, network.frame, "frame.svg", broken,
                             media_type="image/svg+xml")
    created = work_orders.create_work_order(ctx, network.frame, 1, network.hq, DUE)
    with_broken = tmp_path / "broken.pdf"
    assert render_job_sheets(ctx.db, [created.number], with_broken) == 1
    assert "frame.svg" in _text(with_broken)  # the design file is named all the same
