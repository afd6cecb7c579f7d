"""Refusals before anything is stored: schema (409), clock (400), size (413), shape (422)."""

from __future__ import annotations

import http.client
import json
import re
import time
from typing import Any

import pytest

from dmdesk.sync.protocol import MAX_BODY_BYTES, MAX_PUSH_OPS
from tests.server import ops as o
from tests.sync_server_process import RunningServer

HOUR_MS = 3600 * 1000


def stored(server: RunningServer, token: str) -> int:
    reply = server.request("GET", "/v1/pull", token)[1]
    return len(reply["changes"])


@pytest.fixture
def tokens(server: RunningServer) -> dict[str, str]:
    return {"HQ": server.add_site("HQ", role="owner"),
            "ACC": server.add_site("ACC", role="accountant")}


def test_another_schema_version_is_refused_with_409(server: RunningServer,
                                                    tokens: dict[str, str]) -> None:
    ours = server.headers(tokens["HQ"])["X-Dmdesk-Schema"]
    for old in ("0001", "9999"):
        headers = server.headers(tokens["HQ"], schema=old)
        status, reply = server.request("POST", "/v1/push", None, {"ops": [o.site("A")]},
                                       headers=headers)
        assert status == 409, reply
        assert old in reply["detail"] and ours in reply["detail"]
        assert "upgrade" in reply["detail"]
        assert server.request("GET", "/v1/pull", None, headers=headers)[0] == 409
    assert stored(server, tokens["ACC"]) == 0


@pytest.mark.parametrize("off_ms", [-3 * HOUR_MS, 5 * HOUR_MS + 20 * 60 * 1000])
def test_a_clock_hours_off_is_refused_with_400(server: RunningServer, tokens: dict[str, str],
                                               off_ms: int) -> None:
    headers = server.headers(tokens["HQ"], clock_ms=int(time.time() * 1000) + off_ms)
    status, reply = server.request("POST", "/v1/push", None, {"ops": [o.site("A")]},
                                   headers=headers)
    assert status == 400, reply
    hours = abs(off_ms) // HOUR_MS
    side = "ahead of" if off_ms > 0 else "behind"
    assert f"{hours} h" in reply["detail"] and side in reply["detail"]
    assert stored(server, tokens["ACC"]) == 0
    # A minute off is fine.
    headers = server.headers(tokens["HQ"], clock_ms=int(time.time() * 1000) - 60_000)
    assert server.request("GET", "/v1/status", None, headers=headers)[0] == 200


MALFORMED: dict[str, Any] = {
    "not json": b'{"ops": [',
    "no ops": b"{}",
    "ops not a list": b'{"ops": 3}',
    "bad op id": {"op_id": "xyz"},
    "bad kind": {"op": "upsert"},
    "payload not an object": {"payload": [1, 2]},
    "local table": {"entity": "audit_log"},
    "move updated": {"op": "update"},
    "id mismatch": {"entity_id": "ab" * 16},
    "nan": b"NaN",
    "deep": b"deep",
}


def malformed_body(case: str) -> bytes:
    good = [o.site("G1"), o.site("G2")]
    bad = o.move("ab" * 16, "cd" * 16)
    change = MALFORMED[case]
    if change == b"NaN":
        return json.dumps({"ops": [*good, bad]}).replace('"1"', "NaN").encode()
    if change == b"deep":
        return b'{"ops": [' + b"[" * 100_000 + b"]" * 100_000 + b"]}"
    if isinstance(change, bytes):
        return change
    return json.dumps({"ops": [*good, {**bad, **change}]}).encode()


def test_malformed_batches_get_422_and_nothing_is_stored(server: RunningServer,
                                                        tokens: dict[str, str]) -> None:
    for case in MALFORMED:
        status, reply = server.request("POST", "/v1/push", None, raw=malformed_body(case),
                                       headers=server.headers(tokens["HQ"]))
        assert status == 422, (case, reply)
        assert isinstance(reply["detail"], str)
        assert re.search(r"Nothing (of this batch )?was stored\.$", reply["detail"]), reply
    assert stored(server, tokens["ACC"]) == 0


