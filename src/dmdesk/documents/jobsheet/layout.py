"""A job sheet placed on a ``Flow``: header with codes, pick list, operations, design file,
notes. Sizes, fonts and rules are those the sheet had when platypus set it."""

from __future__ import annotations

from reportlab.lib.units import mm

from dmdesk.documents.jobsheet.codes import CODES_WIDTH, Codes
from dmdesk.documents.jobsheet.sections import (
    BLOCK_PADDING,
    heading_height,
    place_box,
    place_boxed_lines,
    place_empty,
    place_heading,
)
from dmdesk.documents.jobsheet.styles import BLACK, SECTION_BEFORE, SHADE, Styles, styles
from dmdesk.documents.jobsheet.tables import place_operations, place_pick_list, quantity_text
from dmdesk.documents.pdf.flow import Cell, Flow, draw_lines
from dmdesk.documents.pdf.ink import Ink
from dmdesk.documents.pdf.thumbnails import thumbnail
from dmdesk.domain.work_order_states import label as state_label
from dmdesk.queries.jobsheet import JobSheetData


def place_sheet(flow: Flow, sheet: JobSheetData) -> None:
    s = styles()
    _place_header(flow, sheet, s)
    place_pick_list(flow, sheet, s)
    place_operations(flow, sheet, s)
    _place_design(flow, sheet, s)
    _place_notes(flow, sheet, s)


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
    rule = FACT_LABEL + _fact_value_width(width)  # under label and value
    left_height = top - facts_top + sum(height for _, _, height in facts)
    codes = Codes(sheet.number, s)
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


def _fact_value_width(width: float) -> float:
    return float(width - CODES_WIDTH - 32 * mm)


def _facts(sheet: JobSheetData, s: Styles, width: float) -> list[tuple[Cell, Cell, float]]:
    facts = (("Quantity", f"{quantity_text(sheet.quantity)} {sheet.unit}"),
             # No name: the site's row is not shared with this database (its code says so).
             ("Making site", " — ".join(filter(None, (sheet.site_code, sheet.site_name)))),
             ("Due date", sheet.due_date.isoformat()),
             ("Customer order", _customer(sheet)),
             ("State / priority", f"{state_label(sheet.state)} / {sheet.priority}"))
    value_width = _fact_value_width(width)
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
        draw_lines(ink, value, value_left, left + rule, top - FACT_PADDING)
        top -= height
        if index < len(facts) - 1:
            rules.append((left, top, left + rule, top))
    ink.lines(rules, 0.25, SHADE)


# --- design file and notes --------------------------------------------------------------------

THUMB_COLUMN = 74 * mm
THUMB_BOX = (70 * mm, 50 * mm)


def _place_design(flow: Flow, sheet: JobSheetData, s: Styles) -> None:
    design = sheet.design
    heading = "Design file"
    if design is None:
        place_empty(flow, heading, "No design file.", s)
        return
    room = flow.frame.width - THUMB_COLUMN - 6
    text = Cell([*s.body.lines(f"{design.name}   (version {design.version})", room),
                 *s.small.lines(f"SHA-256 {design.short_hash}…", room)])
    picture = thumbnail(design.image, design.sha256, *THUMB_BOX) if design.image else None
    content = max(text.height, picture.height if picture else 0.0) + 2 * BLOCK_PADDING
    flow.space(SECTION_BEFORE)
    flow.make_room(heading_height(flow, heading, s) + content)
    place_heading(flow, heading, s)
    left, right, top = flow.frame.left, flow.frame.right, flow.y

    def draw(ink: Ink) -> None:
        draw_lines(ink, text, left, right, top - BLOCK_PADDING)
        if picture is not None:
            picture.draw(ink.canvas, right - 6 - picture.width,
                         top - BLOCK_PADDING - picture.height)

    flow.draw(draw)
    flow.advance(content)


NOTES_EMPTY = 25 * mm
NOTES_BLANK = 18 * mm  # room to write by hand under typed notes
NOTES_BLANK_LEAST = 8 * mm  # smaller than this, there is no room to write: left out
NOTES_GAP = 2 * mm


def _place_notes(flow: Flow, sheet: JobSheetData, s: Styles) -> None:
    heading = "Notes"
    text = sheet.notes.strip()
    width = flow.frame.width
    lines = s.body.lines(text, width - 12) if text else []
    box = sum(line[3] for line in lines) + 2 * BLOCK_PADDING if text else NOTES_EMPTY
    flow.space(SECTION_BEFORE)
    # The typed notes are kept together; the box to write in under them takes the room that
    # is left, so a sheet never gets a page of its own for a line of notes and an empty box.
    whole = heading_height(flow, heading, s) + box
    if whole > flow.frame.top - flow.frame.bottom:  # more than a page: start it here
        whole = heading_height(flow, heading, s) + 2 * BLOCK_PADDING + 3 * s.body.leading
    flow.make_room(whole)
    place_heading(flow, heading, s)
    place_boxed_lines(flow, lines, box)
    blank = min(NOTES_BLANK, flow.room - NOTES_GAP)
    if text and blank >= NOTES_BLANK_LEAST:
        flow.advance(NOTES_GAP)
        place_box(flow, blank)
