"""The ReportLab internals dmdesk relies on (documents/pdf/reportlab_private.py lists them) still
exist and still mean what we use them for. A ReportLab upgrade that changes one fails here,
by name, instead of printing a garbled or unreadable PDF."""

from __future__ import annotations

import re
from io import BytesIO

from reportlab.pdfbase import pdfmetrics, ttfonts
from reportlab.pdfbase.pdfdoc import PDFDocument
from reportlab.pdfgen.canvas import Canvas
from reportlab.pdfgen.textobject import PDFTextObject

from dmdesk.documents.pdf import reportlab_private as private
from dmdesk.documents.pdf.font_subsets import cache_subsets
from dmdesk.documents.pdf.fonts import REGULAR, register_fonts
from dmdesk.documents.pdf.ink import Ink

TEXT = "Hello 42 — Ωmega…"


def _canvas(**options: object) -> Canvas:
    register_fonts()
    return Canvas(BytesIO(), pagesize=(200, 200), **options)


def test_canvas_doc_is_the_document_it_writes() -> None:
    canvas = _canvas()
    assert isinstance(private.document_of(canvas), PDFDocument), "Canvas._doc changed"


def test_canvas_code_and_preamble_are_the_page_operators() -> None:
    canvas = _canvas()
    canvas.addLiteral("0 0 m 10 10 l S")
    operators = private.recorded_operators(canvas)
    assert isinstance(operators[0], str), "Canvas._preamble changed"
    assert operators[-1] == "0 0 m 10 10 l S", "Canvas._code changed"


def test_what_cannot_be_replayed_is_seen() -> None:
    canvas = _canvas()
    assert private.replayable(canvas)
    canvas.beginForm("inner")
    canvas.endForm()
    canvas.doForm("inner")
    assert not private.replayable(canvas), "Canvas._formsinuse changed"
    shaded = _canvas()
    shaded.linearGradient(0, 0, 100, 100, ((1, 0, 0), (0, 0, 1)))
    assert not private.replayable(shaded), "Canvas._shadingUsed changed"


def test_ext_g_states_are_named_by_key_and_value() -> None:
    canvas = _canvas()
    canvas.setFillAlpha(0.5)
    states = private.recorded_states(canvas)
    assert [(key, value) for _, key, value in states] == [("ca", 0.5)], \
        "Canvas._extgstate._c changed"
    assert states[0][0] in " ".join(private.recorded_operators(canvas))


def test_the_text_recorder_sees_each_truetype_run() -> None:
    seen: list[tuple[str, float, float, str]] = []

    class Recording(private.TextRecorder, PDFTextObject):  # type: ignore[misc]
        def record_run(self, font: str, size: float, leading: float, text: str) -> str:
            assert self.owner is canvas, "PDFTextObject._canvas changed"
            seen.append((font, size, leading, text))
            return "(marker) Tj"

    canvas = _canvas()
    text = Recording(canvas, 0, 0)
    text.setFont(REGULAR, 9, 11)
    text.textOut(TEXT)
    assert seen == [(REGULAR, 9.0, 11.0, TEXT)], "PDFTextObject._formatText changed"
    assert "(marker) Tj" in text.getCode()


def _shown(operators: str) -> list[tuple[str, bytes]]:
    """(font resource, string operand) of each Tj, in order."""
    return [(font, data.encode("latin-1")) for font, data in
            re.findall(r"(/F[\w+]+) [\d.]+ Tf(?: [\d.]+ TL)? \((.*?)\) Tj", operators)]


def test_ink_encodes_text_exactly_as_reportlab_does() -> None:
    """Ink's ASCII fast path (asciiReadable subset 0) and its splitString path give the very
    font subsets and bytes ReportLab's own drawString gives."""
    canvas = _canvas()
    start = len(private.recorded_operators(canvas))
    Ink(canvas).text(10, 10, TEXT, REGULAR, 9)
    ours = " ".join(private.recorded_operators(canvas)[start:])
    start = len(private.recorded_operators(canvas))
    canvas.setFont(REGULAR, 9)
    canvas.drawString(10, 30, TEXT)
    theirs = " ".join(private.recorded_operators(canvas)[start:])
    assert _shown(ours) and _shown(ours) == _shown(theirs), (ours, theirs)


def test_the_subset_cache_writes_the_bytes_reportlab_writes() -> None:
    """font_subsets redoes TTFont.addObjects / TTFontFace.addSubsetObjects with bytes made once
    per process: the PDF must be byte for byte the one ReportLab makes by itself."""
    def pdf() -> bytes:
        out = BytesIO()
        canvas = Canvas(out, pagesize=(200, 200), invariant=1, pageCompression=1)
        canvas.setFont(REGULAR, 9)
        canvas.drawString(10, 10, TEXT)
        Ink(canvas).text(10, 30, "ASCII only", REGULAR, 9)
        canvas.save()
        return out.getvalue()

    register_fonts()
    font = pdfmetrics.getFont(REGULAR)
    for name in ("state", "addObjects", "face"):
        assert hasattr(font, name), f"TTFont.{name} is gone"
    for name in ("addSubsetObjects", "makeSubset", "subfontNameX", "charToGlyph"):
        assert hasattr(font.face, name), f"TTFontFace.{name} is gone"
    assert callable(ttfonts.SUBSETN), "ttfonts.SUBSETN is gone"
    cached = pdf()
    assert pdf() == cached  # warm cache: the same bytes again
    del font.addObjects, font.face.addSubsetObjects  # ReportLab's own methods again
    try:
        plain = pdf()
    finally:
        cache_subsets(font)
    assert cached == plain, "ReportLab embeds TrueType subsets differently now"
    document = private.document_of(_canvas())
    assert isinstance(private.page_fonts(document), dict), "idToObject['BasicFonts'] changed"
    assert document.compression in (0, 1) and hasattr(document, "delayedFonts")
