"""What kind of file is this? Decided from its first bytes, not from its name.

A workbook renamed to .csv, a CSV saved as .xlsx, a password-protected workbook (Excel then
writes an OLE2/CFB container with an ``EncryptionInfo`` stream instead of a zip), an old .xls
or a PDF picked by mistake: each gets a message that says what the file is and what to do.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from dmdesk.domain.errors import ValidationError

CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
# Stream names in a CFB directory are UTF-16LE; an encrypted OOXML package always has this one.
_ENCRYPTION_INFO = "EncryptionInfo".encode("utf-16-le")
_SAVE_AS = "Open it in Excel or LibreOffice and save it as .xlsx or .csv."
_OTHER_MAGICS = {
    b"%PDF": "a PDF document",
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image",
    b"SQLite format 3\x00": "an SQLite database",
    b"\x1f\x8b": "a gzip archive",
    b"{\\rtf": "an RTF document",
}


def detect_format(path: Path) -> str:
    """'xlsx' or 'csv', or a ValidationError that names what the file is instead."""
    if not path.exists():
        raise ValidationError(f"There is no file {path}.", field="file")
    if path.is_dir():
        raise ValidationError(f"{path} is a folder, not a spreadsheet file.", field="file")
    with path.open("rb") as handle:
        head = handle.read(8192)
    if not head.strip():
        raise ValidationError(f"{path.name} is empty: there is nothing to import.", field="file")
    if head.startswith(CFB_MAGIC):
        _refuse_cfb(path)
    if head.startswith(ZIP_MAGIC):
        return _zip_kind(path)
    for magic, what in _OTHER_MAGICS.items():
        if head.startswith(magic):
            raise ValidationError(f"{path.name} is {what}, not a spreadsheet. Choose an .xlsx "
                                  "workbook or a .csv file.", field="file")
    if b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ValidationError(f"{path.name} is not a spreadsheet (it holds binary data, "
                              "neither an .xlsx workbook nor .csv text).", field="file")
    return "csv"


def _refuse_cfb(path: Path) -> None:
    """An OLE2 compound file: an encrypted .xlsx, or an old binary .xls/.doc."""
    with path.open("rb") as handle:
        data = handle.read(1 << 20)  # the directory sits near the start in files Excel writes
    if _ENCRYPTION_INFO in data:
        raise ValidationError(
            f"{path.name} is password-protected (encrypted), so it cannot be read. Open it in "
            "Excel, remove the password (File > Info > Protect Workbook > Encrypt with "
            "Password, clear it), save, and import it again.", field="file")
    raise ValidationError(f"{path.name} is an old Excel 97-2003 (.xls) or other Office binary "
                          f"file, which dmdesk does not read. {_SAVE_AS}", field="file")


def _zip_kind(path: Path) -> str:
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            mimetype = (archive.read("mimetype").decode("ascii", "replace")
                        if "mimetype" in names else "")
    except (zipfile.BadZipFile, OSError) as exc:
        raise ValidationError(f"{path.name} looks like an .xlsx workbook but is damaged "
                              f"({exc}). {_SAVE_AS}", field="file") from None
    if "xl/workbook.xml" in names:
        return "xlsx"
    if "opendocument.spreadsheet" in mimetype:
        raise ValidationError(f"{path.name} is an OpenDocument spreadsheet (.ods). {_SAVE_AS}",
                              field="file")
    if "word/document.xml" in names or "opendocument.text" in mimetype:
        raise ValidationError(f"{path.name} is a text document, not a spreadsheet. Choose an "
                              ".xlsx workbook or a .csv file.", field="file")
    raise ValidationError(f"{path.name} is a zip archive but not an Excel workbook. Choose an "
                          ".xlsx workbook or a .csv file.", field="file")
