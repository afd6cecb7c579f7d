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
between documents (but for TrueType text, below). Every use, first or not, is then
``q 1 0 0 1 x y cm /FormXob.… Do Q``. The document is its own registry of what it holds
(``canvas.hasForm``).

Caches:

* in memory, an LRU of Thumbnails by (sha256, box), bounded in count and bytes, behind a lock
  (printing runs on a worker thread); files we cannot show are remembered as None;
* on disk, one file per (sha256, box, format version) in ``cache_dir()/thumbnails``, written
  to a temp file and renamed, so a new session neither parses nor rasterises. Content-addressed,
  so never stale. A file that is truncated, corrupt (CRC), of another version, or that names a
  font this session does not know is ignored and rebuilt; a folder that cannot be written only
  means no disk cache. After each write the folder is trimmed to ``DISK_LIMIT`` bytes, least
  recently used first (a hit touches the file).

Text that svglib sets in a TrueType font is replayed too, although ReportLab encodes TrueType
text per document (in subsets, numbered in order of first use): while recording, each such run
goes into the stream as a marker and is kept as (font, size, leading, text) with the font's
file; adding the form to a document encodes each run as that document encodes the font
(``Form._with_text``), and a form read from disk registers its TrueType fonts again. An SVG
that cannot be replayed, because it has shaped text or embeds images, colour spaces or
shadings, keeps its parsed svglib Drawing in memory and renderPDF draws it on each use
(correct, as slow as before minus the parse; not cached on disk).

The modules: ``forms`` (what is kept, and how it is added to a document), ``record`` (a paint
function recorded as a form), ``prepare`` (SVG, PDF and raster files), ``paint`` (frame and
clip), ``disk`` (the disk cache); this one holds the memory cache and the public API.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, field

from reportlab.pdfgen.canvas import Canvas

from dmdesk.documents.pdf.thumbnails import disk
from dmdesk.documents.pdf.thumbnails.forms import Form, Key, Live
from dmdesk.documents.pdf.thumbnails.prepare import prepare

__all__ = ["Thumbnail", "clear_memory_cache", "thumbnail"]

KEEP = 64  # thumbnails in memory...
KEEP_BYTES = 64 << 20  # ...and at most this many bytes of streams and pixels


@dataclass(frozen=True)
class Thumbnail:
    """A design file's thumbnail, ready to draw; shared, immutable, safe across threads."""

    width: float  # points, including the frame when there is one
    height: float
    _art: Form | Live = field(repr=False, compare=False)

    def draw(self, canvas: Canvas, x: float, y: float) -> None:
        """Draw with its bottom-left corner at (x, y) in the canvas's current coordinates."""
        self._art.draw(canvas, x, y)


_memory: OrderedDict[Key, Thumbnail | None] = OrderedDict()
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
    art: Form | Live | None = disk.read(key)
    if art is None:
        art = prepare(data, key)
        if isinstance(art, Form):
            disk.write(key, art)
    found = Thumbnail(art.width, art.height, art) if art is not None else None
    _remember(key, found)
    return found


def _key(sha256: str, max_width: float, max_height: float) -> Key:
    return sha256.lower(), round(max_width, 3), round(max_height, 3)


def _remember(key: Key, found: Thumbnail | None) -> None:
    global _memory_bytes
    with _lock:
        if key in _memory:  # another thread prepared it meanwhile
            return
        _memory[key] = found
        _memory_bytes += found._art.size if found else 0
        while len(_memory) > KEEP or (_memory_bytes > KEEP_BYTES and len(_memory) > 1):
            _, dropped = _memory.popitem(last=False)
            _memory_bytes -= dropped._art.size if dropped else 0
