"""QR code modules for job sheets: ReportLab's encoder with a fast choice of mask.

ReportLab's ``QRCode.make`` builds the symbol under each of the 8 masks and scores each with
its ``QRUtil.getLostPoint`` (the penalty rules of ISO/IEC 18004 §7.8.3, as ReportLab implements
them), cell by cell in Python: about 70 % of a job sheet's drawing time. ``lost_points`` computes
the same scores on rows and columns held as strings and integers (regex runs, bit operations,
``str.find``), so the same mask is chosen and the symbol is identical, about 10x faster.
tests/unit/test_qr.py checks both against ReportLab's on many values.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from itertools import pairwise, zip_longest
from typing import Any

from reportlab.graphics.barcode import qrencoder

_RUN = re.compile(r"0{5,}|1{5,}")
# ReportLab's rule 3 looks for this pattern only (dark-light-dark x3-light-dark, 4 light after).
_FINDER_LIKE = "10111010000"
_DIGITS = bytes.maketrans(b"\x00\x01", b"01")  # a row of bools as bytes -> "0101..."


def qr_modules(value: str) -> list[list[bool]]:
    """The modules (True = dark) of ``value``'s QR code, error correction level M."""
    qr = _QRCode(None, qrencoder.QRErrorCorrectLevel.M)
    qr.addData(value)
    qr.make()
    return [[bool(cell) for cell in row] for row in qr.modules]


class _QRCode(qrencoder.QRCode):  # type: ignore[misc]
    _placed: list[tuple[int, int, bool]] | None = None

    def mapData(self, data: Any, maskPattern: int) -> None:  # noqa: N802, N803 (ReportLab's)
        """ReportLab's mapData, with the walk of data positions and bits (the same for all 9
        builds of the symbol) done once."""
        if self._placed is None:
            pairs: Any = zip_longest(self.dataPosIterator(), self.dataBitIterator(data),
                                     fillvalue=False)
            self._placed = [(col, row, dark) for (col, row), dark in pairs]
        mask = qrencoder.QRUtil.getMask(maskPattern)
        modules = self.modules
        for col, row, dark in self._placed:
            modules[row][col] = dark ^ mask(row, col)

    def getBestMaskPattern(self) -> int:  # noqa: N802 (ReportLab's name)
        best, best_points = 0, 0
        for pattern in range(8):
            self.makeImpl(True, pattern)
            points = lost_points(self.modules)
            if pattern == 0 or points < best_points:
                best, best_points = pattern, points
        return best


def lost_points(modules: Sequence[Sequence[bool]]) -> int:
    """ReportLab's ``QRUtil.getLostPoint`` of ``modules``, computed on strings and bits."""
    rows = [bytes(row).translate(_DIGITS).decode("ascii") for row in modules]
    columns = [bytes(column).translate(_DIGITS).decode("ascii")
               for column in zip(*modules, strict=True)]
    # ReportLab also scans the columns for rule 3, but as tuples compared with a list: never
    # equal, so columns score nothing there; the same here, or another mask would be chosen.
    return _runs(rows) + _runs(columns) + _blocks(rows) + _finder_like(rows) + _balance(rows)


def _runs(lines: Sequence[str]) -> int:
    """Rule 1: each run of 5 or more same-coloured modules scores its length less 2."""
    return sum(len(match) - 2 for line in lines for match in _RUN.findall(line))


def _blocks(rows: Sequence[str]) -> int:
    """Rule 2: 3 for each 2x2 block (overlapping) of one colour."""
    if not rows:
        return 0
    width = len(rows[0])
    mask = (1 << (width - 1)) - 1
    bits = [int(row, 2) for row in rows]
    score = 0
    for upper, lower in pairwise(bits):
        same = ~(upper ^ lower)  # the two rows agree at this column
        flat = ~(upper ^ (upper >> 1))  # the upper row agrees with its right neighbour
        score += 3 * bin(same & (same >> 1) & flat & mask).count("1")
    return score


def _finder_like(lines: Sequence[str]) -> int:
    """Rule 3: 40 per occurrence of the pattern, scanned left to right without overlap and,
    as ReportLab does, not at the last position where it would fit."""
    score = 0
    size = len(_FINDER_LIKE)
    for line in lines:
        start = line.find(_FINDER_LIKE, 0, len(line) - 1)
        while start >= 0:
            score += 40
            start = line.find(_FINDER_LIKE, start + size, len(line) - 1)
    return score


def _balance(rows: Sequence[str]) -> int:
    """Rule 4: 10 for each 5 % the dark share strays from half."""
    cells = len(rows) ** 2
    dark = sum(row.count("1") for row in rows)
    return 10 * (abs(100 * dark // cells - 50) // 5)
