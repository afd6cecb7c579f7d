"""Request limits: body size (refused before it is read) and the clock guard's message."""

from __future__ import annotations

import json
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from dmdesk.sync.protocol import MAX_CLOCK_SKEW_MS


class BodySizeLimit:
    """413 for a body over ``max_bytes``, never reading more than that: at once when
    Content-Length says so; for a chunked upload (no length) as soon as it passes the limit.
    A chunked body under the limit is read here and handed on whole."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or ()).get(b"content-length")
        if declared is not None:
            if not declared.isdigit() or int(declared) > self.max_bytes:
                await self._refuse(send)
                return
            # The server (uvicorn/h11) delivers exactly Content-Length bytes.
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                await self.app(scope, receive, send)  # client gone: let the app see it
                return
            chunks.append(message.get("body", b""))
            size += len(chunks[-1])
            if size > self.max_bytes:
                await self._refuse(send)
                return
            if not message.get("more_body", False):
                break
        replay: list[Message] = [{"type": "http.request", "body": b"".join(chunks),
                                  "more_body": False}]

        async def replay_receive() -> Message:
            return replay.pop() if replay else await receive()

        await self.app(scope, replay_receive, send)

    async def _refuse(self, send: Send) -> None:
        body = json.dumps({"detail": (
            f"The request body is larger than {self.max_bytes // (1024 * 1024)} MiB: "
            "send fewer ops per batch. Nothing was stored.")}).encode()
        headers: list[Any] = [(b"content-type", b"application/json"),
                              (b"content-length", str(len(body)).encode()),
                              (b"connection", b"close")]
        await send({"type": "http.response.start", "status": 413, "headers": headers})
        await send({"type": "http.response.body", "body": body})


def span(ms: int) -> str:
    """A duration in words, "2 d 3 h"; integer arithmetic only, since a clock header may
    hold any number of digits (a float of 400 digits overflows)."""
    minutes = (abs(ms) + 30_000) // 60_000
    hours, minutes = divmod(minutes, 60)
    days, hours = divmod(hours, 24)
    if days > 36_500:
        return "more than 100 years"
    parts = [f"{days} d"] if days else []
    parts += [f"{hours} h"] if hours else []
    parts += [f"{minutes} min"] if minutes or not parts else []
    return " ".join(parts)


def describe_skew(skew_ms: int) -> str:
    side = "ahead of" if skew_ms > 0 else "behind"
    return (f"This computer's clock is {span(skew_ms)} {side} the server's; more than "
            f"{MAX_CLOCK_SKEW_MS // 60000} min is refused so that edits keep their order. "
            "Set the clock right (date, time and time zone) and sync again.")
