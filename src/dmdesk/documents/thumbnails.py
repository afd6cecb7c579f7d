"""Design-file thumbnails for job sheets: prepared once per file and box, drawn in microseconds.

The thumbnail was the dearest part of a sheet: svglib parses an SVG (~1.7 ms) and renderPDF
draws it, PDFium rasterises a PDF page, Pillow decodes a PNG and ReportLab compresses it again,
for every sheet. Here that work is done once per (file's SHA-256, box) and kept as what the
PDF needs in the end, a *form*:

* a Flate-compressed content stream that draws the thumbnail with its bottom-left corner at
  (0, 0), frame included, starting from a known graphics state;
* the resources that stream names: fonts (by ReportLab font name), ExtGState entries (SVG
  opacity) and, for a raster thumbnail, one image whose pixels are already encoded as the PDF
  wants them (Flate, or a JPEG file as it is for DCTDecode; alpha as a soft mask).

Drawing adds the form to a document the first time, as a form XObject with its own resource
dictionary: the stream's font names (/F1 ...) are mapped to that document's font objects
(``doc.getInternalFontName`` registers the font there), so the stream's bytes never change
between documents. Every use, first or not, is then ``q 1 0 0 1 x y cm /FormXob.… Do Q``.
The document is its own registry of what it holds (``canvas.hasForm``).

Caches:

* in memory, an LRU of Thumbnails by (sha256, box), bounded in count and bytes, behind a lock
  (printing runs on a worker thread); files we cannot show are remembered as None;
* on disk, one file per (sha256, box, format version) in ``cache_dir()/thumbnails``, written
  to a temp file and renamed, so a new session neither parses nor rasterises. Content-addressed,
  so never stale. A file that is truncated, corrupt (CRC), of another version, or that names a
  font this session does not know is ignored and rebuilt; a folder that cannot be written only
  means no disk cache. After each write the folder is trimmed to ``DISK_LIMIT`` bytes, least
  recently used first (a hit touches the file).

An SVG whose text svglib sets in a TrueType font cannot be replayed (ReportLab encodes
TrueType text per document, in subsets), nor one that embeds images, colour spaces or shadings:
such a drawing keeps its parsed svglib Drawing in memory and renderPDF draws it on each use
(correct, as slow as before minus the parse; not cached on disk).
"""

from __future__ import annotations

import contextlib
import json
import logging
import math
import os
import re
import tempfile
import threading
import zlib
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path
from typing import Any

from PIL import Image
from reportlab.graphics import renderPDF
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
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.pdfgen.textobject import PDFTextObject

from dmdesk.documents.pdf_pages import PdfPages
from dmdesk.documents.svg_drawing import looks_like_svg
from dmdesk.paths import cache_dir

log = logging.getLogger(__name__)

FRAME_WIDTH = 0.4  # points; the frame's line lies inside the thumbnail's width and height
FRAME_GREY = 0x8A / 255
DPI = 300  # raster thumbnails: pixels per inch of the printed thumbnail
FORMAT = 1  # of the disk cache's files; change it when what they hold changes
KEEP = 64  # thumbnails in memory...
KEEP_BYTES = 64 << 20  # ...and at most this many bytes of streams and pixels
DISK_LIMIT = 100 << 20  # bytes of disk cache; trimmed to 3/4 of it when over

_INSET = FRAME_WIDTH / 2
# A form inherits the graphics state of the page where it is drawn: start from PDF's defaults
# (what ReportLab assumed while recording the stream) whatever the sheet set before.
_RESET = "0 g 0 G 1 w 0 J 0 j 10 M [] 0 d BT 0 Tc 0 Tw 100 Tz 0 Ts 0 Tr ET"
_FLATE = PDFArray([PDFName("FlateDecode")])
_MAGIC = b"dmdesk-thumbnail\n"
_SHA256 = re.compile(r"[0-9a-f]{64}")

_Key = tuple[str, float, float]


