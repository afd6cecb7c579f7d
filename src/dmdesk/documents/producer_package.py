"""A package for a producer that runs no dmdesk (issue 14): one .zip holding

- ``job-sheets.pdf``: a job sheet per order (the job-sheet renderer, one PDF);
- ``WO-NUMBER/SKU-v3-name.ext``: the design file each order was released with;
- ``pick-list.xlsx``: one row per material of each order (excel_writer's conventions);
- ``README.txt``: in plain words what to make, how many, by when, and whom to tell.

The data is read first by ``queries.producer_package`` (which refuses unknown numbers, closed
orders and orders of several producers); the writing code here never reads the database. The
zip is written to a temporary file beside ``out`` and renamed into place, so a refusal, a
failure or a cancel leaves no file (and an existing ``out`` untouched).
"""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import BinaryIO

from openpyxl import Workbook

from dmdesk.db.database import Database
from dmdesk.documents.excel.writer import Col, Counter, TableWriter
from dmdesk.documents.jobsheet.sheet import job_sheets_pdf
from dmdesk.documents.kit.document import write_atomically
from dmdesk.domain.errors import ValidationError
from dmdesk.domain.progress import Progress
from dmdesk.queries.jobsheet import JobSheetData
from dmdesk.queries.producer_package import DesignBytes, PackageData, package_data

PDF_NAME, PICKS_NAME, README_NAME = "job-sheets.pdf", "pick-list.xlsx", "README.txt"
PICK_COLUMNS = (Col("Work order"), Col("SKU"), Col("Name"), Col("Quantity", "qty"),
                Col("Unit"))
# Characters kept in a file name made from a stored one; anything else becomes "-".
_UNSAFE = re.compile(r"[^\w.+-]+")
# Reports a step: (done, total, what); may raise to stop (the GUI's Cancel).


@dataclass(frozen=True)
class PackageResult:
    path: Path
    orders: int
    designs: int
    materials: int
    missing_designs: tuple[str, ...]  # orders whose design file has not arrived by sync


def default_package_name(site_code: str, day: date) -> str:
    """``<PRODUCER>-<date>.zip``, the Save dialog's suggestion."""
    return f"{safe_part(site_code) or 'producer'}-{day.isoformat()}.zip"


def safe_part(name: str) -> str:
    """One path component made from ``name``: no folders (a stored "../../x" gives "x"), no
    control or reserved characters, no leading dots (hidden files, ".." itself)."""
    last = re.split(r"[/\\]", unicodedata.normalize("NFC", name))[-1]
    cleaned = _UNSAFE.sub("-", last).strip("-. ")
    return cleaned[:120]


def design_entry_names(designs: Sequence[DesignBytes]) -> list[str]:
    """``WO-NUMBER/SKU-v3-name.ext`` per design, a second one with the same name getting
    "-2" (and so on) before its extension; compared case-blind, as Windows and macOS do."""
    taken: set[str] = set()
    names = []
    for design in designs:
        base = safe_part(f"{design.sku}-v{design.version}-{safe_part(design.name)}") or "design"
        folder = safe_part(design.number) or "order"
        stem, dot, suffix = base.rpartition(".") if "." in base else (base, "", "")
        candidate, copy = f"{folder}/{base}", 1
        while candidate.lower() in taken:
            copy += 1
            candidate = f"{folder}/{stem}-{copy}{dot}{suffix}"
        taken.add(candidate.lower())
        names.append(candidate)
    return names


def render_producer_package(db: Database, numbers: Sequence[str], out: Path,
                            today: date | None = None,
                            report: Progress | None = None) -> PackageResult:
    """Read the orders ``numbers`` and write their package at ``out`` (.zip)."""
    target = Path(out).expanduser()
    if target.suffix.lower() != ".zip":
        raise ValidationError(f"{target} should end in .zip.", field="out")
    with db.read_session() as session:
        data = package_data(session, numbers)
    return write_package(data, target, today or date.today(), report)


