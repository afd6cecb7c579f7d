"""Job sheets: the shop-floor traveler of a work order, as a PDF (ReportLab platypus).

One sheet per work order (one or more pages): the number as a QR code and Code128, product,
quantity, making site, due date, customer order, the pick list, the operations with boxes to
fill in by hand, the design file (with a thumbnail when it is an image, or the first page of a
PDF drawing, rasterised by PDFium) and the notes. Long pick lists flow onto further pages with
the table header repeated; every page says "page x of y" of its own sheet. Text is set in
DejaVu Sans (embedded), so names in any script the font covers (Latin, Greek, Cyrillic...)
print; Chinese and Japanese runs are set in Droid Sans Fallback (see fonts.py).

The data is read first, so an unknown number raises NotFoundError before a byte is written; the
PDF is written to a temporary file beside ``out`` and moved into place when complete.
"""

from __future__ import annotations

import contextlib
import functools
import locale
import os
import tempfile
from collections.abc import Mapping, Sequence
from io import BytesIO
from itertools import groupby
from pathlib import Path
from typing import Any, Literal

from reportlab.graphics.barcode.code128 import Code128
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4, LETTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    Flowable,
    Image,
    KeepTogether,
    LongTable,
    PageBreak,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)
from sqlalchemy.orm import Session

from dmdesk.db.database import Database
from dmdesk.documents.fonts import register_fonts
from dmdesk.documents.pdf_pages import first_page_png
from dmdesk.documents.pdf_text import CELL_PADDING, cell, line, lines
from dmdesk.documents.qr import qr_modules
from dmdesk.documents.svg_drawing import looks_like_svg, svg_drawing
from dmdesk.domain.errors import ValidationError
from dmdesk.domain.quantity import format_quantity
from dmdesk.queries.jobsheet import JobSheetData, PickRow, job_sheets_data

PageSizeName = Literal["A4", "Letter"]
PAGE_SIZES: dict[str, tuple[float, float]] = {"A4": A4, "Letter": LETTER}
# Countries whose locale means US Letter paper (DESIGN.md §7: A4 or Letter by locale).
LETTER_COUNTRIES = frozenset({"US", "CA"})
_LETTER_COUNTRY_NAMES = ("united states", "canada")

MARGIN = 14 * mm
FRAME_PADDING = 6  # points: platypus frames' default padding on each side
FOOTER = 10 * mm
GRID = colors.HexColor("#8a8a8a")
SHADE = colors.HexColor("#e8e8e8")
MISSING = colors.HexColor("#b00020")


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
    os.close(fd)
    temp = Path(temp_name)
    try:
        pages = _write(sheets, temp, size)
        temp.replace(out)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    return pages


def _write(sheets: Sequence[JobSheetData], path: Path, size: tuple[float, float]) -> int:
    styles = _styles()
    doc = SimpleDocTemplate(
        str(path), pagesize=size, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=MARGIN,
        bottomMargin=MARGIN + FOOTER,
        title="Job sheet " + ", ".join(s.number for s in sheets), author="dmdesk",
        subject="Work order job sheet", creator="dmdesk")
    story: list[Flowable] = []
    for index, sheet in enumerate(sheets):
        if index:
            story.append(PageBreak())
        story.append(_SheetStart(index, sheet.number))
        story.extend(_sheet_story(sheet, styles, doc.width - 2 * FRAME_PADDING))
    counter: dict[str, int] = {}

    def make_canvas(*args: Any, **kwargs: Any) -> _NumberedCanvas:
        canvas = _NumberedCanvas(*args, **kwargs)
        canvas.font = styles.regular
        canvas.pages_out = counter
        return canvas

    doc.build(story, canvasmaker=make_canvas)
    return counter.get("pages", 0)


@functools.cache
def _styles() -> _Styles:
    """The sheet's paragraph styles, built once per process (fonts registered on first use)."""
    return _Styles()


