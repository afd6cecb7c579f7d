"""documents.pdf.text_wrap: lines that fit, broken where a reader expects."""

from __future__ import annotations

import pytest

from dmdesk.documents.pdf.fonts import register_fonts
from dmdesk.documents.pdf.ink import text_width
from dmdesk.documents.pdf.text_wrap import wrap


@pytest.fixture(scope="module")
def font() -> str:
    return register_fonts()[0]


def test_short_text_is_one_line_with_spaces_collapsed(font: str) -> None:
    assert wrap("  Deburr   every cut ", font, 9, 500) == ["Deburr every cut"]


def test_lines_break_at_spaces_and_fit(font: str) -> None:
    text = "Sand the frame, then apply two coats of oil and let each dry overnight"
    lines = wrap(text, font, 9, 120)
    assert len(lines) > 2
    assert " ".join(lines) == text
    assert all(text_width(line, font, 9) <= 120 for line in lines)


def test_a_word_longer_than_the_line_is_cut_between_characters(font: str) -> None:
    word = "CNC-PROFILE-" + "9" * 40
    lines = wrap(f"see {word}", font, 9, 80)
    assert lines[0] == "see"
    assert "".join(lines[1:]) == word
    assert all(text_width(line, font, 9) <= 80 for line in lines)


def test_line_breaks_in_the_text_are_kept(font: str) -> None:
    assert wrap("first\n\nthird\r\nfourth", font, 9, 500) == ["first", "", "third", "fourth"]


def test_chinese_breaks_between_ideographs(font: str) -> None:
    text = "铝合金框架焊接后打磨并喷涂两层保护漆然后检查"
    lines = wrap(text, font, 9, 60)
    assert len(lines) > 1 and "".join(lines) == text
    assert all(text_width(line, font, 9) <= 60 for line in lines)


def test_korean_breaks_between_words(font: str) -> None:
    text = "알루미늄 프레임 용접 후 연마하고 보호 도장을 두 번 칠한 다음 검사합니다"
    lines = wrap(text, font, 9, 90)
    assert len(lines) > 1 and " ".join(lines) == text  # every break at a space
