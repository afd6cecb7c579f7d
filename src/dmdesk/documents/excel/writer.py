"""Streaming .xlsx sheets with the conventions of docs/ARCHITECTURE.md and the README.

Every table sheet: a bold header row that stays frozen, an autofilter over the data, real
number and date cells with number formats, and column widths fitted to the first rows (the
sheet is streamed, so only a bounded sample is looked at). Workbooks are openpyxl write-only:
each row is serialised as it is appended, so memory does not grow with the row count.

Formula totals and their cached values: a write-only workbook cannot store a formula's result
(openpyxl writes ``<f>SUM(..)</f><v />``). Excel recalculates on open (openpyxl sets
``fullCalcOnLoad``) and LibreOffice 7.4 recalculates a formula whose ``<v>`` is empty, but
viewers that never calculate (file previewers, phones, pandas, openpyxl ``data_only``) show
nothing. So the formulas keep their values: ``FormulaSheet`` records each formula cell's exact
value, and after saving ``store_formula_values`` rewrites those sheets' XML in the zip, putting
the value into the ``<v>``. (Checked by hand: LibreOffice, whose default for .xlsx is "never
recalculate", then shows the stored value as is; so the value must be right, and the tests
compare it with SQL.) Only sheets with formulas are rewritten, and those are small (one row per
product and site); the big ledger sheet is never touched. The alternative, a separate "value"
column beside each formula, would leave the total cell itself blank in such viewers.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import tempfile
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from itertools import islice
from pathlib import Path
from typing import Any, Literal

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from dmdesk.domain.errors import ValidationError
from dmdesk.domain.progress import Progress

Kind = Literal["text", "int", "qty", "money", "date", "datetime", "pct", "coord"]

FORMATS: dict[str, str] = {
    "int": "0",
    "qty": "0.###",
    "money": "#,##0.00",
    "date": "yyyy-mm-dd",
    "datetime": "yyyy-mm-dd hh:mm:ss",
    "pct": "0.0%",
    "coord": "0.0########",  # latitude / longitude: up to 9 places, as stored
}
WIDTH_SAMPLE = 500
MIN_WIDTH, MAX_WIDTH = 6, 60
PROGRESS_EVERY = 2000
_INVALID_TITLE = re.compile(r"[\[\]:*?/\\]")
_BOLD = Font(bold=True)


def sheet_title(name: str) -> str:
    """A valid sheet name: none of []:*?/\\, at most 31 characters, not blank."""
    cleaned = _INVALID_TITLE.sub("-", name).strip().strip("'") or "Sheet"
    return cleaned[:31]


@dataclass(frozen=True)
class Col:
    header: str
    kind: Kind = "text"


class Counter:
    """Rows written so far across the workbook, reported every few thousand rows."""

    def __init__(self, total: int, progress: Progress | None) -> None:
        self.total = total
        self.done = 0
        self._progress = progress
        self._next = PROGRESS_EVERY

    def tick(self, rows: int = 1) -> None:
        self.done += rows
        if self._progress is not None and self.done >= self._next:
            self._next = self.done + PROGRESS_EVERY
            self._report()

    def finish(self) -> None:
        if self._progress is not None:
            self._report()

    def _report(self) -> None:
        assert self._progress is not None
        total = max(self.total, self.done)
        self._progress(self.done, total, f"Writing row {self.done:,} of {total:,}")


def _display_width(value: Any, kind: str) -> int:
    if isinstance(value, Formula):
        value = value.value
    if value is None:
        return 0
    if kind == "date":
        return 10
    if kind == "datetime":
        return 19
    if kind == "money" and isinstance(value, int | float | Decimal):
        return len(f"{value:,.2f}")
    if kind == "pct":
        return 6
    if isinstance(value, Decimal):
        return len(format(value.normalize(), "f"))
    return max((len(line) for line in str(value).splitlines()), default=0)


def _excel_value(value: Any) -> Any:
    # Excel has no time zones: aware datetimes are written in UTC (the headers say so).
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(UTC).replace(tzinfo=None)
    return value


@dataclass
class FormulaSheet:
    """A sheet's formula cells and their exact values, for ``store_formula_values``."""

    index: int
    values: dict[str, Decimal] = field(default_factory=dict)


