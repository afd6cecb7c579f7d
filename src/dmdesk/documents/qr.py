"""QR code modules for job sheets: the symbol ReportLab's qrencoder makes, built with integers.

ReportLab's ``QRCode.make`` (error correction level M) places every module in Python nine times
(once per mask to score it with ``QRUtil.getLostPoint``, once more for the chosen one) and
computes the Reed-Solomon codewords with polynomial objects: about 0.8 ms for a work-order
number, a large part of a job sheet's time. ``qr_modules`` builds the very same symbol (same
mode, version, codewords, data placement, mask and modules) another way:

* ReportLab picks the mode (``QRCode.addData``); the bits, padding and error correction
  codewords are computed on Python ints (one table look-up per data byte and block).
* Per version, once: ReportLab's own ``makeImpl`` with the data placement left out gives the
  function patterns (with the format and version information light, as when ReportLab scores
  masks, and as it finally writes them for each mask), and its ``dataPosIterator`` the cells the
  data goes to. From them an ``itemgetter`` that reads the whole symbol, row by row, from the
  codewords' bit string (interleaving the blocks as ``createBytes`` does on the way), and each
  mask pattern as one integer over the data cells.
* The symbol is one integer of n*n bits (row-major, the first module the highest bit); each mask
  is one XOR, and ReportLab's penalty (its rules, which differ from the ISO text: rule 3 counts
  one pattern, in rows only, never at the last place it fits) is a few shifts, ANDs and
  ``int.bit_count`` over the whole symbol, so the same mask is chosen.

tests/unit/test_qr.py compares the symbol and every mask's penalty with ReportLab's on many values
(every version 1-10, each mode, random values). What the fast path does not model (a value
ReportLab cannot encode, a mode other than numeric, alphanumeric, kanji or byte) goes to
ReportLab itself, which then fails or succeeds as it always did.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from itertools import zip_longest
from operator import itemgetter
from typing import Any

from reportlab.graphics.barcode import qrencoder

_LEVEL = qrencoder.QRErrorCorrectLevel.M
_LAST_VERSION = 39  # ReportLab's calculate_version never tries 40
_BOOL = {"0": False, "1": True}


def qr_modules(value: str) -> list[list[bool]]:
    """The modules (True = dark) of ``value``'s QR code, error correction level M."""
    encoded = _encode(value)
    if encoded is None:
        return _reportlab_modules(value)
    version, codewords = encoded
    layout = _layout(version)
    # + "01": what layout.read takes for the light and the dark cells that hold no data
    stream = format(int.from_bytes(codewords), f"0{len(codewords) * 8}b") + "01"
    symbol = int("".join(layout.read(stream)), 2)
    shape = _shape(layout.size)
    best, best_points = 0, 0
    for mask, pattern in enumerate(layout.masks):
        points = _penalty(symbol ^ pattern, shape)
        if mask == 0 or points < best_points:  # the first of equals, as ReportLab
            best, best_points = mask, points
    final = ((symbol ^ layout.masks[best]) & layout.data_cells) | layout.final_functions[best]
    return _rows(final, layout.size)


def lost_points(modules: Sequence[Sequence[bool]]) -> int:
    """ReportLab's ``QRUtil.getLostPoint`` of ``modules`` (a square symbol)."""
    return _penalty(_to_int(modules), _shape(len(modules)))


def _reportlab_modules(value: str) -> list[list[bool]]:
    """ReportLab's own encoder, for what the fast path does not model (it raises as before)."""
    qr = qrencoder.QRCode(None, _LEVEL)
    qr.addData(value)
    qr.make()
    return [[bool(cell) for cell in row] for row in qr.modules]


# --- Codewords -----------------------------------------------------------------------------


def _encode(value: str) -> tuple[int, bytes] | None:
    """The version and the data and error correction codewords (block by block) ReportLab's
    ``make`` computes; None when the fast path does not model the value."""
    probe = qrencoder.QRCode(None, _LEVEL)
    probe.addData(value)  # ReportLab's choice of mode
    segment = probe.dataList[0]
    body = _body(segment)
    if body is None:
        return None
    body_bits, body_length = body
    for version in range(1, _LAST_VERSION + 1):
        length_bits = segment.getLengthBits(version)
        if 4 + length_bits + body_length <= _capacity(version):
            break
    else:
        return None  # too long: ReportLab raises
    count = len(segment.data) & ((1 << length_bits) - 1)  # QRBitBuffer.put keeps the low bits
    bits = (((segment.mode << length_bits) | count) << body_length) | body_bits
    data = _pad(bits, 4 + length_bits + body_length, _capacity(version))
    return version, _with_error_correction(data, version)


