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

from dmdesk.documents.pdf.reportlab_private import (
    TextRecorder,
    document_of,
    recorded_operators,
    recorded_states,
    replayable,
)
from dmdesk.documents.pdf.thumbnails.forms import EncodedImage, Form, Key, form_name

# A form inherits the graphics state of the page where it is drawn: start from PDF's defaults
# (what ReportLab assumed while recording the stream) whatever the sheet set before.
_RESET = "0 g 0 G 1 w 0 J 0 j 10 M [] 0 d BT 0 Tc 0 Tw 100 Tz 0 Ts 0 Tr ET"


class _RecordingText(TextRecorder, PDFTextObject):  # type: ignore[misc]
    """Writes a marker (\\0 index \\0) where TrueType text goes and keeps the text: the
    operators that show it depend on the document (``Form._with_text``)."""

    def record_run(self, font: str, size: float, leading: float, text: str) -> str:
        runs: list[tuple[str, float, float, str]] = self.owner.truetype_runs
        runs.append((font, size, leading, text))
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
    if not replayable(canvas):
        return None
    doc = document_of(canvas)
    # The preamble sets the initial font, which ReportLab's text then takes as already set.
    text = "\n".join([_RESET, *recorded_operators(canvas)])
    runs = tuple(canvas.truetype_runs)
    return Form(
        name=form_name(key), width=width, height=height,
        stream=zlib.compress(pdfdocEnc(text)),
        fonts=tuple((internal[1:], font) for font, internal in doc.fontMapping.items()),
        states=tuple(recorded_states(canvas)),
        image=image, runs=runs, truetype=tuple(_font_file(name) for name in
                                               sorted({run[0] for run in runs})))


def _font_file(name: str) -> tuple[str, str, int]:
    face = pdfmetrics.getFont(name).face
    return name, str(face.filename), int(getattr(face, "subfontIndex", 0) or 0)
