"""Request limits: body size (refused before it is read) and the clock guard's message."""

from __future__ import annotations

import json
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from dmdesk.sync.protocol import MAX_CLOCK_SKEW_MS


class BodyTooLargeError(Exception):
    pass


class BodySizeLimit:
    """413 for a body over ``max_bytes``: at once when Content-Length says so, otherwise as
    soon as the streamed body passes the limit (chunked uploads), never buffering more."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or ()).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.max_bytes):
            await self._refuse(send)
            return
        received = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise BodyTooLargeError
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except BodyTooLargeError:
            if not started:
                await self._refuse(send)

    async def _refuse(self, send: Send) -> None:
        body = json.dumps({"detail": (
            f"The request body is larger than {self.max_bytes // (1024 * 1024)} MiB: "
            "send fewer ops per batch. Nothing was stored.")}).encode()
        headers: list[Any] = [(b"content-type", b"application/json"),
                              (b"content-length", str(len(body)).encode()),
                              (b"connection", b"close")]
        await send({"type": "http.response.start", "status": 413, "headers": headers})
        await send({"type": "http.response.body", "body": body})


def _span(ms: int) -> str:
    minutes = round(abs(ms) / 60000)
    hours, minutes = divmod(minutes, 60)
    days, hours = divmod(hours, 24)
    parts = [f"{days} d"] if days else []
    parts += [f"{hours} h"] if hours else []
    parts += [f"{minutes} min"] if minutes or not parts else []
    return " ".join(parts)


def describe_skew(skew_ms: int) -> str:
    side = "ahead of" if skew_ms > 0 else "behind"
    return (f"This computer's clock is {_span(skew_ms)} {side} the server's; more than "
            f"{MAX_CLOCK_SKEW_MS // 60000} min is refused so that edits keep their order. "
            "Set the clock right (date, time and time zone) and sync again.")
