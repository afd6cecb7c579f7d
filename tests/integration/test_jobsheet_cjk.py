"""Chinese, Japanese and Korean names on a job sheet: DejaVu Sans has no such glyphs, so those
runs are set in the shipped fallback fonts (Droid Sans Fallback for Chinese and Japanese,
Dmdesk Hangul for Korean). pdftotext must give the text back (the glyphs are really there,
mapped to their characters) and pdffonts must list the fonts embedded."""

from __future__ import annotations

import subprocess
from pathlib import Path

from dmdesk.documents.jobsheet.sheet import render_job_sheets
from dmdesk.documents.pdf.fonts import FALLBACK, KOREAN, REGULAR, register_fonts, with_fallback
from dmdesk.services import products, work_orders
from dmdesk.services.context import ServiceContext
from tests.helpers import require_tool
from tests.integration.support import Network


def _text(pdf: Path) -> str:
    return subprocess.run([require_tool("pdftotext"), str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout


def _embedded_fonts(pdf: Path) -> set[str]:
    """The fonts pdffonts lists as embedded, by name without the subset tag (ABCDEF+)."""
    listing = subprocess.run([require_tool("pdffonts"), str(pdf)], capture_output=True,
                             text=True, check=True).stdout.splitlines()
    # name type encoding emb sub uni object ID: the name has no spaces, the type may have.
    return {line.split()[0].split("+")[-1] for line in listing[2:]
            if line.split()[-5] == "yes"}


def _sheet(ctx: ServiceContext, network: Network, out: Path, sku: str, name: str,
           notes: str, quantity: int = 2) -> str:
    """A one-page sheet for a new product ``name`` (made of 4 screws) with ``notes``, written
    to ``out``; its work order number."""
    product = products.create_product(ctx, sku=sku, name=name, kind="finished", unit="pcs")
    products.add_bom_line(ctx, product, network.screw, 4)
    created = work_orders.create_work_order(ctx, product, quantity, network.hq, "2030-06-30",
                                           notes=notes)
    assert render_job_sheets(ctx.db, [created.number], out, page_size="A4") == 1
    return created.number


def test_cjk_names_print_in_the_fallback_font(
        ctx: ServiceContext, network: Network, tmp_path: Path) -> None:
    name = "Cadeira 办公椅 — 事務椅子 — オフィスチェア"
    long_note = "请小心处理，" * 30  # no spaces: must still wrap inside the notes box
    out = tmp_path / "cjk.pdf"
    number = _sheet(ctx, network, out, "CJK-CHAIR", name, long_note)
    text = _text(out)
    assert name in text.replace("\n", "")  # the title wraps between two kana
    assert "Screw M6" in text and number in text
    assert text.replace("\n", "").count("请小心处理") == 30
    fonts = _embedded_fonts(out)
    assert "DroidSansFallback" in fonts and "DejaVuSans" in fonts


def test_only_the_runs_dejavu_lacks_change_font() -> None:
    register_fonts()
    assert with_fallback("Steel & <tube>") == "Steel &amp; &lt;tube&gt;"
    assert with_fallback("Cadeira 椅子 A") == (
        'Cadeira <font name="DroidSansFallback">椅子</font> A')
    assert with_fallback("의자 & 椅子") == (
        '<font name="DmdeskHangul">의자</font> &amp; <font name="DroidSansFallback">椅子</font>')


def test_korean_names_print_in_the_hangul_font(
        ctx: ServiceContext, network: Network, tmp_path: Path) -> None:
    name = "알루미늄 프레임 용접"
    # 가 is one of the three syllables Droid Sans Fallback has too: it must not be set in
    # that font (nor load it) in the middle of a Korean word.
    note = "용접 부위를 가공한 뒤 검사할 것. " * 8
    out = tmp_path / "korean.pdf"
    number = _sheet(ctx, network, out, "KO-FRAME", name, note)
    text = _text(out)
    assert name in text
    assert "".join(text.split()).count("용접부위를가공한뒤검사할것.") == 8  # however it wraps
    assert "Screw M6" in text and number in text
    fonts = _embedded_fonts(out)
    assert KOREAN in fonts and REGULAR in fonts
    assert FALLBACK not in fonts


def test_latin_chinese_and_korean_on_one_sheet_take_three_fonts(
        ctx: ServiceContext, network: Network, tmp_path: Path) -> None:
    name = "Frame 框架 프레임"
    out = tmp_path / "mixed.pdf"
    _sheet(ctx, network, out, "MIX-FRAME", name, "Weld 焊接 용접", quantity=1)
    text = _text(out)
    assert name in text and "Weld 焊接 용접" in text
    assert {REGULAR, FALLBACK, KOREAN} <= _embedded_fonts(out)
