"""The company's letter head at the top of a document: the logo on the left (fitted to a box,
aspect kept), the name in bold and the address lines beside it, a rule under them. Nothing is
placed when no company detail is set."""

from __future__ import annotations

from dataclasses import dataclass

from reportlab.lib.units import mm

from dmdesk.documents.jobsheet.styles import GRID, Styles, TextStyle
from dmdesk.documents.pdf.flow import Cell, Flow, draw_lines
from dmdesk.documents.pdf.ink import Ink
from dmdesk.documents.pdf.thumbnails import Thumbnail, thumbnail
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


@dataclass(frozen=True)
class Letterhead:
    """The letter head measured for a frame's width: made once per PDF, placed on the first
    page of each document in it."""

    picture: Thumbnail | None
    text: Cell
    height: float

    def place(self, flow: Flow) -> None:
        """At the cursor (the top of a document's first page)."""
        left, top, right = flow.frame.left, flow.y, flow.frame.right
        picture, text, height = self.picture, self.text, self.height
        text_left = left + (picture.width + LOGO_GAP if picture else 0.0)

        def draw(ink: Ink) -> None:
            if picture is not None:
                picture.draw(ink.canvas, left, top - picture.height)
            draw_lines(ink, text, text_left, right, top)
            rule = top - height - RULE_GAP
            ink.lines([(left, rule, right, rule)], 0.4, GRID)

        flow.draw(draw)
        flow.advance(height + 2 * RULE_GAP)


def letterhead(company: CompanyProfile, s: Styles, width: float) -> Letterhead | None:
    """The company's letter head for a frame ``width`` wide; None when nothing is set."""
    if company.empty:
        return None
    picture = logo_picture(company)
    room = width - (picture.width + LOGO_GAP if picture else 0.0)
    name_style = TextStyle(s.bold, 11, 13.5)
    text = Cell([*(name_style.lines(company.name, room) if company.name else []),
                 *(line for address in company.address for line in s.small.lines(address, room))])
    return Letterhead(picture, text, max(text.height, picture.height if picture else 0.0))


def place_letterhead(flow: Flow, company: CompanyProfile, s: Styles) -> None:
    """The letter head at the cursor; nothing when no company detail is set. (A PDF of many
    documents makes its ``letterhead`` once and places that.)"""
    head = letterhead(company, s, flow.frame.width)
    if head is not None:
        head.place(flow)
