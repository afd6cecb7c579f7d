"""QR code modules for documents, encoded by segno (a maintained ISO/IEC 18004 encoder).

Error correction level M (15 % of the symbol may be lost), as the job sheet always printed:
enough for a smudged or creased shop-floor paper at the sizes a sheet prints. segno picks the
smallest version and the mode (numeric, alphanumeric, byte, kanji). ``boost_error=False``
keeps level M even where a higher one would fit the same version, so one value always gives
the same symbol.

The mask is fixed (``MASK``) rather than chosen by scoring all eight: segno scores them in
pure Python, which cost about 15 ms a sheet here, twice a whole batch sheet's drawing, and put
the job-sheet benchmark at 0.26 x the bare page (target 0.5). With one mask it costs about 3
ms. The mask only spreads dark and light modules evenly for the reader; every reader reads
the mask from the symbol's format information, and the checkerboard mask 0 breaks up the
large blocks and finder-like runs that scoring guards against about as well as any.
tests/unit/test_qr.py and the job-sheet tests scan the printed codes with zbarimg.

This replaced a re-implementation of ReportLab's encoder on Python ints that read its private
tables.
"""

from __future__ import annotations

import segno

from dmdesk.domain.errors import ValidationError

LEVEL = "M"
MASK = 0  # (row + column) even: a checkerboard (see above)


def qr_modules(value: str) -> tuple[bytes, ...]:
    """The QR symbol of ``value``, without its quiet zone: one row of bytes per module row,
    top row first, 1 for a dark module and 0 for a light one."""
    if not value:
        raise ValidationError("A QR code needs a value to encode.", field="code")
    try:
        symbol = segno.make_qr(value, error=LEVEL, boost_error=False, mask=MASK)
    except segno.DataOverflowError as exc:
        raise ValidationError(f"{value[:40]!r}… is too long for a QR code ({len(value)} "
                              "characters).", field="code") from exc
    return tuple(bytes(row) for row in symbol.matrix)

