"""The blocks of a job sheet, placed on a ``Flow``: header with codes, pick list, operations,
design file, notes. Sizes, fonts and rules are those the sheet had when platypus set it."""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass

from reportlab.graphics.barcode.code128 import Code128
from reportlab.lib import colors
from reportlab.lib.colors import Color
from reportlab.lib.rl_accel import fp_str
from reportlab.lib.units import mm

from dmdesk.documents.fonts import register_fonts
from dmdesk.documents.pdf_ink import CENTRE, LEFT, RIGHT, Ink, text_width
from dmdesk.documents.qr import qr_modules
from dmdesk.documents.sheet_flow import (
    Cell,
    Flow,
    Row,
    Step,
    Table,
    TableStyle,
    draw_lines,
    row_height,
)
from dmdesk.documents.text_wrap import wrap
from dmdesk.documents.thumbnails import thumbnail
from dmdesk.domain.quantity import format_quantity
from dmdesk.queries.jobsheet import JobSheetData, PickRow

GRID = colors.HexColor("#8a8a8a")
SHADE = colors.HexColor("#e8e8e8")
MISSING = colors.HexColor("#b00020")
GREY = colors.HexColor("#444444")
BLACK = colors.black


@dataclass(frozen=True)
class TextStyle:
    font: str
    size: float
    leading: float
    colour: Color | None = None

    def lines(self, text: str, width: float) -> list[tuple[str, str, float, float, Color | None]]:
        return [(part, self.font, self.size, self.leading, self.colour)
                for part in _wrapped(text, self.font, self.size, width)]

    def number(self, text: str, width: float, align: str = LEFT) -> Cell:
        """A number on one line, never broken: set smaller when it is wider than ``width``
        (down to ``SMALLEST``; the row keeps its height)."""
        size = self.size
        natural = text_width(text, self.font, size)
        if natural > width:
            size = max(SMALLEST, size * width / natural)
        return Cell([(text, self.font, size, self.leading, self.colour)], align)

    def cell(self, text: str, width: float, align: str = LEFT) -> Cell:
        return Cell(self.lines(text, width), align)


SMALLEST = 5.0  # points: the smallest a number is set to fit its column


@functools.lru_cache(maxsize=4096)
def _wrapped(text: str, font: str, size: float, width: float) -> tuple[str, ...]:
    """Labels, headings and most values recur on every sheet: measured and wrapped once."""
    return tuple(wrap(text, font, size, width))


@dataclass(frozen=True)
class Styles:
    regular: str
    bold: str
    body: TextStyle
    small: TextStyle
    cell: TextStyle
    head: TextStyle
    title: TextStyle
    product: TextStyle
    section: TextStyle


@functools.cache
def styles() -> Styles:
    regular, bold = register_fonts()
    return Styles(regular, bold,
                  body=TextStyle(regular, 9, 11.5), small=TextStyle(regular, 7.5, 9, GREY),
                  cell=TextStyle(regular, 8.5, 10.5), head=TextStyle(bold, 8.5, 10.5),
                  title=TextStyle(bold, 20, 24), product=TextStyle(bold, 12, 15),
                  section=TextStyle(bold, 11, 14))


SECTION_BEFORE, SECTION_AFTER = 9.0, 4.0
CODES_WIDTH = 62 * mm
QR_SIZE = 34 * mm
QR_BORDER = 4  # modules of quiet zone
_DIGITS = bytes.maketrans(b"\x00\x01", b"01")
_DARK_RUN = re.compile(rb"1+")


def place_sheet(flow: Flow, sheet: JobSheetData) -> None:
    s = styles()
    _place_header(flow, sheet, s)
    _place_pick_list(flow, sheet, s)
    _place_operations(flow, sheet, s)
    _place_design(flow, sheet, s)
    _place_notes(flow, sheet, s)


def _q(value: object) -> str:
    return format_quantity(value)  # type: ignore[arg-type]


# --- header ----------------------------------------------------------------------------------


def _customer(sheet: JobSheetData) -> str:
    if not sheet.customer_order_number:
        return "—"
    text = sheet.customer_order_number
    if sheet.customer_order_line_no is not None:
        text += f" / line {sheet.customer_order_line_no}"
    if sheet.customer_name:
        text += f" — {sheet.customer_name}"
    return text


