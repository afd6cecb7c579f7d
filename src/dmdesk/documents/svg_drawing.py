"""SVG design files as vector thumbnails on job sheets (svglib turns SVG into ReportLab shapes).

The demo's drawings, and many CAD exports, are SVG. svglib (BSD) parses the file with lxml and
builds a ReportLab ``Drawing``: lines, shapes and text stay vectors in the sheet's PDF, sharp at
any print resolution. It handles the SVG a drawing program writes (paths, basic shapes, text,
transforms, CSS styles); what it cannot read gives no thumbnail, never a failed sheet.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from io import BytesIO

from reportlab.graphics import renderPDF
from reportlab.graphics.shapes import Drawing
from reportlab.platypus import Flowable

# svglib reports unsupported SVG features by logging warnings; on a job sheet the worst case is
# a thumbnail missing a detail, not something for the log of every print.
logging.getLogger("svglib.svglib").setLevel(logging.ERROR)

# Parsed drawings by the file's SHA-256 and the box they were fitted to: a batch of sheets for
# one product parses its drawing once. Content-addressed, so never stale; a few dozen at most.
KEEP = 32
_parsed: OrderedDict[tuple[str, float, float], tuple[Drawing, float, float] | None] = (
    OrderedDict())
_lock = threading.Lock()


def clear_cache() -> None:
    with _lock:
        _parsed.clear()


def looks_like_svg(data: bytes) -> bool:
    head = data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n")
    return head.startswith((b"<svg", b"<?xml")) and b"<svg" in data[:4096]


class SvgThumbnail(Flowable):  # type: ignore[misc]
    """A scaled SVG drawing, clipped to its viewport as an SVG viewer clips it (svglib draws
    what lies outside too, e.g. a dimension label anchored at the edge)."""

    def __init__(self, drawing: Drawing, width: float, height: float) -> None:
        super().__init__()
        self.drawing = drawing
        self.width = width
        self.height = height
        self.hAlign = "RIGHT"

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        return self.width, self.height

    def draw(self) -> None:
        canvas = self.canv
        canvas.saveState()
        clip = canvas.beginPath()
        clip.rect(0, 0, self.width, self.height)
        canvas.clipPath(clip, stroke=0, fill=0)
        renderPDF.draw(self.drawing, canvas, 0, 0)
        canvas.restoreState()


def svg_drawing(data: bytes, sha256: str, max_width: float, max_height: float
                ) -> SvgThumbnail | None:
    """The SVG ``data`` (whose hash is ``sha256``) scaled to fit ``max_width`` x ``max_height``
    points (aspect kept); None when svglib cannot read it or it has no size."""
    key = (sha256, max_width, max_height)
    with _lock:
        if key in _parsed:
            _parsed.move_to_end(key)
            found = _parsed[key]
            return SvgThumbnail(*found) if found else None
    fitted = _parse(data, max_width, max_height)
    with _lock:
        _parsed[key] = fitted
        while len(_parsed) > KEEP:
            _parsed.popitem(last=False)
    return SvgThumbnail(*fitted) if fitted else None


def _parse(data: bytes, max_width: float, max_height: float
           ) -> tuple[Drawing, float, float] | None:
    from svglib.svglib import svg2rlg  # lxml: loaded only when a sheet has an SVG drawing

    try:
        drawing = svg2rlg(BytesIO(data))
    except Exception:  # malformed XML or SVG svglib cannot handle: no thumbnail
        return None
    if drawing is None or drawing.width <= 0 or drawing.height <= 0:
        return None
    scale = min(max_width / drawing.width, max_height / drawing.height)
    drawing.scale(scale, scale)  # drawn as is from then on, by every sheet that shows it
    return drawing, drawing.width * scale, drawing.height * scale
