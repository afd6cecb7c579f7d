"""documents.qr builds the same symbol as ReportLab's encoder (level M): same version, codewords,
mask and modules, and its penalty equals ReportLab's getLostPoint for every mask."""

from __future__ import annotations

import random
import re
import string

import pytest
from reportlab.graphics.barcode import qrencoder

from dmdesk.documents.qr import lost_points, qr_modules

_LEVEL = qrencoder.QRErrorCorrectLevel.M


def _reportlab(value: str) -> qrencoder.QRCode:
    qr = qrencoder.QRCode(None, _LEVEL)
    qr.addData(value)
    qr.make()
    return qr


def _modules(qr: qrencoder.QRCode) -> list[list[bool]]:
    return [[bool(cell) for cell in row] for row in qr.modules]


def _version(value: str) -> int:
    qr = qrencoder.QRCode(None, _LEVEL)
    qr.addData(value)
    return int(qr.calculate_version())


# One alphabet per mode ReportLab picks: numeric, alphanumeric, kanji (shift-jis), byte.
_ALPHABETS = {"numeric": string.digits,
              "alphanumeric": string.digits + string.ascii_uppercase + " $%*+-./:",
              "kanji": "椅子日本語文字漢",
              "byte": string.ascii_letters + string.digits + "-/_#é"}


def _by_version(last_version: int) -> list[str]:
    """For each mode and version 1..last_version, the shortest and the longest value of that
    version (where the length field, the padding and the block layout change)."""
    rng = random.Random(7)
    values = []
    for alphabet in _ALPHABETS.values():
        text = "".join(rng.choice(alphabet) for _ in range(600))
        lengths: dict[int, list[int]] = {}
        length = 1
        while (version := _version(text[:length])) <= last_version:
            lengths.setdefault(version, []).append(length)
            length += 1
        values += [text[:length] for found in lengths.values() for length in (found[0], found[-1])]
    return values


_rng = random.Random(4)
VALUES = ([f"HQ-WO-{n:05d}" for n in (1, 42, 777, 12345, 99999)]
          + ["".join(_rng.choice("ABCXYZ0123456789-/ ") for _ in range(_rng.randint(1, 150)))
             for _ in range(40)]
          + ["", "0", "Ωμέγα ñandú 椅子", "椅子", "x" * 400, "WH-WO-000123", "wh-wo-000123/rev b"])
BY_VERSION = _by_version(10)


def test_every_version_and_mode_is_covered() -> None:
    assert {_version(value) for value in BY_VERSION} == set(range(1, 11))
    modes = {type(_segment(value)).__name__
             for value in BY_VERSION}
    assert modes == {"QRNumber", "QRAlphaNum", "QRKanji", "QR8bitByte"}


def _segment(value: str) -> qrencoder.QR:
    qr = qrencoder.QRCode(None, _LEVEL)
    qr.addData(value)
    return qr.dataList[0]


@pytest.mark.parametrize("value", VALUES + BY_VERSION)
def test_same_symbol_and_same_penalty_for_every_mask(value: str) -> None:
    reference = _reportlab(value)
    assert qr_modules(value) == _modules(reference)
    for mask in range(8):
        reference.makeImpl(True, mask)
        assert lost_points(reference.modules) == qrencoder.QRUtil.getLostPoint(reference)


def test_same_symbol_for_random_values() -> None:
    rng = random.Random(11)
    alphabets = [*_ALPHABETS.values(), string.printable, "WHQO-0123456789"]
    for _ in range(500):
        alphabet = rng.choice(alphabets)
        value = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 60)))
        assert qr_modules(value) == _modules(_reportlab(value)), value


@pytest.mark.parametrize("value", ["123\n", "A" * 5000], ids=["newline", "too-long"])
def test_what_reportlab_cannot_encode_fails_as_it_does(value: str) -> None:
    with pytest.raises(Exception) as reference:
        _reportlab(value)
    with pytest.raises(type(reference.value), match=re.escape(str(reference.value))):
        qr_modules(value)
