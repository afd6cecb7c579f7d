"""HTTPS trust for the sync client: the operating system's certificate store (truststore),
plus, where one is given, a CA file of the owner's own (a private certificate authority).

Why both: a server with a public certificate (Let's Encrypt, a company CA already installed
on the computers) then just works, as in a browser, with no certificate bundle to keep up to
date. A server with a self-made CA works with ``--ca-file`` (stored in the database's local
settings so later syncs, and the app, use it too) or ``DMDESK_CA_FILE``; on Linux OpenSSL's
``SSL_CERT_FILE`` also replaces the system store, but not on Windows or macOS, which is why
the product offers its own option.
"""

from __future__ import annotations

import os
import ssl
from pathlib import Path

import truststore
from sqlalchemy import select
from sqlalchemy.orm import Session

from dmdesk.db import models as m

ENV_CA_FILE = "DMDESK_CA_FILE"
SETTING_CA_FILE = "sync_ca_file"


class CaFileError(ValueError):
    """A CA file that cannot be read as PEM certificates."""


def context(ca_file: str = "") -> ssl.SSLContext:
    ctx = truststore.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    extra = ca_file or os.environ.get(ENV_CA_FILE, "")
    if extra:
        try:
            ctx.load_verify_locations(cafile=extra)
        except (OSError, ssl.SSLError) as exc:
            raise CaFileError(f"The CA file {extra} cannot be used ({exc}): give a PEM file "
                              "holding the certificate authority's certificate.") from exc
    return ctx


def check_ca_file(ca_file: str) -> str:
    """The absolute path of a readable CA file ('' stays ''), or CaFileError."""
    if not ca_file:
        return ""
    path = str(Path(ca_file).expanduser().resolve())
    context(path)
    return path


def stored_ca_file(session: Session) -> str:
    return session.scalar(select(m.Setting.value).where(m.Setting.key == SETTING_CA_FILE)) or ""


def store_ca_file(session: Session, ca_file: str) -> None:
    row = session.get(m.Setting, SETTING_CA_FILE)
    if row is None:
        session.add(m.Setting(key=SETTING_CA_FILE, value=ca_file))
    else:
        row.value = ca_file


def untrusted(exc: BaseException) -> str:
    """Why the server's certificate was refused, when that is what ``exc`` comes from."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, ssl.SSLCertVerificationError):
            return current.verify_message or str(current)
        current = current.__cause__ or current.__context__
    return ""
