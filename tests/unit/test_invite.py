"""Invites: what `dmdesk server invite` prints reads back whole; a mistyped, cut-off or foreign
paste is named as such, never sent to a server."""

from __future__ import annotations

import base64
import hashlib
import json

import pytest

from dmdesk.sync.invite import PREFIX, Invite, InviteError, decode, encode

INVITE = Invite("https://sync.example.com:8443/", "tok_EN-abc123" * 3, "MP3")


def test_an_invite_reads_back_even_broken_over_lines() -> None:
    text = encode(INVITE)
    assert text.startswith(PREFIX) and "\n" not in text
    assert decode(text) == Invite("https://sync.example.com:8443", INVITE.token, "MP3")
    wrapped = "  " + "\n".join(text[i:i + 30] for i in range(0, len(text), 30)) + "\n"
    assert decode(wrapped).token == INVITE.token


@pytest.mark.parametrize(("mangle", "words"), [
    (lambda t: t[:-5], "damaged or incomplete"),                   # cut off
    (lambda t: t[:30] + ("A" if t[30] != "A" else "B") + t[31:], "checksum"),  # mistyped
    (lambda t: t + "x", "checksum"),
    (lambda t: "", "Paste the invite"),
    (lambda t: "https://sync.example.com", "not a dmdesk invite"),
    (lambda t: PREFIX + "%%%", "damaged"),
])
def test_a_bad_paste_is_named(mangle: object, words: str) -> None:
    assert callable(mangle)
    with pytest.raises(InviteError, match=words):
        decode(mangle(encode(INVITE)))


def _forged(data: dict[str, object]) -> str:
    payload = json.dumps(data).encode()
    blob = payload + hashlib.sha256(payload).digest()[:4]
    return PREFIX + base64.urlsafe_b64encode(blob).decode().rstrip("=")


def test_a_newer_invite_asks_for_an_update_and_bad_fields_are_refused() -> None:
    with pytest.raises(InviteError, match="version 2, made by a newer dmdesk"):
        decode(_forged({"v": 2, "url": "https://x", "token": "t", "site": "MP3"}))
    with pytest.raises(InviteError, match="not a server address"):
        decode(_forged({"v": 1, "url": "ftp://x", "token": "t", "site": "MP3"}))
    with pytest.raises(InviteError, match="damaged"):
        decode(_forged({"v": 1, "url": "https://x", "token": "", "site": "MP3"}))
    with pytest.raises(InviteError, match="not a server address"):
        encode(Invite("sync.example.com", "t", "MP3"))