def test_too_many_ops_get_422(sqlite_server: RunningServer) -> None:
    server = sqlite_server
    token = server.add_site("HQ", role="owner")
    batch = [o.site("X") for _ in range(MAX_PUSH_OPS + 1)]
    status, reply = server.request("POST", "/v1/push", token, {"ops": batch})
    assert status == 422 and "ops" in reply["detail"]
    assert server.request("GET", "/v1/pull", server.add_site("ACC", role="accountant")
                          )[1]["changes"] == []


def _send(server: RunningServer, token: str, head: dict[str, str], body: Any) -> tuple[int, Any]:
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    try:
        connection.putrequest("POST", "/v1/push")
        for name, value in {**server.headers(token), **head}.items():
            connection.putheader(name, value)
        connection.endheaders()
        try:
            for chunk in body:
                connection.send(chunk)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server refused before reading it all, as it should
        reply = connection.getresponse()
        return reply.status, json.loads(reply.read())
    finally:
        connection.close()


def test_an_oversized_body_is_refused_before_it_is_read(server: RunningServer,
                                                        tokens: dict[str, str]) -> None:
    declared = str(MAX_BODY_BYTES + 1)
    # Content-Length over the limit: 413 after the headers, with no byte of the body sent.
    status, reply = _send(server, tokens["HQ"], {"Content-Length": declared}, [])
    assert status == 413 and "MiB" in reply["detail"]
    # Chunked, with no length: refused once the limit is passed.
    filler = b'{"ops": [' + b" " * (MAX_BODY_BYTES + 10)

    def chunks() -> Any:
        for start in range(0, len(filler), 1 << 20):
            piece = filler[start:start + (1 << 20)]
            yield f"{len(piece):x}\r\n".encode() + piece + b"\r\n"
        yield b"0\r\n\r\n"

    status, reply = _send(server, tokens["HQ"], {"Transfer-Encoding": "chunked"}, chunks())
    assert status == 413
    assert stored(server, tokens["ACC"]) == 0
    assert server.request("GET", "/v1/status", tokens["HQ"])[0] == 200


def _raw_headers(server: RunningServer, token: str, clock: bytes) -> tuple[int, Any]:
    """A push whose clock header is sent as these bytes (any digits, UTF-8 too)."""
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    body = json.dumps({"ops": [o.site("A")]}).encode()
    try:
        connection.putrequest("POST", "/v1/push")
        for name, value in server.headers(token).items():
            if name != "X-Dmdesk-Clock":
                connection.putheader(name, value)
        connection.putheader("X-Dmdesk-Clock", clock)
        connection.putheader("Content-Length", str(len(body)))
        connection.endheaders(body)
        reply = connection.getresponse()
        return reply.status, json.loads(reply.read())
    finally:
        connection.close()


CLOCKS = {
    "20 digits": "9" * 20, "300 digits": "9" * 300, "400 digits": "9" * 400,
    "5000 digits": "9" * 5000, "400 digits, negative": "-" + "9" * 400, "negative": "-5",
    "zero": "0", "full-width digits": "１２３", "sign": "+{now}", "underscores": "{now}_0",
    "full-width now": "{now}", "empty": "", "words": "now",
}


def test_any_clock_header_gets_400_never_500(sqlite_server: RunningServer) -> None:
    server = sqlite_server
    token = server.add_site("HQ", role="owner")
    for case, pattern in CLOCKS.items():
        now = str(int(time.time() * 1000))
        clock = pattern.format(now=now)
        if case == "full-width now":  # int() reads these digits; no clock sends them
            clock = clock.translate({ord(d): ord(d) + 0xFF10 - 0x30 for d in "0123456789"})
        status, reply = _raw_headers(server, token, clock.encode())
        assert status == 400, (case, reply)
        assert "clock" in reply["detail"], (case, reply)
        if case.startswith(("400 digits", "5000")):
            assert "more than 100 years" in reply["detail"], (case, reply)
    assert server.request("GET", "/v1/pull", server.add_site("ACC", role="accountant")
                          )[1]["changes"] == []
    now = str(int(time.time() * 1000))
    assert _raw_headers(server, token, now.encode())[0] == 200  # the real clock still works
    log = sorted(server.log_dir.glob("server-*.log"))[-1].read_text()
    assert "Traceback" not in log, log[-4000:]