class _Styles:
    def __init__(self) -> None:
        self.regular, self.bold = register_fonts()
        base = ParagraphStyle("base", fontName=self.regular, fontSize=9, leading=11.5)
        self.body = base
        self.small = ParagraphStyle("small", parent=base, fontSize=7.5, leading=9,
                                    textColor=colors.HexColor("#444444"))
        self.cell = ParagraphStyle("cell", parent=base, fontSize=8.5, leading=10.5)
        self.cell_right = ParagraphStyle("cell_right", parent=self.cell, alignment=TA_RIGHT)
        self.head = ParagraphStyle("head", parent=self.cell, fontName=self.bold)
        self.head_right = ParagraphStyle("head_right", parent=self.head, alignment=TA_RIGHT)
        self.title = ParagraphStyle("title", parent=base, fontName=self.bold, fontSize=20,
                                    leading=24)
        self.product = ParagraphStyle("product", parent=base, fontName=self.bold, fontSize=12,
                                      leading=15)
        self.section = ParagraphStyle("section", parent=base, fontName=self.bold, fontSize=11,
                                      leading=14, spaceBefore=9, spaceAfter=4, keepWithNext=1)
        self.code = ParagraphStyle("code", parent=self.small, alignment=TA_CENTER)

    def cell_fonts(self, last_column: int = -1) -> list[tuple[Any, ...]]:
        """Table commands that set string cells as the head and cell styles set Paragraphs
        (header row bold, the rest regular; pdf_text.cell hands short texts over as strings).
        Body columns after ``last_column`` (blank boxes to fill in by hand) keep the table's
        default font and leading, which set their rows' height as before."""
        return [("FONT", (0, 0), (-1, 0), self.bold, self.head.fontSize, self.head.leading),
                ("FONT", (0, 1), (last_column, -1), self.regular, self.cell.fontSize,
                 self.cell.leading)]


def _q(value: Any) -> str:
    return format_quantity(value)


def _sheet_story(sheet: JobSheetData, styles: _Styles, width: float) -> list[Flowable]:
    story: list[Flowable] = [_header(sheet, styles, width)]
    story.extend(_pick_list(sheet, styles, width))
    story.extend(_operations(sheet, styles, width))
    story.extend(_design(sheet, styles, width))
    story.extend(_notes(sheet, styles, width))
    return story


def _header(sheet: JobSheetData, styles: _Styles, width: float) -> Flowable:
    codes_width = 62 * mm
    customer = "—"
    if sheet.customer_order_number:
        customer = sheet.customer_order_number
        if sheet.customer_order_line_no is not None:
            customer += f" / line {sheet.customer_order_line_no}"
        if sheet.customer_name:
            customer += f" — {sheet.customer_name}"
    facts = [
        ("Quantity", f"{_q(sheet.quantity)} {sheet.unit}"),
        ("Making site", f"{sheet.site_code} — {sheet.site_name}"),
        ("Due date", sheet.due_date.isoformat()),
        ("Customer order", customer),
        ("State / priority", f"{sheet.state.value} / {sheet.priority}"),
    ]
    label_width, value_width = 30 * mm, width - codes_width - 32 * mm
    fact_rows = [[cell(label, styles.small, label_width - CELL_PADDING),
                  cell(value, styles.body, value_width - CELL_PADDING)]
                 for label, value in facts]
    facts_table = Table(fact_rows, colWidths=[label_width, value_width])
    facts_table.setStyle(TableStyle([
        ("FONT", (0, 0), (0, -1), styles.regular, styles.small.fontSize, styles.small.leading),
        ("TEXTCOLOR", (0, 0), (0, -1), styles.small.textColor),
        ("FONT", (1, 0), (1, -1), styles.regular, styles.body.fontSize, styles.body.leading),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 0),
        ("TOPPADDING", (0, 0), (-1, -1), 1.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
        ("LINEBELOW", (0, 0), (-1, -2), 0.25, SHADE),
    ]))
    room = width - codes_width
    left = [
        line("JOB SHEET", styles.small, room),
        line(sheet.number, styles.title, room),
        Spacer(1, 2 * mm),
        line(f"{sheet.sku} — {sheet.product_name}", styles.product, room),
        Spacer(1, 2 * mm),
        facts_table,
    ]
    right = [_qr(sheet.number, 34 * mm), Spacer(1, 2 * mm),
             _code128(sheet.number, codes_width - 4 * mm),
             line(sheet.number, styles.code, codes_width)]
    table = Table([[left, right]], colWidths=[width - codes_width, codes_width])
    table.setStyle(TableStyle([
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("ALIGN", (1, 0), (1, 0), "CENTER"),
        ("LEFTPADDING", (0, 0), (-1, -1), 0),
        ("RIGHTPADDING", (0, 0), (-1, -1), 0),
        ("LINEBELOW", (0, 0), (-1, 0), 1, colors.black),
        ("BOTTOMPADDING", (0, 0), (-1, 0), 4 * mm),
    ]))
    return table


