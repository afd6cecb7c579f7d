"""The codes in a job sheet's header: the work order number as a QR code and as Code128, and
the number printed under them. Each code is one filled path in module units."""

from __future__ import annotations

import re
from collections.abc import Sequence

from reportlab.graphics.barcode.code128 import Code128
from reportlab.lib.rl_accel import fp_str
from reportlab.lib.units import mm

from dmdesk.documents.pdf_ink import CENTRE, Ink
from dmdesk.documents.qr import qr_modules
from dmdesk.documents.sheet_styles import Styles

CODES_WIDTH = 62 * mm
QR_SIZE = 34 * mm
QR_BORDER = 4  # modules of quiet zone
_DIGITS = bytes.maketrans(b"\x00\x01", b"01")
_DARK_RUN = re.compile(rb"1+")


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


BAR_WIDTH = 0.33 * mm  # the narrowest bar: readable by any handheld scanner
BAR_HEIGHT = 12 * mm


def code128_bars(value: str) -> list[int]:
    """The Code128 symbol of ``value`` (ReportLab's encoder: start code, checksum, stop) as
    widths in modules, bar and space alternating, starting with a bar."""
    barcode = Code128(value, barWidth=1, quiet=0, humanReadable=False)
    barcode.validate()
    barcode.encode()
    barcode.decompose()
    # ReportLab's decomposition: an upper-case letter is a bar, a lower-case one a space, of
    # (letter - 'A' + 1) modules.
    return [ord(char.upper()) - ord("A") + 1 for char in barcode.decomposed]


def draw_bars(ink: Ink, bars: Sequence[int], x: float, y: float, module: float) -> None:
    """Bars as one filled path in module units (a ``cm`` scales them to the page)."""
    rects = []
    position = 0
    for index, width in enumerate(bars):
        if index % 2 == 0:
            rects.append(f"{position} 0 {width} 1 re")
        position += width
    ink.canvas._code.append(f"q {fp_str(module, 0, 0, BAR_HEIGHT, x, y)} cm 0 0 0 rg "
                            f"{' '.join(rects)} f Q")


def draw_qr(ink: Ink, modules: Sequence[Sequence[bool]], x: float, y: float,
             size: float) -> None:
    """The QR code as one filled path of dark runs, in module units (a ``cm`` scales them to
    the page, so every coordinate is a small integer), quiet zone included."""
    count = len(modules)
    box = size / (count + 2 * QR_BORDER)
    rects: list[str] = []
    for r, row in enumerate(modules):
        row_y = count - 1 - r
        line = bytes(row).translate(_DIGITS)  # b"0110...": the runs found by the regex, in C
        rects.extend(f"{run.start()} {row_y} {run.end() - run.start()} 1 re"
                     for run in _DARK_RUN.finditer(line))
    origin = fp_str(box, 0, 0, box, x + QR_BORDER * box, y + QR_BORDER * box)
    ink.canvas._code.append(f"q {origin} cm 0 0 0 rg {' '.join(rects)} f Q")
