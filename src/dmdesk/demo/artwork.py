"""Small design files made in code: a dimensioned SVG drawing, a PNG thumbnail, an STL part.

They are tiny (well under a few kilobytes) but real files that open in a browser or a slicer,
so the job sheet can show a thumbnail and the design-file list has something to pin.
"""

from __future__ import annotations

import struct
import zlib
from xml.sax.saxutils import escape

SVG = "image/svg+xml"
PNG = "image/png"
STL = "model/stl"


def svg_drawing(title: str, sku: str, width_mm: int, height_mm: int, revision: int = 1) -> bytes:
    """A front view with overall dimensions and a title block."""
    w, h = 60 + width_mm // 10, 40 + height_mm // 10
    title_text = escape(title)
    return f"""<svg xmlns="http://www.w3.org/2000/svg" width="{w + 40}mm" height="{h + 60}mm" \
viewBox="0 0 {w + 40} {h + 60}">
<rect x="20" y="10" width="{w}" height="{h}" fill="none" stroke="black" stroke-width="0.7"/>
<line x1="20" y1="{h + 18}" x2="{w + 20}" y2="{h + 18}" stroke="black" stroke-width="0.3"/>
<text x="{w // 2 + 20}" y="{h + 16}" font-size="4" text-anchor="middle">{width_mm} mm</text>
<line x1="12" y1="10" x2="12" y2="{h + 10}" stroke="black" stroke-width="0.3"/>
<text x="10" y="{h // 2 + 10}" font-size="4" text-anchor="end">{height_mm} mm</text>
<rect x="20" y="{h + 26}" width="{w}" height="24" fill="none" stroke="black" stroke-width="0.4"/>
<text x="23" y="{h + 34}" font-size="4">{title_text}</text>
<text x="23" y="{h + 42}" font-size="3.5">{escape(sku)} · rev {revision} · mm</text>
</svg>
""".encode()


def png_thumbnail(rgb: tuple[int, int, int], size: int = 32) -> bytes:
    """A square thumbnail: a coloured disc on white (what the product's finish looks like)."""
    centre, radius2 = (size - 1) / 2, (size * 0.42) ** 2
    rows = bytearray()
    for y in range(size):
        rows.append(0)  # PNG filter type "none" for each scanline
        for x in range(size):
            inside = (x - centre) ** 2 + (y - centre) ** 2 <= radius2
            rows.extend(rgb if inside else (255, 255, 255))

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)  # 8-bit RGB
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(bytes(rows), 9)) + chunk(b"IEND", b""))


def stl_part(name: str, width_mm: int, height_mm: int) -> bytes:
    """An ASCII STL of a square pyramid (a lamp shade's rough shape) for the print farm."""
    half = width_mm / 2
    apex = (0.0, 0.0, float(height_mm))
    base = [(-half, -half, 0.0), (half, -half, 0.0), (half, half, 0.0), (-half, half, 0.0)]
    facets = [(base[i], base[(i + 1) % 4], apex) for i in range(4)]
    facets += [(base[0], base[2], base[1]), (base[0], base[3], base[2])]
    solid = name.replace(" ", "_")
    lines = [f"solid {solid}"]
    for a, b, c in facets:
        lines.append("  facet normal 0 0 0")
        lines.append("    outer loop")
        lines.extend(f"      vertex {x:.1f} {y:.1f} {z:.1f}" for x, y, z in (a, b, c))
        lines.append("    endloop")
        lines.append("  endfacet")
    lines.append(f"endsolid {solid}")
    return ("\n".join(lines) + "\n").encode()
