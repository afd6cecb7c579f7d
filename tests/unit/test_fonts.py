"""documents.pdf.fonts.font_runs: each character in the first font of the chain that has it
(DejaVu Sans, then Droid Sans Fallback, then Dmdesk Hangul; Hangul tries Dmdesk Hangul before
Droid Sans Fallback), as runs a caller can measure with stringWidth and draw one by one."""

from __future__ import annotations

import ast
import itertools
import os
import subprocess
import sys

import pytest
from reportlab.pdfbase import pdfmetrics

from dmdesk.documents.pdf.fonts import BOLD, FALLBACK, KOREAN, REGULAR, font_runs, register_fonts
from tests.helpers import REPO_ROOT


@pytest.fixture(autouse=True)
def _fonts() -> None:
    register_fonts()


def test_latin_chinese_and_korean_each_in_their_font() -> None:
    text = "Frame 框架 — 알루미늄 프레임, 가격"
    assert font_runs(text, REGULAR) == [
        (REGULAR, "Frame "), (FALLBACK, "框架"), (REGULAR, " — "), (KOREAN, "알루미늄"),
        (REGULAR, " "), (KOREAN, "프레임"), (REGULAR, ", "), (KOREAN, "가격")]


def test_the_base_font_is_the_one_asked_for() -> None:
    assert font_runs("Nr. 7 의자", BOLD) == [(BOLD, "Nr. 7 "), (KOREAN, "의자")]
    assert font_runs("Nr. 7", BOLD) == [(BOLD, "Nr. 7")]
    assert font_runs("", BOLD) == []


def test_hangul_droid_sans_fallback_also_has_stays_in_the_korean_font() -> None:
    # Droid Sans Fallback has 가, 힣 and the jamo: a word must not switch designs midway.
    assert font_runs("가방 힣 ㄱㅏ 한글", REGULAR) == [
        (KOREAN, "가방"), (REGULAR, " "), (KOREAN, "힣"), (REGULAR, " "), (KOREAN, "ㄱㅏ"),
        (REGULAR, " "), (KOREAN, "한글")]


def test_characters_no_font_has_stay_in_the_base_font() -> None:
    # U+E000 is private use, U+1F9F0 (toolbox emoji) is in none of the three fonts.
    assert font_runs("용접\ue000\U0001f9f0\n椅", REGULAR) == [
        (KOREAN, "용접"), (REGULAR, "\ue000\U0001f9f0\n"), (FALLBACK, "椅")]


@pytest.mark.parametrize("text", [
    "알루미늄 프레임 용접", "Cadeira 办公椅 — 事務椅子 — オフィスチェア", "a\tb\n한\n\n漢字x",
    "의자 & <椅子> 123", "ㄱ가각갂힣豈", " 한 ",
])
def test_runs_join_up_to_the_text_and_can_be_measured(text: str) -> None:
    runs = font_runs(text, REGULAR)
    assert "".join(run for _, run in runs) == text
    assert all(run for _, run in runs)
    assert all(a[0] != b[0] for a, b in itertools.pairwise(runs))  # maximal runs
    for name, run in runs:
        # Every name is a registered font that has the run's glyphs (or sets its boxes).
        assert pdfmetrics.stringWidth(run, name, 10) > 0 or not run.strip()


def test_a_fallback_font_is_read_only_when_a_text_needs_it() -> None:
    """In a fresh process: Korean loads the Korean font and not the 4 MB CJK one."""
    script = (
        "from reportlab.pdfbase import pdfmetrics\n"
        "from dmdesk.documents.pdf import fonts\n"
        "fonts.register_fonts()\n"
        "fonts.font_runs('Steel tube', fonts.REGULAR)\n"
        "print(sorted(pdfmetrics.getRegisteredFontNames()))\n"
        "fonts.font_runs('알루미늄 프레임 가공', fonts.REGULAR)\n"
        "print(sorted(pdfmetrics.getRegisteredFontNames()))\n"
        "fonts.font_runs('椅子', fonts.REGULAR)\n"
        "print(sorted(pdfmetrics.getRegisteredFontNames()))\n")
    # This checkout's code, whatever an editable install elsewhere points at.
    path = os.pathsep.join(filter(None, [str(REPO_ROOT / "src"), os.environ.get("PYTHONPATH")]))
    env = {**os.environ, "PYTHONPATH": path}
    lines = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                           check=True, env=env).stdout.splitlines()
    latin, korean, chinese = (set(ast.literal_eval(line)) for line in lines)
    assert FALLBACK not in latin and KOREAN not in latin
    assert KOREAN in korean and FALLBACK not in korean
    assert FALLBACK in chinese
