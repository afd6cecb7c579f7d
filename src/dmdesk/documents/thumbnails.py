"""TEMPORARY adapter (replaced by the cached thumbnails module): the old thumbnail paths
behind the new interface."""

from __future__ import annotations

from dataclasses import dataclass
from io import BytesIO
from typing import Any

from reportlab.lib import colors
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas

from dmdesk.documents.pdf_pages import first_page_png
from dmdesk.documents.svg_drawing import looks_like_svg, svg_drawing

GRID = colors.HexColor("#8a8a8a")


@dataclass(frozen=True)
class Thumbnail:
    width: float
    height: float
    kind: str
    payload: Any

    def draw(self, canvas: Canvas, x: float, y: float) -> None:
        if self.kind == "svg":
            self.payload.drawOn(canvas, x, y)
        else:
            canvas.drawImage(ImageReader(BytesIO(self.payload)), x, y, self.width, self.height)
        if self.kind != "image":
            canvas.saveState()
            canvas.setStrokeColor(GRID)
            canvas.setLineWidth(0.4)
            canvas.rect(x, y, self.width, self.height)
            canvas.restoreState()


def thumbnail(data: bytes, sha256: str, max_width: float, max_height: float
              ) -> Thumbnail | None:
    if looks_like_svg(data):
        drawing = svg_drawing(data, sha256, max_width, max_height)
        if drawing is None:
            return None
        drawing.wrap(max_width, max_height)
        return Thumbnail(drawing.width, drawing.height, "svg", drawing)
    kind = "image"
    if data.startswith(b"%PDF-"):
        page = first_page_png(data, longest_side_px=int(max(max_width, max_height) / 72 * 300))
        if page is None:
            return None
        data, kind = page, "pdf"
    try:
        width, height = ImageReader(BytesIO(data)).getSize()
    except Exception:
        return None
    if width <= 0 or height <= 0:
        return None
    scale = min(max_width / width, max_height / height)
    return Thumbnail(width * scale, height * scale, kind, data)


def clear_memory_cache() -> None:
    pass
