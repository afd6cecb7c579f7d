"""The footer of every page: a rule, the document's label on the left and "Page x of y" on the
right (y counts the pages of that document, which may share a PDF with others)."""

from __future__ import annotations

from reportlab.lib import colors
from reportlab.lib.units import mm

from dmdesk.documents.jobsheet.styles import GRID, styles
from dmdesk.documents.pdf.flow import Frame
from dmdesk.documents.pdf.ink import RIGHT, Ink

FOOTER_HEIGHT = 10 * mm  # kept free under the frame
FOOTER_SIZE = 8.0
RULE_ABOVE = 4 * mm  # the rule's height above the footer's baseline


def page_label(page: int, total: int) -> str:
    return f"Page {page} of {total}"


def draw_footer(ink: Ink, frame: Frame, baseline: float, label: str, page: int,
                total: int) -> None:
    """The footer with its text on ``baseline``, as wide as ``frame``."""
    font = styles().regular
    rule = baseline + RULE_ABOVE
    ink.lines([(frame.left, rule, frame.right, rule)], 0.4, GRID)
    ink.text(frame.left, baseline, label, font, FOOTER_SIZE, colors.black)
    ink.text(frame.right, baseline, page_label(page, total), font, FOOTER_SIZE, colors.black,
             RIGHT)