def _place_header(flow: Flow, sheet: JobSheetData, s: Styles) -> None:
    left, top, width = flow.frame.left, flow.y, flow.frame.width
    room = width - CODES_WIDTH
    lines = Cell([*s.small.lines("JOB SHEET", room), *s.title.lines(sheet.number, room)])
    product = Cell(s.product.lines(f"{sheet.sku} — {sheet.product_name}", room))
    facts_top = top - lines.height - 2 * mm - product.height - 2 * mm
    facts = _facts(sheet, s, width)
    rule = FACT_LABEL + width - CODES_WIDTH - 32 * mm
    left_height = top - facts_top + sum(height for _, _, height in facts)
    codes = _Codes(sheet.number, s)
    height = max(left_height, codes.height) + 4 * mm

    def draw(ink: Ink) -> None:
        draw_lines(ink, lines, left, left + room, top)
        draw_lines(ink, product, left, left + room, top - lines.height - 2 * mm)
        _draw_facts(ink, facts, left, facts_top, rule)
        codes.draw(ink, left + room, top)
        ink.lines([(left, top - height, left + width, top - height)], 1, BLACK)

    flow.draw(draw)
    flow.advance(height)


FACT_LABEL = 30 * mm
FACT_PADDING = 1.5


def _facts(sheet: JobSheetData, s: Styles, width: float) -> list[tuple[Cell, Cell, float]]:
    facts = (("Quantity", f"{_q(sheet.quantity)} {sheet.unit}"),
             ("Making site", f"{sheet.site_code} — {sheet.site_name}"),
             ("Due date", sheet.due_date.isoformat()),
             ("Customer order", _customer(sheet)),
             ("State / priority", f"{sheet.state.value} / {sheet.priority}"))
    value_width = width - CODES_WIDTH - 32 * mm
    rows = []
    for label, value in facts:
        label_cell = s.small.cell(label, FACT_LABEL - 6)
        value_cell = s.body.cell(value, value_width - 6)
        height = max(label_cell.height, value_cell.height) + 2 * FACT_PADDING
        rows.append((label_cell, value_cell, height))
    return rows


def _draw_facts(ink: Ink, facts: list[tuple[Cell, Cell, float]], left: float,
                top: float, rule: float) -> None:
    value_left = left + FACT_LABEL
    rules = []
    for index, (label, value, height) in enumerate(facts):
        draw_lines(ink, label, left, value_left, top - FACT_PADDING)
        draw_lines(ink, value, value_left, value_left + 200, top - FACT_PADDING)
        top -= height
        if index < len(facts) - 1:
            rules.append((left, top, left + rule, top))
    ink.lines(rules, 0.25, SHADE)


class _Codes:
    """The right of the header: QR code, Code128 and the number under them, centred."""

    def __init__(self, number: str, s: Styles) -> None:
        self.number = number
        self.modules = qr_modules(number)
        self.bars = code128_bars(number)
        self.bar_width = min(BAR_WIDTH, (CODES_WIDTH - 4 * mm) / (sum(self.bars) + 20))
        self.label = s.small
        self.height = QR_SIZE + 2 * mm + BAR_HEIGHT + s.small.leading

    def draw(self, ink: Ink, left: float, top: float) -> None:
        centre = left + CODES_WIDTH / 2
        _draw_qr(ink, self.modules, centre - QR_SIZE / 2, top - QR_SIZE, QR_SIZE)
        bar_top = top - QR_SIZE - 2 * mm
        width = sum(self.bars) * self.bar_width
        _draw_bars(ink, self.bars, centre - width / 2, bar_top - BAR_HEIGHT, self.bar_width)
        ink.text(centre, bar_top - BAR_HEIGHT - self.label.size, self.number,
                 self.label.font, self.label.size, self.label.colour, CENTRE)


BAR_WIDTH = 0.33 * mm  # the narrowest bar: readable by any handheld scanner
BAR_HEIGHT = 12 * mm


def code128_bars(value: str) -> list[int]:
    """The Code128 symbol of ``value`` (ReportLab's encoder: start code, checksum, stop) as
    widths in modules, bar and space alternating, starting with a bar."""
    barcode = Code128(value, barWidth=1, quiet=0, humanReadable=False)
    barcode.validate()
    barcode.encode()
    barcode.decompose()
    # ReportLab's decomposition: an upper-case letter is a bar, a lower-case one a space, of
    # (letter - 'A' + 1) modules.
    return [ord(char.upper()) - ord("A") + 1 for char in barcode.decomposed]


def _draw_bars(ink: Ink, bars: Sequence[int], x: float, y: float, module: float) -> None:
    """Bars as one filled path in module units (a ``cm`` scales them to the page)."""
    rects = []
    position = 0
    for index, width in enumerate(bars):
        if index % 2 == 0:
            rects.append(f"{position} 0 {width} 1 re")
        position += width
    ink.canvas._code.append(f"q {fp_str(module, 0, 0, BAR_HEIGHT, x, y)} cm 0 0 0 rg "
                            f"{' '.join(rects)} f Q")