@dataclass(frozen=True)
class _Image:
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
                "ColorSpace": PDFName("DeviceGray"), "Filter": _FLATE,
            }), self.smask), name + ".mask")
        return doc.Reference(PDFStream(PDFDictionary(entries), self.data), name)

    @property
    def size(self) -> int:
        return len(self.data) + len(self.smask or b"")


@dataclass(frozen=True)
class _Form:
    """A thumbnail as a form XObject: content stream and the resources it names."""

    name: str  # in a document: one per file and box
    width: float
    height: float
    stream: bytes  # Flate-compressed
    fonts: tuple[tuple[str, str], ...]  # (resource name in the stream, ReportLab font name)
    states: tuple[tuple[str, str, Any], ...] = ()  # (ExtGState name, key, value)
    image: _Image | None = None  # named /Im0 in the stream
    # TrueType text, (font, size, leading, text), whose marker \0n\0 the stream holds in
    # place of the text's operators; and (font, file, subfont index) to register those fonts.
    runs: tuple[tuple[str, float, float, str], ...] = ()
    truetype: tuple[tuple[str, str, int], ...] = ()

    def draw(self, canvas: Canvas, x: float, y: float) -> None:
        if not canvas.hasForm(self.name):
            self._add_to(canvas._doc)
        canvas.saveState()
        canvas.translate(x, y)
        canvas.doForm(self.name)
        canvas.restoreState()

    def _add_to(self, doc: Any) -> None:
        resources = PDFResourceDictionary()
        resources.Font = {local: PDFObjectReference(doc.getInternalFontName(font)[1:])
                          for local, font in self.fonts}
        stream, filters = self.stream, _FLATE
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
class _Live:
    """An SVG that cannot be replayed (see the module's docstring): drawn by renderPDF."""

    drawing: Drawing  # already scaled; only read from then on, by any thread
    width: float
    height: float
    size: int

    def draw(self, canvas: Canvas, x: float, y: float) -> None:
        canvas.saveState()
        canvas.translate(x, y)
        _paint_svg(canvas, self.drawing, self.width, self.height)
        canvas.restoreState()


@dataclass(frozen=True)
class Thumbnail:
    """A design file's thumbnail, ready to draw; shared, immutable, safe across threads."""

    width: float  # points, including the frame when there is one
    height: float
    _art: _Form | _Live = field(repr=False, compare=False)

    def draw(self, canvas: Canvas, x: float, y: float) -> None:
        """Draw with its bottom-left corner at (x, y) in the canvas's current coordinates."""
        self._art.draw(canvas, x, y)


_memory: OrderedDict[_Key, Thumbnail | None] = OrderedDict()
_memory_bytes = 0
_lock = threading.Lock()


def clear_memory_cache() -> None:
    """Forget the thumbnails held in memory (the disk cache stays)."""
    global _memory_bytes
    with _lock:
        _memory.clear()
        _memory_bytes = 0


def thumbnail(data: bytes, sha256: str, max_width: float, max_height: float
              ) -> Thumbnail | None:
    """``data`` (whose hash is ``sha256``) fitted to ``max_width`` x ``max_height`` points,
    aspect kept; None when the file is not a drawing we can show (damaged, unknown format, zero
    size). Never raises for the file's content."""
    key = _key(sha256, max_width, max_height)
    with _lock:
        if key in _memory:
            _memory.move_to_end(key)
            return _memory[key]
    found = _from_disk(key)
    if found is None:
        found = _prepare(data, key)
        if found is not None and isinstance(found._art, _Form):
            _to_disk(key, found._art)
    _remember(key, found)
    return found


def _key(sha256: str, max_width: float, max_height: float) -> _Key:
    return sha256.lower(), round(max_width, 3), round(max_height, 3)


def _remember(key: _Key, found: Thumbnail | None) -> None:
    global _memory_bytes
    with _lock:
        if key in _memory:  # another thread prepared it meanwhile
            return
        _memory[key] = found
        _memory_bytes += found._art.size if found else 0
        while len(_memory) > KEEP or (_memory_bytes > KEEP_BYTES and len(_memory) > 1):
            _, dropped = _memory.popitem(last=False)
            _memory_bytes -= dropped._art.size if dropped else 0


