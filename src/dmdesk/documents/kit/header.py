"""The company's letter head at the top of a document: the logo on the left (fitted to a box,
aspect kept), the name in bold and the address lines beside it, a rule under them. Nothing is
placed when no company detail is set."""

from __future__ import annotations

from reportlab.lib.units import mm

from dmdesk.documents.pdf_ink import Ink
from dmdesk.documents.sheet_flow import Cell, Flow, draw_lines
from dmdesk.documents.sheet_styles import GRID, Styles, TextStyle
from dmdesk.documents.thumbnails import Thumbnail, thumbnail
from dmdesk.queries.settings import CompanyProfile

LOGO_BOX = (40 * mm, 16 * mm)  # width, height: the logo is fitted inside
LOGO_GAP = 4 * mm
RULE_GAP = 2 * mm  # above and below the rule


def logo_picture(company: CompanyProfile) -> Thumbnail | None:
    """The logo, prepared once per file (cached like a drawing's thumbnail); None when there
    is none or it cannot be read."""
    if not company.logo:
        return None
    return thumbnail(company.logo, company.logo_sha256, *LOGO_BOX)


def place_letterhead(flow: Flow, company: CompanyProfile, s: Styles) -> None:
    """The letter head at the cursor (the top of a document's first page)."""
    if company.empty:
        return
    picture = logo_picture(company)
    left, top = flow.frame.left, flow.y
    text_left = left + (picture.width + LOGO_GAP if picture else 0.0)
    room = flow.frame.right - text_left
    name_style = TextStyle(s.bold, 11, 13.5)
    text = Cell([*(name_style.lines(company.name, room) if company.name else []),
                 *(line for address in company.address for line in s.small.lines(address, room))])
    height = max(text.height, picture.height if picture else 0.0)
    right = flow.frame.right

    def draw(ink: Ink) -> None:
        if picture is not None:
            picture.draw(ink.canvas, left, top - picture.height)
        draw_lines(ink, text, text_left, right, top)
        rule = top - height - RULE_GAP
        ink.lines([(left, rule, right, rule)], 0.4, GRID)

    flow.draw(draw)
    flow.advance(height + 2 * RULE_GAP)
