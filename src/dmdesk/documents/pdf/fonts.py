"""The Unicode fonts documents embed, shipped in resources/fonts.

ReportLab's built-in fonts (Helvetica...) cover Latin-1 only; DejaVu Sans covers Latin, Greek,
Cyrillic and more, and is embedded (subset) in every PDF, so a sheet prints the same anywhere.
DejaVu has no Chinese, Japanese or Korean glyphs, so characters it lacks fall back, one run at
a time, to the first of these fonts that has them:

- Droid Sans Fallback (4 MB): Chinese and Japanese (and the Hanja in Korean text);
- Dmdesk Hangul (1.3 MB, a Hangul-only subset of NanumGothic, packaging/make_hangul_font.py):
  Korean. It comes first for Hangul, which Droid Sans Fallback covers only in part (the jamo
  and three syllables, among them the common 가), so a Korean word is never set in two designs.

Each fallback font is read and registered only when a text first needs it. Fallback fonts have
no bold: bold text falls back to their regular weight. ReportLab does not fall back from font to
font by itself, so ``font_runs`` cuts the text into runs and ``with_fallback`` marks them up.
"""

from __future__ import annotations

import threading
from xml.sax.saxutils import escape

from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from dmdesk.documents.pdf.font_subsets import cache_subsets
from dmdesk.paths import resources_dir

REGULAR = "DejaVuSans"
BOLD = "DejaVuSans-Bold"
FALLBACK = "DroidSansFallback"  # Chinese, Japanese
KOREAN = "DmdeskHangul"
_FILES = {REGULAR: "DejaVuSans.ttf", BOLD: "DejaVuSans-Bold.ttf"}
_FALLBACK_FILES = {FALLBACK: "DroidSansFallbackFull.ttf", KOREAN: "DmdeskHangul.ttf"}
# The order fallback fonts are tried in for a character DejaVu lacks: Hangul (the Unicode
# blocks below) goes to the Korean font first, anything else to Droid Sans Fallback first.
# Made with asciiReadable=True: printable ASCII keeps its own codes in subset 0 (pdf_ink).
ASCII_READABLE = frozenset({REGULAR, BOLD, FALLBACK, KOREAN})
_CHAIN = (FALLBACK, KOREAN)
_HANGUL_CHAIN = (KOREAN, FALLBACK)
_HANGUL_BLOCKS = (
    (0x1100, 0x11FF),  # Hangul Jamo
    (0x3130, 0x318F),  # Hangul Compatibility Jamo
    (0x3200, 0x321E),  # parenthesized Hangul
    (0x3260, 0x327E),  # circled Hangul
    (0xA960, 0xA97F),  # Hangul Jamo Extended-A
    (0xAC00, 0xD7FF),  # Hangul Syllables, Hangul Jamo Extended-B
    (0xFFA0, 0xFFDC),  # halfwidth Hangul
)
_lock = threading.Lock()
_registered = False
_covered: frozenset[int] = frozenset()
# The same as characters, with line breaks and tabs: a superset test on a string runs in C.
_covered_chars: frozenset[str] = frozenset()
# Fallback font name -> the characters it has; an entry appears once the font is registered.
_fallback: dict[str, frozenset[int]] = {}


def _font_path(file: str) -> str:
    path = resources_dir() / "fonts" / file
    if not path.is_file():
        raise FileNotFoundError(
            f"The font {path} is missing from this installation; reinstall dmdesk.")
    return str(path)


def register_fonts() -> tuple[str, str]:
    """Register the fonts with ReportLab once; return (regular, bold) font names."""
    global _registered, _covered, _covered_chars
    with _lock:
        if not _registered:
            for name, file in _FILES.items():
                font = TTFont(name, _font_path(file), asciiReadable=True)
                cache_subsets(font)
                pdfmetrics.registerFont(font)
                if name == REGULAR:
                    _covered = frozenset(font.face.charToGlyph)
                    _covered_chars = frozenset(map(chr, _covered)) | frozenset("\n\t\r")
            addMapping(REGULAR, 0, 0, REGULAR)
            addMapping(REGULAR, 1, 0, BOLD)
            addMapping(REGULAR, 0, 1, REGULAR)
            addMapping(REGULAR, 1, 1, BOLD)
            _registered = True
    return REGULAR, BOLD


def _fallback_glyphs(name: str) -> frozenset[int]:
    """The characters the fallback font ``name`` has, registering it on first use."""
    glyphs = _fallback.get(name)
    if glyphs is not None:  # the common case takes no lock
        return glyphs
    with _lock:
        if name not in _fallback:
            font = TTFont(name, _font_path(_FALLBACK_FILES[name]), asciiReadable=True)
            pdfmetrics.registerFont(font)
            # Published only now, so whoever sees the glyphs also finds the font registered.
            _fallback[name] = frozenset(font.face.charToGlyph)
        return _fallback[name]


def _font_for(code: int, font: str) -> str:
    if code in _covered or code < 0x20:  # line breaks and tabs: no fallback font to load
        return font
    hangul = any(first <= code <= last for first, last in _HANGUL_BLOCKS)
    for name in _HANGUL_CHAIN if hangul else _CHAIN:
        if code in _fallback_glyphs(name):  # the next font is read only if this one lacks it
            return name
    return font


def needs_fallback(text: str) -> bool:
    """Whether ``text`` has characters DejaVu Sans cannot show (after register_fonts)."""
    if text.isascii():  # DejaVu has all of ASCII; most texts on a sheet are ASCII
        return False
    return not _covered_chars.issuperset(text)


def font_runs(text: str, font: str) -> list[tuple[str, str]]:
    """``text`` cut into runs, each with the registered font to set it in: ``font`` (DejaVu,
    regular or bold) where it has the glyphs, else the first fallback font that has them
    (Droid Sans Fallback for Chinese and Japanese, Dmdesk Hangul for Korean). The runs join
    up to ``text``; none is empty.

    Characters no font has stay in ``font`` (they print as its "missing" box).
    """
    if not needs_fallback(text):
        return [(font, text)] if text else []
    runs: list[tuple[str, str]] = []
    start = 0
    current = _font_for(ord(text[0]), font)
    for index in range(1, len(text)):
        name = _font_for(ord(text[index]), font)
        if name != current:
            runs.append((current, text[start:index]))
            current, start = name, index
    runs.append((current, text[start:]))
    return runs


def with_fallback(text: str) -> str:
    """``text`` as escaped Paragraph markup, each run DejaVu lacks set in its fallback font."""
    return "".join(f'<font name="{name}">{escape(run)}</font>' if name != REGULAR
                   else escape(run) for name, run in font_runs(text, REGULAR))