def _form_name(key: _Key) -> str:
    sha256, max_width, max_height = key
    return f"dmdeskThumb.{sha256}.{max_width:g}x{max_height:g}"


# Preparing ----------------------------------------------------------------------------------


def _prepare(data: bytes, key: _Key) -> Thumbnail | None:
    _, max_width, max_height = key
    if not data or not (max_width > 2 * FRAME_WIDTH and max_height > 2 * FRAME_WIDTH):
        return None
    try:
        if looks_like_svg(data):
            art: _Form | _Live | None = _svg(data, key)
        elif data.startswith(b"%PDF-"):
            art = _pdf(data, key)
        else:
            art = _picture(data, key)
    except Exception:  # whatever a damaged file makes a library raise: no thumbnail
        log.debug("no thumbnail for %s", key[0], exc_info=True)
        return None
    return Thumbnail(art.width, art.height, art) if art else None


def _fit(width: float, height: float, max_width: float, max_height: float, margin: float
         ) -> float:
    """The scale that fits width x height, plus ``margin`` on all sides, in the box; 0 if
    none does."""
    if not (math.isfinite(width) and math.isfinite(height) and width > 0 and height > 0):
        return 0
    return max(0.0, min((max_width - 2 * margin) / width, (max_height - 2 * margin) / height))


def _svg(data: bytes, key: _Key) -> _Form | _Live | None:
    from svglib import svglib  # lxml: loaded only when a sheet has an SVG drawing

    drawing = svglib.svg2rlg(BytesIO(data))
    if drawing is None:
        return None
    scale = _fit(drawing.width, drawing.height, key[1], key[2], _INSET)
    if scale <= 0:
        return None
    drawing.scale(scale, scale)  # drawn as is from then on
    width = drawing.width * scale + FRAME_WIDTH
    height = drawing.height * scale + FRAME_WIDTH
    form = _record(key, width, height, lambda canvas: _paint_svg(canvas, drawing, width, height))
    return form or _Live(drawing, width, height, size=8 * len(data))


def _paint_svg(canvas: Canvas, drawing: Drawing, width: float, height: float) -> None:
    """Clipped to its viewport as an SVG viewer clips it (svglib draws what lies outside too,
    e.g. a dimension label anchored at the edge), then framed."""
    canvas.saveState()
    clip = canvas.beginPath()
    clip.rect(_INSET, _INSET, width - FRAME_WIDTH, height - FRAME_WIDTH)
    canvas.clipPath(clip, stroke=0, fill=0)
    renderPDF.draw(drawing, canvas, _INSET, _INSET)
    canvas.restoreState()
    _paint_frame(canvas, width, height)


def _paint_frame(canvas: Canvas, width: float, height: float) -> None:
    canvas.saveState()
    canvas.setStrokeColorRGB(FRAME_GREY, FRAME_GREY, FRAME_GREY)
    canvas.setLineWidth(FRAME_WIDTH)
    canvas.rect(_INSET, _INSET, width - FRAME_WIDTH, height - FRAME_WIDTH, stroke=1, fill=0)
    canvas.restoreState()


class _RecordingText(PDFTextObject):  # type: ignore[misc]
    """Writes a marker (\\0 index \\0) where TrueType text goes and keeps the text: the
    operators that show it depend on the document (``_Form._with_text``)."""

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


def _record(key: _Key, width: float, height: float, paint: Callable[[Canvas], None],
            image: _Image | None = None) -> _Form | None:
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
    return _Form(
        name=_form_name(key), width=width, height=height,
        stream=zlib.compress(pdfdocEnc(text)),
        fonts=tuple((internal[1:], font) for font, internal in doc.fontMapping.items()),
        states=tuple((name, state_key, value)
                     for (state_key, value), name in canvas._extgstate._c.items()),
        image=image, runs=runs, truetype=tuple(_font_file(name) for name in
                                               sorted({run[0] for run in runs})))


