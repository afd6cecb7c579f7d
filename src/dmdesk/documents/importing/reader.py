"""Reading a sheet of rows from an .xlsx workbook or a .csv file, one row at a time.

Workbooks are opened read-only (openpyxl streams the sheet XML), CSV files are read line by line,
so a file of 100,000 rows never sits in memory whole. Rows keep the number the user sees in
their spreadsheet program (the header is usually row 1), so problems can point at them.
"""

from __future__ import annotations

import codecs
import csv
import re
import zipfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any
from zlib import error as zlib_error

from openpyxl import load_workbook

from dmdesk.documents.importing.cells import PercentNumber
from dmdesk.documents.importing.columns import normalize
from dmdesk.documents.importing.sniff import detect_format
from dmdesk.domain.errors import ValidationError

Row = tuple[int, tuple[Any, ...]]  # (row number as the spreadsheet shows it, cell values)
_SAMPLE = 64 * 1024


@dataclass
class Table:
    """An opened sheet: its header row and a one-pass stream of the rows below it."""

    path: Path
    format: str  # "xlsx" | "csv"
    sheet: str
    header_row: int
    header: tuple[str, ...]
    estimated_rows: int  # for progress; 0 when unknown
    rows: Iterator[Row]


def _blank(values: Sequence[Any]) -> bool:
    return all(v is None or (isinstance(v, str) and not v.strip()) for v in values)


def _split_header(path: Path, rows: Iterator[Row]) -> tuple[int, tuple[str, ...]]:
    for number, values in rows:
        if not _blank(values):
            header = tuple("" if v is None else str(v).strip() for v in values)
            while header and not header[-1]:
                header = header[:-1]
            return number, header
    raise ValidationError(f"{path.name} has no rows: there is nothing to import.", field="file")


def _data_rows(rows: Iterator[Row], width: int) -> Iterator[Row]:
    for number, values in rows:
        if not _blank(values):
            yield number, tuple(values[:width]) + (None,) * (width - len(values))


@contextmanager
def open_table(path: Path | str, sheet_names: Sequence[str] = ()) -> Iterator[Table]:
    """Open ``path`` (format from its content). ``sheet_names``: the sheet titles to prefer in a
    workbook (normalised); otherwise its first sheet that is not an "About" page."""
    path = Path(path).expanduser()
    kind = detect_format(path)
    if kind == "xlsx":
        with _open_xlsx(path, sheet_names) as table:
            yield table
    else:
        with _open_csv(path) as table:
            yield table


# --- xlsx --------------------------------------------------------------------------------


def _choose_sheet(titles: Sequence[str], wanted: Sequence[str]) -> str:
    by_name = {normalize(title): title for title in titles}
    for name in wanted:
        if name in by_name:
            return by_name[name]
    others = [title for title in titles if normalize(title) != "about"]
    return (others or list(titles))[0]


@contextmanager
def _open_xlsx(path: Path, sheet_names: Sequence[str]) -> Iterator[Table]:
    # Given a name, openpyxl refuses any extension but .xlsx/.xlsm; the content decides here.
    with path.open("rb") as handle, _workbook(path, handle) as workbook:
        yield _xlsx_table(path, workbook, sheet_names)


@contextmanager
def _workbook(path: Path, handle: IO[bytes]) -> Iterator[Any]:
    try:
        workbook = load_workbook(handle, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, zlib_error) as exc:
        raise ValidationError(f"{path.name} cannot be read as an Excel workbook ({exc}). Open "
                              "it in Excel or LibreOffice and save it again as .xlsx.",
                              field="file") from None
    try:
        yield workbook
    finally:
        workbook.close()


def _xlsx_table(path: Path, workbook: Any, sheet_names: Sequence[str]) -> Table:
    try:
        title = _choose_sheet(workbook.sheetnames, sheet_names)
        sheet = workbook[title]
        estimate = max((sheet.max_row or 1) - 1, 0)
        # Some writers store a wrong dimension ("A1"); reading without it reads every row.
        sheet.reset_dimensions()
        numbered = ((n, tuple(_cell_value(cell) for cell in row))
                    for n, row in enumerate(sheet.iter_rows(), start=1))
        header_row, header = _split_header(path, numbered)
    except (zipfile.BadZipFile, KeyError, OSError, zlib_error, SyntaxError) as exc:
        raise ValidationError(f"{path.name} is damaged and cannot be read ({exc}). Open it "
                              "in Excel or LibreOffice and save it again as .xlsx.",
                              field="file") from None
    return Table(path, "xlsx", title, header_row, header, estimate,
                 _data_rows(_guarded(path, numbered), len(header)))


# Parts of a number format that are shown as written, not interpreted: "quoted text",
# \-escaped characters, [colours and conditions].
_LITERALS = re.compile(r'"[^"]*"|\\.|\[[^\]]*\]')


def is_percent_format(number_format: str | None) -> bool:
    """Whether a cell with this number format shows its value times 100 with a % sign
    ("0%", "0.00%"; not '0"%"' or '0\\%', which only print a percent sign)."""
    return bool(number_format) and "%" in _LITERALS.sub("", number_format or "")


def _cell_value(cell: Any) -> Any:
    """The cell's value; a number shown as a percentage marked as such (cells.PercentNumber)."""
    value = cell.value
    if (isinstance(value, int | float) and not isinstance(value, bool)
            and is_percent_format(getattr(cell, "number_format", None))):
        return PercentNumber(value)
    return value


def _guarded(path: Path, rows: Iterator[Row]) -> Iterator[Row]:
    """Rows of a sheet whose XML may turn out to be cut off halfway down."""
    try:
        yield from rows
    except (zipfile.BadZipFile, KeyError, OSError, zlib_error, SyntaxError) as exc:
        raise ValidationError(f"{path.name} is damaged and cannot be read to the end ({exc})."
                              " Open it in Excel or LibreOffice and save it again as .xlsx.",
                              field="file") from None


# --- csv ---------------------------------------------------------------------------------


def _encoding(path: Path) -> str:
    """UTF-8 (with or without BOM), UTF-16 (Excel's "Unicode text"), else Windows-1252."""
    with path.open("rb") as handle:
        head = handle.read(4)
        if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return "utf-16"
        handle.seek(0)
        decoder = codecs.getincrementaldecoder("utf-8")()
        try:
            while chunk := handle.read(1 << 20):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return "cp1252"
    return "utf-8-sig"


def _dialect(handle: IO[str]) -> type[csv.Dialect] | csv.Dialect:
    sample = handle.read(_SAMPLE)
    handle.seek(0)
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t|")
    except csv.Error:
        return csv.excel


@contextmanager
def _open_csv(path: Path) -> Iterator[Table]:
    encoding = _encoding(path)
    with path.open(encoding=encoding, errors="replace", newline="") as handle:
        estimate = max(sum(1 for _ in handle) - 1, 0)
        handle.seek(0)
        reader = csv.reader(handle, _dialect(handle))

        def numbered() -> Iterator[Row]:
            try:
                for values in reader:
                    yield reader.line_num, tuple(values)
            except csv.Error as exc:
                raise ValidationError(f"{path.name}, line {reader.line_num}: the CSV text is "
                                      f"malformed ({exc}).", field="file") from None

        rows = numbered()
        header_row, header = _split_header(path, rows)
        yield Table(path, "csv", path.stem, header_row, header, estimate,
                    _data_rows(rows, len(header)))
