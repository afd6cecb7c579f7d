"""Chinese and Japanese names on a job sheet: DejaVu Sans has no such glyphs, so those runs
are set in the shipped fallback font (Droid Sans Fallback has no Hangul: Korean is not
covered). pdftotext must give the text back (the glyphs are really there, mapped to their
characters) and pdffonts must list both fonts embedded."""

from __future__ import annotations

import subprocess
from pathlib import Path

from dmdesk.documents.fonts import register_fonts, with_fallback
from dmdesk.documents.jobsheet import render_job_sheets
from dmdesk.services import products, workorders
from dmdesk.services.context import ServiceContext
from tests.helpers import require_tool
from tests.integration.support import Network


def test_cjk_names_print_in_the_fallback_font(
        ctx: ServiceContext, network: Network, tmp_path: Path) -> None:
    name = "Cadeira 办公椅 — 事務椅子 — オフィスチェア"
    chair = products.create_product(ctx, sku="CJK-CHAIR", name=name, kind="finished",
                                    unit="pcs")
    products.add_bom_line(ctx, chair, network.screw, 4)
    long_note = "请小心处理，" * 30  # no spaces: must still wrap inside the notes box
    created = workorders.create_work_order(ctx, chair, 2, network.hq, "2030-06-30",
                                           notes=long_note)
    out = tmp_path / "cjk.pdf"
    assert render_job_sheets(ctx.db, [created.number], out, page_size="A4") == 1
    text = subprocess.run([require_tool("pdftotext"), str(out), "-"], capture_output=True,
                          text=True, check=True).stdout
    assert name in text.replace("\n", "")  # the title wraps between two kana
    assert "Screw M6" in text and created.number in text
    assert text.replace("\n", "").count("请小心处理") == 30
    fonts = subprocess.run([require_tool("pdffonts"), str(out)], capture_output=True,
                           text=True, check=True).stdout
    assert "DroidSansFallback" in fonts and "DejaVuSans" in fonts


def test_only_the_runs_dejavu_lacks_change_font() -> None:
    register_fonts()
    assert with_fallback("Steel & <tube>") == "Steel &amp; &lt;tube&gt;"
    assert with_fallback("Cadeira 椅子 A") == (
        'Cadeira <font name="DroidSansFallback">椅子</font> A')
