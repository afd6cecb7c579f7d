"""Invites: one pasteable line holding the server's address and a site's new token.

``dmdesk-invite:`` + base64url (no padding) of the JSON ``{"v", "url", "token", "site"}``
followed by the first 4 bytes of its SHA-256. The checksum turns a mistyped or cut-off paste
into "damaged" instead of a confusing refusal by the server; ``v`` lets a later dmdesk change
the contents and an older one say so.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from dataclasses import dataclass
from urllib.parse import urlsplit

from dmdesk.domain.numbering import SITE_CODE_RE
from dmdesk.sync.transport import SyncError

PREFIX = "dmdesk-invite:"
VERSION = 1
_CHECK_BYTES = 4


class InviteError(SyncError):
    """An invite that cannot be used; the message says why."""


@dataclass(frozen=True)
class Invite:
    url: str
    token: str
    site: str


def _check(payload: bytes) -> bytes:
    return hashlib.sha256(payload).digest()[:_CHECK_BYTES]


def check_url(url: str) -> str:
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InviteError(f"'{url}' is not a server address: give the one sites reach the "
                          "server at, like https://sync.example.com.")
    return url.strip().rstrip("/")


def encode(invite: Invite) -> str:
    payload = json.dumps({"v": VERSION, "url": check_url(invite.url), "token": invite.token,
                          "site": invite.site}, separators=(",", ":")).encode()
    text = base64.urlsafe_b64encode(payload + _check(payload)).decode().rstrip("=")
    return PREFIX + text


def decode(text: str) -> Invite:
    """The invite in ``text`` (spaces and line breaks from mail or chat are ignored)."""
    text = "".join(text.split())
    if not text:
        raise InviteError("Paste the invite the owner sent (it starts with dmdesk-invite:).")
    if not text.lower().startswith(PREFIX):
        raise InviteError("This is not a dmdesk invite: an invite starts with dmdesk-invite:.")
    body = text[len(PREFIX):]
    try:
        blob = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
    except (binascii.Error, ValueError):
        blob = b""
    payload, check = blob[:-_CHECK_BYTES], blob[-_CHECK_BYTES:]
    if len(blob) <= _CHECK_BYTES or _check(payload) != check:
        raise InviteError("The invite is damaged or incomplete (its checksum does not match): "
                          "copy it again, whole, from the owner's message.")
    return _fields(payload)


def _fields(payload: bytes) -> Invite:
    try:
        data = json.loads(payload)
        version = int(data["v"])
    except (ValueError, KeyError, TypeError):
        raise InviteError("The invite is damaged: ask the owner for a new one.") from None
    if version != VERSION:
        raise InviteError(f"This invite is of version {version}, made by a newer dmdesk: "
                          "update dmdesk, then join again.")
    url, token, site = (str(data.get(key, "")) for key in ("url", "token", "site"))
    if not token or not SITE_CODE_RE.match(site):
        raise InviteError("The invite is damaged: ask the owner for a new one.")
    return Invite(check_url(url), token, site)
