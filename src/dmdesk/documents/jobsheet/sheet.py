"""Job sheets: the shop-floor traveler of a work order, as a PDF (ReportLab).

One sheet per work order (one or more pages): the number as a QR code and Code128, product,
quantity, making site, due date, customer order, the pick list, the operations with boxes to
fill in by hand, the design file (with a thumbnail of the drawing: SVG as vectors, the first
page of a PDF, or an image) and the notes. Long pick lists flow onto further pages with the
table header repeated; every page says "Page x of y" of its own sheet. The company's letter
head (name, address, logo from the settings) heads each sheet's first page; header, footer,
codes and the PDF's atomic write come from the document kit (``documents/kit``). Text is set
in DejaVu Sans (embedded), so names in any script the font covers (Latin, Greek, Cyrillic...)
print; runs it lacks are set in the fallback fonts (see fonts.py).

The sheet is laid out by dmdesk itself (jobsheet_layout.py on a sheet_flow.Flow) and drawn
with PDF operators straight onto the canvas (pdf_ink.py), not with platypus: platypus wraps
and splits each table and paragraph several times over and draws through the Canvas API, and
was about four fifths of a sheet's time. The layout is computed for the whole sheet before
anything is drawn, so each page knows its sheet's page count.

The data (sheets and company details) is read first, so an unknown number raises NotFoundError
before a byte is written; the PDF is written to a temporary file beside ``out`` and moved into
place when complete.
"""

from __future__ import annotations

import contextlib
import io
import locale
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import BinaryIO, Literal

from reportlab.lib.pagesizes import A4, LETTER
from sqlalchemy.orm import Session

from dmdesk.db.database import Database
from dmdesk.documents.jobsheet.layout import place_sheet
from dmdesk.documents.jobsheet.styles import styles
from dmdesk.documents.kit.document import (
    MARGIN,
    draw_pages,
    new_canvas,
    page_frame,
    write_atomically,
)
from dmdesk.documents.kit.header import letterhead
from dmdesk.documents.pdf.flow import Flow, Frame
from dmdesk.domain.errors import ValidationError
from dmdesk.queries.jobsheet import JobSheetData, job_sheets_data
from dmdesk.queries.settings import CompanyProfile, company_profile

PageSizeName = Literal["A4", "Letter"]
PAGE_SIZES: dict[str, tuple[float, float]] = {"A4": A4, "Letter": LETTER}
# Countries whose locale means US Letter paper (job sheets are A4 or Letter by locale).
LETTER_COUNTRIES = frozenset({"US", "CA"})
_LETTER_COUNTRY_NAMES = ("united states", "canada")

__all__ = ["MARGIN", "default_page_size", "frame_for", "job_sheets_pdf", "page_size_named",
           "render_job_sheets"]


# --- page size from the locale --------------------------------------------------------------


def _country_of(locale_name: str) -> str | None:
    """'en_US.UTF-8' -> 'US'; 'English_United States.1252' -> 'US'; 'C' -> None."""
    name = locale_name.split(".", 1)[0].split("@", 1)[0]
    if "_" not in name:
        return None
    country = name.split("_", 1)[1]
    lowered = country.lower()
    if lowered in _LETTER_COUNTRY_NAMES:
        return "US" if lowered == "united states" else "CA"
    return country.upper()


def default_page_size(environ: Mapping[str, str] | None = None) -> PageSizeName:
    """Letter when the paper locale's country is the US or Canada, else A4.

    The paper locale is the first set of LC_ALL, LC_PAPER, LANG (POSIX precedence); without
    those (Windows, some macOS launches) the process locale is asked.
    """
    env = os.environ if environ is None else environ
    name = next((env[var] for var in ("LC_ALL", "LC_PAPER", "LANG") if env.get(var)), None)
    if name is None and environ is None:
        with contextlib.suppress(ValueError):
            name = locale.getlocale()[0]
    country = _country_of(name) if name else None
    return "Letter" if country in LETTER_COUNTRIES else "A4"


def page_size_named(name: str | None) -> PageSizeName:
    if name is None:
        return default_page_size()
    for known in ("A4", "Letter"):
        if name.strip().lower() == known.lower():
            return "A4" if known == "A4" else "Letter"
    raise ValidationError(f"Unknown page size {name!r}: use A4 or Letter.", field="page size")


# --- rendering ---------------------------------------------------------------------------------


def render_job_sheets(source: Session | Database, numbers: Sequence[str], out: Path,
                      page_size: str | None = None) -> int:
    """Write one PDF at ``out`` with a job sheet per work order number; return its page count.

    Unknown numbers raise NotFoundError (naming them) and nothing is written.
    """
    if not numbers:
        raise ValidationError("Give at least one work order number.", field="work order")
    size = PAGE_SIZES[page_size_named(page_size)]
    if isinstance(source, Database):
        with source.read_session() as session:
            sheets = job_sheets_data(session, numbers)
            company = company_profile(session)
    else:
        sheets = job_sheets_data(source, numbers)
        company = company_profile(source)
    return write_atomically(Path(out), lambda file: _write(sheets, file, size, company))


def job_sheets_pdf(sheets: Sequence[JobSheetData], company: CompanyProfile,
                   page_size: str | None = None) -> bytes:
    """The PDF of ``sheets`` (read already) as bytes: for documents that bundle it."""
    buffer = io.BytesIO()
    _write(sheets, buffer, PAGE_SIZES[page_size_named(page_size)], company)
    return buffer.getvalue()


def frame_for(size: tuple[float, float]) -> Frame:
    return page_frame(size)


def _write(sheets: Sequence[JobSheetData], target: Path | BinaryIO,
           size: tuple[float, float], company: CompanyProfile | None = None) -> int:
    """Lay out and draw ``sheets`` into a PDF (a file, or a binary file object), each with the
    company's letter head on its first page; return the PDF's page count."""
    canvas = new_canvas(target, size, "Job sheet " + ", ".join(s.number for s in sheets),
                        "Work order job sheet")
    frame = page_frame(size)
    head = letterhead(company or CompanyProfile(), styles(), frame.width)
    pages = 0
    for sheet in sheets:
        flow = Flow(frame)
        if head is not None:
            head.place(flow)
        place_sheet(flow, sheet)
        pages += draw_pages(canvas, flow, f"Job sheet {sheet.number}")
    canvas.save()
    return pages