def _draw_qr(ink: Ink, modules: Sequence[Sequence[bool]], x: float, y: float,
             size: float) -> None:
    """The QR code as one filled path of dark runs, in module units (a ``cm`` scales them to
    the page, so every coordinate is a small integer), quiet zone included."""
    count = len(modules)
    box = size / (count + 2 * QR_BORDER)
    rects: list[str] = []
    for r, row in enumerate(modules):
        row_y = count - 1 - r
        line = bytes(row).translate(_DIGITS)  # b"0110...": the runs found by the regex, in C
        rects.extend(f"{run.start()} {row_y} {run.end() - run.start()} 1 re"
                     for run in _DARK_RUN.finditer(line))
    origin = fp_str(box, 0, 0, box, x + QR_BORDER * box, y + QR_BORDER * box)
    ink.canvas._code.append(f"q {origin} cm 0 0 0 rg {' '.join(rects)} f Q")


# --- tables ----------------------------------------------------------------------------------


def _heading_height(flow: Flow, text: str, s: Styles) -> float:
    """The height a section heading takes, with the space after it."""
    cell = s.section.cell(text, flow.frame.width)
    return cell.height + SECTION_AFTER


def _place_heading(flow: Flow, text: str, s: Styles) -> None:
    cell = s.section.cell(text, flow.frame.width)
    left, right, top = flow.frame.left, flow.frame.right, flow.y
    flow.draw(lambda ink: draw_lines(ink, cell, left, right, top))
    flow.advance(cell.height + SECTION_AFTER)


def _place_table(flow: Flow, heading: str, table: Table, rows: Sequence[Row],
                 s: Styles) -> None:
    flow.space(SECTION_BEFORE)
    table.place(flow, rows, keep_with_first=_heading_height(flow, heading, s),
                before_first=lambda f: _place_heading(f, heading, s))


def _place_empty(flow: Flow, heading: str, text: str, s: Styles) -> None:
    flow.space(SECTION_BEFORE)
    line = s.body.cell(text, flow.frame.width)
    flow.make_room(_heading_height(flow, heading, s) + line.height)
    _place_heading(flow, heading, s)
    left, right, top = flow.frame.left, flow.frame.right, flow.y
    flow.draw(lambda ink: draw_lines(ink, line, left, right, top))
    flow.advance(line.height)


PICK_FIXED = (9 * mm, 31 * mm, None, 16 * mm, 12 * mm, 21 * mm, 24 * mm, 16 * mm)
PICK_TITLES = ("#", "SKU", "Component", "Qty", "Unit", "Location", "Lot", "Picked")
QTY = 3
NUMBERS = (0, QTY)  # line number and quantity: one line each, never broken


def _widths(fixed: Sequence[float | None], width: float) -> list[float]:
    flexible = width - sum(w for w in fixed if w is not None)
    return [flexible if w is None else w for w in fixed]


def _header_row(titles: Sequence[str], style: TableStyle, s: Styles,
                right: int | None = None) -> Row:
    cells = [s.head.cell(title, width - 2 * style.padding,
                         RIGHT if index == right else LEFT)
             for index, (title, width) in enumerate(zip(titles, style.widths, strict=True))]
    return Row(cells, row_height(cells, style))


def _location(row: PickRow, reserved: bool) -> str:
    if row.location is not None:
        return row.location
    return "not reserved" if reserved else "no stock"


def _place_pick_list(flow: Flow, sheet: JobSheetData, s: Styles) -> None:
    source = ("reserved at release" if sheet.pick_list_reserved
              else "from the bill of materials; not reserved yet")
    heading = f"Pick list ({source})"
    if not sheet.pick_list:
        _place_empty(flow, heading, "No components.", s)
        return
    style = TableStyle(_widths(PICK_FIXED, flow.frame.width), GRID, SHADE)
    rooms = [w - 2 * style.padding for w in style.widths]
    rows = []
    for item in sheet.pick_list:
        texts = (str(item.line_no), item.sku, item.name, _q(item.quantity), item.unit,
                 _location(item, sheet.pick_list_reserved), item.lot or "")
        cells: list[Cell | None] = [
            s.cell.number(text, room, RIGHT if index == QTY else LEFT) if index in NUMBERS
            else s.cell.cell(text, room)
            for index, (text, room) in enumerate(zip(texts, rooms, strict=False))]
        if item.location is None:  # "not reserved" / "no stock" in red
            cells[5] = Cell([(*line[:4], MISSING) for line in cells[5].lines])  # type: ignore[union-attr]
        rows.append(Row(cells, row_height(cells, style)))
    table = Table(_header_row(PICK_TITLES, style, s, right=QTY), style)
    _place_table(flow, heading, table, rows, s)


OPS_FIXED = (12 * mm, None, 18 * mm, 24 * mm, 24 * mm, 16 * mm, 16 * mm, 28 * mm)
OPS_TITLES = ("Seq", "Operation", "Std min", "Start", "Finish", "Good", "Scrap", "Sign-off")
OPS_ROW = 12 * mm  # room to write times and quantities by hand


