"""QR codes as documents draw them (documents.pdf.qr on segno, drawn by kit.codes as one path):
rendered to a real PDF, rasterised with pdftoppm and read back with zbarimg, for values of
each mode; and the symbol's size follows the standard's capacities at level M."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from dmdesk.documents.kit.codes import draw_qr
from dmdesk.documents.pdf.ink import Ink
from dmdesk.documents.pdf.qr import qr_modules
from dmdesk.domain.errors import ValidationError
from tests.helpers import require_tool

VALUES = ["HQ-WO-00042",  # alphanumeric: how work order numbers look
          "0123456789012345",  # numeric
          "lis-wo-00007/b",  # byte (lower case)
          "Müller & Söhne — Ωmega 日本",  # UTF-8
          "LONG-" + "ABCDEFGHIJ" * 20]  # a larger version (several blocks)


def _scanned(values: list[str], tmp_path: Path) -> list[str]:
    """Each value's QR code on a page of its own, read back page by page with zbarimg."""
    pdf = tmp_path / "codes.pdf"
    canvas = Canvas(str(pdf), pagesize=(80 * mm, 80 * mm))
    for value in values:
        draw_qr(Ink(canvas), qr_modules(value), 5 * mm, 5 * mm, 70 * mm)
        canvas.showPage()
    canvas.save()
    found = []
    for page in range(1, len(values) + 1):
        prefix = tmp_path / f"page{page}"
        subprocess.run([require_tool("pdftoppm"), "-r", "200", "-png", "-f", str(page), "-l",
                        str(page), "-singlefile", str(pdf), str(prefix)], check=True)
        result = subprocess.run([require_tool("zbarimg"), "--quiet", "--raw", "-Sdisable",
                                 "-Sqrcode.enable", "-Sbinary",
                                 str(prefix.with_suffix(".png"))],
                                capture_output=True, check=False)
        assert result.returncode == 0, (values[page - 1], result.stderr)
        found.append(result.stdout.decode("utf-8").rstrip("\n"))
    return found


def test_every_mode_scans_back_to_its_value(tmp_path: Path) -> None:
    assert _scanned(VALUES, tmp_path) == VALUES


def test_work_order_numbers_of_every_site_scan(tmp_path: Path) -> None:
    """Twenty numbers as sheets print them, one code a page (zbarimg misses some codes when a
    page holds many, whatever their mask)."""
    numbers = [f"{site}-WO-{n:05d}" for site in ("HQ", "LIS", "WH", "PRT")
               for n in (1, 46, 777, 12345, 99999)]
    assert _scanned(numbers, tmp_path) == numbers


@pytest.mark.parametrize(("value", "version"), [
    ("A" * 20, 1), ("A" * 21, 2),  # alphanumeric: 20 characters fit version 1-M
    ("1" * 34, 1), ("1" * 35, 2),  # numeric: 34 digits
    ("a" * 14, 1), ("a" * 15, 2),  # byte: 14 bytes
    ("A" * 1000, 21)])  # ISO 18004 table 7: version 21-M holds 1000 alphanumerics
def test_the_version_follows_the_capacities_of_level_m(value: str, version: int) -> None:
    modules = qr_modules(value)
    assert len(modules) == 17 + 4 * version
    assert all(len(row) == len(modules) and set(row) <= {0, 1} for row in modules)


def test_the_finder_patterns_are_in_three_corners() -> None:
    modules = qr_modules("HQ-WO-00042")
    n = len(modules)
    finder = [b"\x01" * 7, b"\x01\x00\x00\x00\x00\x00\x01", *[b"\x01\x00\x01\x01\x01\x00\x01"] * 3,
              b"\x01\x00\x00\x00\x00\x00\x01", b"\x01" * 7]
    assert [row[:7] for row in modules[:7]] == finder  # top left
    assert [row[n - 7:] for row in modules[:7]] == finder  # top right
    assert [row[:7] for row in modules[n - 7:]] == finder  # bottom left
    assert [row[n - 7:] for row in modules[n - 7:]] != finder  # not bottom right


def test_an_empty_or_too_long_value_is_refused_by_name() -> None:
    with pytest.raises(ValidationError, match="needs a value"):
        qr_modules("")
    with pytest.raises(ValidationError, match="too long for a QR code"):
        qr_modules("x" * 3000)
