"""Recording what a paint function draws, on a throwaway canvas, as a form another document can
replay; TrueType text is kept as markers and runs (``Form._with_text`` encodes it later)."""

from __future__ import annotations

import zlib
from collections.abc import Callable
from io import BytesIO

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.pdfdoc import pdfdocEnc
from reportlab.pdfgen.canvas import Canvas
from reportlab.pdfgen.textobject import PDFTextObject

from dmdesk.documents.thumbnails.forms import EncodedImage, Form, Key, form_name

# A form inherits the graphics state of the page where it is drawn: start from PDF's defaults
# (what ReportLab assumed while recording the stream) whatever the sheet set before.
_RESET = "0 g 0 G 1 w 0 J 0 j 10 M [] 0 d BT 0 Tc 0 Tw 100 Tz 0 Ts 0 Tr ET"


class _RecordingText(PDFTextObject):  # type: ignore[misc]
    """Writes a marker (\\0 index \\0) where TrueType text goes and keeps the text: the
    operators that show it depend on the document (``Form._with_text``)."""

    def _formatText(self, text: str | bytes) -> str:  # noqa: N802 (ReportLab's name)
        font = pdfmetrics.getFont(self._fontname)
        if not font._dynamicFont or type(text) is not str:
            return str(super()._formatText(text))  # Type 1 text, or shaped text (a ShapedStr)
        runs: list[tuple[str, float, float, str]] = self._canvas.truetype_runs
        runs.append((self._fontname, float(self._fontsize), float(self._leading), text))
        return f"\0{len(runs) - 1}\0"


class _RecordingCanvas(Canvas):  # type: ignore[misc]
    """A throwaway canvas whose text objects record TrueType text (``_RecordingText``)."""

    def __init__(self, width: float, height: float) -> None:
        super().__init__(BytesIO(), pagesize=(width, height), pageCompression=0)
        self.truetype_runs: list[tuple[str, float, float, str]] = []

    def beginText(self, x: float = 0, y: float = 0, direction: str | None = None  # noqa: N802
                  ) -> PDFTextObject:
        return _RecordingText(self, x, y, direction=direction)


def record(key: Key, width: float, height: float, paint: Callable[[Canvas], None],
           image: EncodedImage | None = None) -> Form | None:
    """What ``paint`` draws on a throwaway canvas, as a form; None when its stream cannot be
    replayed in another document (shaped text, images, colour spaces, shadings)."""
    canvas = _RecordingCanvas(width, height)
    paint(canvas)
    doc = canvas._doc
    if doc.delayedFonts or canvas._formsinuse or canvas._colorsUsed or canvas._shadingUsed:
        return None
    # The preamble sets the initial font, which ReportLab's text then takes as already set.
    text = "\n".join([_RESET, canvas._preamble, *canvas._code])
    runs = tuple(canvas.truetype_runs)
    return Form(
        name=form_name(key), width=width, height=height,
        stream=zlib.compress(pdfdocEnc(text)),
        fonts=tuple((internal[1:], font) for font, internal in doc.fontMapping.items()),
        states=tuple((name, state_key, value)
                     for (state_key, value), name in canvas._extgstate._c.items()),
        image=image, runs=runs, truetype=tuple(_font_file(name) for name in
                                               sorted({run[0] for run in runs})))


def _font_file(name: str) -> tuple[str, str, int]:
    face = pdfmetrics.getFont(name).face
    return name, str(face.filename), int(getattr(face, "subfontIndex", 0) or 0)
