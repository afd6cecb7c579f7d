"""What a prepared thumbnail is, and how it is added to a document: a replayable form (content
stream, resources, maybe one image) or, for an SVG that cannot be replayed, the live drawing."""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from typing import Any

from reportlab.graphics.shapes import Drawing
from reportlab.lib.rl_accel import escapePDF, fp_str
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.pdfdoc import (
    PDFArray,
    PDFDictionary,
    PDFName,
    PDFObjectReference,
    PDFResourceDictionary,
    PDFStream,
    pdfdocEnc,
)
from reportlab.pdfgen.canvas import Canvas

from dmdesk.documents.pdf.reportlab_private import document_of
from dmdesk.documents.pdf.thumbnails.paint import paint_svg

Key = tuple[str, float, float]  # (sha256, max_width, max_height)

FLATE = PDFArray([PDFName("FlateDecode")])


def form_name(key: Key) -> str:
    sha256, max_width, max_height = key
    return f"dmdeskThumb.{sha256}.{max_width:g}x{max_height:g}"


@dataclass(frozen=True)
class EncodedImage:
    """A PDF image XObject: its dictionary's values and its data, already encoded."""

    width: int
    height: int
    color_space: str  # DeviceRGB, DeviceGray or DeviceCMYK
    filter: str  # FlateDecode, or DCTDecode for a JPEG passed through
    data: bytes
    invert: bool = False  # a CMYK JPEG (Adobe's are stored inverted; ReportLab does the same)
    smask: bytes | None = None  # Flate-compressed 8-bit alpha of the same size

    def add_to(self, doc: Any, name: str) -> PDFObjectReference:
        entries: dict[str, Any] = {
            "Type": PDFName("XObject"), "Subtype": PDFName("Image"),
            "Width": self.width, "Height": self.height, "BitsPerComponent": 8,
            "ColorSpace": PDFName(self.color_space),
            "Filter": PDFArray([PDFName(self.filter)]),
        }
        if self.invert:
            entries["Decode"] = PDFArray([1, 0] * 4)
        if self.smask is not None:
            entries["SMask"] = doc.Reference(PDFStream(PDFDictionary({
                "Type": PDFName("XObject"), "Subtype": PDFName("Image"),
                "Width": self.width, "Height": self.height, "BitsPerComponent": 8,
                "ColorSpace": PDFName("DeviceGray"), "Filter": FLATE,
            }), self.smask), name + ".mask")
        return doc.Reference(PDFStream(PDFDictionary(entries), self.data), name)

    @property
    def size(self) -> int:
        return len(self.data) + len(self.smask or b"")


@dataclass(frozen=True)
class Form:
    """A thumbnail as a form XObject: content stream and the resources it names."""

    name: str  # in a document: one per file and box
    width: float
    height: float
    stream: bytes  # Flate-compressed
    fonts: tuple[tuple[str, str], ...]  # (resource name in the stream, ReportLab font name)
    states: tuple[tuple[str, str, Any], ...] = ()  # (ExtGState name, key, value)
    image: EncodedImage | None = None  # named /Im0 in the stream
    # TrueType text, (font, size, leading, text), whose marker \0n\0 the stream holds in
    # place of the text's operators; and (font, file, subfont index) to register those fonts.
    runs: tuple[tuple[str, float, float, str], ...] = ()
    truetype: tuple[tuple[str, str, int], ...] = ()

    def draw(self, canvas: Canvas, x: float, y: float) -> None:
        if not canvas.hasForm(self.name):
            self._add_to(document_of(canvas))
        canvas.saveState()
        canvas.translate(x, y)
        canvas.doForm(self.name)
        canvas.restoreState()

    def _add_to(self, doc: Any) -> None:
        resources = PDFResourceDictionary()
        resources.Font = {local: PDFObjectReference(doc.getInternalFontName(font)[1:])
                          for local, font in self.fonts}
        stream, filters = self.stream, FLATE
        if self.runs:  # the one case where the stream's bytes depend on the document
            stream = self._with_text(doc, resources.Font)
            filters = None  # compressed as the document compresses its pages
        resources.ExtGState = {name: PDFDictionary({key: value})
                               for name, key, value in self.states}
        if self.image is not None:
            resources.allProcs()
            resources.XObject = {"Im0": self.image.add_to(doc, self.name + ".image")}
        entries = {"Type": PDFName("XObject"), "Subtype": PDFName("Form"), "FormType": 1,
                   "BBox": PDFArray([0, 0, self.width, self.height]), "Resources": resources}
        if filters is not None:
            entries["Filter"] = filters
        doc.addForm(self.name, PDFStream(PDFDictionary(entries), stream))

    def _with_text(self, doc: Any, fonts: dict[str, Any]) -> bytes:
        """The stream with each TrueType run encoded as ``doc`` encodes that font's text (its
        subsets and codes are the document's, in order of first use)."""
        parts = zlib.decompress(self.stream).split(b"\0")
        for index in range(1, len(parts), 2):
            name, size, leading, text = self.runs[int(parts[index])]
            font = pdfmetrics.getFont(name)
            operators = []
            for subset, chars in font.splitString(text, doc):
                internal = font.getSubsetInternalName(subset, doc)
                fonts[internal[1:]] = PDFObjectReference(internal[1:])
                operators.append(f"{internal} {fp_str(size)} Tf {fp_str(leading)} TL "
                                 f"({escapePDF(chars)}) Tj")
            parts[index] = pdfdocEnc(" ".join(operators))
        return b"".join(parts)

    @property
    def size(self) -> int:
        return len(self.stream) + (self.image.size if self.image else 0)


@dataclass(frozen=True)
class Live:
    """An SVG that cannot be replayed (see the package's docstring): drawn by renderPDF."""

    drawing: Drawing  # already scaled; only read from then on, by any thread
    width: float
    height: float
    size: int

    def draw(self, canvas: Canvas, x: float, y: float) -> None:
        canvas.saveState()
        canvas.translate(x, y)
        paint_svg(canvas, self.drawing, self.width, self.height)
        canvas.restoreState()
