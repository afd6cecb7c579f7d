"""PDF operators for text, rules and boxes, appended straight to a ReportLab canvas's page.

A job sheet draws a few hundred strings, rules and boxes at positions it has computed itself.
Through the Canvas API each string costs a text object, a state copy and operator formatting
(about 10 µs); platypus adds wrapping, splitting and nested tables on top (most of a sheet's
time). ``Ink`` writes the same operators directly: each text run is one
``BT font size Tf x y Td (bytes) Tj ET`` in a ``q``/``Q`` pair, so nothing it draws changes the
canvas's own graphics state, and the Canvas API (images, forms, barcodes) can be used between.

TrueType text goes through the font's own per-document encoding (``splitString``: the
subset and byte of each character) and ``getSubsetInternalName`` (which also registers the
font with the document), exactly as ReportLab's text objects do, so the embedded subsets and
the text that pdftotext reads back are the same. Runs a font lacks are set in the fallback
fonts (``fonts.font_runs``). Operators are added with ``Canvas.addLiteral`` (public); the one
private attribute read, the canvas's document, comes from ``reportlab_private``.
"""

from __future__ import annotations

import functools
import threading
import weakref
from collections.abc import Sequence
from typing import Any

from reportlab.lib.colors import Color
from reportlab.lib.rl_accel import escapePDF, fp_str
from reportlab.pdfbase.pdfmetrics import getFont, stringWidth
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from dmdesk.documents.pdf.fonts import ASCII_READABLE, font_runs, needs_fallback
from dmdesk.documents.pdf.reportlab_private import document_of

LEFT, RIGHT, CENTRE = "left", "right", "centre"


def _colour(colour: Color, operator: str) -> str:
    return f"{fp_str(colour.red, colour.green, colour.blue)} {operator}"


def text_width(text: str, font: str, size: float) -> float:
    """Width in points of ``text`` set in ``font`` (with its fallback runs) at ``size``."""
    if not needs_fallback(text):
        return float(stringWidth(text, font, size))
    return float(sum(stringWidth(run, name, size) for name, run in font_runs(text, font)))


@functools.lru_cache(maxsize=8192)
def _ascii_operators(text: str, size: float) -> str:
    """Size, then printable ASCII ``text`` shown in subset 0 of a TrueType font: the same in
    every document. Labels, headings and most values recur from sheet to sheet."""
    return f"{fp_str(size)} Tf ({escapePDF(text.encode('ascii'))}) Tj"


class _Encodings:
    """What one document has encoded: runs by (font, size, text) (a batch of sheets repeats
    its labels and headings on every sheet, and a text's encoding in a document never changes
    once made), and the name of subset 0 of each ASCII-readable font used (see ``Ink._run``)."""

    def __init__(self) -> None:
        self.runs: dict[tuple[str, float, str], str] = {}
        self.ascii_fonts: dict[str, str] = {}


# By document, forgotten with it. A document is drawn by one thread at a time; the lock only
# guards the mapping itself (printing runs on a worker while the GUI may save a PDF).
_by_document: weakref.WeakKeyDictionary[Any, _Encodings] = weakref.WeakKeyDictionary()
_lock = threading.Lock()


def _encodings(doc: Any) -> _Encodings:
    with _lock:
        found = _by_document.get(doc)
        if found is None:
            found = _by_document[doc] = _Encodings()
        return found


class Ink:
    """Draws onto the current page of ``canvas``; ask again after every ``showPage``."""

    def __init__(self, canvas: Canvas) -> None:
        self.canvas = canvas
        self.doc: Any = document_of(canvas)
        encodings = _encodings(self.doc)
        self.encoded = encodings.runs
        self.ascii_fonts = encodings.ascii_fonts

    def _append(self, operators: str) -> None:
        self.canvas.addLiteral(operators)  # onto the current page's content stream

    def literal(self, operators: str) -> None:
        """PDF operators, as they are, onto the current page (balance any ``q`` with ``Q``)."""
        self.canvas.addLiteral(operators)

    def text(self, x: float, y: float, text: str, font: str, size: float,
             colour: Color | None = None, align: str = LEFT) -> None:
        """``text`` on one line with its baseline at ``y``; ``x`` is its left edge, right
        edge or centre as ``align`` says."""
        if not text:
            return
        if align != LEFT:
            width = text_width(text, font, size)
            x -= width if align == RIGHT else width / 2
        paint = _colour(colour, "rg") if colour is not None else ""
        self._append(f"q {paint} BT {fp_str(x, y)} Td {self._encoded(text, font, size)} ET Q")

    def _encoded(self, text: str, font: str, size: float) -> str:
        """The operators that show ``text`` in ``font`` at ``size`` in this document."""
        if text.isascii() and text.isprintable() and font in self.ascii_fonts:
            return f"{self.ascii_fonts[font]} {_ascii_operators(text, size)}"
        key = (font, size, text)
        encoded = self.encoded.get(key)
        if encoded is None:
            encoded = self.encoded[key] = " ".join(
                self._run(run, name, size) for name, run in font_runs(text, font))
        return encoded

    def _run(self, run: str, font_name: str, size: float) -> str:
        font = getFont(font_name)
        doc = self.doc
        size_text = fp_str(size)
        if not isinstance(font, TTFont):  # a standard Type 1 font (Helvetica...): Latin-1
            name = doc.getInternalFontName(font_name)
            data = run.encode("latin-1", "replace")
            return f"{name} {size_text} Tf ({escapePDF(data)}) Tj"
        if font_name in ASCII_READABLE and run.isascii() and run.isprintable():
            # Made with asciiReadable=True (fonts.py), a font has printable ASCII at its own
            # codes in subset 0 of every document: no need to ask splitString, and the
            # operators are the same in every document but for the font's name.
            self.ascii_fonts[font_name] = font.getSubsetInternalName(0, doc)
            return f"{self.ascii_fonts[font_name]} {_ascii_operators(run, size)}"
        return " ".join(f"{font.getSubsetInternalName(subset, doc)} {size_text} Tf "
                        f"({escapePDF(data)}) Tj" for subset, data in font.splitString(run, doc))

    def lines(self, segments: Sequence[tuple[float, float, float, float]], width: float,
              colour: Color) -> None:
        """Straight rules from (x1, y1) to (x2, y2), all in one stroke."""
        if not segments:
            return
        path = " ".join(f"{fp_str(x1, y1)} m {fp_str(x2, y2)} l" for x1, y1, x2, y2 in segments)
        self._append(f"q {fp_str(width)} w {_colour(colour, 'RG')} {path} S Q")

    def box(self, x: float, y: float, width: float, height: float, line_width: float,
            colour: Color) -> None:
        """The outline of a rectangle whose bottom-left corner is (x, y)."""
        self._append(f"q {fp_str(line_width)} w {_colour(colour, 'RG')} "
                     f"{fp_str(x, y, width, height)} re S Q")

    def fill(self, rectangles: Sequence[tuple[float, float, float, float]],
             colour: Color) -> None:
        """Filled rectangles (x, y, width, height), all in one fill."""
        if not rectangles:
            return
        path = " ".join(f"{fp_str(x, y, w, h)} re" for x, y, w, h in rectangles)
        self._append(f"q {_colour(colour, 'rg')} {path} f Q")
