"""documents.qr chooses the same mask as ReportLab's encoder, so the symbol is identical."""

from __future__ import annotations

import random

import pytest
from reportlab.graphics.barcode import qrencoder

from dmdesk.documents.qr import lost_points, qr_modules


def _reportlab(value: str) -> qrencoder.QRCode:
    qr = qrencoder.QRCode(None, qrencoder.QRErrorCorrectLevel.M)
    qr.addData(value)
    qr.make()
    return qr


_rng = random.Random(4)
VALUES = ([f"HQ-WO-{n:05d}" for n in (1, 42, 777, 12345, 99999)]
          + ["".join(_rng.choice("ABCXYZ0123456789-/ ") for _ in range(_rng.randint(1, 150)))
             for _ in range(40)]
          + ["Ωμέγα ñandú 椅子", "x" * 400])


@pytest.mark.parametrize("value", VALUES)
def test_same_symbol_and_same_penalty_for_every_mask(value: str) -> None:
    reference = _reportlab(value)
    assert qr_modules(value) == [[bool(cell) for cell in row] for row in reference.modules]
    for mask in range(8):
        reference.makeImpl(True, mask)
        assert lost_points(reference.modules) == qrencoder.QRUtil.getLostPoint(reference)