def _font_file(name: str) -> tuple[str, str, int]:
    face = pdfmetrics.getFont(name).face
    return name, str(face.filename), int(getattr(face, "subfontIndex", 0) or 0)


def _pdf(data: bytes, key: _Key) -> _Form | None:
    """The first page, rasterised at ``DPI`` of its printed size, framed."""
    with PdfPages(data) as pdf:
        if pdf.count == 0:
            return None
        scale = _fit(*pdf.size_points(0), key[1], key[2], _INSET)
        if scale <= 0:
            return None
        with pdf.render(0, DPI * scale) as bitmap:  # BGRx rows in PDFium's buffer
            page = Image.frombytes("RGB", (bitmap.width, bitmap.height), bytes(bitmap.data),
                                   "raw", "BGRX", bitmap.stride)
    return _raster(key, _flate(page), framed=True)


def _picture(data: bytes, key: _Key) -> _Form | None:
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
            image = _Image(picture.width, picture.height, _JPEG_SPACES[picture.mode],
                           "DCTDecode", data, invert=picture.mode == "CMYK")
        else:
            image = _flate(picture, wanted if too_big else None)
    return _raster(key, image, framed=False)


_JPEG_SPACES = {"L": "DeviceGray", "RGB": "DeviceRGB", "CMYK": "DeviceCMYK"}
_GREY_MODES = {"1", "L", "I", "I;16", "I;16B", "I;16L", "F"}


def _flate(picture: Image.Image, resize: tuple[int, int] | None = None) -> _Image:
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
    return _Image(picture.width, picture.height, space, "FlateDecode",
                  zlib.compress(picture.tobytes()),
                  smask=zlib.compress(alpha.tobytes()) if alpha else None)


def _raster(key: _Key, image: _Image, framed: bool) -> _Form | None:
    """A form that draws ``image`` fitted to the box, framed or not."""
    margin = _INSET if framed else 0
    scale = _fit(image.width, image.height, key[1], key[2], margin)
    if scale <= 0:
        return None
    shown = image.width * scale, image.height * scale
    width, height = shown[0] + 2 * margin, shown[1] + 2 * margin

    def paint(canvas: Canvas) -> None:
        canvas._code.append(f"q {fp_str(shown[0], 0, 0, shown[1], margin, margin)} cm "
                            "/Im0 Do Q")
        if framed:
            _paint_frame(canvas, width, height)

    return _record(key, width, height, paint, image)


# The disk cache ------------------------------------------------------------------------------


def _disk_path(key: _Key) -> Path | None:
    if not _SHA256.fullmatch(key[0]):  # not a hash: nothing safe to name a file after
        return None
    try:
        folder = cache_dir() / "thumbnails"
    except Exception:  # no user cache folder on this system
        return None
    return folder / f"{key[0]}-{key[1]:g}x{key[2]:g}-v{FORMAT}.thumb"


def _to_disk(key: _Key, form: _Form) -> None:
    path = _disk_path(key)
    if path is None:
        return
    blobs = [form.stream]
    image = None
    if form.image is not None:
        image = {"width": form.image.width, "height": form.image.height,
                 "color_space": form.image.color_space, "filter": form.image.filter,
                 "invert": form.image.invert, "smask": form.image.smask is not None}
        blobs += [form.image.data, *([form.image.smask] if form.image.smask else [])]
    header = {"format": FORMAT, "key": list(key), "width": form.width, "height": form.height,
              "fonts": form.fonts, "states": form.states, "image": image,
              "runs": form.runs, "truetype": form.truetype,
              "blobs": [len(blob) for blob in blobs], "crc": _crc(blobs)}
    _write(path, b"".join([_MAGIC, json.dumps(header).encode(), b"\n", *blobs]))


def _crc(blobs: list[bytes]) -> int:
    crc = 0
    for blob in blobs:
        crc = zlib.crc32(blob, crc)
    return crc


