"""Cut the Korean font job sheets use out of NanumGothic: Hangul only, renamed, unhinted.

    apt-get install fonts-nanum              # NanumGothic.ttf 3.021 (Debian 20200506-1)
    pip install fonttools                    # a build-time tool, not a dmdesk dependency
    python packaging/make_hangul_font.py [path/to/NanumGothic.ttf]

writes resources/fonts/DmdeskHangul.ttf. The output is committed, so neither a build nor the
app needs this script, fontTools or the Nanum package; run it again only to change the subset.

Why a subset: NanumGothic.ttf is 4.7 MB, most of it 4,620 Hanja (Droid Sans Fallback, shipped
already, sets those), Visual TrueType sources (TSI* tables) and hinting. What is left is Hangul
(all 11,172 syllables, the conjoining and compatibility jamo, the enclosed Hangul) and the ASCII
and CJK punctuation Korean text uses, about 1.3 MB.

Why unhinted: TrueType hinting fits outlines to a screen's pixel grid at small sizes; job sheets
are printed, or viewed zoomed in a PDF viewer (most of which ignore or auto-hint instead), and
the instructions were a third of the subset.

Why renamed: the subset is a "Modified Version" under the SIL Open Font License, and the OFL
forbids a modified version to go by a Reserved Font Name (Nanum, NanumGothic, ...). So the font
is called "Dmdesk Hangul"; its copyright notice stays, and resources/fonts/LICENSE-DmdeskHangul.txt
carries the licence.
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTFont

ROOT = Path(__file__).resolve().parent.parent
SOURCE = Path("/usr/share/fonts/truetype/nanum/NanumGothic.ttf")
OUTPUT = ROOT / "resources" / "fonts" / "DmdeskHangul.ttf"
FAMILY = "Dmdesk Hangul"
POSTSCRIPT = "DmdeskHangul"

UNICODES = [
    *range(0x0020, 0x007F),  # ASCII letters, digits, punctuation (so the font stands alone)
    0x00A0, 0x00B7,          # no-break space, middle dot
    *range(0x1100, 0x1200),  # Hangul Jamo (conjoining)
    *range(0x3000, 0x3040),  # CJK Symbols and Punctuation: 「」 《》 〈〉 、。
    *range(0x3130, 0x3190),  # Hangul Compatibility Jamo: ㄱ ㅏ ...
    *range(0x3200, 0x321F),  # parenthesized Hangul ㈀
    *range(0x3260, 0x327F),  # circled Hangul ㉠
    *range(0xA960, 0xA980),  # Hangul Jamo Extended-A (NanumGothic has none; kept if it grows)
    *range(0xAC00, 0xD7A4),  # Hangul Syllables, all 11,172
    *range(0xD7B0, 0xD800),  # Hangul Jamo Extended-B (ditto)
]
# Name records that carry the font's name (family, unique id, full name, PostScript name,
# typographic family and subfamily); the rest (copyright, version, licence...) are kept.
NAME_IDS = (1, 3, 4, 6, 16, 17, 18, 21, 22)


def make(source: Path, output: Path) -> None:
    options = subset.Options()
    options.hinting = False  # drops glyph instructions and fpgm/prep/cvt (see above)
    options.drop_tables += ["TSI0", "TSI1", "TSI2", "TSI3", "TSI5"]  # VTT sources
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.notdef_outline = True  # a visible box for a missing glyph, as in the original
    # Keep head.modified as it was, so the same input gives the same bytes.
    font = TTFont(str(source), recalcTimestamp=False)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=UNICODES)
    subsetter.subset(font)

    names = font["name"]
    version = names.getDebugName(5) or ""
    names.names = [record for record in names.names if record.nameID not in NAME_IDS]
    names.setName(FAMILY, 1, 3, 1, 0x409)
    names.setName("Regular", 2, 3, 1, 0x409)
    names.setName(f"{version};{POSTSCRIPT}", 3, 3, 1, 0x409)
    names.setName(FAMILY, 4, 3, 1, 0x409)
    names.setName(POSTSCRIPT, 6, 3, 1, 0x409)
    names.setName("Hangul subset of NanumGothic, made for dmdesk job sheets "
                  "(packaging/make_hangul_font.py)", 10, 3, 1, 0x409)
    font.save(str(output), reorderTables=True)
    font.close()


def main(argv: list[str]) -> int:
    source = Path(argv[1]) if len(argv) > 1 else SOURCE
    if not source.is_file():
        raise SystemExit(f"{source} not found: apt-get install fonts-nanum, or pass its path")
    make(source, OUTPUT)
    data = OUTPUT.read_bytes()
    print(f"{OUTPUT.relative_to(ROOT)}: {len(data):,} bytes, "
          f"sha256 {hashlib.sha256(data).hexdigest()}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
