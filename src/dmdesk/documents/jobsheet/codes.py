"""The codes in a job sheet's header: the work order number as a QR code and as Code128, and
the number printed under them. The codes are drawn by the document kit (``kit/codes.py``),
each as one filled path in module units."""

from __future__ import annotations

from reportlab.lib.units import mm

from dmdesk.documents.jobsheet.styles import Styles
from dmdesk.documents.kit.codes import (
    BAR_HEIGHT,
    BAR_WIDTH,
    code128_bars,
    draw_bars,
    draw_qr,
    qr_modules,
)
from dmdesk.documents.pdf.ink import CENTRE, Ink

__all__ = ["BAR_HEIGHT", "BAR_WIDTH", "CODES_WIDTH", "QR_SIZE", "Codes", "code128_bars",
           "draw_bars", "draw_qr"]

CODES_WIDTH = 62 * mm
QR_SIZE = 34 * mm


class Codes:
    """The right of the header: QR code, Code128 and the number under them, centred."""

    def __init__(self, number: str, s: Styles) -> None:
        self.number = number
        self.modules = qr_modules(number)
        self.bars = code128_bars(number)
        self.bar_width = min(BAR_WIDTH, (CODES_WIDTH - 4 * mm) / (sum(self.bars) + 20))
        self.label = s.small
        self.height = QR_SIZE + 2 * mm + BAR_HEIGHT + s.small.leading

    def draw(self, ink: Ink, left: float, top: float) -> None:
        centre = left + CODES_WIDTH / 2
        draw_qr(ink, self.modules, centre - QR_SIZE / 2, top - QR_SIZE, QR_SIZE)
        bar_top = top - QR_SIZE - 2 * mm
        width = sum(self.bars) * self.bar_width
        draw_bars(ink, self.bars, centre - width / 2, bar_top - BAR_HEIGHT, self.bar_width)
        ink.text(centre, bar_top - BAR_HEIGHT - self.label.size, self.number,
                 self.label.font, self.label.size, self.label.colour, CENTRE)