def _body(segment: Any) -> tuple[int, int] | None:
    """The segment's data bits after its header (value, length), as its ``write`` puts them."""
    kind = type(segment)
    if kind is qrencoder.QR8bitByte and isinstance(segment.data, bytes):
        return int.from_bytes(segment.data), 8 * len(segment.data)
    if kind is qrencoder.QRKanji:
        return _fixed_width(segment.data, 13)
    if kind is qrencoder.QRNumber or kind is qrencoder.QRAlphaNum:
        return _grouped(segment)
    return None


def _fixed_width(codes: Sequence[int], width: int) -> tuple[int, int]:
    bits = 0
    for code in codes:
        bits = (bits << width) | code
    return bits, width * len(codes)


def _grouped(segment: Any) -> tuple[int, int] | None:
    """Numeric and alphanumeric: ``group`` characters per number, in ``sum(bits)`` bits (fewer
    for a short last group), as ``QR.write``."""
    index = _char_index(segment.chars)
    radix, group, widths, text = len(segment.chars), segment.group, segment.bits, segment.data
    bits = length = 0
    for start in range(0, len(text), group):
        chunk = text[start:start + group]
        number = 0
        for char in chunk:
            position = index.get(char)
            if position is None:  # "123\n" passes ReportLab's check, then its write fails
                return None
            number = number * radix + position
        width = sum(widths[:len(chunk)])
        bits, length = (bits << width) | number, length + width
    return bits, length


@cache
def _char_index(chars: str) -> dict[str, int]:
    return {char: position for position, char in enumerate(chars)}