def _write(path: Path, content: bytes) -> None:
    """Temp file then rename: a reader never sees half a file. Any failure: no disk cache."""
    temp = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temp = tempfile.mkstemp(dir=path.parent, prefix=path.stem, suffix=".tmp")
        with os.fdopen(handle, "wb") as out:
            out.write(content)
        Path(temp).replace(path)
    except OSError:
        log.debug("thumbnail cache not written: %s", path, exc_info=True)
        if temp is not None:
            Path(temp).unlink(missing_ok=True)
        return
    _trim(path.parent)


def _trim(folder: Path) -> None:
    """Over ``DISK_LIMIT``: delete the least recently used files down to 3/4 of it."""
    try:
        files = [(entry.stat().st_mtime, entry.stat().st_size, entry)
                 for entry in folder.iterdir() if entry.suffix in {".thumb", ".tmp"}]
        total = sum(size for _, size, _ in files)
        if total <= DISK_LIMIT:
            return
        for _, size, entry in sorted(files, key=lambda file: file[0]):
            if total <= DISK_LIMIT * 3 // 4:
                break
            entry.unlink(missing_ok=True)
            total -= size
    except OSError:  # another process trimming at the same time, or a read-only folder
        log.debug("thumbnail cache not trimmed: %s", folder, exc_info=True)


def _from_disk(key: _Key) -> Thumbnail | None:
    path = _disk_path(key)
    if path is None:
        return None
    try:
        content = path.read_bytes()
    except OSError:  # not cached (or unreadable): prepare it
        return None
    try:
        form = _parse(key, content)
    except Exception:  # truncated, corrupt, old: rebuilt (and rewritten) by the caller
        log.debug("thumbnail cache file ignored: %s", path, exc_info=True)
        return None
    with contextlib.suppress(OSError):
        os.utime(path)  # recently used: the last to be trimmed
    return Thumbnail(form.width, form.height, form)


def _parse(key: _Key, content: bytes) -> _Form:
    if not content.startswith(_MAGIC):
        raise ValueError("not a thumbnail cache file")
    end = content.index(b"\n", len(_MAGIC))
    header = json.loads(content[len(_MAGIC):end])
    if header["format"] != FORMAT or tuple(header["key"]) != key:
        raise ValueError("another format or file")
    blobs, offset = [], end + 1
    for length in header["blobs"]:
        blobs.append(content[offset:offset + length])
        offset += length
    if offset != len(content) or _crc(blobs) != header["crc"]:
        raise ValueError("truncated or corrupt")
    fonts = tuple((str(local), str(font)) for local, font in header["fonts"])
    for _, font in fonts:  # a Type 1 font registered only in the session that wrote the file
        if pdfmetrics.getFont(font)._dynamicFont:
            raise ValueError(f"{font} cannot be replayed")
    truetype = tuple((str(name), str(file), int(index))
                     for name, file, index in header["truetype"])
    for name, file, index in truetype:
        _register_truetype(name, file, index)
    image = None
    if header["image"] is not None:
        meta = header["image"]
        image = _Image(int(meta["width"]), int(meta["height"]), str(meta["color_space"]),
                       str(meta["filter"]), blobs[1], bool(meta["invert"]),
                       blobs[2] if meta["smask"] else None)
    return _Form(_form_name(key), float(header["width"]), float(header["height"]), blobs[0],
                 fonts, tuple((str(n), str(k), v) for n, k, v in header["states"]), image,
                 tuple((str(f), float(s), float(lead), str(t))
                       for f, s, lead, t in header["runs"]), truetype)


def _register_truetype(name: str, file: str, index: int) -> None:
    """The TrueType font svglib registered (from fontconfig) in the session that wrote the
    file: registered again, or the entry is rebuilt (KeyError, TTFError)."""
    try:
        font = pdfmetrics.getFont(name)
    except KeyError:
        pdfmetrics.registerFont(TTFont(name, file, subfontIndex=index))
        return
    if not font._dynamicFont or str(font.face.filename) != file:
        raise ValueError(f"{name} is another font in this session")
