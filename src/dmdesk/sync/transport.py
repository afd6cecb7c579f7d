"""HTTP to the sync server, with httpx: one pooled connection for a whole sync, HTTPS checked
against the operating system's certificate store (truststore), proxies from the environment
(HTTPS_PROXY, HTTP_PROXY, ALL_PROXY, NO_PROXY: httpx's trust_env), gzip both ways (replies
are asked for compressed; a large push body is sent compressed).

Every failure becomes a SyncError whose message is one sentence a person can act on.
"""

from __future__ import annotations

import gzip
import json
import time
import urllib.request
from collections.abc import Callable
from typing import Any, cast
from urllib.parse import urlencode, urlsplit

import httpx

from dmdesk.sync import protocol, tls

TIMEOUT_S = 120.0
CONNECT_TIMEOUT_S = 20.0
# Push bodies from this size on go gzipped (JSON ops shrink 5-10x; small ones are not worth it).
GZIP_MIN_BYTES = 16 * 1024
GZIP_LEVEL = 5


class SyncError(Exception):
    """A sync that could not go on; ``message`` says why and what to do."""

    def __init__(self, message: str, status: int | None = None, detail: str = "", *,
                 refused_op: str = "", reason: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.detail = detail  # the server's own words, when it answered
        # A push refused because of one op: its op id and the server's reason (a clause).
        self.refused_op = refused_op
        self.reason = reason

    def __str__(self) -> str:
        return self.message


class SyncUnreachableError(SyncError):
    """No answer from the server: ``reason`` is what the network said."""

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


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
                 clock_ms: Callable[[], int] = wall_ms, timeout: float = TIMEOUT_S,
                 ca_file: str = "") -> None:
        parts = urlsplit(url.rstrip("/"))
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise SyncError(f"'{url}' is not a server address; give one like "
                            "http://server.example:8765.")
        self.url = url.rstrip("/")
        self._token = token
        self._schema = schema_version
        self._clock_ms = clock_ms
        self._timeout = timeout
        self._ca_file = ca_file
        self._client: httpx.Client | None = None
        self._gzip_push = True  # off for a server that refuses gzipped bodies (an old one)

    def _connection(self) -> httpx.Client:
        if self._client is None:
            try:
                verify = tls.context(self._ca_file)
            except tls.CaFileError as exc:
                raise SyncError(str(exc)) from exc
            self._client = httpx.Client(
                base_url=self.url, verify=verify, trust_env=True,
                timeout=httpx.Timeout(self._timeout, connect=min(self._timeout,
                                                                 CONNECT_TIMEOUT_S)))
        return self._client

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None

    def _request(self, method: str, path: str, body: bytes | None,
                 encoding: str = "") -> Any:
        headers = {
            "Authorization": f"Bearer {self._token}",
            protocol.HEADER_SCHEMA: self._schema,
            protocol.HEADER_CLOCK: str(self._clock_ms()),
            "Accept": "application/json",
            "Accept-Encoding": "gzip",
        }
        if body is not None:
            headers["Content-Type"] = "application/json"
        if encoding:
            headers["Content-Encoding"] = encoding
        try:
            response = self._connection().request(method, path, content=body, headers=headers)
            data = response.content
        except httpx.HTTPError as exc:
            self.close()
            raise self._unreachable(exc) from exc
        if response.status_code >= 300:
            detail = _detail(data)
            refused_op, reason = _refusal(data) if response.status_code == 403 else ("", "")
            raise SyncError(_explain(response.status_code, detail, self.url),
                            response.status_code, detail, refused_op=refused_op, reason=reason)
        try:
            return json.loads(data)
        except ValueError as exc:
            raise SyncError(f"The server at {self.url} did not answer as a dmdesk sync server "
                            "(its reply is not JSON).") from exc

    def _unreachable(self, exc: httpx.HTTPError) -> SyncError:
        reason = tls.untrusted(exc)
        if reason:
            return SyncUnreachableError(
                f"The sync server at {self.url} showed a certificate this computer does not "
                f"trust ({reason}): if it uses a private certificate authority, add that to "
                "the operating system's certificates or give it with --ca-file.", reason)
        reason = str(exc) or type(exc).__name__
        if isinstance(exc, httpx.ProxyError):
            return SyncUnreachableError(
                f"The proxy (from HTTPS_PROXY / HTTP_PROXY) refused the way to the sync server "
                f"at {self.url} ({reason}). Your changes are kept and will be sent at the "
                "next sync.", reason)
        proxy = _proxy_for(self.url)
        via = f" through the proxy {proxy} (from the environment)" if proxy else ""
        return SyncUnreachableError(
            f"Cannot reach the sync server at {self.url}{via} ({reason}). Your changes are "
            "kept and will be sent at the next sync.", reason)

    def status(self) -> dict[str, Any]:
        return cast(dict[str, Any], self._request("GET", f"{protocol.API_PREFIX}/status", None))

    def push(self, body: bytes) -> protocol.PushReply:
        path = f"{protocol.API_PREFIX}/push"
        if not self._gzip_push or len(body) < GZIP_MIN_BYTES:
            return cast(protocol.PushReply, self._request("POST", path, body))
        try:
            return cast(protocol.PushReply, self._request(
                "POST", path, gzip.compress(body, GZIP_LEVEL, mtime=0), "gzip"))
        except SyncError as exc:
            # A server from before gzip bodies reads them as broken JSON (422) or refuses the
            # encoding (415): send plainly from now on; an op it refuses is refused again.
            if exc.status not in (415, 422):
                raise
            self._gzip_push = False
            return cast(protocol.PushReply, self._request("POST", path, body))

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


def _proxy_for(url: str) -> str:
    """The proxy the environment names for ``url`` (as httpx picks it), '' for none."""
    parts = urlsplit(url)
    proxies = urllib.request.getproxies_environment()
    bypass = urllib.request.proxy_bypass_environment  # type: ignore[attr-defined]
    if not proxies or bypass(parts.hostname or "", proxies):
        return ""
    return proxies.get(parts.scheme) or proxies.get("all", "")


def _detail(data: bytes) -> str:
    try:
        detail = json.loads(data).get("detail", "")
    except (ValueError, AttributeError):
        return data[:200].decode("utf-8", "replace").strip() or "no reason given"
    if isinstance(detail, list):  # FastAPI's validation errors
        return "; ".join(str(item.get("msg", item)) if isinstance(item, dict) else str(item)
                         for item in detail[:3])
    return str(detail) or "no reason given"
