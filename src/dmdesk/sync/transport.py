"""HTTP to the sync server (standard library only: http.client keeps one connection open for
a whole sync, and the server and GUI-less installs need nothing more).

Every failure becomes a SyncError whose message is one sentence a person can act on.
"""

from __future__ import annotations

import http.client
import json
import time
from collections.abc import Callable
from typing import Any, cast
from urllib.parse import urlencode, urlsplit

from dmdesk.sync import protocol

TIMEOUT_S = 120.0


class SyncError(Exception):
    """A sync that could not go on; ``message`` says why and what to do."""

    def __init__(self, message: str, status: int | None = None, refused_op: str = "",
                 reason: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        # A push refused because of one op: its op id and the server's reason (a clause).
        self.refused_op = refused_op
        self.reason = reason

    def __str__(self) -> str:
        return self.message


class SyncCancelledError(SyncError):
    def __init__(self) -> None:
        super().__init__("Sync cancelled; what was already sent or received is kept.")


def wall_ms() -> int:
    return time.time_ns() // 1_000_000


def _explain(status: int, detail: str, url: str) -> str:
    if status == 401:
        return (f"The sync server refused this site's token ({detail}). Ask the owner for a "
                "new token and run `dmdesk sync --setup URL TOKEN` again.")
    if status == 403:
        return f"The sync server refused the request: {detail}"
    if status == 409:
        return (f"This dmdesk and the sync server have different database schemas ({detail}). "
                "Update dmdesk (or the server); your unsent changes are kept.")
    if status == 400:
        return (f"The sync server refused the request: {detail} If this is about the clock, "
                "set this computer's date, time and time zone right; your changes are kept.")
    if status == 413:
        return f"The sync server refused a batch as too large: {detail}"
    if status >= 500:
        return (f"The sync server at {url} failed (HTTP {status}: {detail}). Try again later; "
                "your changes are kept.")
    return f"The sync server answered HTTP {status}: {detail}"


class Transport:
    """One site's connection to the server: adds the headers every request must carry."""

    def __init__(self, url: str, token: str, schema_version: str,
                 clock_ms: Callable[[], int] = wall_ms, timeout: float = TIMEOUT_S) -> None:
        parts = urlsplit(url.rstrip("/"))
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise SyncError(f"'{url}' is not a server address; give one like "
                            "http://server.example:8765.")
        self.url = url.rstrip("/")
        self._parts = parts
        self._token = token
        self._schema = schema_version
        self._clock_ms = clock_ms
        self._timeout = timeout
        self._conn: http.client.HTTPConnection | None = None

    def _connection(self) -> http.client.HTTPConnection:
        if self._conn is None:
            kind = (http.client.HTTPSConnection if self._parts.scheme == "https"
                    else http.client.HTTPConnection)
            self._conn = kind(self._parts.hostname or "", self._parts.port,
                              timeout=self._timeout)
        return self._conn

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def _request(self, method: str, path: str, body: bytes | None) -> Any:
        headers = {
            "Authorization": f"Bearer {self._token}",
            protocol.HEADER_SCHEMA: self._schema,
            protocol.HEADER_CLOCK: str(self._clock_ms()),
            "Accept": "application/json",
        }
        if body is not None:
            headers["Content-Type"] = "application/json"
        full_path = (self._parts.path or "") + path
        try:
            conn = self._connection()
            conn.request(method, full_path, body=body, headers=headers)
            response = conn.getresponse()
            data = response.read()
        except (OSError, http.client.HTTPException) as exc:
            self.close()
            raise SyncError(f"Cannot reach the sync server at {self.url} ({exc}). Your changes "
                            "are kept and will be sent at the next sync.") from exc
        if response.status >= 300:
            refused_op, reason = _refusal(data) if response.status == 403 else ("", "")
            raise SyncError(_explain(response.status, _detail(data), self.url), response.status,
                            refused_op, reason)
        try:
            return json.loads(data)
        except ValueError as exc:
            raise SyncError(f"The server at {self.url} did not answer as a dmdesk sync server "
                            "(its reply is not JSON).") from exc

    def status(self) -> dict[str, Any]:
        return cast(dict[str, Any], self._request("GET", f"{protocol.API_PREFIX}/status", None))

    def push(self, body: bytes) -> protocol.PushReply:
        return cast(protocol.PushReply,
                    self._request("POST", f"{protocol.API_PREFIX}/push", body))

    def pull(self, after: int, limit: int) -> protocol.PullReply:
        query = urlencode({"after": after, "limit": limit})
        return cast(protocol.PullReply,
                    self._request("GET", f"{protocol.API_PREFIX}/pull?{query}", None))


    def row(self, entity: str, entity_id: str) -> protocol.RowReply:
        query = urlencode({"entity": entity, "id": entity_id})
        return cast(protocol.RowReply,
                    self._request("GET", f"{protocol.API_PREFIX}/row?{query}", None))

    def digest(self, upto: int) -> protocol.DigestReply:
        query = urlencode({"upto": upto})
        return cast(protocol.DigestReply,
                    self._request("GET", f"{protocol.API_PREFIX}/digest?{query}", None))


def _refusal(data: bytes) -> tuple[str, str]:
    try:
        body = json.loads(data)
    except ValueError:
        return "", ""
    if not isinstance(body, dict):
        return "", ""
    return str(body.get("refused_op") or ""), str(body.get("reason") or "")


def _detail(data: bytes) -> str:
    try:
        detail = json.loads(data).get("detail", "")
    except (ValueError, AttributeError):
        return data[:200].decode("utf-8", "replace").strip() or "no reason given"
    if isinstance(detail, list):  # FastAPI's validation errors
        return "; ".join(str(item.get("msg", item)) if isinstance(item, dict) else str(item)
                         for item in detail[:3])
    return str(detail) or "no reason given"