class TableWriter:
    """One table: header, rows (plain values or formulas), frozen header, autofilter.

    A table longer than a sheet can hold (Excel's 1,048,576 rows) goes on in continuation
    sheets, "Moves (2)" and so on, each with its own header."""

    max_rows = 1_048_576

    def __init__(self, workbook: Workbook, title: str, columns: Sequence[Col],
                 counter: Counter) -> None:
        self.workbook = workbook
        self.title = title
        self.columns = tuple(columns)
        self.counter = counter
        self.formula_sheets: list[FormulaSheet] = []
        self.widths: list[float] = []
        self._start_sheet(sheet_title(title))

    def _start_sheet(self, title: str) -> None:
        """A new sheet; its header row is written once the widths are known (see write)."""
        self.sheet = self.workbook.create_sheet(title)
        self.formulas = FormulaSheet(len(self.workbook.worksheets) - 1)
        self.formula_sheets.append(self.formulas)
        self.row = 1
        self._reusable: list[Any] = [None] * len(self.columns)
        for i, width in enumerate(self.widths):
            self.sheet.column_dimensions[get_column_letter(i + 1)].width = width
        self.sheet.freeze_panes = "A2"
        if self.formulas.index == 1 and self.workbook.sheetnames[0] == ABOUT:
            # The first sheet after About: the workbook opens on the figures.
            self.sheet.sheet_view.tabSelected = True
            self.workbook.active = 1

    def _write_header(self) -> None:
        header = []
        for col in self.columns:
            cell = WriteOnlyCell(self.sheet, col.header)
            cell.font = _BOLD
            header.append(cell)
        self.sheet.append(header)

    def _end_sheet(self) -> None:
        last = get_column_letter(len(self.columns))
        self.sheet.auto_filter.ref = f"A1:{last}{max(self.row, 2)}"

    def write(self, rows: Iterable[Sequence[Any]]) -> None:
        """Write the header and every row; widths fit the header and the first rows."""
        iterator: Iterator[Sequence[Any]] = iter(rows)
        sample = list(islice(iterator, WIDTH_SAMPLE))
        self._fit_widths(sample)
        self._write_header()
        for values in sample:
            self.append(values, bold=isinstance(values, Bold))
        for values in iterator:
            self.append(values, bold=isinstance(values, Bold))
        self._end_sheet()

    def append(self, values: Sequence[Any], *, bold: bool = False) -> None:
        if self.row >= self.max_rows:
            self._end_sheet()
            number = len(self.formula_sheets) + 1
            self._start_sheet(sheet_title(f"{self.title[:25]} ({number})"))
            self._write_header()
        self.row += 1
        if len(values) != len(self.columns):
            raise ValueError(f"{len(values)} values for {len(self.columns)} columns")
        cells: list[Any] = []
        reusable = self._reusable
        for i, raw in enumerate(values):
            kind = self.columns[i].kind
            if raw is None or (kind == "text" and not bold):
                cells.append(_text_cell(self.sheet, raw) if _formula_like(raw) else raw)
                continue
            value = _excel_value(raw) if kind in ("datetime", "date") else raw
            if not bold and not isinstance(value, Formula):
                # The sheet writes each row as it is appended, so one styled cell a column
                # can carry every row's value (a new cell a value costs ~20 % of the time).
                cell = reusable[i]
                if cell is None:
                    cell = reusable[i] = WriteOnlyCell(self.sheet)
                    cell.number_format = FORMATS[kind]
                cell.value = value
                cells.append(cell)
                continue
            if isinstance(value, Formula):
                self.formulas.values[f"{get_column_letter(i + 1)}{self.row}"] = value.value
                value = value.text
            cell = WriteOnlyCell(self.sheet, value)
            if kind != "text":
                cell.number_format = FORMATS[kind]
            if bold:
                cell.font = _BOLD
            cells.append(cell)
        self.sheet.append(cells)
        self.counter.tick()

    def _fit_widths(self, sample: Sequence[Sequence[Any]]) -> None:
        for i, col in enumerate(self.columns):
            widest = max([len(col.header) + 2]  # room for the autofilter button
                         + [_display_width(row[i], col.kind) for row in sample])
            width = min(max(widest + 2, MIN_WIDTH), MAX_WIDTH)
            self.widths.append(width)
            self.sheet.column_dimensions[get_column_letter(i + 1)].width = width


def _formula_like(value: Any) -> bool:
    return isinstance(value, str) and value.startswith("=")


def _text_cell(sheet: Any, value: str) -> WriteOnlyCell:
    """Text that starts with "=" (a note "== urgent"), kept as text: openpyxl would write it
    as a formula, which the file's readers would show as an error or as nothing."""
    cell = WriteOnlyCell(sheet, value)
    cell.data_type = "s"
    return cell


ABOUT = "About"  # the first sheet of every export: what the file is


class Bold(tuple[Any, ...]):
    """A row to write in bold (subtotals, totals)."""


