"""The Unicode font documents embed: DejaVu Sans, shipped in resources/fonts.

ReportLab's built-in fonts (Helvetica...) cover Latin-1 only; DejaVu Sans covers Latin, Greek,
Cyrillic and more, and is embedded (subset) in every PDF, so a sheet prints the same anywhere.
"""

from __future__ import annotations

import threading

from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from dmdesk.paths import resources_dir

REGULAR = "DejaVuSans"
BOLD = "DejaVuSans-Bold"
_FILES = {REGULAR: "DejaVuSans.ttf", BOLD: "DejaVuSans-Bold.ttf"}
_lock = threading.Lock()
_registered = False


def register_fonts() -> tuple[str, str]:
    """Register the fonts with ReportLab once; return (regular, bold) font names."""
    global _registered
    with _lock:
        if not _registered:
            folder = resources_dir() / "fonts"
            for name, file in _FILES.items():
                path = folder / file
                if not path.is_file():
                    raise FileNotFoundError(
                        f"The font {path} is missing from this installation; reinstall dmdesk.")
                pdfmetrics.registerFont(TTFont(name, str(path)))
            addMapping(REGULAR, 0, 0, REGULAR)
            addMapping(REGULAR, 1, 0, BOLD)
            addMapping(REGULAR, 0, 1, REGULAR)
            addMapping(REGULAR, 1, 1, BOLD)
            _registered = True
    return REGULAR, BOLD
