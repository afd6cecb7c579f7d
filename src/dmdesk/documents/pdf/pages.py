"""PDF pages as pixels, with pypdfium2 (PDFium): for printing job sheets through Qt's print
system and for thumbnails of PDF drawings on the sheets.

PySide6 as shipped here has no QtPdf, and ReportLab only writes PDFs, so PDFium rasterises
them. PDFium is not thread-safe: every call into it goes through one lock, so the GUI's worker
thread, a CLI run and a test can never be inside PDFium at once.

Pixels are 4-byte BGRx rows (``stride`` bytes each), which is Qt's ``QImage.Format_RGB32`` on
little-endian machines, or 8-bit grey (``Format_Grayscale8``); this module stays free of Qt
(documents may not import it).
"""

from __future__ import annotations

import threading
from pathlib import Path
from types import TracebackType

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

POINTS_PER_INCH = 72
_LOCK = threading.RLock()


class PageBitmap:
    """A rendered page: BGRx rows (``stride`` bytes each, top row first) in PDFium's own
    buffer, lent as ``data`` without a copy (a 300 dpi A4 page is 35 MB; copying it holds the
    GIL ~40 ms). Use it as a context manager: the buffer is freed on exit, so nothing may keep
    ``data`` beyond it."""

    def __init__(self, bitmap: pdfium.PdfBitmap) -> None:
        self._bitmap = bitmap
        self.width: int = bitmap.width
        self.height: int = bitmap.height
        self.stride: int = bitmap.stride
        self.grayscale: bool = bitmap.n_channels == 1  # one byte a pixel, else BGRx
        self.data = memoryview(bitmap.buffer).cast("B")

    def __enter__(self) -> PageBitmap:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.data.release()
        with _LOCK:
            self._bitmap.close()


class PdfPages:
    """An open PDF (a file or bytes): its page count, page sizes, and pages as pixels."""

    def __init__(self, source: Path | bytes) -> None:
        with _LOCK:
            self._doc = pdfium.PdfDocument(str(source) if isinstance(source, Path) else source)
            self.count = len(self._doc)

    def __enter__(self) -> PdfPages:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        with _LOCK:
            self._doc.close()

    def size_points(self, index: int) -> tuple[float, float]:
        """(width, height) of page ``index`` in points (1/72 inch)."""
        with _LOCK:
            page = self._doc[index]
            try:
                width, height = page.get_size()
            finally:
                page.close()
        return float(width), float(height)

    def render(self, index: int, dpi: float, *, grayscale: bool = False) -> PageBitmap:
        """Page ``index`` at ``dpi`` (8-bit grey or BGRx); use the result in a ``with`` block."""
        with _LOCK:
            page = self._doc[index]
            try:
                if grayscale:  # a quarter of the bytes for a printer set to print in grey
                    bitmap = page.render(scale=dpi / POINTS_PER_INCH, optimize_mode="print",
                                         force_bitmap_format=pdfium_c.FPDFBitmap_Gray)
                else:
                    bitmap = page.render(scale=dpi / POINTS_PER_INCH, prefer_bgrx=True,
                                         optimize_mode="print")
                return PageBitmap(bitmap)
            finally:
                page.close()