def _pad(bits: int, length: int, capacity: int) -> bytes:
    """``createData``'s terminator (only if all 4 bits fit), zeros to a byte, then 0xEC 0x11..."""
    if length + 4 <= capacity:
        bits, length = bits << 4, length + 4
    spare = -length % 8
    bits, length = bits << spare, length + spare
    filler = bytes((0xEC, 0x11) * (capacity // 16 + 1))[:(capacity - length) // 8]
    return bits.to_bytes(length // 8) + filler


def _with_error_correction(data: bytes, version: int) -> bytes:
    """``createBytes`` without the interleaving (the layout's ``read`` does it): the data, then
    each block's error correction codewords, block by block."""
    ec_blocks, offset = [], 0
    for data_count, ec_count in _blocks(version):
        ec_blocks.append(_remainder(data[offset:offset + data_count], ec_count))
        offset += data_count
    return data + b"".join(ec_blocks)


def _remainder(block: bytes, ec_count: int) -> bytes:
    """The block's Reed-Solomon remainder, with the register held as one int of ``ec_count``
    bytes and each feedback byte's multiple of the generator looked up."""
    table = _generator_multiples(ec_count)
    top, keep = 8 * (ec_count - 1), (1 << (8 * ec_count - 8)) - 1
    register = 0
    for byte in block:
        register = ((register & keep) << 8) ^ table[(register >> top) ^ byte]
    return register.to_bytes(ec_count)


@cache
def _generator_multiples(ec_count: int) -> tuple[int, ...]:
    """For each byte f, f times ReportLab's generator polynomial (less its leading 1), as an int."""
    generator = qrencoder.QRUtil.getErrorCorrectPolynomial(ec_count).num[1:]
    exp, log = qrencoder.EXP_TABLE, qrencoder.LOG_TABLE
    multiples = [0]
    for factor in range(1, 256):
        product = bytes(exp[(log[factor] + log[g]) % 255] if g else 0 for g in generator)
        multiples.append(int.from_bytes(product))
    return tuple(multiples)


@cache
def _blocks(version: int) -> tuple[tuple[int, int], ...]:
    return tuple((block.dataCount, block.totalCount - block.dataCount)
                 for block in qrencoder.QRRSBlock.getRSBlocks(version, _LEVEL))


@cache
def _capacity(version: int) -> int:
    return 8 * sum(data_count for data_count, _ in _blocks(version))


# --- Layout of a version -------------------------------------------------------------------


@dataclass(frozen=True)
class _Layout:
    size: int
    read: itemgetter[Any]  # codeword bits (block by block) + "01" -> the test symbol, row-major
    data_cells: int  # the cells mapData writes
    masks: tuple[int, ...]  # each mask pattern, on the data cells only
    final_functions: tuple[int, ...]  # per mask: the function patterns as finally written


class _FunctionPatterns(qrencoder.QRCode):  # type: ignore[misc]
    """ReportLab's makeImpl without the data: the function patterns exactly as it places them."""

    def __init__(self, version: int) -> None:
        super().__init__(version, _LEVEL)
        self.dataCache: list[int] = []  # not None: makeImpl skips createData

    def mapData(self, data: Any, maskPattern: int) -> None:  # noqa: N802, N803 (ReportLab's)
        pass

    def cells(self, test: bool, mask: int) -> int:
        self.makeImpl(test, mask)
        return _to_int(self.modules)


@cache
def _layout(version: int) -> _Layout:
    patterns = _FunctionPatterns(version)
    size = version * 4 + 17
    stream_length = 8 * sum(data + ec for data, ec in _blocks(version))
    light, dark = stream_length, stream_length + 1  # the "01" after the codewords' bits
    test_functions = format(patterns.cells(True, 0), f"0{size * size}b")
    sources = [dark if cell == "1" else light for cell in test_functions]
    order = _interleaved_order(version)
    rules = [qrencoder.QRUtil.getMask(mask) for mask in range(8)]
    data_cells, masks = 0, [0] * 8
    # ReportLab pairs positions with bits by zip_longest(fill False): spare cells are light.
    for bit, (col, row) in enumerate(patterns.dataPosIterator()):
        cell = row * size + col
        codeword, offset = divmod(bit, 8)
        sources[cell] = order[codeword] * 8 + offset if codeword < len(order) else light
        flag = 1 << (size * size - 1 - cell)
        data_cells |= flag
        for mask, rule in enumerate(rules):
            if rule(row, col):
                masks[mask] |= flag
    return _Layout(size, itemgetter(*sources), data_cells, tuple(masks),
                   tuple(patterns.cells(False, mask) & ~data_cells for mask in range(8)))


def _interleaved_order(version: int) -> list[int]:
    """For each codeword in the symbol, its index among the codewords block by block (the data
    of every block, then the error correction of every block), in ``createBytes``'s order."""
    blocks = _blocks(version)
    spans, start = [], 0
    for part in (0, 1):
        for counts in blocks:
            spans.append(range(start, start + counts[part]))
            start += counts[part]
    order: list[int] = []
    for group in (spans[:len(blocks)], spans[len(blocks):]):
        for column in zip_longest(*group):
            order.extend(index for index in column if index is not None)
    return order


def _to_int(modules: Sequence[Sequence[bool]]) -> int:
    return int("".join("1" if cell else "0" for row in modules for cell in row), 2)


def _rows(symbol: int, size: int) -> list[list[bool]]:
    text = format(symbol, f"0{size * size}b")
    as_bool = _BOOL.__getitem__
    return [list(map(as_bool, text[start:start + size]))
            for start in range(0, size * size, size)]


# --- ReportLab's penalty on a symbol held as one int -----------------------------------------


@dataclass(frozen=True)
class _Shape:
    size: int
    cells: int
    all_cells: int
    not_last_col: int  # cells with a right neighbour
    not_last_row: int  # cells with a neighbour below
    finder_starts: int  # where ReportLab's rule 3 looks: columns 0 .. size - 12


@cache
def _shape(size: int) -> _Shape:
    def columns(last: int) -> int:  # cells in columns 0 .. last, every row
        row = ((1 << (last + 1)) - 1) << (size - 1 - last)
        return sum(row << (size * r) for r in range(size))

    all_cells = (1 << (size * size)) - 1
    return _Shape(size, size * size, all_cells, columns(size - 2),
                  all_cells ^ ((1 << size) - 1), columns(size - 12) if size >= 12 else 0)


def _penalty(symbol: int, shape: _Shape) -> int:
    """ReportLab's getLostPoint. Bit p is a cell, p - 1 its right neighbour (same row unless
    masked out), p - size the cell below; ``x << k`` brings cell p - k's bit to p."""
    size = shape.size
    same_right = shape.not_last_col & ~(symbol ^ (symbol << 1))
    same_below = shape.not_last_row & ~(symbol ^ (symbol << size))
    return (_runs(same_right, 1) + _runs(same_below, size)
            + 3 * (same_right & same_below & (same_right << size)).bit_count()
            + _finder_like(symbol, shape) + _balance(symbol, shape))


def _runs(same: int, step: int) -> int:
    """Rule 1, rows (step 1) or columns (step size): a run of L >= 5 scores L - 2, i.e. one per
    5-cell window inside it (L - 4) plus 2 at its first window."""
    windows = same & (same << step) & (same << 2 * step) & (same << 3 * step)
    starts = windows & ~(same >> step)  # the cell before is not the same colour
    return windows.bit_count() + 2 * starts.bit_count()


def _finder_like(symbol: int, shape: _Shape) -> int:
    """Rule 3 as ReportLab: 40 per 1011101 0000 in a row (it cannot overlap itself, so the left
    to right scan counts them all), not starting at the last column it fits. ReportLab also
    compares columns, but as tuples with a list: never equal, so they score nothing."""
    light = symbol ^ shape.all_cells
    found = (shape.finder_starts & symbol & (light << 1) & (symbol << 2) & (symbol << 3)
             & (symbol << 4) & (light << 5) & (symbol << 6) & (light << 7) & (light << 8)
             & (light << 9) & (light << 10))
    return 40 * found.bit_count()


def _balance(symbol: int, shape: _Shape) -> int:
    """Rule 4: 10 for each 5 % the dark share strays from half."""
    return 10 * (abs(100 * symbol.bit_count() // shape.cells - 50) // 5)
