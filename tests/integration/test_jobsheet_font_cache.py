"""Font subsets are cut from the font file once per process and reused by later sheets that
need the same characters (documents.pdf.font_subsets); the sheets still carry each text."""

from __future__ import annotations

import subprocess
from pathlib import Path

from reportlab.pdfbase import pdfmetrics

from dmdesk.documents.jobsheet.sheet import render_job_sheets
from dmdesk.documents.pdf.fonts import register_fonts
from dmdesk.services import products, work_orders
from dmdesk.services.context import ServiceContext
from tests.helpers import require_tool
from tests.integration.support import Network

DUE = "2030-06-30"


def _text(pdf: Path) -> str:
    return subprocess.run([require_tool("pdftotext"), "-layout", str(pdf), "-"],
                          capture_output=True, text=True, check=True).stdout


def _fonts(pdf: Path) -> str:
    return subprocess.run([require_tool("pdffonts"), str(pdf)], capture_output=True,
                          text=True, check=True).stdout


def test_later_sheets_reuse_subsets_and_keep_their_text(
        ctx: ServiceContext, network: Network, tmp_path: Path) -> None:
    regular, _bold = register_fonts()
    face = pdfmetrics.getFont(regular).face
    made: list[int] = []
    cut = face.makeSubset
    face.makeSubset = lambda subset: made.append(len(subset)) or cut(subset)
    try:
        latin = work_orders.create_work_order(ctx, network.frame, 2, network.hq, DUE,
                                             notes="Deburr every cut.")
        greek = products.create_product(ctx, sku="KAREKLA", name="Καρέκλα — Ação",
                                        kind="finished", unit="pcs")
        products.add_bom_line(ctx, greek, network.screw, 4)
        other = work_orders.create_work_order(ctx, greek, 1, network.hq, DUE,
                                             notes="Βερνίκι — verniz à base de água")
        first, second, third = (tmp_path / f"{n}.pdf" for n in ("first", "second", "third"))
        render_job_sheets(ctx.db, [latin.number], first)
        after_first = len(made)
        render_job_sheets(ctx.db, [other.number], second)  # other characters: new subsets
        after_second = len(made)
        render_job_sheets(ctx.db, [latin.number], third)  # the first sheet's subsets again
    finally:
        del face.makeSubset  # back to the class's method
    assert after_second > after_first
    assert len(made) == after_second  # nothing cut from the font file for the third sheet
    assert _text(first) == _text(third)
    assert "Deburr every cut." in _text(third)
    assert "Βερνίκι — verniz à base de água" in _text(second)
    assert "Καρέκλα — Ação" in _text(second)
    for pdf in (first, second, third):
        assert "+DejaVuSans " in _fonts(pdf)  # embedded as a subset
