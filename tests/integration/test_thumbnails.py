"""Design-file thumbnails (dmdesk.documents.pdf.thumbnails): what each kind of file draws, read back
from real PDFs (pdftoppm for pixels, pdftotext for text), stored once per document, cached in
memory and on disk, and never an exception for a file we cannot show."""

from __future__ import annotations

import hashlib
import subprocess
import threading
from collections.abc import Iterator
from io import BytesIO
from pathlib import Path

import pytest
from PIL import Image
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from svglib import svglib

from dmdesk.demo.artwork import svg_drawing
from dmdesk.documents.pdf import thumbnails
from dmdesk.documents.pdf.fonts import register_fonts
from dmdesk.documents.pdf.thumbnails import Thumbnail, clear_memory_cache, disk, thumbnail
from dmdesk.documents.pdf.thumbnails.paint import FRAME_WIDTH
from tests.helpers import require_tool

BOX = (70 * mm, 50 * mm)
AT = (300.0, 500.0)  # where tests draw a thumbnail (bottom-left corner, points)
PX = 4  # pixels a point when pages are rasterised
SVG = svg_drawing("Oak side table", "TBL-0042", 450, 600)
ARIAL_SVG = b"""<svg xmlns="http://www.w3.org/2000/svg" width="60mm" height="20mm"
viewBox="0 0 60 20"><text x="2" y="8" font-size="4" font-family="Arial">Zolw TTF-TEXT-19</text>
<text x="2" y="16" font-size="4">HELV-TEXT-23</text></svg>"""


@pytest.fixture(autouse=True)
def _own_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Each test starts with empty caches, in memory and on disk."""
    folder = tmp_path / "cache"
    monkeypatch.setenv("DMDESK_CACHE_DIR", str(folder))
    clear_memory_cache()
    yield folder / "thumbnails"
    clear_memory_cache()


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _thumb(data: bytes, box: tuple[float, float] = BOX) -> Thumbnail:
    found = thumbnail(data, _sha(data), *box)
    assert found is not None
    return found


def _pdf_drawing() -> bytes:
    """A landscape A4 page: black left half, white right half."""
    out = BytesIO()
    canvas = Canvas(out, pagesize=(A4[1], A4[0]))
    canvas.rect(0, 0, A4[1] / 2, A4[0], stroke=0, fill=1)
    canvas.showPage()
    canvas.save()
    return out.getvalue()


def _picture(mode: str, colour: tuple[int, ...], fmt: str, size: tuple[int, int] = (120, 80)
             ) -> bytes:
    out = BytesIO()
    Image.new(mode, size, colour).save(out, format=fmt)
    return out.getvalue()


def _alpha_png() -> bytes:
    """A transparent square with an opaque black disc in the middle."""
    picture = Image.new("RGBA", (100, 100), (0, 0, 0, 0))
    for y in range(100):
        for x in range(100):
            if (x - 50) ** 2 + (y - 50) ** 2 < 30 ** 2:
                picture.putpixel((x, y), (0, 0, 0, 255))
    out = BytesIO()
    picture.save(out, format="PNG")
    return out.getvalue()


def _write(path: Path, *thumbs: Thumbnail, pages: int = 1, fonts_first: bool = False,
           under: tuple[float, float, float] | None = None) -> Path:
    """A PDF drawing each thumbnail at AT on every page; optionally text in other fonts first
    and a coloured rectangle under the thumbnail."""
    canvas = Canvas(str(path), pagesize=A4)
    for _ in range(pages):
        if fonts_first:
            regular, _bold = register_fonts()
            for line, font in enumerate((regular, "Courier", "Times-Roman")):
                canvas.setFont(font, 10)
                canvas.drawString(40, 800 - 14 * line, f"Text in {font}")
        for thumb in thumbs:
            if under:
                canvas.setFillColorRGB(*under)
                canvas.rect(*AT, thumb.width, thumb.height, stroke=0, fill=1)
            thumb.draw(canvas, *AT)
        canvas.showPage()
    canvas.save()
    return path


def _pixels(pdf: Path, page: int = 1) -> Image.Image:
    """Page ``page`` at ``PX`` pixels a point (a 0.4 pt frame is then a whole pixel)."""
    prefix = pdf.with_name(f"{pdf.stem}-{page}")
    subprocess.run([require_tool("pdftoppm"), "-r", str(72 * PX), "-png", "-f", str(page), "-l",
                    str(page), "-singlefile", str(pdf), str(prefix)], check=True)
    return Image.open(prefix.with_suffix(".png")).convert("RGB")


def _at(picture: Image.Image, x: float, y: float) -> tuple[int, int, int]:
    """The pixel at (x, y) points from the thumbnail's bottom-left corner."""
    colour = picture.getpixel((int(PX * (AT[0] + x)), int(PX * (A4[1] - AT[1] - y))))
    assert isinstance(colour, tuple)
    return colour[0], colour[1], colour[2]


