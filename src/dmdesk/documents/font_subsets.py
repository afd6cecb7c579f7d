"""Embedded font subsets made once per process, not once per PDF.

ReportLab embeds a TrueType font as subsets of up to 256 glyphs: for every PDF it cuts each
subset out of the font file (``makeSubset``: parse, copy the glyphs, rebuild the tables) and
deflates it; for DejaVu Sans and DejaVu Sans Bold that was about a fifth of a one-page job
sheet's time. A subset's bytes depend only on its list of characters, and a job sheet's
first subset is nearly always the same (ReportLab puts all of ASCII in it, then the first
31 other characters in order of use, here "—" and "…"). So ``cache_subsets`` keeps the
deflated bytes of recent subsets per font and writes those into the next PDF that needs the
same subset: the same bytes ReportLab would have made, without making them again.
"""

from __future__ import annotations

import threading
import zlib
from collections import OrderedDict
from typing import Any

from reportlab.pdfbase import pdfdoc
from reportlab.pdfbase.ttfonts import FF_NONSYMBOLIC, FF_SYMBOLIC, TTFont

KEEP = 32  # subsets per font (a few hundred kilobytes at most)


def cache_subsets(font: TTFont) -> None:
    """Make ``font`` reuse the subsets it embedded before (in this process)."""
    face = font.face
    cache: OrderedDict[tuple[int, ...], tuple[bytes, int]] = OrderedDict()
    lock = threading.Lock()
    original = face.addSubsetObjects

    def deflated(subset: list[int]) -> tuple[bytes, int]:
        key = tuple(subset)
        with lock:
            if key in cache:
                cache.move_to_end(key)
                return cache[key]
        raw = face.makeSubset(subset)
        entry = (zlib.compress(raw), len(raw))
        with lock:
            cache[key] = entry
            while len(cache) > KEEP:
                cache.popitem(last=False)
        return entry

    def add_subset_objects(doc: Any, fontname: str, subset: list[int]) -> Any:
        if not doc.compression:
            return original(doc, fontname, subset)
        data, length = deflated(subset)
        # Already deflated: with its Filter set, the stream is written as it is.
        font_file = pdfdoc.PDFStream(content=data)
        font_file.dictionary["Length1"] = length
        font_file.dictionary["Filter"] = pdfdoc.PDFArray([pdfdoc.PDFName("FlateDecode")])
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
