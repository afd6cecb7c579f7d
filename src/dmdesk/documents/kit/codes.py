"""QR codes and Code128 for any document: each code is one filled path in module units (a
``cm`` scales it to the page), so a symbol is a few hundred bytes of small integers and prints
sharp at any resolution."""

from __future__ import annotations

import re
from collections.abc import Sequence

from reportlab.graphics.barcode.code128 import Code128
from reportlab.lib.rl_accel import fp_str
from reportlab.lib.units import mm

from dmdesk.documents.pdf.ink import Ink
from dmdesk.documents.pdf.qr import qr_modules

__all__ = ["BAR_HEIGHT", "BAR_WIDTH", "QR_BORDER", "code128_bars", "draw_bars", "draw_qr",
           "qr_modules"]

QR_BORDER = 4  # modules of quiet zone, as the standard asks
BAR_WIDTH = 0.33 * mm  # the narrowest bar: readable by any handheld scanner
BAR_HEIGHT = 12 * mm
_DIGITS = bytes.maketrans(b"\x00\x01", b"01")
_DARK_RUN = re.compile(rb"1+")


def code128_bars(value: str) -> list[int]:
    """The Code128 symbol of ``value`` (ReportLab's encoder: start code, checksum, stop) as
    widths in modules, bar and space alternating, starting with a bar."""
    barcode = Code128(value, barWidth=1, quiet=0, humanReadable=False)
    barcode.validate()
    barcode.encode()
    barcode.decompose()
    # ReportLab's decomposition (public attribute of its barcodes): an upper-case letter is a
    # bar, a lower-case one a space, of (letter - 'A' + 1) modules.
    return [ord(char.upper()) - ord("A") + 1 for char in barcode.decomposed]


def draw_bars(ink: Ink, bars: Sequence[int], x: float, y: float, module: float,
              height: float = BAR_HEIGHT) -> None:
    """Bars as one filled path in module units, bottom-left corner at (x, y)."""
    rects = []
    position = 0
    for index, width in enumerate(bars):
        if index % 2 == 0:
            rects.append(f"{position} 0 {width} 1 re")
        position += width
    ink.literal(f"q {fp_str(module, 0, 0, height, x, y)} cm 0 0 0 rg {' '.join(rects)} f Q")


def draw_qr(ink: Ink, modules: Sequence[bytes], x: float, y: float, size: float) -> None:
    """The QR code (rows of 0/1 bytes, as ``qr_modules`` gives) as one filled path of dark
    runs, ``size`` points square with its quiet zone, bottom-left corner at (x, y)."""
    count = len(modules)
    box = size / (count + 2 * QR_BORDER)
    rects: list[str] = []
    for r, row in enumerate(modules):
        row_y = count - 1 - r
        line = row.translate(_DIGITS)  # b"0110...": the runs found by the regex, in C
        rects.extend(f"{run.start()} {row_y} {run.end() - run.start()} 1 re"
                     for run in _DARK_RUN.finditer(line))
    origin = fp_str(box, 0, 0, box, x + QR_BORDER * box, y + QR_BORDER * box)
    ink.literal(f"q {origin} cm 0 0 0 rg {' '.join(rects)} f Q")
