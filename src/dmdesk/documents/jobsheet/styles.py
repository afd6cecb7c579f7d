"""The job sheet's text styles and colours (those it had when platypus set it), and the
wrapping of a text in a style, cached: labels and headings recur on every sheet."""

from __future__ import annotations

import functools
from dataclasses import dataclass

from reportlab.lib import colors
from reportlab.lib.colors import Color

from dmdesk.documents.pdf.flow import Cell
from dmdesk.documents.pdf.fonts import register_fonts
from dmdesk.documents.pdf.ink import LEFT, text_width
from dmdesk.documents.pdf.text_wrap import wrap

GRID = colors.HexColor("#8a8a8a")
SHADE = colors.HexColor("#e8e8e8")
MISSING = colors.HexColor("#b00020")
GREY = colors.HexColor("#444444")
BLACK = colors.black


@dataclass(frozen=True)
class TextStyle:
    font: str
    size: float
    leading: float
    colour: Color | None = None

    def lines(self, text: str, width: float) -> list[tuple[str, str, float, float, Color | None]]:
        return [(part, self.font, self.size, self.leading, self.colour)
                for part in _wrapped(text, self.font, self.size, width)]

    def number(self, text: str, width: float, align: str = LEFT) -> Cell:
        """A number on one line, never broken: set smaller when it is wider than ``width``
        (down to ``SMALLEST``; the row keeps its height)."""
        size = self.size
        natural = text_width(text, self.font, size)
        if natural > width:
            size = max(SMALLEST, size * width / natural)
        return Cell([(text, self.font, size, self.leading, self.colour)], align)

    def cell(self, text: str, width: float, align: str = LEFT) -> Cell:
        return Cell(self.lines(text, width), align)


SMALLEST = 5.0  # points: the smallest a number is set to fit its column


@functools.lru_cache(maxsize=4096)
def _wrapped(text: str, font: str, size: float, width: float) -> tuple[str, ...]:
    """Labels, headings and most values recur on every sheet: measured and wrapped once."""
    return tuple(wrap(text, font, size, width))


@dataclass(frozen=True)
class Styles:
    regular: str
    bold: str
    body: TextStyle
    small: TextStyle
    cell: TextStyle
    head: TextStyle
    title: TextStyle
    product: TextStyle
    section: TextStyle


@functools.cache
def styles() -> Styles:
    regular, bold = register_fonts()
    return Styles(regular, bold,
                  body=TextStyle(regular, 9, 11.5), small=TextStyle(regular, 7.5, 9, GREY),
                  cell=TextStyle(regular, 8.5, 10.5), head=TextStyle(bold, 8.5, 10.5),
                  title=TextStyle(bold, 20, 24), product=TextStyle(bold, 12, 15),
                  section=TextStyle(bold, 11, 14))


SECTION_BEFORE, SECTION_AFTER = 9.0, 4.0
