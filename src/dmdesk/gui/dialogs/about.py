"""Help > About: the version, what is bundled and under which licence, and where this
database, its backups and the log are (the first things asked when something goes wrong)."""

from __future__ import annotations

import html
import sys
from pathlib import Path

from PySide6 import __version__ as pyside_version
from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QTextBrowser, QVBoxLayout, QWidget

from dmdesk import __version__
from dmdesk.paths import resources_dir

# What the app and its builds (packaging/) carry, with each licence; the fonts' own licence
# texts are beside them in resources/fonts and listed from there.
# (pyproject.toml's dependencies; the server's FastAPI and Uvicorn are not in the app's builds.)
LIBRARIES = (
    ("Qt 6 / PySide6", "LGPL-3.0"),
    ("SQLAlchemy, Alembic", "MIT"),
    ("ReportLab, rl-accel", "BSD"),
    ("pypdfium2 / PDFium", "Apache-2.0 or BSD-3-Clause / BSD-3-Clause"),
    ("Pillow", "MIT-CMU (HPND)"),
    ("openpyxl", "MIT"),
    ("segno", "BSD-3-Clause"),
    ("svglib, lxml", "LGPL-3.0, BSD-3-Clause"),
    ("httpx", "BSD-3-Clause"),
    ("truststore, platformdirs", "MIT"),
    ("Python", "PSF-2.0"),
)


# The fonts in resources/fonts, each with its licence file there (the full text).
FONTS = (
    ("DejaVu Sans", "Bitstream Vera licence; DejaVu changes public domain", "DejaVu"),
    ("Dmdesk Hangul (a subset of NanumGothic)", "SIL Open Font License 1.1", "DmdeskHangul"),
    ("Droid Sans Fallback", "Apache-2.0", "DroidSansFallback"),
)


def font_licences(fonts: Path | None = None) -> list[tuple[str, str, Path]]:
    """(font, licence, its licence file) for each bundled font."""
    folder = fonts or resources_dir() / "fonts"
    return [(font, licence, folder / f"LICENSE-{stem}.txt") for font, licence, stem in FONTS]


def about_html(database: Path, backups: Path, log: Path) -> str:
    def link(path: Path) -> str:
        return (f'<a href="{QUrl.fromLocalFile(str(path)).toString()}">'
                f"{html.escape(str(path))}</a>")

    fonts = "".join(f"<li>{html.escape(font)}: {html.escape(licence)} "
                    f'(<a href="{QUrl.fromLocalFile(str(path)).toString()}">licence</a>)</li>'
                    for font, licence, path in font_licences())
    libraries = "".join(f"<li>{html.escape(name)}: {html.escape(licence)}</li>"
                        for name, licence in LIBRARIES)
    python = ".".join(str(n) for n in sys.version_info[:3])
    return (f"<h2>dmdesk {html.escape(__version__)}</h2>"
            "<p>Plan, make and stock across a network of workshops. MIT licence.</p>"
            "<h3>Files</h3><table cellspacing='4'>"
            f"<tr><td>Database:</td><td>{link(database)}</td></tr>"
            f"<tr><td>Backups:</td><td>{link(backups)}</td></tr>"
            f"<tr><td>Log:</td><td>{link(log)}</td></tr></table>"
            f"<h3>Fonts</h3><ul>{fonts}</ul>"
            f"<h3>Libraries</h3><p>Python {python}, PySide6 {pyside_version}.</p>"
            f"<ul>{libraries}</ul>")


class AboutDialog(QDialog):
    def __init__(self, database: Path, backups: Path, log: Path,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("About dmdesk"))
        self.resize(620, 560)
        self.text = QTextBrowser(self)
        self.text.setOpenLinks(False)  # folders and files open in the system's file manager
        self.text.anchorClicked.connect(QDesktopServices.openUrl)
        self.text.setHtml(about_html(database, backups, log))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.text)
        layout.addWidget(buttons)
        buttons.button(QDialogButtonBox.StandardButton.Close).setFocus(
            Qt.FocusReason.OtherFocusReason)
