"""How a thumbnail looks on the page: the grey frame, and an SVG drawing clipped inside it."""

from __future__ import annotations

from reportlab.graphics import renderPDF
from reportlab.graphics.shapes import Drawing
from reportlab.pdfgen.canvas import Canvas

FRAME_WIDTH = 0.4  # points; the frame's line lies inside the thumbnail's width and height
FRAME_GREY = 0x8A / 255
INSET = FRAME_WIDTH / 2


def paint_svg(canvas: Canvas, drawing: Drawing, width: float, height: float) -> None:
    """Clipped to its viewport as an SVG viewer clips it (svglib draws what lies outside too,
    e.g. a dimension label anchored at the edge), then framed."""
    canvas.saveState()
    clip = canvas.beginPath()
    clip.rect(INSET, INSET, width - FRAME_WIDTH, height - FRAME_WIDTH)
    canvas.clipPath(clip, stroke=0, fill=0)
    renderPDF.draw(drawing, canvas, INSET, INSET)
    canvas.restoreState()
    paint_frame(canvas, width, height)


def paint_frame(canvas: Canvas, width: float, height: float) -> None:
    canvas.saveState()
    canvas.setStrokeColorRGB(FRAME_GREY, FRAME_GREY, FRAME_GREY)
    canvas.setLineWidth(FRAME_WIDTH)
    canvas.rect(INSET, INSET, width - FRAME_WIDTH, height - FRAME_WIDTH, stroke=1, fill=0)
    canvas.restoreState()
