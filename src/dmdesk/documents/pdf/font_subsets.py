"""Embedded font subsets made once per process, not once per PDF.

ReportLab embeds a TrueType font as subsets of up to 256 glyphs. For every PDF it cuts each
subset out of the font file (``makeSubset``: parse, copy the glyphs, rebuild the tables) and
deflates it, writes the subset's ToUnicode map (the text that copy-and-paste and pdftotext
read) and deflates that, and formats the subset's 256 glyph widths number by number. For DejaVu
Sans and DejaVu Sans Bold that was about a fifth of a one-page job sheet's time. All of it
depends only on the subset's list of characters (and its name, which follows from its place
in the PDF), and a job sheet's first subset is nearly always the same (ReportLab puts all of
ASCII in it, then the first 31 other characters in order of use, here "—" and "…"). So
``cache_subsets`` keeps those bytes for recent subsets per font and writes them into the next
PDF that needs the same subset: the same bytes ReportLab would have made, without making them
again.

It relies on undocumented ReportLab internals (the steps by which a TrueType subset is
embedded); ``reportlab_private.py`` lists them and its test checks them.
"""

from __future__ import annotations

import threading
import zlib
from collections import OrderedDict
from collections.abc import Callable, Hashable
from functools import partial
from typing import Any, Generic, TypeVar

from reportlab.pdfbase import pdfdoc
from reportlab.pdfbase.ttfonts import (
    FF_NONSYMBOLIC,
    FF_SYMBOLIC,
    SUBSETN,
    TTFont,
    makeToUnicodeCMap,
)

from dmdesk.documents.pdf.reportlab_private import page_fonts

KEEP = 32  # subsets per font (a few hundred kilobytes at most)
T = TypeVar("T")


class _Recent(Generic[T]):
    """The ``KEEP`` most recently used values by key, made on a miss; thread-safe (sheets are
    printed on a worker thread while the GUI thread may save one as PDF)."""

    def __init__(self) -> None:
        self._values: OrderedDict[Hashable, T] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, make: Callable[[], T]) -> T:
        with self._lock:
            if key in self._values:
                self._values.move_to_end(key)
                return self._values[key]
        value = make()
        with self._lock:
            self._values[key] = value
            while len(self._values) > KEEP:
                self._values.popitem(last=False)
        return value


class _Formatted(pdfdoc.PDFObject):  # type: ignore[misc]
    """A PDF object whose bytes were formatted before (ReportLab writes ``format``'s result)."""

    def __init__(self, data: bytes) -> None:
        self.data = data

    def format(self, document: Any) -> bytes:
        return self.data


def _deflated_stream(data: bytes, **entries: Any) -> pdfdoc.PDFStream:
    """A stream of already deflated bytes: with its Filter set, ReportLab writes it as is."""
    stream = pdfdoc.PDFStream(content=data)
    for name, value in entries.items():
        stream.dictionary[name] = value
    stream.dictionary["Filter"] = pdfdoc.PDFArray([pdfdoc.PDFName("FlateDecode")])
    return stream


def cache_subsets(font: TTFont) -> None:
    """Make ``font`` reuse the subsets it embedded before (in this process)."""
    _cache_font_files(font)
    _cache_font_dictionaries(font)


def _cache_font_files(font: TTFont) -> None:
    face = font.face
    files: _Recent[tuple[bytes, int]] = _Recent()
    original = face.addSubsetObjects

    def deflated(subset: list[int]) -> tuple[bytes, int]:
        def make() -> tuple[bytes, int]:
            raw = face.makeSubset(subset)
            return zlib.compress(raw), len(raw)
        return files.get(tuple(subset), make)

    def add_subset_objects(doc: Any, fontname: str, subset: list[int]) -> Any:
        if not doc.compression:
            return original(doc, fontname, subset)
        data, length = deflated(subset)
        font_file = _deflated_stream(data, Length1=length)
        ref = doc.Reference(font_file, f"fontFile:{face.filename}({fontname})")
        descriptor = pdfdoc.PDFDictionary({  # as TTFontFace.addSubsetObjects makes it
            "Type": "/FontDescriptor",
            "Ascent": face.ascent,
            "CapHeight": face.capHeight,
            "Descent": face.descent,
            "Flags": (face.flags & ~FF_NONSYMBOLIC) | FF_SYMBOLIC,
            "FontBBox": pdfdoc.PDFArray(face.bbox),
            "FontName": pdfdoc.PDFName(fontname),
            "ItalicAngle": face.italicAngle,
            "StemV": face.stemV,
            "FontFile2": ref,
            "MissingWidth": face.defaultWidth,
        })
        return doc.Reference(descriptor, "fontDescriptor:" + fontname)

    face.addSubsetObjects = add_subset_objects


def _cache_font_dictionaries(font: TTFont) -> None:
    """TTFont.addObjects, with each subset's widths and deflated ToUnicode map reused."""
    face = font.face
    parts: _Recent[tuple[bytes, bytes]] = _Recent()
    original = font.addObjects

    def made(doc: Any, base_name: str, subset: list[int]) -> tuple[bytes, bytes]:
        # Formatted by ReportLab's own PDFArray, so the bytes are the ones it writes.
        widths = pdfdoc.PDFArray([face.getCharWidth(code) for code in subset]).format(doc)
        return (widths,
                zlib.compress(makeToUnicodeCMap(base_name, subset).encode("latin-1")))

    def add_objects(doc: Any) -> None:
        state = font.state.get(doc)
        if state is None or not doc.compression:
            original(doc)
            return
        state.frozen = 1
        for index, subset in enumerate(state.subsets):
            internal = font.getSubsetInternalName(index, doc)[1:]
            base = b"".join((SUBSETN(index), b"+", face.name, face.subfontNameX)).decode(
                "pdfdoc")
            widths, cmap = parts.get((base, tuple(subset)), partial(made, doc, base, subset))
            pdf_font = pdfdoc.PDFTrueTypeFont()
            pdf_font.__Comment__ = f"Font {font.fontName} subset {index}"
            pdf_font.Name = internal
            pdf_font.BaseFont = base
            pdf_font.FirstChar = 0
            pdf_font.LastChar = len(subset) - 1
            pdf_font.Widths = _Formatted(widths)
            pdf_font.ToUnicode = doc.Reference(_deflated_stream(cmap), "toUnicodeCMap:" + base)
            pdf_font.FontDescriptor = face.addSubsetObjects(doc, base, subset)
            doc.Reference(pdf_font, internal)
            page_fonts(doc)[internal] = pdf_font
        del font.state[doc]

    font.addObjects = add_objects
