"""gzip both ways on the server: a gzipped push is stored like a plain one, a reply is
gzipped for a client that asks, and the body limit holds for the unzipped size (a small
"zip bomb" is refused with 413, nothing stored); broken gzip is 422, another encoding 415."""

from __future__ import annotations

import gzip
import http.client
import json
from typing import Any

from dmdesk.sync.protocol import MAX_BODY_BYTES
from tests.server import ops as o
from tests.sync_server_process import RunningServer


def _post(server: RunningServer, token: str, body: bytes,
          encoding: str | None = "gzip") -> tuple[int, dict[str, Any]]:
    headers = server.headers(token)
    if encoding:
        headers["Content-Encoding"] = encoding
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
    try:
        conn.request("POST", "/v1/push", body=body, headers=headers)
        reply = conn.getresponse()
        return reply.status, json.loads(reply.read())
    finally:
        conn.close()


def _stored(server: RunningServer, token: str) -> int:
    return len(server.request("GET", "/v1/pull", token)[1]["changes"])


def test_gzip_bodies_in_and_replies_out(sqlite_server: RunningServer) -> None:
    server = sqlite_server
    hq, acc = server.add_site("HQ", role="owner"), server.add_site("ACC", role="accountant")
    batch = [o.site(f"S{n}") for n in range(200)]
    plain = json.dumps({"ops": batch}).encode()
    status, reply = _post(server, hq, gzip.compress(plain))
    assert status == 200 and reply["stored"] == 200, reply
    assert _stored(server, acc) == 200

    # The pull reply (tens of KiB of JSON) comes gzipped to a client that accepts it.
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
    try:
        conn.request("GET", "/v1/pull", headers={**server.headers(acc),
                                                 "Accept-Encoding": "gzip"})
        reply_raw = conn.getresponse()
        wire = reply_raw.read()
        assert reply_raw.status == 200 and reply_raw.getheader("Content-Encoding") == "gzip"
    finally:
        conn.close()
    unzipped = gzip.decompress(wire)
    assert len(json.loads(unzipped)["changes"]) == 200
    assert len(wire) * 4 < len(unzipped)  # JSON ops shrink well


def test_a_zip_bomb_is_refused_413_and_bad_encodings_are_named(
        sqlite_server: RunningServer) -> None:
    server = sqlite_server
    hq, acc = server.add_site("HQ", role="owner"), server.add_site("ACC", role="accountant")
    head = b'{"ops": [' + json.dumps(o.site("B")).encode() + b'], "pad": "'
    bomb = gzip.compress(head + b" " * (4 * MAX_BODY_BYTES) + b'"}', 9)
    assert len(bomb) < MAX_BODY_BYTES // 100  # tiny on the wire, 32 MiB unzipped
    status, reply = _post(server, hq, bomb)
    assert status == 413 and "once unzipped" in reply["detail"], reply

    status, reply = _post(server, hq, b"this is not gzip at all")
    assert status == 422 and "not gzip data" in reply["detail"], reply
    cut = gzip.compress(json.dumps({"ops": [o.site("C")]}).encode())[:-12]
    status, reply = _post(server, hq, cut)
    assert status == 422 and "cut short" in reply["detail"], reply
    status, reply = _post(server, hq, b"{}", encoding="br")
    assert status == 415 and "br is not accepted" in reply["detail"], reply
    assert _stored(server, acc) == 0
