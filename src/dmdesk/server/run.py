"""`dmdesk serve`: the sync server on uvicorn, until Ctrl+C or SIGTERM."""

from __future__ import annotations

import signal
import socket
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import uvicorn

from dmdesk.db.migrate import head_revision
from dmdesk.server.app import create_app
from dmdesk.server.storage import open_store


def _listen(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    return socket.create_server((host, port), family=family, backlog=128)


def base_url(sock: socket.socket, scheme: str = "http") -> str:
    host, port = sock.getsockname()[:2]
    return f"{scheme}://[{host}]:{port}" if ":" in host else f"{scheme}://{host}:{port}"


@contextmanager
def _quiet_after_shutdown() -> Iterator[list[int]]:
    """uvicorn stops gracefully on SIGINT/SIGTERM, then raises the signal again against the
    handlers that were there before it: these record it, so the process exits 0 after saying
    it stopped, instead of dying by the signal (or a KeyboardInterrupt traceback)."""
    received: list[int] = []
    signals = (signal.SIGINT, signal.SIGTERM)
    before = {sig: signal.signal(sig, lambda sig, _frame: received.append(sig))
              for sig in signals}
    try:
        yield received
    finally:
        for sig, handler in before.items():
            signal.signal(sig, handler)


def serve(db: str, host: str, port: int, say: Callable[[str], None], certfile: str = "",
          keyfile: str = "") -> None:
    """Serve until stopped. The socket is bound first, so port 0 picks a free port and the
    URL printed is the one that answers (tests read it). With ``certfile`` (PEM, the chain
    after the server's certificate) and ``keyfile`` it serves HTTPS itself; behind a reverse
    proxy that ends TLS, neither is needed."""
    store = open_store(db)
    schema = head_revision()
    try:
        sock = _listen(host, port)
        # uvicorn's own handlers turn SIGINT and SIGTERM into a graceful stop: requests in
        # flight finish (a push commits or rolls back as a whole), then run() returns.
        server = uvicorn.Server(uvicorn.Config(
            create_app(store, schema), log_level="warning", access_log=False,
            timeout_graceful_shutdown=30, server_header=False,
            ssl_certfile=certfile or None, ssl_keyfile=keyfile or None))
        scheme = "https" if certfile else "http"
        say(f"dmdesk sync server (schema {schema}, {store.engine.dialect.name}) listening on "
            f"{base_url(sock, scheme)}; stop with Ctrl+C or SIGTERM.")
        with _quiet_after_shutdown() as received:
            server.run(sockets=[sock])
        why = f" ({signal.Signals(received[-1]).name})" if received else ""
        say(f"dmdesk sync server stopped{why}.")
    finally:
        store.dispose()
