"""This database's settings as the app reads them: its site's code, and the company's details
that every printed document carries in its header (name, address, logo); ``services/settings.py``
writes them."""

from __future__ import annotations

import base64
import binascii
import hashlib
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from dmdesk.db import models as m
from dmdesk.db.ownership import DEFAULT_SITE_CODE, SETTING_SITE
from dmdesk.domain.company import COMPANY_ADDRESS, COMPANY_KEYS, COMPANY_LOGO, COMPANY_NAME

__all__ = ["COMPANY_ADDRESS", "COMPANY_KEYS", "COMPANY_LOGO", "COMPANY_NAME", "CompanyProfile",
           "company_profile", "local_site_code"]


def local_site_code(session: Session) -> str:
    """The code of the site this database is (HQ until it is set: at joining, or in the
    Sites area)."""
    code = session.scalar(select(m.Setting.value).where(m.Setting.key == SETTING_SITE))
    return code or DEFAULT_SITE_CODE


@dataclass(frozen=True)
class CompanyProfile:
    name: str = ""
    address: tuple[str, ...] = ()  # its lines
    logo: bytes | None = None  # a PNG or JPEG file's bytes
    logo_sha256: str = ""

    @property
    def empty(self) -> bool:
        return not (self.name or self.address or self.logo)


def company_profile(session: Session) -> CompanyProfile:
    """The company's name, address lines and logo; empty values where none is set."""
    rows = {key: value for key, value in session.execute(
        select(m.Setting.key, m.Setting.value).where(m.Setting.key.in_(COMPANY_KEYS)))}
    logo = _logo(rows.get(COMPANY_LOGO))
    address = tuple(line for line in rows.get(COMPANY_ADDRESS, "").splitlines() if line.strip())
    return CompanyProfile(name=rows.get(COMPANY_NAME, ""), address=address, logo=logo,
                          logo_sha256=hashlib.sha256(logo).hexdigest() if logo else "")


def _logo(stored: str | None) -> bytes | None:
    if not stored:
        return None
    try:
        return base64.b64decode(stored, validate=True)
    except (binascii.Error, ValueError):  # edited by hand: print without a logo
        return None
