"""Writing real import files for the tests: CSV text, .xlsx workbooks, and broken files."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from openpyxl import Workbook


def write_csv(path: Path, rows: Iterable[Sequence[Any]], *, delimiter: str = ",",
              encoding: str = "utf-8") -> Path:
    with path.open("w", encoding=encoding, newline="") as handle:
        csv.writer(handle, delimiter=delimiter).writerows(rows)
    return path


def write_xlsx(path: Path, rows: Iterable[Sequence[Any]], *, title: str = "Sheet1",
               about_first: bool = False) -> Path:
    """A workbook written the streaming way (so 100,000 rows are quick to make)."""
    workbook = Workbook(write_only=True)
    if about_first:
        workbook.create_sheet("About").append(["File", "made by a test"])
    sheet = workbook.create_sheet(title)
    for row in rows:
        sheet.append(list(row))
    workbook.save(path)
    return path


def write_encrypted_xlsx(path: Path, rows: Iterable[Sequence[Any]], password: str) -> Path:
    """A real password-protected workbook, encrypted the way Excel does (msoffcrypto-tool:
    ECMA-376 agile encryption inside an OLE2/CFB container)."""
    from msoffcrypto.format.ooxml import OOXMLFile

    plain = write_xlsx(path.with_suffix(".plain.xlsx"), rows)
    with plain.open("rb") as source, path.open("wb") as target:
        OOXMLFile(source).encrypt(password, target)
    plain.unlink()
    return path


def write_ods_like(path: Path) -> Path:
    """A zip with an OpenDocument spreadsheet's mimetype (what LibreOffice saves by default)."""
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", "<office:document-content/>")
    return path


def truncated_xlsx(path: Path, rows: Iterable[Sequence[Any]]) -> Path:
    """A workbook cut off halfway, as a failed download or copy leaves it."""
    buffer = io.BytesIO()
    write_xlsx(path, rows)
    data = path.read_bytes()
    buffer.write(data[: len(data) // 2])
    path.write_bytes(buffer.getvalue())
    return path
