"""Sections of a job sheet: a heading kept with what follows it, a section with one line of
text, a grid table under its heading, boxes and boxed text that go on over pages."""

from __future__ import annotations

from collections.abc import Sequence

from reportlab.lib.colors import Color

from dmdesk.documents.jobsheet.styles import GRID, SECTION_AFTER, SECTION_BEFORE, Styles
from dmdesk.documents.pdf.flow import Cell, Flow, Row, Step, Table, draw_lines
from dmdesk.documents.pdf.ink import Ink

BLOCK_PADDING = 3.0  # a platypus table cell's default top and bottom padding


def heading_height(flow: Flow, text: str, s: Styles) -> float:
    """The height a section heading takes, with the space after it."""
    cell = s.section.cell(text, flow.frame.width)
    return cell.height + SECTION_AFTER


def place_heading(flow: Flow, text: str, s: Styles) -> None:
    cell = s.section.cell(text, flow.frame.width)
    left, right, top = flow.frame.left, flow.frame.right, flow.y
    flow.draw(lambda ink: draw_lines(ink, cell, left, right, top))
    flow.advance(cell.height + SECTION_AFTER)


def place_table(flow: Flow, heading: str, table: Table, rows: Sequence[Row],
                 s: Styles) -> None:
    flow.space(SECTION_BEFORE)
    table.place(flow, rows, keep_with_first=heading_height(flow, heading, s),
                before_first=lambda f: place_heading(f, heading, s))


def place_empty(flow: Flow, heading: str, text: str, s: Styles) -> None:
    flow.space(SECTION_BEFORE)
    line = s.body.cell(text, flow.frame.width)
    flow.make_room(heading_height(flow, heading, s) + line.height)
    place_heading(flow, heading, s)
    left, right, top = flow.frame.left, flow.frame.right, flow.y
    flow.draw(lambda ink: draw_lines(ink, line, left, right, top))
    flow.advance(line.height)


def place_box(flow: Flow, height: float) -> None:
    left, top, width = flow.frame.left, flow.y, flow.frame.width
    flow.draw(lambda ink: ink.box(left, top - height, width, height, 0.4, GRID))
    flow.advance(height)


def place_boxed_lines(flow: Flow, lines: list[tuple[str, str, float, float, Color | None]],
                       height: float) -> None:
    """Lines of text in a box; notes longer than the page go on in a box on the next."""
    if not lines:
        place_box(flow, height)
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
