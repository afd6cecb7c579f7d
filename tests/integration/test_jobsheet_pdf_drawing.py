"""A design file that is a PDF: the job sheet shows its first page as the thumbnail.

The drawing is a real two-page PDF whose pages each carry a QR code; the rendered sheet, read
back with pdftoppm + zbarimg, must show the first page's code (so the page was really drawn,
not just a box) and not the second's.
"""

from __future__ import annotations

import hashlib
import subprocess
from io import BytesIO
from pathlib import Path

import pytest
from reportlab.graphics import renderPDF
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas

from dmdesk.documents.jobsheet.sheet import render_job_sheets
from dmdesk.documents.pdf.pages import PdfPages
from dmdesk.documents.pdf.thumbnails import thumbnail
from dmdesk.services import products, work_orders
from dmdesk.services.context import ServiceContext
from tests.helpers import require_tool
from tests.integration.support import Network


def _drawing_pdf(*codes: str) -> bytes:
    """A landscape PDF, one page per code, each page mostly a big QR code of that code."""
    out = BytesIO()
    width, height = A4[1], A4[0]
    canvas = Canvas(out, pagesize=(width, height))
    for code in codes:
        widget = QrCodeWidget(code, barLevel="M")
        x0, y0, x1, y1 = widget.getBounds()
        size = height * 0.8
        drawing = Drawing(size, size, transform=[size / (x1 - x0), 0, 0, size / (y1 - y0), 0,
                                                  0])
        drawing.add(widget)
        renderPDF.draw(drawing, canvas, (width - size) / 2, (height - size) / 2)
        canvas.setFont("Helvetica", 14)
        canvas.drawString(30, 30, f"Drawing sheet {code}")
        canvas.showPage()
    canvas.save()
    return out.getvalue()


def _qr_codes(pdf: Path, tmp_path: Path) -> set[str]:
    prefix = tmp_path / "sheet"
    subprocess.run([require_tool("pdftoppm"), "-r", "200", "-png", "-f", "1", "-l", "1",
                    "-singlefile", str(pdf), str(prefix)], check=True)
    result = subprocess.run([require_tool("zbarimg"), "--quiet", "--raw", "-Sdisable",
                             "-Sqrcode.enable", str(prefix.with_suffix(".png"))],
                            capture_output=True, text=True, check=False)
    return set(result.stdout.split())


def test_a_pdf_drawing_gives_its_first_page_as_the_thumbnail(
        ctx: ServiceContext, network: Network, tmp_path: Path) -> None:
    drawing = _drawing_pdf("DRAWING-PAGE-ONE", "DRAWING-PAGE-TWO")
    products.add_design_file(ctx, network.frame, "frame-drawing.pdf", drawing,
                             media_type="application/pdf")
    created = work_orders.create_work_order(ctx, network.frame, 2, network.hq, "2030-06-30")
    out = tmp_path / "sheet.pdf"
    assert render_job_sheets(ctx.db, [created.number], out) == 1
    images = subprocess.run([require_tool("pdfimages"), "-list", str(out)],
                            capture_output=True, text=True, check=True).stdout
    assert len(images.strip().splitlines()) == 3, images  # header, rule, one image
    assert _qr_codes(out, tmp_path) == {created.number, "DRAWING-PAGE-ONE"}


def test_a_damaged_pdf_drawing_leaves_the_sheet_without_a_thumbnail(
        ctx: ServiceContext, network: Network, tmp_path: Path) -> None:
    damaged = b"%PDF-1.4 this is not really a PDF"
    assert thumbnail(damaged, hashlib.sha256(damaged).hexdigest(), 200, 150) is None
    products.add_design_file(ctx, network.frame, "broken.pdf", b"%PDF-1.4 broken",
                             media_type="application/pdf")
    created = work_orders.create_work_order(ctx, network.frame, 1, network.hq, "2030-06-30")
    out = tmp_path / "sheet.pdf"
    assert render_job_sheets(ctx.db, [created.number], out, page_size="A4") == 1
    text = subprocess.run([require_tool("pdftotext"), str(out), "-"], capture_output=True,
                          text=True, check=True).stdout
    assert "broken.pdf" in text
    with PdfPages(out) as pdf:
        assert pdf.count == 1
        assert pdf.size_points(0) == pytest.approx(A4, abs=0.5)
