"""The Unicode fonts documents embed, shipped in resources/fonts.

ReportLab's built-in fonts (Helvetica...) cover Latin-1 only; DejaVu Sans covers Latin, Greek,
Cyrillic and more, and is embedded (subset) in every PDF, so a sheet prints the same anywhere.
DejaVu has no Chinese or Japanese glyphs: for those, Droid Sans Fallback (4 MB, loaded only
when a text needs it) sets each run of characters DejaVu lacks (``with_fallback``). It has no
Hangul, so Korean still prints as boxes (that would take a Korean font, e.g. Noto Sans KR).
ReportLab does not fall back from font to font by itself, so the runs are marked up here.
"""

from __future__ import annotations

import threading
from xml.sax.saxutils import escape

from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from dmdesk.documents.font_subsets import cache_subsets
from dmdesk.paths import resources_dir

REGULAR = "DejaVuSans"
BOLD = "DejaVuSans-Bold"
FALLBACK = "DroidSansFallback"
_FILES = {REGULAR: "DejaVuSans.ttf", BOLD: "DejaVuSans-Bold.ttf"}
_FALLBACK_FILE = "DroidSansFallbackFull.ttf"
_lock = threading.Lock()
_registered = False
_covered: frozenset[int] = frozenset()
_fallback: frozenset[int] | None = None  # set once the fallback font is registered


def _font_path(file: str) -> str:
    path = resources_dir() / "fonts" / file
    if not path.is_file():
        raise FileNotFoundError(
            f"The font {path} is missing from this installation; reinstall dmdesk.")
    return str(path)


def register_fonts() -> tuple[str, str]:
    """Register the fonts with ReportLab once; return (regular, bold) font names."""
    global _registered, _covered
    with _lock:
        if not _registered:
            for name, file in _FILES.items():
                font = TTFont(name, _font_path(file))
                cache_subsets(font)
                pdfmetrics.registerFont(font)
                if name == REGULAR:
                    _covered = frozenset(font.face.charToGlyph)
            addMapping(REGULAR, 0, 0, REGULAR)
            addMapping(REGULAR, 1, 0, BOLD)
            addMapping(REGULAR, 0, 1, REGULAR)
            addMapping(REGULAR, 1, 1, BOLD)
            _registered = True
    return REGULAR, BOLD


def _fallback_glyphs() -> frozenset[int]:
    global _fallback
    with _lock:
        if _fallback is None:
            font = TTFont(FALLBACK, _font_path(_FALLBACK_FILE))
            pdfmetrics.registerFont(font)
            _fallback = frozenset(font.face.charToGlyph)
        return _fallback


def needs_fallback(text: str) -> bool:
    """Whether ``text`` has characters DejaVu Sans cannot show (after register_fonts)."""
    if text.isascii():  # DejaVu has all of ASCII; most texts on a sheet are ASCII
        return False
    return any(ord(char) not in _covered for char in text if char not in "\n\t")


def font_runs(text: str, font: str) -> list[tuple[str, str]]:
    """``text`` cut into runs, each with the font to set it in: ``font`` (DejaVu, regular or
    bold) where it has the glyphs, the fallback font for runs only the fallback has.

    Characters neither font has stay in ``font`` (they print as its "missing" box).
    """
    if not needs_fallback(text):
        return [(font, text)] if text else []
    fallback = _fallback_glyphs()
    runs: list[tuple[str, str]] = []
    run: list[str] = []
    in_fallback = False
    for char in text:
        code = ord(char)
        wanted = code not in _covered and code in fallback
        if wanted != in_fallback and run:
            runs.append((FALLBACK if in_fallback else font, "".join(run)))
            run = []
        in_fallback = wanted
        run.append(char)
    if run:
        runs.append((FALLBACK if in_fallback else font, "".join(run)))
    return runs


def with_fallback(text: str) -> str:
    """``text`` as escaped Paragraph markup, each run DejaVu lacks set in the fallback font."""
    return "".join(f'<font name="{name}">{escape(run)}</font>' if name != REGULAR
                   else escape(run) for name, run in font_runs(text, REGULAR))