def _place_operations(flow: Flow, sheet: JobSheetData, s: Styles) -> None:
    if not sheet.operations:
        _place_empty(flow, "Operations", "No operations.", s)
        return
    style = TableStyle(_widths(OPS_FIXED, flow.frame.width), GRID, SHADE, middle=False)
    rooms = [w - 2 * style.padding for w in style.widths]
    rows = []
    for op in sheet.operations:
        label = s.cell.lines(op.name, rooms[1])
        if op.capability:
            label += s.small.lines(op.capability, rooms[1])
        minutes = op.setup_minutes + op.run_minutes * sheet.quantity
        cells = [s.cell.number(str(op.sequence), rooms[0]), Cell(label),
                 s.cell.number(_q(minutes), rooms[2])]
        rows.append(Row(cells, row_height(cells, style, OPS_ROW)))
    header = _header_row(OPS_TITLES, style, s)
    _place_table(flow, "Operations", Table(header, style), rows, s)


# --- design file and notes --------------------------------------------------------------------

THUMB_COLUMN = 74 * mm
THUMB_BOX = (70 * mm, 50 * mm)
BLOCK_PADDING = 3.0  # a platypus table cell's default top and bottom padding


def _place_design(flow: Flow, sheet: JobSheetData, s: Styles) -> None:
    design = sheet.design
    heading = "Design file"
    if design is None:
        _place_empty(flow, heading, "No design file.", s)
        return
    room = flow.frame.width - THUMB_COLUMN - 6
    text = Cell([*s.body.lines(f"{design.name}   (version {design.version})", room),
                 *s.small.lines(f"SHA-256 {design.short_hash}…", room)])
    picture = thumbnail(design.image, design.sha256, *THUMB_BOX) if design.image else None
    content = max(text.height, picture.height if picture else 0.0) + 2 * BLOCK_PADDING
    flow.space(SECTION_BEFORE)
    flow.make_room(_heading_height(flow, heading, s) + content)
    _place_heading(flow, heading, s)
    left, right, top = flow.frame.left, flow.frame.right, flow.y

    def draw(ink: Ink) -> None:
        draw_lines(ink, text, left, right, top - BLOCK_PADDING)
        if picture is not None:
            picture.draw(ink.canvas, right - 6 - picture.width,
                         top - BLOCK_PADDING - picture.height)

    flow.draw(draw)
    flow.advance(content)


NOTES_EMPTY = 25 * mm
NOTES_BLANK = 18 * mm


def _place_notes(flow: Flow, sheet: JobSheetData, s: Styles) -> None:
    heading = "Notes"
    text = sheet.notes.strip()
    width = flow.frame.width
    lines = s.body.lines(text, width - 12) if text else []
    box = sum(line[3] for line in lines) + 2 * BLOCK_PADDING if text else NOTES_EMPTY
    after = 2 * mm + NOTES_BLANK if text else 0.0
    flow.space(SECTION_BEFORE)
    whole = _heading_height(flow, heading, s) + box + after
    if whole > flow.frame.top - flow.frame.bottom:  # more than a page: start it here
        whole = _heading_height(flow, heading, s) + 2 * BLOCK_PADDING + 3 * s.body.leading
    flow.make_room(whole)
    _place_heading(flow, heading, s)
    _place_boxed_lines(flow, lines, box)
    if text:
        flow.advance(2 * mm)
        flow.make_room(NOTES_BLANK)
        _place_box(flow, NOTES_BLANK)


def _place_box(flow: Flow, height: float) -> None:
    left, top, width = flow.frame.left, flow.y, flow.frame.width
    flow.draw(lambda ink: ink.box(left, top - height, width, height, 0.4, GRID))
    flow.advance(height)


def _place_boxed_lines(flow: Flow, lines: list[tuple[str, str, float, float, Color | None]],
                       height: float) -> None:
    """Lines of text in a box; notes longer than the page go on in a box on the next."""
    if not lines:
        _place_box(flow, height)
        return
    remaining = list(lines)
    while remaining:
        room = flow.room - 2 * BLOCK_PADDING
        count, used = 0, 0.0
        while count < len(remaining) and (used + remaining[count][3] <= room or count == 0):
            used += remaining[count][3]
            count += 1
        cell = Cell(remaining[:count])
        remaining = remaining[count:]
        box = used + 2 * BLOCK_PADDING
        flow.draw(_boxed(cell, flow.frame.left, flow.frame.right, flow.y, box))
        flow.advance(box)
        if remaining:
            flow.new_page()


def _boxed(cell: Cell, left: float, right: float, top: float, height: float) -> Step:
    def draw(ink: Ink) -> None:
        draw_lines(ink, cell, left + 6, right - 6, top - BLOCK_PADDING)
        ink.box(left, top - height, right - left, height, 0.4, GRID)

    return draw