@dataclass(frozen=True)
class Formula:
    """A formula cell (``text`` starts with "=") and the value it computes to."""

    text: str
    value: Decimal


def write_about(workbook: Workbook, lines: Sequence[tuple[str, Any, Kind]]) -> None:
    """The first sheet: what the file is, as label / value pairs."""
    sheet = workbook.create_sheet(ABOUT)
    sheet.column_dimensions["A"].width = max(len(label) for label, _v, _k in lines) + 2
    sheet.column_dimensions["B"].width = min(
        max(_display_width(value, kind) for _l, value, kind in lines) + 2, 100)
    for label, value, kind in lines:
        head = WriteOnlyCell(sheet, label)
        head.font = _BOLD
        cell = WriteOnlyCell(sheet, _excel_value(value))
        if kind != "text":
            cell.number_format = FORMATS[kind]
        sheet.append([head, cell])


def _number_text(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return "0" if text in ("-0", "") else text


def store_formula_values(path: Path, sheets: Sequence[FormulaSheet]) -> None:
    """Put each formula's value into its cell's ``<v>`` in the saved workbook at ``path``."""
    wanted = {f"xl/worksheets/sheet{s.index + 1}.xml": s.values for s in sheets if s.values}
    if not wanted:
        return
    staging = path.with_name(path.name + ".values")
    try:
        with zipfile.ZipFile(path) as source, zipfile.ZipFile(
                staging, "w", zipfile.ZIP_DEFLATED) as target:
            for info in source.infolist():
                data = source.read(info.filename)
                values = wanted.get(info.filename)
                if values:
                    data = _with_values(data.decode("utf-8"), values, info.filename).encode()
                target.writestr(info, data)
        shutil.move(staging, path)
    finally:
        staging.unlink(missing_ok=True)


def _with_values(xml: str, values: dict[str, Decimal], name: str) -> str:
    missing = set(values)

    def fill(match: re.Match[str]) -> str:
        ref = match.group(1)
        if ref not in values:
            return match.group(0)
        missing.discard(ref)
        return f"{match.group(0)[:-len(match.group(3))]}<v>{_number_text(values[ref])}</v>"

    # A formula cell as openpyxl writes it: <c r="G5" ...><f>SUM(G2:G4)</f><v /></c>
    xml = re.sub(r'<c r="([A-Z]+[0-9]+)"[^>]*>(<f>[^<]*</f>)(<v\s*/>|<v></v>)', fill, xml)
    if missing:
        raise RuntimeError(f"formula cells {sorted(missing)} not found in {name}")
    return xml


def discard_workbook(workbook: Workbook) -> None:
    """Abandon a write-only workbook whose export was cancelled or failed part-way.

    Each write-only sheet streams into its own temporary file through two suspended
    generators. Left to the garbage collector, they are closed in any order, and the one
    finishing ``<sheetData>`` then writes to a file the other has closed ("I/O operation on
    closed file", reported as an unraisable exception); the temporary files stay until the
    process exits. So: finish each sheet now, in order, and delete its temporary file.
    """
    for sheet in workbook.worksheets:
        with contextlib.suppress(Exception):
            sheet.close()
        writer = getattr(sheet, "_writer", None)
        if writer is not None:
            with contextlib.suppress(Exception):
                writer.cleanup()  # removes the temporary file, and forgets it


def xlsx_target(out: Path | str) -> Path:
    """``out`` as the path of a workbook to write: it must end in .xlsx and its folder must
    exist (checked before any reading starts, so a typo costs nothing)."""
    target = Path(out).expanduser()
    if target.suffix.lower() != ".xlsx":
        raise ValidationError(f"{target} should end in .xlsx (an Excel workbook).",
                              field="out")
    if not target.parent.is_dir():
        raise ValidationError(f"There is no folder {target.parent} to write {target.name} in.",
                              field="out")
    return target


def save_workbook(workbook: Workbook, target: Path,
                  finish: Callable[[Path], None] | None = None) -> None:
    """Save to a temporary file beside ``target`` and rename it over ``target``, so a reader
    never sees half a workbook; ``finish`` may still change the saved file before the rename.
    On failure (a full disk, say) the half-written sheets are closed and no file is left."""
    fd, temp_name = tempfile.mkstemp(prefix=f".{target.stem}.", suffix=".xlsx.part",
                                     dir=target.parent)
    os.close(fd)
    temp = Path(temp_name)
    try:
        workbook.save(temp)
        if finish is not None:
            finish(temp)
        temp.replace(target)
    except BaseException:
        discard_workbook(workbook)
        raise
    finally:
        with contextlib.suppress(FileNotFoundError):
            temp.unlink()