class _QrCode(Flowable):  # type: ignore[misc]
    """A QR code drawn straight onto the canvas as one path of dark runs.

    ReportLab's QrCodeWidget builds a shape object per dark run and draws it twice (once to
    measure it): 80 % of a sheet's render time. The same modules (qrencoder, level M, a
    4-module quiet zone; built faster by documents.qr) as one filled path cost about
    a millisecond.
    """

    BORDER = 4

    def __init__(self, value: str, size: float) -> None:
        super().__init__()
        self.modules = qr_modules(value)
        self.size = size
        self.hAlign = "CENTER"

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        return self.size, self.size

    def draw(self) -> None:
        count = len(self.modules)
        box = self.size / (count + 2 * self.BORDER)
        path = self.canv.beginPath()
        for r, row in enumerate(self.modules):
            y = self.size - (r + self.BORDER + 1) * box
            c = 0
            for dark, run in groupby(row):
                length = len(list(run))
                if dark:
                    path.rect((c + self.BORDER) * box, y, length * box, box)
                c += length
        self.canv.saveState()
        self.canv.setFillColor(colors.black)
        self.canv.drawPath(path, fill=1, stroke=0)
        self.canv.restoreState()


def _qr(value: str, size: float) -> Flowable:
    return _QrCode(value, size)


def _code128(value: str, max_width: float) -> Flowable:
    bar_width = 0.33 * mm
    barcode = Code128(value, barWidth=bar_width, barHeight=12 * mm, humanReadable=False)
    natural, _ = barcode.wrap(max_width, 20 * mm)
    if natural > max_width:
        barcode = Code128(value, barWidth=bar_width * max_width / natural,
                          barHeight=12 * mm, humanReadable=False)
    barcode.hAlign = "CENTER"
    return barcode


def _location(row: PickRow, reserved: bool) -> str:
    if row.location is not None:
        return row.location
    return "not reserved" if reserved else "no stock"


def _pick_list(sheet: JobSheetData, styles: _Styles, width: float) -> list[Flowable]:
    source = ("reserved at release" if sheet.pick_list_reserved
              else "from the bill of materials; not reserved yet")
    heading = line(f"Pick list ({source})", styles.section, width)
    if not sheet.pick_list:
        return [heading, line("No components.", styles.body, width)]
    fixed = {"#": 7 * mm, "SKU": 31 * mm, "Qty": 16 * mm, "Unit": 12 * mm,
             "Location": 21 * mm, "Lot": 24 * mm, "Picked": 16 * mm}
    name_width = width - sum(fixed.values())
    widths = [fixed["#"], fixed["SKU"], name_width, fixed["Qty"], fixed["Unit"],
              fixed["Location"], fixed["Lot"], fixed["Picked"]]
    rooms = [w - 2 * CELL_PADDING for w in widths]
    titles = ("#", "SKU", "Component", "Qty", "Unit", "Location", "Lot", "Picked")
    rows: list[list[Any]] = [[
        cell(title, styles.head_right if title == "Qty" else styles.head, room)
        for title, room in zip(titles, rooms, strict=True)]]
    for row in sheet.pick_list:
        texts = (str(row.line_no), row.sku, row.name, _q(row.quantity), row.unit,
                 _location(row, sheet.pick_list_reserved), row.lot or "")
        rows.append([cell(text, styles.cell_right if index == 3 else styles.cell, room)
                     for index, (text, room) in enumerate(zip(texts, rooms, strict=False))]
                    + [""])
    table = LongTable(rows, colWidths=widths, repeatRows=1)
    commands: list[tuple[Any, ...]] = [
        *styles.cell_fonts(last_column=6),
        ("ALIGN", (3, 0), (3, -1), "RIGHT"),
        ("BACKGROUND", (0, 0), (-1, 0), SHADE),
        ("GRID", (0, 0), (-1, -1), 0.4, GRID),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
    ]
    for index, row in enumerate(sheet.pick_list, start=1):
        if row.location is None:  # "not reserved" / "no stock" in red
            commands.append(("TEXTCOLOR", (5, index), (5, index), MISSING))
    table.setStyle(TableStyle(commands))
    return [heading, table]