def _darkness(picture: Image.Image, thumb: Thumbnail) -> float:
    box = (AT[0], A4[1] - AT[1] - thumb.height, AT[0] + thumb.width, A4[1] - AT[1])
    grey = picture.crop(tuple(round(PX * edge) for edge in box)).convert("L")
    return 1 - sum(grey.tobytes()) / (255 * grey.width * grey.height)


def _text(pdf: Path) -> str:
    return subprocess.run([require_tool("pdftotext"), "-layout", str(pdf), "-"],
                          capture_output=True, text=True, check=True).stdout


def _fits(thumb: Thumbnail, aspect: float, frame: float) -> None:
    """Fills the box one way, aspect kept (of what lies inside the frame)."""
    assert thumb.width <= BOX[0] + 1e-6 and thumb.height <= BOX[1] + 1e-6
    assert max(thumb.width / BOX[0], thumb.height / BOX[1]) == pytest.approx(1, rel=1e-4)
    assert (thumb.width - frame) / (thumb.height - frame) == pytest.approx(aspect, rel=1e-3)


def test_an_svg_is_a_framed_vector_drawing_with_its_text(tmp_path: Path) -> None:
    thumb = _thumb(SVG)
    _fits(thumb, (105 + 40) / (100 + 60), FRAME_WIDTH)  # the demo's viewBox
    pdf = _write(tmp_path / "svg.pdf", thumb)
    assert "Oak side table" in _text(pdf)  # text, not pixels: drawn as vectors
    picture = _pixels(pdf)
    assert 0.01 < _darkness(picture, thumb) < 0.5
    assert _at(picture, 30, 0.2) == pytest.approx((138, 138, 138), abs=45)  # the grey frame


def test_a_pdf_is_its_first_page_rasterised_and_framed(tmp_path: Path) -> None:
    thumb = _thumb(_pdf_drawing())
    _fits(thumb, A4[1] / A4[0], FRAME_WIDTH)
    picture = _pixels(_write(tmp_path / "pdf.pdf", thumb))
    assert _at(picture, thumb.width * 0.25, thumb.height / 2) == (0, 0, 0)
    assert _at(picture, thumb.width * 0.75, thumb.height / 2) == (255, 255, 255)
    assert _at(picture, thumb.width - 0.2, thumb.height / 2) == pytest.approx(
        (138, 138, 138), abs=45)  # the frame


@pytest.mark.parametrize("fmt", ["PNG", "JPEG"])
def test_a_picture_is_fitted_and_not_framed(tmp_path: Path, fmt: str) -> None:
    thumb = _thumb(_picture("RGB", (20, 40, 220), fmt))
    _fits(thumb, 120 / 80, 0)
    picture = _pixels(_write(tmp_path / "picture.pdf", thumb))
    for x, y in [(1, 1), (thumb.width / 2, thumb.height / 2), (thumb.width - 1.5, 1)]:
        assert _at(picture, x, y) == pytest.approx((20, 40, 220), abs=12)


def test_a_grey_jpeg_and_a_palette_png(tmp_path: Path) -> None:
    grey, palette = _picture("L", (90,), "JPEG"), _picture("P", (3,), "PNG")
    picture = _pixels(_write(tmp_path / "more.pdf", _thumb(grey)))
    assert _at(picture, 20, 20) == pytest.approx((90, 90, 90), abs=8)
    assert _thumb(palette).width == pytest.approx(BOX[0])


