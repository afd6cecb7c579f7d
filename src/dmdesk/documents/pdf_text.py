"""Text for job sheets without platypus paragraphs where one line will do.

A ``Paragraph`` parses its markup, splits words and breaks lines each time it is wrapped (a
table wraps its cells more than once): most of a sheet's drawing time went there, for texts
that are one short line. ``line`` and ``cell`` measure the text once (``stringWidth``) and,
when it fits on one line in the font the style names, draw it with ``drawString`` (``Lines``) or
hand it to the table as a plain string cell; otherwise (too long, several lines, characters that
need a CJK fallback font) they return the Paragraph the sheet always used. Table cells place
a string exactly where they place a one-line Paragraph of the same font, size and leading (the
baseline one font size below the padded top, or centred by the same formula), so the page looks
the same; the table's FONT, TEXTCOLOR and ALIGN commands must then say what the style says.
"""

from __future__ import annotations

from collections.abc import Sequence
from xml.sax.saxutils import escape

from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable, Paragraph

from dmdesk.documents.fonts import needs_fallback, with_fallback

CELL_PADDING = 6  # points: a Table cell's default left and right padding


def paragraph(text: str, style: ParagraphStyle) -> Paragraph:
    if not needs_fallback(text):
        return Paragraph(escape(text).replace("\n", "<br/>"), style)
    # Chinese, Japanese, Korean: glyphs from the fallback fonts, and lines may break between
    # any two ideographs (such text has no spaces to break at) or Hangul syllables (which
    # Korean allows, and a long word must wrap somewhere).
    cjk = ParagraphStyle(f"{style.name}-cjk", parent=style, wordWrap="CJK")
    return Paragraph(with_fallback(text).replace("\n", "<br/>"), cjk)


def fits(text: str, style: ParagraphStyle, width: float) -> bool:
    """Whether ``text`` sets on one line of ``width`` points in ``style``'s own font."""
    return (not any(char in text for char in "\n\t\r") and not needs_fallback(text)
            and stringWidth(text, style.fontName, style.fontSize) <= width)


def _collapsed(text: str) -> str:
    """The text as a Paragraph sets one line of it: runs of spaces as one, no edge spaces."""
    return " ".join(part for part in text.split(" ") if part)


def cell(text: str, style: ParagraphStyle, room: float) -> str | Paragraph:
    """A table cell: the plain string when it fits ``room`` (the column's width less its
    padding), else a Paragraph."""
    plain = _collapsed(text)
    if fits(plain, style, room):
        return plain
    return paragraph(text, style)


def line(text: str, style: ParagraphStyle, width: float) -> Flowable:
    """A one-line flowable when the text fits ``width``, else a Paragraph."""
    plain = _collapsed(text)
    return Lines([(plain, style)]) if fits(plain, style, width) else paragraph(text, style)


def lines(texts: Sequence[tuple[str, ParagraphStyle]], width: float) -> list[Flowable]:
    """Lines stacked as their paragraphs would stack, or the paragraphs if any does not fit."""
    plain = [(_collapsed(text), style) for text, style in texts]
    if all(fits(text, style, width) for text, style in plain):
        return [Lines(plain)]
    return [paragraph(text, style) for text, style in texts]


class Lines(Flowable):  # type: ignore[misc]
    """Single lines of text, each in its own style, stacked by their leading as one-line
    Paragraphs stack: baseline one font size below the top of the line's slot; the first
    style's space before and keep-with-next, the last one's space after."""

    def __init__(self, texts: Sequence[tuple[str, ParagraphStyle]]) -> None:
        super().__init__()
        self.texts = list(texts)
        first, last = texts[0][1], texts[-1][1]
        self.spaceBefore = getattr(first, "spaceBefore", 0)
        self.spaceAfter = getattr(last, "spaceAfter", 0)
        self.keepWithNext = getattr(first, "keepWithNext", 0)
        self.height = sum(style.leading for _, style in texts)
        self.width = 0.0

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        self.width = avail_width
        return avail_width, self.height

    def draw(self) -> None:
        canvas = self.canv
        top = self.height
        for text, style in self.texts:
            y = top - style.fontSize
            canvas.setFont(style.fontName, style.fontSize)
            canvas.setFillColor(style.textColor)
            if style.alignment == TA_RIGHT:
                canvas.drawRightString(self.width, y, text)
            elif style.alignment == TA_CENTER:
                canvas.drawCentredString(self.width / 2, y, text)
            else:
                canvas.drawString(0, y, text)
            top -= style.leading
