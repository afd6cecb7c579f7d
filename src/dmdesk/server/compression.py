"""gzip both ways: request bodies sent with ``Content-Encoding: gzip`` are inflated here, and
replies are compressed for clients that accept gzip (Starlette's GZipMiddleware).

The body limit applies to the inflated size too: inflating stops as soon as it passes
``max_bytes`` (a small "zip bomb" never becomes gigabytes in memory) and the request is
refused with 413. ``BodySizeLimit`` (limits.py) stays outermost and limits the bytes on the
wire; this middleware sits inside it.
"""

from __future__ import annotations

import json
import zlib

from fastapi import FastAPI
from starlette.middleware.gzip import GZipMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# Replies smaller than this are sent as they are (gzip's header would eat the saving).
GZIP_REPLY_MIN_BYTES = 1024
# Level 5: most of level 9's saving on JSON at a third of its CPU time.
GZIP_REPLY_LEVEL = 5


class _RefusedError(Exception):
    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status, self.detail = status, detail


class GzipRequestBody:
    """Inflates a gzip request body (whole, bounded) before the app reads it."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = dict(scope.get("headers") or ()) if scope["type"] == "http" else {}
        encoding = headers.get(b"content-encoding", b"identity").strip().lower()
        if encoding == b"identity":
            await self.app(scope, receive, send)
            return
        try:
            if encoding != b"gzip":
                raise _RefusedError(415, f"Content-Encoding {encoding.decode(errors='replace')} is "
                                    "not accepted: send the body plain or gzipped.")
            body = await self._inflate(receive)
        except _RefusedError as refused:
            await _refuse(send, refused.status, refused.detail)
            return
        scope = dict(scope)
        scope["headers"] = [(k, v) for k, v in scope["headers"]
                            if k not in (b"content-encoding", b"content-length")]
        scope["headers"].append((b"content-length", str(len(body)).encode()))
        replay: list[Message] = [{"type": "http.request", "body": body, "more_body": False}]

        async def replay_receive() -> Message:
            return replay.pop() if replay else await receive()

        await self.app(scope, replay_receive, send)

    async def _inflate(self, receive: Receive) -> bytes:
        inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)  # gzip framing
        parts: list[bytes] = []
        size = 0
        more = True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                raise _RefusedError(400, "The client went away before sending the whole body.")
            more = bool(message.get("more_body", False))
            data = message.get("body", b"")
            while data:
                try:
                    # At most one byte past the limit per call: enough to know it is over.
                    out = inflater.decompress(data, self.max_bytes + 1 - size)
                except zlib.error:
                    raise _RefusedError(422, "Malformed request: the body says Content-Encoding: "
                                        "gzip but is not gzip data. Nothing was stored.") from None
                size += len(out)
                parts.append(out)
                if size > self.max_bytes:
                    raise _RefusedError(413, (
                        f"The request body is larger than {self.max_bytes // (1024 * 1024)} "
                        "MiB once unzipped: send fewer ops per batch. Nothing was stored."))
                data = inflater.unconsumed_tail
                if inflater.eof:
                    break
        if not inflater.eof:
            raise _RefusedError(422, "Malformed request: the gzipped body is cut short. Nothing "
                                "was stored.")
        return b"".join(parts)


async def _refuse(send: Send, status: int, detail: str) -> None:
    body = json.dumps({"detail": detail}).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(body)).encode()),
                            (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": body})


def install(app: FastAPI, max_bytes: int) -> None:
    """Add both; call before adding BodySizeLimit so that it wraps them (outermost)."""
    app.add_middleware(GzipRequestBody, max_bytes=max_bytes)
    app.add_middleware(GZipMiddleware, minimum_size=GZIP_REPLY_MIN_BYTES,
                       compresslevel=GZIP_REPLY_LEVEL)
