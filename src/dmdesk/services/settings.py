"""Setting the company's details that documents print in their header: name, address and
logo. Settings belong to this database (they are not synced: each site prints its own letter
head). Each change is audited; a refused value leaves the setting as it was."""

from __future__ import annotations

import base64
import hashlib
from io import BytesIO

from PIL import Image, UnidentifiedImageError
from sqlalchemy import delete

from dmdesk.db import models as m
from dmdesk.domain.company import COMPANY_ADDRESS, COMPANY_KEYS, COMPANY_LOGO, COMPANY_NAME
from dmdesk.domain.errors import ValidationError
from dmdesk.services.context import ServiceContext, UnitOfWork

MAX_NAME = 120
MAX_ADDRESS_LINES = 6
MAX_ADDRESS_LINE = 120
MAX_LOGO_BYTES = 2 << 20  # 2 MB: a letter-head logo, not a photograph
MAX_LOGO_PIXELS = 16_000_000  # what a logo prints at 300 dpi is far less
LOGO_FORMATS = ("PNG", "JPEG")


def set_company_name(ctx: ServiceContext, name: str) -> str:
    """Set the company's name (one line); an empty name clears it. Returns what is stored."""
    cleaned = " ".join(name.split())
    if len(cleaned) > MAX_NAME:
        raise ValidationError(f"The company name is {len(cleaned)} characters; at most "
                              f"{MAX_NAME} fit a document's header.", field=COMPANY_NAME)
    with ctx.transaction() as uow:
        _store(uow, COMPANY_NAME, cleaned, value=cleaned)
    return cleaned


def set_company_address(ctx: ServiceContext, address: str) -> tuple[str, ...]:
    """Set the company's address: its lines separated by line breaks; empty clears it."""
    lines = tuple(" ".join(line.split()) for line in address.splitlines() if line.strip())
    if len(lines) > MAX_ADDRESS_LINES:
        raise ValidationError(f"The address has {len(lines)} lines; at most "
                              f"{MAX_ADDRESS_LINES} fit a document's header.",
                              field=COMPANY_ADDRESS)
    for line in lines:
        if len(line) > MAX_ADDRESS_LINE:
            raise ValidationError(f"The address line {line[:30]!r}… is {len(line)} "
                                  f"characters; at most {MAX_ADDRESS_LINE}.",
                                  field=COMPANY_ADDRESS)
    with ctx.transaction() as uow:
        _store(uow, COMPANY_ADDRESS, "\n".join(lines), lines=list(lines))
    return lines


def set_company_logo(ctx: ServiceContext, data: bytes | None) -> str:
    """Set the company's logo (a PNG or JPEG file's bytes; None or empty clears it); returns
    its SHA-256 ("" when cleared). The bytes are stored, so documents never need the file."""
    if not data:
        with ctx.transaction() as uow:
            _store(uow, COMPANY_LOGO, "", sha256="")
        return ""
    check_logo(data)
    digest = hashlib.sha256(data).hexdigest()
    with ctx.transaction() as uow:
        _store(uow, COMPANY_LOGO, base64.b64encode(data).decode("ascii"), sha256=digest,
               bytes=len(data))
    return digest


def check_logo(data: bytes) -> None:
    """Refuse what cannot serve as a logo, naming the problem."""
    if len(data) > MAX_LOGO_BYTES:
        raise ValidationError(f"The logo is {len(data) / 1e6:.1f} MB; at most "
                              f"{MAX_LOGO_BYTES / 1e6:.1f} MB.", field=COMPANY_LOGO)
    try:
        with Image.open(BytesIO(data)) as image:
            kind, (width, height) = image.format, image.size
            image.verify()  # a truncated or corrupt file fails here, not when printing
    except Image.DecompressionBombError as exc:
        raise ValidationError("The logo claims too many pixels to be read safely.",
                              field=COMPANY_LOGO) from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise ValidationError("The logo is not an image file (PNG or JPEG) that can be read.",
                              field=COMPANY_LOGO) from exc
    if width * height > MAX_LOGO_PIXELS:
        raise ValidationError(f"The logo is {width} x {height} pixels; at most "
                              f"{MAX_LOGO_PIXELS // 1_000_000} million.", field=COMPANY_LOGO)
    if kind not in LOGO_FORMATS:
        raise ValidationError(f"The logo is a {kind} image; use PNG or JPEG.",
                              field=COMPANY_LOGO)
    if width < 1 or height < 1:
        raise ValidationError("The logo has no pixels.", field=COMPANY_LOGO)


def _store(uow: UnitOfWork, key: str, stored: str, **audited: object) -> None:
    assert key in COMPANY_KEYS, key  # only the settings this module owns
    if stored:
        uow.set_setting(key, stored)
    else:
        uow.session.execute(delete(m.Setting).where(m.Setting.key == key))
    uow.audit("set" if stored else "clear", "setting", None, key=key, **audited)
