"""Render the application icon from its SVG into the formats the platforms want.

    QT_QPA_PLATFORM=offscreen python packaging/make_icons.py

resources/icons/dmdesk.svg is the source. Qt's SVG renderer draws it at 1024 px (the largest
size macOS asks for); Pillow then writes:

- resources/icons/dmdesk.png   256 px, the window icon the app sets (gui/app.py)
- packaging/icons/dmdesk.ico   16-256 px, the Windows executable and installer icon
- packaging/icons/dmdesk.icns  16-1024 px, the macOS .app icon

The outputs are committed, so a build needs neither this script nor Pillow. Run it again after
changing the SVG.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

from PIL import Image
from PySide6.QtCore import QBuffer, QIODevice, Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

ROOT = Path(__file__).resolve().parent.parent
SVG = ROOT / "resources" / "icons" / "dmdesk.svg"
ICO_SIZES = [(16, 16), (20, 20), (24, 24), (32, 32), (40, 40), (48, 48), (64, 64),
             (128, 128), (256, 256)]


def render(svg: Path, size: int) -> Image.Image:
    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise SystemExit(f"{svg} is not a valid SVG")
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter)
    painter.end()
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    return Image.open(io.BytesIO(bytes(buffer.data().data()))).convert("RGBA")


def main() -> int:
    _app = QGuiApplication(sys.argv)
    big = render(SVG, 1024)
    out = ROOT / "packaging" / "icons"
    out.mkdir(parents=True, exist_ok=True)
    big.resize((256, 256), Image.Resampling.LANCZOS).save(SVG.with_suffix(".png"))
    big.save(out / "dmdesk.ico", sizes=ICO_SIZES)
    big.save(out / "dmdesk.icns")
    for path in (SVG.with_suffix(".png"), out / "dmdesk.ico", out / "dmdesk.icns"):
        print(f"wrote {path.relative_to(ROOT)} ({path.stat().st_size} bytes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