def _operations(sheet: JobSheetData, styles: _Styles, width: float) -> list[Flowable]:
    heading = line("Operations", styles.section, width)
    if not sheet.operations:
        return [heading, line("No operations.", styles.body, width)]
    fixed = [12 * mm, 18 * mm, 24 * mm, 24 * mm, 16 * mm, 16 * mm, 28 * mm]
    widths = [fixed[0], width - sum(fixed), *fixed[1:]]
    rooms = [w - 2 * CELL_PADDING for w in widths]
    titles = ("Seq", "Operation", "Std min", "Start", "Finish", "Good", "Scrap", "Sign-off")
    rows: list[list[Any]] = [[cell(title, styles.head, room)
                              for title, room in zip(titles, rooms, strict=True)]]
    for op in sheet.operations:
        label = [(op.name, styles.cell)]
        if op.capability:
            label.append((op.capability, styles.small))
        minutes = op.setup_minutes + op.run_minutes * sheet.quantity
        rows.append([cell(str(op.sequence), styles.cell, rooms[0]), lines(label, rooms[1]),
                     cell(_q(minutes), styles.cell, rooms[2]), "", "", "", "", ""])
    table = LongTable(rows, colWidths=widths, repeatRows=1,
                      rowHeights=[None] + [12 * mm] * len(sheet.operations))
    table.setStyle(TableStyle([
        *styles.cell_fonts(last_column=2),
        ("BACKGROUND", (0, 0), (-1, 0), SHADE),
        ("GRID", (0, 0), (-1, -1), 0.4, GRID),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
    ]))
    return [heading, table]


def _design(sheet: JobSheetData, styles: _Styles, width: float) -> list[Flowable]:
    heading = line("Design file", styles.section, width)
    design = sheet.design
    if design is None:
        return [heading, line("No design file.", styles.body, width)]
    room = width - 74 * mm - CELL_PADDING
    text: list[Flowable] = [
        line(f"{design.name}   (version {design.version})", styles.body, room),
        line(f"SHA-256 {design.short_hash}…", styles.small, room),
    ]
    thumbnail = (_thumbnail(design.image, design.sha256, 70 * mm, 50 * mm)
                 if design.image else None)
    if thumbnail is None:
        return [heading, *text]
    table = Table([[text, thumbnail]], colWidths=[width - 74 * mm, 74 * mm])
    table.setStyle(TableStyle([
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 0),
        ("ALIGN", (1, 0), (1, 0), "RIGHT"),
    ]))
    return [KeepTogether([heading, table])]


def _thumbnail(data: bytes, sha256: str, max_width: float, max_height: float
               ) -> Flowable | None:
    if looks_like_svg(data):
        # An SVG drawing: as vectors, framed like a page.
        drawing = svg_drawing(data, sha256, max_width, max_height)
        return _framed(drawing, drawing.width, drawing.height) if drawing else None
    if data.startswith(b"%PDF-"):
        # A PDF drawing: its first page, rasterised at about 300 dpi of the thumbnail's size,
        # framed so the page's white edges show.
        page = first_page_png(data, longest_side_px=int(max(max_width, max_height) / 72 * 300))
        image = _image(page, max_width, max_height) if page else None
        if image is None:
            return None
        return _framed(image, image.drawWidth, image.drawHeight)
    return _image(data, max_width, max_height)