def write_package(data: PackageData, out: Path, today: date,
                  report: Progress | None = None) -> PackageResult:
    """Write the package of ``data`` at ``out``, atomically."""
    step = report or (lambda _done, _total, _what: None)
    present = [d for d in data.designs if d.data is not None]
    names = design_entry_names(present)
    total = len(present) + 3

    def write(file: BinaryIO) -> int:
        with zipfile.ZipFile(file, "w", zipfile.ZIP_DEFLATED) as archive:
            step(0, total, "Job sheets")
            archive.writestr(PDF_NAME, job_sheets_pdf(data.sheets, data.company))
            for done, (design, name) in enumerate(zip(present, names, strict=True), start=1):
                step(done, total, f"Design {name}")
                assert design.data is not None  # only present designs are listed
                archive.writestr(name, design.data)
            step(total - 2, total, "Pick list")
            archive.writestr(PICKS_NAME, pick_list_xlsx(data))
            step(total - 1, total, "README")
            archive.writestr(README_NAME, readme_text(data, dict(_by_order(present, names)),
                                                      today))
        step(total, total, "Done")
        return total

    write_atomically(out, write)
    missing = tuple(d.number for d in data.designs if d.data is None)
    return PackageResult(out, len(data.sheets), len(present), len(data.materials), missing)


def _by_order(designs: Sequence[DesignBytes], names: Sequence[str]
              ) -> list[tuple[str, str]]:
    return [(d.number, name) for d, name in zip(designs, names, strict=True)]


def pick_list_xlsx(data: PackageData) -> bytes:
    """The materials as a workbook: real number cells, frozen header, autofilter, widths."""
    workbook = Workbook(write_only=True)
    TableWriter(workbook, "Pick list", PICK_COLUMNS, Counter(len(data.materials), None)).write(
        (r.number, r.sku, r.name, r.quantity, r.unit) for r in data.materials)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _quantity(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return "0" if text in ("-0", "") else text


def _order_lines(sheet: JobSheetData, design: str | None) -> list[str]:
    lines = [f"- {sheet.number}: make {_quantity(sheet.quantity)} {sheet.unit} of "
             f"{sheet.sku} {sheet.product_name}, due by {sheet.due_date.isoformat()}."]
    if sheet.customer_order_number:
        lines.append(f"  For customer order {sheet.customer_order_number}"
                     f", line {sheet.customer_order_line_no}.")
    if design:
        lines.append(f"  Make it to the drawing {design} (this version, not an older one).")
    elif sheet.design is not None:
        lines.append(f"  Drawing {sheet.design.name} v{sheet.design.version} is not in this "
                     "package yet: ask us for it before you start.")
    return lines


def readme_text(data: PackageData, designs: dict[str, str], today: date) -> str:
    """The package's README in plain words (CRLF line ends: Notepad shows it too)."""
    lines = [f"Work orders for {data.site_code} ({data.site_name})",
             f"Sent on {today.isoformat()}"
             + (f" by {data.company.name}." if data.company.name else "."), "",
             "WHAT TO MAKE, HOW MANY, BY WHEN"]
    for sheet in data.sheets:
        lines.extend(_order_lines(sheet, designs.get(sheet.number)))
    lines += ["", "IN THIS PACKAGE",
              f"- {PDF_NAME}: one job sheet per order: the materials to use, the operations, "
              "and boxes to fill in by hand.",
              f"- {PICKS_NAME}: the materials each order needs (order, SKU, name, quantity, "
              "unit).",
              "- One folder per order with its drawing.", "",
              "HOW TO REPORT BACK",
              "When an order is done, tell us its number, how many good pieces you made and "
              "how many were scrapped (a photo of the filled-in job sheet is fine).",
              "If you cannot make an order by its due date, or a material is missing, tell us "
              "as soon as you know.", ""]
    lines.extend(_contact(data))
    return "\r\n".join(lines) + "\r\n"


def _contact(data: PackageData) -> list[str]:
    company = data.company
    if not (company.name or company.address):
        return ["Contact: the person who sent you this package."]
    return ["Contact:", *(f"  {line}" for line in (company.name, *company.address) if line)]
