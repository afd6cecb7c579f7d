"""A titled document laid out down pages: letter head, title, flowing blocks, footer.

A document is a list of *blocks*, each a function that places itself on a ``sheet_flow.Flow``
(``Flow.make_room``, ``Flow.draw``, ``Flow.advance``, or the ready-made sections of
``sheet_sections``: headings, grid tables whose header row repeats, boxes, boxed text). The
whole document is placed before anything is drawn, so each page's footer knows the page count.
A purchase order, say::

    def lines(flow: Flow, s: Styles) -> None:
        place_table(flow, "Lines", Table(header, style), rows, s)

    write_document(out, "Purchase order PO-00042", company, [lines], label="PO-00042")

The PDF is written to a temporary file beside ``out`` and moved into place when complete, so a
failure leaves no half-written file (and an existing ``out`` untouched).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import BinaryIO

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from dmdesk.documents.jobsheet.styles import SECTION_AFTER, Styles, styles
from dmdesk.documents.kit.footer import FOOTER_HEIGHT, draw_footer
from dmdesk.documents.kit.header import place_letterhead
from dmdesk.documents.pdf.flow import Cell, Flow, Frame, draw_lines
from dmdesk.documents.pdf.ink import Ink
from dmdesk.domain.errors import ValidationError
from dmdesk.queries.settings import CompanyProfile

MARGIN = 14 * mm
FRAME_PADDING = 6  # points inside the margin (where platypus's frame put the content)

Block = Callable[[Flow, Styles], None]


def page_frame(size: tuple[float, float]) -> Frame:
    """The area a page's content fills: inside the margins, above the footer."""
    width, height = size
    return Frame(left=MARGIN + FRAME_PADDING, right=width - MARGIN - FRAME_PADDING,
                 top=height - MARGIN - FRAME_PADDING,
                 bottom=MARGIN + FOOTER_HEIGHT + FRAME_PADDING)


def new_canvas(target: Path | BinaryIO, size: tuple[float, float], title: str,
               subject: str) -> Canvas:
    """A canvas writing to ``target`` with the document's metadata, DejaVu Sans preset."""
    destination = str(target) if isinstance(target, Path) else target
    canvas = Canvas(destination, pagesize=size, initialFontName=styles().regular)
    canvas.setTitle(title)
    canvas.setAuthor("dmdesk")
    canvas.setSubject(subject)
    canvas.setCreator("dmdesk")
    return canvas


def draw_pages(canvas: Canvas, flow: Flow, label: str) -> int:
    """Draw the pages placed on ``flow``, each with the footer ("``label`` ... Page x of y");
    return their count."""
    total = len(flow.pages)
    for number, steps in enumerate(flow.pages, start=1):
        ink = Ink(canvas)
        for step in steps:
            step(ink)
        draw_footer(ink, flow.frame, MARGIN, label, number, total)
        canvas.showPage()
    return total


def place_title(flow: Flow, title: str, s: Styles) -> None:
    cell = Cell(s.title.lines(title, flow.frame.width))
    left, right, top = flow.frame.left, flow.frame.right, flow.y
    flow.draw(lambda ink: draw_lines(ink, cell, left, right, top))
    flow.advance(cell.height + SECTION_AFTER)


def write_atomically(out: Path, write: Callable[[BinaryIO], int]) -> int:
    """Call ``write`` with a temporary file beside ``out``, then move it to ``out``; return
    what ``write`` returned. On any failure the temporary file is removed."""
    out = Path(out)
    if not out.parent.is_dir():
        raise ValidationError(f"The folder {out.parent} does not exist.", field="out")
    if out.is_dir():
        raise ValidationError(f"{out} is a folder: give a file name.", field="out")
    fd, temp_name = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".part", dir=out.parent)
    temp = Path(temp_name)
    try:
        with os.fdopen(fd, "wb") as file:  # the file mkstemp opened: not opened twice
            result = write(file)
        temp.replace(out)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    return result


def lay_out(title: str, company: CompanyProfile, blocks: Sequence[Block],
            size: tuple[float, float] = A4) -> Flow:
    """The document placed on pages (nothing drawn yet): letter head, title, the blocks."""
    s = styles()
    flow = Flow(page_frame(size))
    place_letterhead(flow, company, s)
    place_title(flow, title, s)
    for block in blocks:
        block(flow, s)
    return flow


def write_document(out: Path, title: str, company: CompanyProfile, blocks: Sequence[Block],
                   size: tuple[float, float] = A4, label: str | None = None,
                   subject: str = "") -> int:
    """Write the titled document at ``out``; return its page count. ``label`` (default: the
    title) is printed in every page's footer."""
    flow = lay_out(title, company, blocks, size)

    def write(file: BinaryIO) -> int:
        canvas = new_canvas(file, size, title, subject or title)
        pages = draw_pages(canvas, flow, label or title)
        canvas.save()
        return pages

    return write_atomically(out, write)
