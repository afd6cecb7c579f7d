"""The disk cache of prepared forms: one file per (sha256, box, format version), written to a
temp file and renamed, checked (magic, version, key, lengths, CRC, fonts) when read, and
trimmed to ``DISK_LIMIT`` bytes, least recently used first."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
import tempfile
import zlib
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from dmdesk.documents.pdf.thumbnails.forms import EncodedImage, Form, Key, form_name
from dmdesk.paths import cache_dir

log = logging.getLogger(__name__)

FORMAT = 1  # of the disk cache's files; change it when what they hold changes
DISK_LIMIT = 100 << 20  # bytes of disk cache; trimmed to 3/4 of it when over

_MAGIC = b"dmdesk-thumbnail\n"
_SHA256 = re.compile(r"[0-9a-f]{64}")


def read(key: Key) -> Form | None:
    """The form cached for ``key``; None when there is none or it cannot be used (the caller
    then prepares it again and rewrites the file)."""
    path = _path(key)
    if path is None:
        return None
    try:
        content = path.read_bytes()
    except OSError:  # not cached (or unreadable): prepare it
        return None
    try:
        form = _parse(key, content)
    except Exception:  # truncated, corrupt, old: rebuilt (and rewritten) by the caller
        log.debug("thumbnail cache file ignored: %s", path, exc_info=True)
        return None
    with contextlib.suppress(OSError):
        os.utime(path)  # recently used: the last to be trimmed
    return form


def write(key: Key, form: Form) -> None:
    path = _path(key)
    if path is None:
        return
    blobs = [form.stream]
    image = None
    if form.image is not None:
        image = {"width": form.image.width, "height": form.image.height,
                 "color_space": form.image.color_space, "filter": form.image.filter,
                 "invert": form.image.invert, "smask": form.image.smask is not None}
        blobs += [form.image.data, *([form.image.smask] if form.image.smask else [])]
    header = {"format": FORMAT, "key": list(key), "width": form.width, "height": form.height,
              "fonts": form.fonts, "states": form.states, "image": image,
              "runs": form.runs, "truetype": form.truetype,
              "blobs": [len(blob) for blob in blobs], "crc": _crc(blobs)}
    _write_file(path, b"".join([_MAGIC, json.dumps(header).encode(), b"\n", *blobs]))


def forget(sha256: str) -> int:
    """Remove every cached form of these file contents (a producer no longer holds them);
    the number of files removed."""
    if not _SHA256.fullmatch(sha256):
        return 0
    try:
        folder = cache_dir() / "thumbnails"
    except Exception:  # no user cache folder on this system: nothing cached
        return 0
    removed = 0
    for path in folder.glob(f"{sha256}-*.thumb"):
        with contextlib.suppress(OSError):
            path.unlink()
            removed += 1
    return removed


def _path(key: Key) -> Path | None:
    if not _SHA256.fullmatch(key[0]):  # not a hash: nothing safe to name a file after
        return None
    try:
        folder = cache_dir() / "thumbnails"
    except Exception:  # no user cache folder on this system
        return None
    return folder / f"{key[0]}-{key[1]:g}x{key[2]:g}-v{FORMAT}.thumb"


def _crc(blobs: list[bytes]) -> int:
    crc = 0
    for blob in blobs:
        crc = zlib.crc32(blob, crc)
    return crc


def _write_file(path: Path, content: bytes) -> None:
    """Temp file then rename: a reader never sees half a file. Any failure: no disk cache."""
    temp = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temp = tempfile.mkstemp(dir=path.parent, prefix=path.stem, suffix=".tmp")
        with os.fdopen(handle, "wb") as out:
            out.write(content)
        Path(temp).replace(path)
    except OSError:
        log.debug("thumbnail cache not written: %s", path, exc_info=True)
        if temp is not None:
            Path(temp).unlink(missing_ok=True)
        return
    _trim(path.parent)


def _trim(folder: Path) -> None:
    """Over ``DISK_LIMIT``: delete the least recently used files down to 3/4 of it."""
    try:
        files = [(entry.stat().st_mtime, entry.stat().st_size, entry)
                 for entry in folder.iterdir() if entry.suffix in {".thumb", ".tmp"}]
        total = sum(size for _, size, _ in files)
        if total <= DISK_LIMIT:
            return
        for _, size, entry in sorted(files, key=lambda file: file[0]):
            if total <= DISK_LIMIT * 3 // 4:
                break
            entry.unlink(missing_ok=True)
            total -= size
    except OSError:  # another process trimming at the same time, or a read-only folder
        log.debug("thumbnail cache not trimmed: %s", folder, exc_info=True)


def _parse(key: Key, content: bytes) -> Form:
    if not content.startswith(_MAGIC):
        raise ValueError("not a thumbnail cache file")
    end = content.index(b"\n", len(_MAGIC))
    header = json.loads(content[len(_MAGIC):end])
    if header["format"] != FORMAT or tuple(header["key"]) != key:
        raise ValueError("another format or file")
    blobs, offset = [], end + 1
    for length in header["blobs"]:
        blobs.append(content[offset:offset + length])
        offset += length
    if offset != len(content) or _crc(blobs) != header["crc"]:
        raise ValueError("truncated or corrupt")
    fonts = tuple((str(local), str(font)) for local, font in header["fonts"])
    for _, font in fonts:  # a Type 1 font registered only in the session that wrote the file
        if isinstance(pdfmetrics.getFont(font), TTFont):
            raise ValueError(f"{font} cannot be replayed")
    truetype = tuple((str(name), str(file), int(index))
                     for name, file, index in header["truetype"])
    for name, file, index in truetype:
        _register_truetype(name, file, index)
    image = None
    if header["image"] is not None:
        meta = header["image"]
        image = EncodedImage(int(meta["width"]), int(meta["height"]), str(meta["color_space"]),
                             str(meta["filter"]), blobs[1], bool(meta["invert"]),
                             blobs[2] if meta["smask"] else None)
    return Form(form_name(key), float(header["width"]), float(header["height"]), blobs[0],
                fonts, tuple((str(n), str(k), v) for n, k, v in header["states"]), image,
                tuple((str(f), float(s), float(lead), str(t))
                      for f, s, lead, t in header["runs"]), truetype)


def _register_truetype(name: str, file: str, index: int) -> None:
    """The TrueType font svglib registered (from fontconfig) in the session that wrote the
    file: registered again, or the entry is rebuilt (KeyError, TTFError)."""
    try:
        font = pdfmetrics.getFont(name)
    except KeyError:
        pdfmetrics.registerFont(TTFont(name, file, subfontIndex=index))
        return
    if not isinstance(font, TTFont) or str(font.face.filename) != file:
        raise ValueError(f"{name} is another font in this session")
