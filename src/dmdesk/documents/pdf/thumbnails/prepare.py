"""Preparing a design file's thumbnail: an SVG through svglib (recorded as a form, or kept
live), a PDF's first page through PDFium and a raster image through Pillow (both encoded once
as the PDF wants the pixels)."""

from __future__ import annotations

import logging
import math
import zlib
from io import BytesIO

from PIL import Image
from reportlab.lib.rl_accel import fp_str
from reportlab.pdfgen.canvas import Canvas

from dmdesk.documents.pdf.pages import PdfPages
from dmdesk.documents.pdf.thumbnails.forms import EncodedImage, Form, Key, Live
from dmdesk.documents.pdf.thumbnails.paint import FRAME_WIDTH, INSET, paint_frame, paint_svg
from dmdesk.documents.pdf.thumbnails.record import record

log = logging.getLogger(__name__)

# svglib reports unsupported SVG features by logging warnings; on a job sheet the worst case is
# a thumbnail missing a detail, not something for the log of every print.
logging.getLogger("svglib.svglib").setLevel(logging.ERROR)

DPI = 300  # raster thumbnails: pixels per inch of the printed thumbnail

_JPEG_SPACES = {"L": "DeviceGray", "RGB": "DeviceRGB", "CMYK": "DeviceCMYK"}
_GREY_MODES = {"1", "L", "I", "I;16", "I;16B", "I;16L", "F"}


def looks_like_svg(data: bytes) -> bool:
    head = data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n")
    return head.startswith((b"<svg", b"<?xml")) and b"<svg" in data[:4096]


def prepare(data: bytes, key: Key) -> Form | Live | None:
    """``data`` fitted to the box of ``key``; None when it cannot be shown. Never raises for
    the file's content."""
    _, max_width, max_height = key
    if not data or not (max_width > 2 * FRAME_WIDTH and max_height > 2 * FRAME_WIDTH):
        return None
    try:
        if looks_like_svg(data):
            return _svg(data, key)
        if data.startswith(b"%PDF-"):
            return _pdf(data, key)
        return _picture(data, key)
    except Exception:  # whatever a damaged file makes a library raise: no thumbnail
        log.debug("no thumbnail for %s", key[0], exc_info=True)
        return None


def _fit(width: float, height: float, max_width: float, max_height: float, margin: float
         ) -> float:
    """The scale that fits width x height, plus ``margin`` on all sides, in the box; 0 if
    none does."""
    if not (math.isfinite(width) and math.isfinite(height) and width > 0 and height > 0):
        return 0
    return max(0.0, min((max_width - 2 * margin) / width, (max_height - 2 * margin) / height))


def _svg(data: bytes, key: Key) -> Form | Live | None:
    from svglib import svglib  # lxml: loaded only when a sheet has an SVG drawing

    drawing = svglib.svg2rlg(BytesIO(data))
    if drawing is None:
        return None
    scale = _fit(drawing.width, drawing.height, key[1], key[2], INSET)
    if scale <= 0:
        return None
    drawing.scale(scale, scale)  # drawn as is from then on
    width = drawing.width * scale + FRAME_WIDTH
    height = drawing.height * scale + FRAME_WIDTH
    form = record(key, width, height, lambda canvas: paint_svg(canvas, drawing, width, height))
    return form or Live(drawing, width, height, size=8 * len(data))


def _pdf(data: bytes, key: Key) -> Form | None:
    """The first page, rasterised at ``DPI`` of its printed size, framed."""
    with PdfPages(data) as pdf:
        if pdf.count == 0:
            return None
        scale = _fit(*pdf.size_points(0), key[1], key[2], INSET)
        if scale <= 0:
            return None
        with pdf.render(0, DPI * scale) as bitmap:  # BGRx rows in PDFium's buffer
            page = Image.frombytes("RGB", (bitmap.width, bitmap.height), bytes(bitmap.data),
                                   "raw", "BGRX", bitmap.stride)
    return _raster(key, _flate(page), framed=True)


def _picture(data: bytes, key: Key) -> Form | None:
    """A PNG, JPEG or other image Pillow reads: fitted, not framed. Pixels beyond 1.5 x
    ``DPI`` of the printed size are dropped (a photo would otherwise fill every PDF)."""
    with Image.open(BytesIO(data)) as picture:
        scale = _fit(*picture.size, key[1], key[2], 0)
        if scale <= 0:
            return None
        wanted = (max(1, round(picture.width * scale / 72 * DPI)),
                  max(1, round(picture.height * scale / 72 * DPI)))
        too_big = picture.width > 1.5 * wanted[0]
        if picture.format == "JPEG" and not too_big and picture.mode in _JPEG_SPACES:
            image = EncodedImage(picture.width, picture.height, _JPEG_SPACES[picture.mode],
                                 "DCTDecode", data, invert=picture.mode == "CMYK")
        else:
            image = _flate(picture, wanted if too_big else None)
    return _raster(key, image, framed=False)


def _flate(picture: Image.Image, resize: tuple[int, int] | None = None) -> EncodedImage:
    """Pixels as a Flate image (grey, RGB or CMYK) and its alpha as a soft mask."""
    alpha = None
    if picture.has_transparency_data:
        rgba = picture.convert("RGBA")
        alpha = rgba.getchannel("A")
        if alpha.getextrema() == (255, 255):  # declared but fully opaque
            alpha = None
        picture = rgba.convert("RGB")
    elif picture.mode in _GREY_MODES:
        picture = picture.convert("L")
    elif picture.mode != "CMYK":
        picture = picture.convert("RGB")
    if resize is not None:
        picture = picture.resize(resize, Image.Resampling.LANCZOS)
        alpha = alpha.resize(resize, Image.Resampling.LANCZOS) if alpha else None
    space = {"L": "DeviceGray", "CMYK": "DeviceCMYK"}.get(picture.mode, "DeviceRGB")
    return EncodedImage(picture.width, picture.height, space, "FlateDecode",
                        zlib.compress(picture.tobytes()),
                        smask=zlib.compress(alpha.tobytes()) if alpha else None)


def _raster(key: Key, image: EncodedImage, framed: bool) -> Form | None:
    """A form that draws ``image`` fitted to the box, framed or not."""
    margin = INSET if framed else 0
    scale = _fit(image.width, image.height, key[1], key[2], margin)
    if scale <= 0:
        return None
    shown = image.width * scale, image.height * scale
    width, height = shown[0] + 2 * margin, shown[1] + 2 * margin

    def paint(canvas: Canvas) -> None:
        canvas.addLiteral(f"q {fp_str(shown[0], 0, 0, shown[1], margin, margin)} cm /Im0 Do Q")
        if framed:
            paint_frame(canvas, width, height)

    return record(key, width, height, paint, image)
