"""documents.pdf.flow: blocks that do not fit go to the next page, a table's header row is
repeated on every page it continues on, and a heading stays with the table's first row.
Drawn into a real PDF and read back with pdftotext, page by page."""

from __future__ import annotations

import subprocess
from pathlib import Path

from reportlab.lib import colors
from reportlab.pdfgen.canvas import Canvas

from dmdesk.documents.pdf.flow import Cell, Flow, Frame, Row, Table, TableStyle
from dmdesk.documents.pdf.fonts import register_fonts
from dmdesk.documents.pdf.ink import Ink
from tests.helpers import require_tool

FRAME = Frame(left=40, right=300, top=380, bottom=40)  # 340 points high


def _cell(text: str, font: str) -> Cell:
    return Cell([(text, font, 9, 11, None)])


def _pages(flow: Flow, out: Path) -> list[str]:
    canvas = Canvas(str(out), pagesize=(340, 420))
    for steps in flow.pages:
        ink = Ink(canvas)
        for step in steps:
            step(ink)
        canvas.showPage()
    canvas.save()
    text = subprocess.run([require_tool("pdftotext"), str(out), "-"], capture_output=True,
                          text=True, check=True).stdout
    return text.split("\f")[:len(flow.pages)]


def _table(font: str, bold: str) -> Table:
    style = TableStyle([60, 200], colors.grey, colors.lightgrey)
    return Table(Row([_cell("Item", bold), _cell("Description", bold)], 15), style)


def test_a_heading_moves_with_the_first_row_and_the_header_repeats(tmp_path: Path) -> None:
    font, bold = register_fonts()
    flow = Flow(FRAME)
    flow.draw(lambda ink: ink.text(40, 370, "Opening block", font, 9))
    flow.advance(300)  # 40 points left: heading (20) + header (15) + a row (15) do not fit

    def heading(f: Flow) -> None:
        top = f.y
        f.draw(lambda ink: ink.text(40, top - 12, "Parts heading", bold, 11))
        f.advance(20)

    rows = [Row([_cell(f"R{n:02d}", font), _cell(f"row number {n}", font)], 15)
            for n in range(1, 41)]
    _table(font, bold).place(flow, rows, keep_with_first=20, before_first=heading)
    pages = _pages(flow, tmp_path / "flow.pdf")

    assert len(pages) == 3  # 20 rows fit under the heading and header, 21 under a header
    assert "Opening block" in pages[0] and "Parts heading" not in pages[0]
    assert "Parts heading" in pages[1] and "R01" in pages[1]
    for page in pages[1:]:
        assert "Item" in page and "Description" in page  # the header row, on every page
    placed = [f"R{n:02d}" for n in range(1, 41)]
    assert all(sum(name in page for page in pages) == 1 for name in placed)  # each once
    assert "R40" in pages[2]


def test_a_block_that_fits_stays_and_space_is_dropped_at_the_top_of_a_page() -> None:
    flow = Flow(FRAME)
    flow.space(9)  # nothing above it on the page: no space
    assert flow.y == FRAME.top
    flow.advance(100)
    flow.make_room(200)  # fits in the 240 left
    assert len(flow.pages) == 1
    flow.make_room(260)  # does not: a new page
    assert len(flow.pages) == 2 and flow.y == FRAME.top
    flow.make_room(1000)  # taller than a page, on an empty page: placed anyway
    assert len(flow.pages) == 2
