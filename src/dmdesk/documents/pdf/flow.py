"""Placing blocks down the pages of a document whose layout is computed in advance.

A ``Flow`` is the vertical cursor of one sheet: blocks are placed top to bottom, and a block
that does not fit the room left on the page starts a new page (unless the page is still empty:
then it is placed anyway, and may run off the frame, as platypus does with a flowable taller
than a page). Nothing is drawn while placing: each page keeps the drawing steps placed on it,
so the number of pages is known before the first is drawn ("page x of y").

``Table`` flows rows of a grid table: its header row is repeated at the top of every page it
continues on, and a heading placed just before it stays with its first row.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from reportlab.lib.colors import Color

from dmdesk.documents.pdf.ink import CENTRE, LEFT, RIGHT, Ink

Step = Callable[[Ink], None]


@dataclass(frozen=True)
class Frame:
    """The area of a page that content may fill (points, origin at the bottom left)."""

    left: float
    right: float
    top: float
    bottom: float

    @property
    def width(self) -> float:
        return self.right - self.left


@dataclass
class Flow:
    frame: Frame
    pages: list[list[Step]] = field(default_factory=lambda: [[]])
    y: float = 0.0

    def __post_init__(self) -> None:
        self.y = self.frame.top

    @property
    def at_top(self) -> bool:
        return self.y >= self.frame.top

    @property
    def room(self) -> float:
        return self.y - self.frame.bottom

    def new_page(self) -> None:
        self.pages.append([])
        self.y = self.frame.top

    def make_room(self, height: float) -> None:
        """Start a new page unless ``height`` fits below the cursor (or the page is empty)."""
        if height > self.room and not self.at_top:
            self.new_page()

    def space(self, height: float) -> None:
        """Vertical space between blocks; none at the top of a page."""
        if not self.at_top:
            self.y -= height

    def draw(self, step: Step) -> None:
        self.pages[-1].append(step)

    def advance(self, height: float) -> None:
        self.y -= height


@dataclass(frozen=True)
class Cell:
    """A cell's text lines (each with its font, size, leading and colour) and alignment."""

    lines: Sequence[tuple[str, str, float, float, Color | None]]
    align: str = LEFT

    @property
    def height(self) -> float:
        return sum(line[3] for line in self.lines)


@dataclass(frozen=True)
class TableStyle:
    widths: Sequence[float]
    grid: Color
    shade: Color
    padding: float = 6.0  # left and right
    top_padding: float = 2.0
    bottom_padding: float = 2.0
    middle: bool = True  # vertically centred; else from the top


@dataclass(frozen=True)
class Row:
    cells: Sequence[Cell | None]
    height: float


def row_height(cells: Sequence[Cell | None], style: TableStyle, minimum: float = 0.0) -> float:
    content = max((cell.height for cell in cells if cell is not None), default=0.0)
    return max(minimum, content + style.top_padding + style.bottom_padding)


class Table:
    """Rows flowed onto pages, the header row repeated on each; grid and shaded header."""

    def __init__(self, header: Row, style: TableStyle) -> None:
        self.header = header
        self.style = style

    def place(self, flow: Flow, rows: Sequence[Row], keep_with_first: float = 0.0,
              before_first: Callable[[Flow], None] | None = None) -> None:
        """Place the rows; ``before_first`` places a heading ``keep_with_first`` high that
        must stay on the page of the first row."""
        segment: list[tuple[float, Row]] = []
        for index, row in enumerate(rows):
            needed = row.height + (self.header.height if not segment else 0.0)
            if index == 0:
                flow.make_room(needed + keep_with_first)
                if before_first is not None:
                    before_first(flow)
            elif needed > flow.room:
                self._flush(flow, segment)
                segment = []
                flow.new_page()
            if not segment:
                segment.append((flow.y, self.header))
                flow.advance(self.header.height)
            segment.append((flow.y, row))
            flow.advance(row.height)
        self._flush(flow, segment)

    def _flush(self, flow: Flow, segment: list[tuple[float, Row]]) -> None:
        if segment:
            left = flow.frame.left
            placed = list(segment)
            flow.draw(lambda ink: self._draw(ink, left, placed))

    def _draw(self, ink: Ink, left: float, placed: list[tuple[float, Row]]) -> None:
        style = self.style
        widths = style.widths
        right = left + sum(widths)
        top = placed[0][0]
        bottom = placed[-1][0] - placed[-1][1].height
        ink.fill([(left, top - self.header.height, right - left, self.header.height)],
                 style.shade)
        rules = [(left, top, right, top)]
        for y, row in placed:
            rules.append((left, y - row.height, right, y - row.height))
            self._draw_cells(ink, left, y, row)
        x = left
        for width in (0.0, *widths):
            x += width
            rules.append((x, top, x, bottom))
        ink.lines(rules, 0.4, style.grid)

    def _draw_cells(self, ink: Ink, left: float, top: float, row: Row) -> None:
        style = self.style
        x = left
        for width, cell in zip(style.widths, row.cells, strict=False):
            if cell is not None and cell.lines:
                if style.middle:
                    y = top - (row.height - cell.height) / 2
                else:
                    y = top - style.top_padding
                draw_lines(ink, cell, x + style.padding, x + width - style.padding, y)
            x += width


def draw_lines(ink: Ink, cell: Cell, left: float, right: float, top: float) -> None:
    """A cell's lines stacked by their leading from ``top``, each baseline one font size below
    the top of its slot (as platypus sets a line)."""
    for text, font, size, leading, colour in cell.lines:
        if cell.align == RIGHT:
            x = right
        elif cell.align == CENTRE:
            x = (left + right) / 2
        else:
            x = left
        ink.text(x, top - size, text, font, size, colour, cell.align)
        top -= leading
