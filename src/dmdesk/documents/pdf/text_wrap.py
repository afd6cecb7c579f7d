"""Breaking a text into lines that fit a width, for text drawn without platypus paragraphs.

Lines break at spaces; a word wider than the whole line is cut between characters (a long
SKU or file name must not run out of its cell); Chinese and Japanese text, which has no
spaces, may break between any two ideographs (as platypus's "CJK" word wrap does); a line
break in the text starts a new line. Runs of spaces collapse to one, as in a paragraph.
"""

from __future__ import annotations

import re

from dmdesk.documents.pdf.ink import text_width

# Characters after which a line may break with no space: CJK ideographs, kana, fullwidth
# forms and CJK punctuation. Not Hangul: Korean puts spaces between words and breaks there.
_BREAK_AFTER = re.compile(
    "([\u2e80-\u2fff\u3000-\u30ff\u3100-\u9fff\uf900-\ufaff\uff00-\uffef])")


def wrap(text: str, font: str, size: float, width: float) -> list[str]:
    """The lines of ``text`` in ``font`` at ``size`` points, none wider than ``width`` (except
    a single character wider than the width, which gets a line of its own)."""
    if "\n" not in text and "\r" not in text:
        plain = " ".join(text.replace("\t", " ").split())
        if text_width(plain, font, size) <= width:  # most texts: one line, measured once
            return [plain]
    lines: list[str] = []
    for paragraph in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        words = paragraph.replace("\t", " ").split()
        if not words:
            lines.append("")
            continue
        lines.extend(_wrap_words(words, font, size, width))
    return lines


def _pieces(word: str) -> list[tuple[str, bool]]:
    """A word as (piece, joined to the previous piece without a space) pairs: CJK characters
    are pieces of their own, so a line may end after any of them."""
    parts = [part for part in _BREAK_AFTER.split(word) if part]
    return [(part, index > 0) for index, part in enumerate(parts)]


def _wrap_words(words: list[str], font: str, size: float, width: float) -> list[str]:
    lines: list[str] = []
    current = ""
    for word in words:
        for piece, joined in _pieces(word):
            glue = "" if joined or not current else " "
            candidate = current + glue + piece
            if text_width(candidate, font, size) <= width:
                current = candidate
                continue
            if current:
                lines.append(current)
            current = piece
            if text_width(piece, font, size) > width:  # too long for any line: cut it
                cut = _cut(piece, font, size, width)
                lines.extend(cut[:-1])
                current = cut[-1]
    lines.append(current)
    return lines


def _cut(word: str, font: str, size: float, width: float) -> list[str]:
    """``word`` cut between characters into lines no wider than ``width``."""
    lines: list[str] = []
    current = ""
    for char in word:
        if current and text_width(current + char, font, size) > width:
            lines.append(current)
            current = char
        else:
            current += char
    lines.append(current)
    return lines