def test_transparent_pixels_of_a_png_show_what_is_under_them(tmp_path: Path) -> None:
    thumb = _thumb(_alpha_png())
    picture = _pixels(_write(tmp_path / "alpha.pdf", thumb, under=(1, 0, 0)))
    assert _at(picture, 3, 3) == pytest.approx((255, 0, 0), abs=10)  # transparent: red shows
    assert _at(picture, thumb.width / 2, thumb.height / 2) == pytest.approx((0, 0, 0), abs=10)


@pytest.mark.parametrize("data", [
    b"", b"garbage that is no drawing", b"%PDF-1.4 truncated",
    b"<svg xmlns='http://www.w3.org/2000/svg' width='10mm'><rect x='1' </svg>",
    b"<svg xmlns='http://www.w3.org/2000/svg' width='0' height='0'></svg>",
    b"\x89PNG\r\n\x1a\n" + b"\0" * 40,
    _picture("RGB", (1, 2, 3), "PNG")[:60],  # a truncated PNG
    _picture("RGB", (1, 2, 3), "JPEG")[:200],  # a truncated JPEG
], ids=["empty", "garbage", "pdf", "svg", "svg-no-size", "png-header", "png-cut", "jpeg-cut"])
def test_what_cannot_be_shown_gives_none(data: bytes) -> None:
    assert thumbnail(data, _sha(data), *BOX) is None
    assert thumbnail(data, _sha(data), *BOX) is None  # remembered: the same answer


def test_a_box_too_small_gives_none() -> None:
    assert thumbnail(SVG, _sha(SVG), 0, 10) is None


def test_one_thumbnail_on_three_pages_is_stored_once(tmp_path: Path) -> None:
    thumb = _thumb(SVG)
    one = _write(tmp_path / "one.pdf", thumb, pages=1)
    three = _write(tmp_path / "three.pdf", thumb, pages=3)
    content = three.read_bytes()
    assert content.count(b"/Subtype /Form") == 1
    assert three.stat().st_size - one.stat().st_size < 1500  # two small pages more, no copies
    pages = _text(three).split("\f")
    assert all("Oak side table" in page for page in pages[:3])


def test_a_picture_on_three_pages_is_stored_once(tmp_path: Path) -> None:
    thumb = _thumb(_alpha_png())
    three = _write(tmp_path / "three.pdf", thumb, pages=3)
    assert three.read_bytes().count(b"/Subtype /Image") == 2  # the pixels and their alpha
    for page in (1, 2, 3):
        assert _darkness(_pixels(three, page), thumb) > 0.2


def test_the_svg_text_is_right_in_a_document_that_used_other_fonts_first(
        tmp_path: Path) -> None:
    thumb = _thumb(SVG)
    _write(tmp_path / "first.pdf", thumb)  # the stream was recorded with Helvetica as /F1
    pdf = _write(tmp_path / "fonts.pdf", thumb, pages=2, fonts_first=True)
    text = _text(pdf)
    assert text.count("Oak side table") == 2
    assert text.count("TBL-0042 · rev 1 · mm") == 2
    assert text.count("Text in Courier") == 2


def test_truetype_text_in_an_svg_is_encoded_for_each_document(tmp_path: Path) -> None:
    """svglib sets a family it does not know ("Arial") in a TrueType font from fontconfig;
    ReportLab numbers TrueType characters per document, so the form's text is encoded for
    each."""
    thumb = _thumb(ARIAL_SVG, (200, 100))
    for name in ("a", "b"):
        text = _text(_write(tmp_path / f"{name}.pdf", thumb, pages=2, fonts_first=True))
        assert text.count("Zolw TTF-TEXT-19") == 2
        assert text.count("HELV-TEXT-23") == 2