def _framed(content: Flowable, width: float, height: float) -> Flowable:
    """``content`` in a thin box of its own size, aligned right."""
    frame = Table([[content]], colWidths=[width], rowHeights=[height])
    frame.setStyle(TableStyle([("BOX", (0, 0), (-1, -1), 0.4, GRID),
                               ("LEFTPADDING", (0, 0), (-1, -1), 0),
                               ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                               ("TOPPADDING", (0, 0), (-1, -1), 0),
                               ("BOTTOMPADDING", (0, 0), (-1, -1), 0)]))
    frame.hAlign = "RIGHT"
    return frame


def _image(data: bytes, max_width: float, max_height: float) -> Image | None:
    try:
        width, height = ImageReader(BytesIO(data)).getSize()
    except Exception:  # a damaged image: the sheet prints without the thumbnail
        return None
    if width <= 0 or height <= 0:
        return None
    scale = min(max_width / width, max_height / height)
    image = Image(BytesIO(data), width=width * scale, height=height * scale)
    image.hAlign = "RIGHT"
    return image


def _notes(sheet: JobSheetData, styles: _Styles, width: float) -> list[Flowable]:
    heading = line("Notes", styles.section, width)
    text = sheet.notes.strip()
    box = Table([[cell(text, styles.body, width - 2 * CELL_PADDING) if text else ""]],
                colWidths=[width], rowHeights=[None if text else 25 * mm])
    box.setStyle(TableStyle([("FONT", (0, 0), (-1, -1), styles.regular, styles.body.fontSize,
                              styles.body.leading),
                             ("BOX", (0, 0), (-1, -1), 0.4, GRID),
                             ("VALIGN", (0, 0), (-1, -1), "TOP")]))
    blank = Table([[""]], colWidths=[width], rowHeights=[18 * mm])
    blank.setStyle(TableStyle([("BOX", (0, 0), (-1, -1), 0.4, GRID)]))
    return [KeepTogether([heading, box, Spacer(1, 2 * mm), blank] if text
                         else [heading, box])]


class _SheetStart(Flowable):  # type: ignore[misc]
    """Zero-size marker: tells the canvas that the pages from here on belong to a new sheet."""

    def __init__(self, index: int, number: str) -> None:
        super().__init__()
        self.index = index
        self.number = number

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        return 0, 0

    def draw(self) -> None:
        self.canv.sheet = (self.index, self.number)


class _NumberedCanvas(Canvas):  # type: ignore[misc]
    """Keeps every page until the end, then stamps each with "page x of y" of its sheet."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.sheet: tuple[int, str] = (0, "")
        self.font = "Helvetica"
        self.pages_out: dict[str, int] = {}
        self._pages: list[dict[str, Any]] = []

    def showPage(self) -> None:  # noqa: N802 (ReportLab's name)
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        totals: dict[tuple[int, str], int] = {}
        for page in self._pages:
            totals[page["sheet"]] = totals.get(page["sheet"], 0) + 1
        seen: dict[tuple[int, str], int] = {}
        for page in self._pages:
            self.__dict__.update(page)
            sheet = page["sheet"]
            seen[sheet] = seen.get(sheet, 0) + 1
            self._stamp(sheet[1], seen[sheet], totals[sheet])
            Canvas.showPage(self)
        self.pages_out["pages"] = len(self._pages)
        Canvas.save(self)

    def _stamp(self, number: str, page: int, total: int) -> None:
        width, _height = self._pagesize
        y = MARGIN
        self.saveState()
        self.setStrokeColor(GRID)
        self.setLineWidth(0.4)
        left, right = MARGIN + FRAME_PADDING, width - MARGIN - FRAME_PADDING
        self.line(left, y + 4 * mm, right, y + 4 * mm)
        self.setFont(self.font, 8)
        self.setFillColor(colors.black)
        self.drawString(left, y, f"Job sheet {number}")
        self.drawRightString(right, y, f"page {page} of {total}")
        self.restoreState()
