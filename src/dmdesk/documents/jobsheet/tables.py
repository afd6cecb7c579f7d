"""The job sheet's two tables: the pick list (what to take from where) and the operations
(with boxes to fill in by hand)."""

from __future__ import annotations

from collections.abc import Sequence

from reportlab.lib.units import mm

from dmdesk.documents.jobsheet.sections import place_empty, place_table
from dmdesk.documents.jobsheet.styles import GRID, MISSING, SHADE, Styles
from dmdesk.documents.pdf.flow import Cell, Flow, Row, Table, TableStyle, row_height
from dmdesk.documents.pdf.ink import LEFT, RIGHT
from dmdesk.domain.quantity import format_quantity
from dmdesk.queries.jobsheet import JobSheetData, PickRow


def quantity_text(value: object) -> str:
    return format_quantity(value)  # type: ignore[arg-type]


# The lot column fits a lot named after its work order (WH-WO-00222) on one line, the
# location one a site and location code (POR / RAW).
PICK_FIXED = (8 * mm, 30 * mm, None, 14 * mm, 12 * mm, 24 * mm, 27 * mm, 16 * mm)
PICK_TITLES = ("#", "SKU", "Component", "Qty", "Unit", "Location", "Lot", "Picked")
QTY = 3
NUMBERS = (0, QTY)  # line number and quantity: one line each, never broken


def column_widths(fixed: Sequence[float | None], width: float) -> list[float]:
    flexible = width - sum(w for w in fixed if w is not None)
    return [flexible if w is None else w for w in fixed]


def header_row(titles: Sequence[str], style: TableStyle, s: Styles,
                right: int | None = None) -> Row:
    cells = [s.head.cell(title, width - 2 * style.padding,
                         RIGHT if index == right else LEFT)
             for index, (title, width) in enumerate(zip(titles, style.widths, strict=True))]
    return Row(cells, row_height(cells, style))


def _location(row: PickRow, sheet: JobSheetData) -> str:
    """Where to take it, with the site (the making site's stock: reserved or planned there)."""
    if row.location is not None:
        return f"{sheet.site_code} / {row.location}"
    return "not reserved" if sheet.pick_list_reserved else "no stock"


def _pick_texts(item: PickRow, previous: PickRow | None, sheet: JobSheetData) -> list[str]:
    """A line's first row names the component; its further rows (another lot or location, or
    what is still missing) leave number, SKU and name blank so it does not read as a second
    line of the same component."""
    again = previous is not None and previous.line_no == item.line_no
    head = ["", "", ""] if again else [str(item.line_no), item.sku, item.name]
    return [*head, quantity_text(item.quantity), item.unit, _location(item, sheet),
            item.lot or ""]


def place_pick_list(flow: Flow, sheet: JobSheetData, s: Styles) -> None:
    source = ("reserved at release" if sheet.pick_list_reserved
              else "from the bill of materials; not reserved yet")
    heading = f"Pick list ({source})"
    if not sheet.pick_list:
        place_empty(flow, heading, "No components.", s)
        return
    style = TableStyle(column_widths(PICK_FIXED, flow.frame.width), GRID, SHADE)
    rooms = [w - 2 * style.padding for w in style.widths]
    rows = []
    for item, previous in zip(sheet.pick_list, (None, *sheet.pick_list), strict=False):
        texts = _pick_texts(item, previous, sheet)
        cells: list[Cell | None] = [
            s.cell.number(text, room, RIGHT if index == QTY else LEFT) if index in NUMBERS
            else s.cell.cell(text, room)
            for index, (text, room) in enumerate(zip(texts, rooms, strict=False))]
        if item.location is None:  # "not reserved" / "no stock" in red
            cells[5] = Cell([(*line[:4], MISSING) for line in cells[5].lines])  # type: ignore[union-attr]
        rows.append(Row(cells, row_height(cells, style)))
    table = Table(header_row(PICK_TITLES, style, s, right=QTY), style)
    place_table(flow, heading, table, rows, s)


OPS_FIXED = (12 * mm, None, 18 * mm, 24 * mm, 24 * mm, 16 * mm, 16 * mm, 28 * mm)
OPS_TITLES = ("Seq", "Operation", "Std min", "Start", "Finish", "Good", "Scrap", "Sign-off")
OPS_ROW = 12 * mm  # room to write times and quantities by hand


def place_operations(flow: Flow, sheet: JobSheetData, s: Styles) -> None:
    if not sheet.operations:
        place_empty(flow, "Operations", "No operations.", s)
        return
    style = TableStyle(column_widths(OPS_FIXED, flow.frame.width), GRID, SHADE, middle=False)
    rooms = [w - 2 * style.padding for w in style.widths]
    rows = []
    for op in sheet.operations:
        label = s.cell.lines(op.name, rooms[1])
        if op.capability:
            label += s.small.lines(op.capability, rooms[1])
        minutes = op.setup_minutes + op.run_minutes * sheet.quantity
        cells = [s.cell.number(str(op.sequence), rooms[0]), Cell(label),
                 s.cell.number(quantity_text(minutes), rooms[2])]
        rows.append(Row(cells, row_height(cells, style, OPS_ROW)))
    header = header_row(OPS_TITLES, style, s)
    place_table(flow, "Operations", Table(header, style), rows, s)