def test_the_disk_cache_spares_the_parse_in_a_new_session(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, _own_cache: Path) -> None:
    first = _thumb(SVG)
    picture = _thumb(_alpha_png())
    assert len(list(_own_cache.glob("*.thumb"))) == 2
    clear_memory_cache()

    def fail(*args: object, **kwargs: object) -> None:
        raise AssertionError("parsed again")

    monkeypatch.setattr(svglib, "svg2rlg", fail)
    monkeypatch.setattr(Image, "open", fail)
    again, picture_again = _thumb(SVG), _thumb(_alpha_png())
    assert (again.width, again.height) == (first.width, first.height)
    assert (picture_again.width, picture_again.height) == (picture.width, picture.height)
    pdf = _write(tmp_path / "from-disk.pdf", again, under=None)
    assert "Oak side table" in _text(pdf)


def test_truetype_fonts_come_back_from_the_disk_cache(tmp_path: Path) -> None:
    _thumb(ARIAL_SVG, (200, 100))
    clear_memory_cache()
    again = _thumb(ARIAL_SVG, (200, 100))
    assert "Zolw TTF-TEXT-19" in _text(_write(tmp_path / "ttf.pdf", again))


@pytest.mark.parametrize("damage", ["truncate", "flip", "empty", "old-version"])
def test_a_damaged_cache_file_is_rebuilt(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, _own_cache: Path, damage: str) -> None:
    _thumb(SVG)
    (path,) = _own_cache.glob("*.thumb")
    content = path.read_bytes()
    if damage == "truncate":
        path.write_bytes(content[:-10])
    elif damage == "flip":
        path.write_bytes(content[:-5] + bytes([content[-5] ^ 0xFF]) + content[-4:])
    elif damage == "empty":
        path.write_bytes(b"")
    else:
        monkeypatch.setattr(disk, "FORMAT", disk.FORMAT + 1)
        path.rename(path.with_name(path.name.replace(f"-v{disk.FORMAT - 1}",
                                                     f"-v{disk.FORMAT}")))
    clear_memory_cache()
    parses = []
    original = svglib.svg2rlg
    monkeypatch.setattr(svglib, "svg2rlg", lambda *a, **k: parses.append(1) or original(*a, **k))
    rebuilt = _thumb(SVG)
    assert parses == [1]
    assert "Oak side table" in _text(_write(tmp_path / "rebuilt.pdf", rebuilt))
    assert disk.read(thumbnails._key(_sha(SVG), *BOX)) is not None  # rewritten


def test_an_unwritable_cache_folder_means_no_disk_cache(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_bytes(b"")
    monkeypatch.setenv("DMDESK_CACHE_DIR", str(blocker))  # thumbnails/ cannot be made in it
    assert _thumb(SVG).width > 0


def test_the_disk_cache_is_trimmed_oldest_first(
        monkeypatch: pytest.MonkeyPatch, _own_cache: Path) -> None:
    monkeypatch.setattr(disk, "DISK_LIMIT", 2500)
    for rgb in range(6):
        _thumb(_picture("RGB", (rgb, 0, 0), "PNG", (40, 40)))
    sizes = [path.stat().st_size for path in _own_cache.glob("*.thumb")]
    assert 0 < len(sizes) < 6 and sum(sizes) <= 2500


def test_threads_share_the_caches(tmp_path: Path) -> None:
    files = [svg_drawing(f"Part {n}", f"P-{n}", 300 + n, 400) for n in range(6)]
    files += [_picture("RGB", (n * 40, 0, 0), "PNG") for n in range(4)]
    errors: list[BaseException] = []

    def work(worker: int) -> None:
        try:
            canvas = Canvas(str(tmp_path / f"worker-{worker}.pdf"))
            for round_ in range(15):
                if worker == 0 and round_ % 5 == 0:
                    clear_memory_cache()
                for data in files:
                    _thumb(data).draw(canvas, *AT)
                canvas.showPage()
            canvas.save()
        except BaseException as error:  # reported by the main thread
            errors.append(error)

    workers = [threading.Thread(target=work, args=(n,)) for n in range(6)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert errors == []
    assert "Part 5" in _text(tmp_path / "worker-3.pdf")
