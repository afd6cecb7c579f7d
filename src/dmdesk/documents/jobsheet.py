"""Job sheets: the shop-floor traveler of a work order, as a PDF (ReportLab).

One sheet per work order (one or more pages): the number as a QR code and Code128, product,
quantity, making site, due date, customer order, the pick list, the operations with boxes to
fill in by hand, the design file (with a thumbnail of the drawing: SVG as vectors, the first
page of a PDF, or an image) and the notes. Long pick lists flow onto further pages with the
table header repeated; every page says "page x of y" of its own sheet. Text is set in DejaVu
Sans (embedded), so names in any script the font covers (Latin, Greek, Cyrillic...) print;
runs it lacks are set in the fallback fonts (see fonts.py).

The sheet is laid out by dmdesk itself (jobsheet_layout.py on a sheet_flow.Flow) and drawn
with PDF operators straight onto the canvas (pdf_ink.py), not with platypus: platypus wraps
and splits each table and paragraph several times over and draws through the Canvas API, and
was about four fifths of a sheet's time. The layout is computed for the whole sheet before
anything is drawn, so each page knows its sheet's page count.

The data is read first, so an unknown number raises NotFoundError before a byte is written; the
PDF is written to a temporary file beside ``out`` and moved into place when complete.
"""

from __future__ import annotations

import contextlib
import locale
import os
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import BinaryIO, Literal

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, LETTER
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from sqlalchemy.orm import Session

from dmdesk.db.database import Database
from dmdesk.documents.jobsheet_layout import place_sheet
from dmdesk.documents.pdf_ink import RIGHT, Ink
from dmdesk.documents.sheet_flow import Flow, Frame
from dmdesk.documents.sheet_styles import GRID, styles
from dmdesk.domain.errors import ValidationError
from dmdesk.queries.jobsheet import JobSheetData, job_sheets_data

PageSizeName = Literal["A4", "Letter"]
PAGE_SIZES: dict[str, tuple[float, float]] = {"A4": A4, "Letter": LETTER}
# Countries whose locale means US Letter paper (DESIGN.md §7: A4 or Letter by locale).
LETTER_COUNTRIES = frozenset({"US", "CA"})
_LETTER_COUNTRY_NAMES = ("united states", "canada")

MARGIN = 14 * mm
FRAME_PADDING = 6  # points inside the margin (where platypus's frame put the content)
FOOTER = 10 * mm


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
    else:
        sheets = job_sheets_data(source, numbers)
    out = Path(out)
    if not out.parent.is_dir():
        raise ValidationError(f"The folder {out.parent} does not exist.", field="out")
    if out.is_dir():
        raise ValidationError(f"{out} is a folder: give a file name.", field="out")
    fd, temp_name = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".part", dir=out.parent)
    temp = Path(temp_name)
    try:
        with os.fdopen(fd, "wb") as file:  # the file mkstemp opened: not opened twice
            pages = _write(sheets, file, size)
        temp.replace(out)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    return pages


def frame_for(size: tuple[float, float]) -> Frame:
    width, height = size
    return Frame(left=MARGIN + FRAME_PADDING, right=width - MARGIN - FRAME_PADDING,
                 top=height - MARGIN - FRAME_PADDING,
                 bottom=MARGIN + FOOTER + FRAME_PADDING)


def _write(sheets: Sequence[JobSheetData], target: Path | BinaryIO,
           size: tuple[float, float]) -> int:
    """Lay out and draw ``sheets`` into a PDF (a file, or a binary file object); return its
    page count."""
    destination = str(target) if isinstance(target, Path) else target
    canvas = Canvas(destination, pagesize=size, initialFontName=styles().regular)
    canvas.setTitle("Job sheet " + ", ".join(s.number for s in sheets))
    canvas.setAuthor("dmdesk")
    canvas.setSubject("Work order job sheet")
    canvas.setCreator("dmdesk")
    frame = frame_for(size)
    pages = 0
    for sheet in sheets:
        flow = Flow(frame)
        place_sheet(flow, sheet)
        for index, steps in enumerate(flow.pages, start=1):
            ink = Ink(canvas)
            for step in steps:
                step(ink)
            _stamp(ink, frame, sheet.number, index, len(flow.pages))
            canvas.showPage()
        pages += len(flow.pages)
    canvas.save()
    return pages


def _stamp(ink: Ink, frame: Frame, number: str, page: int, total: int) -> None:
    """The footer: a rule, the sheet's number and "page x of y" of that sheet."""
    font = styles().regular
    ink.lines([(frame.left, MARGIN + 4 * mm, frame.right, MARGIN + 4 * mm)], 0.4, GRID)
    ink.text(frame.left, MARGIN, f"Job sheet {number}", font, 8, colors.black)
    ink.text(frame.right, MARGIN, f"page {page} of {total}", font, 8, colors.black, RIGHT)
