"""A real `dmdesk serve` process on 127.0.0.1 for tests (sync server and sync client alike).

    from tests.sync_server_process import running_server

    with running_server(None, tmp_path) as server:         # SQLite file in tmp_path
        token = server.add_site("HQ", role="owner")         # the site's bearer token
        reply = server.request("GET", "/v1/status", token)  # (status, json)
        server.kill(); server.restart()                     # SIGKILL, then the same port again

``db_url`` may be a postgresql:// URL (see ``postgres_database``). Admin commands go straight
to the server's store (the same functions `dmdesk server ...` calls), which is safe while the
server runs: SQLite is in WAL mode, PostgreSQL is PostgreSQL.
"""

from __future__ import annotations

import functools
import json
import os
import re
import signal
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.conftest import in_ci

ENV_PG = "DMDESK_TEST_PG_URL"
START_TIMEOUT_S = 30.0


@functools.cache
def _schema_version() -> str:
    from dmdesk.db.migrate import head_revision
    return head_revision()


class RunningServer:
    def __init__(self, db_url: str, log_dir: Path, extra_args: tuple[str, ...] = ()) -> None:
        self.db_url = db_url
        self.log_dir = log_dir
        self.extra_args = extra_args  # e.g. ("--certfile", PEM, "--keyfile", PEM) for HTTPS
        self.base_url = ""
        self.process: subprocess.Popen[bytes] | None = None
        self._starts = 0

    # --- process -----------------------------------------------------------------------

    def start(self, port: int = 0) -> None:
        self._starts += 1
        log = self.log_dir / f"server-{self._starts}.log"
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        with log.open("wb") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "dmdesk.cli", "serve", "--db", self.db_url,
                 "--host", "127.0.0.1", "--port", str(port), *self.extra_args],
                stdout=out, stderr=subprocess.STDOUT, env=env)
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"dmdesk serve exited with {self.process.returncode}:\n"
                                   f"{log.read_text()}")
            found = re.search(r"listening on (https?://\S+?);", log.read_text())
            if found and self._answers(found.group(1)):
                self.base_url = found.group(1)
                return
            time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"dmdesk serve did not answer within {START_TIMEOUT_S} s:\n"
                           f"{log.read_text()}")

    @staticmethod
    def _answers(base_url: str) -> bool:
        unchecked = ssl._create_unverified_context()  # only: is it up yet?
        try:
            urllib.request.urlopen(f"{base_url}/v1/status", timeout=2, context=unchecked)
        except urllib.error.HTTPError:
            return True  # 401 without a token: it is up
        except OSError:
            return False
        return True

    @property
    def port(self) -> int:
        return int(self.base_url.rsplit(":", 1)[1])

    def kill(self) -> None:
        """SIGKILL: no shutdown, as a power cut would do."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> int:
        """SIGTERM and wait; returns the exit status."""
        if self.process is None or self.process.poll() is not None:
            return 0 if self.process is None else self.process.returncode
        self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            raise

    def restart(self) -> None:
        """Start again on the same port (after ``kill`` or ``stop``)."""
        port = self.port
        self.stop()
        self.start(port)

    # --- admin (`dmdesk server ...`) ------------------------------------------------------

    def _admin(self, action: str, *args: Any) -> Any:
        from dmdesk.server import admin
        from dmdesk.server.storage import open_store
        store = open_store(self.db_url)
        try:
            return getattr(admin, action)(store, *args)
        finally:
            store.dispose()

    def add_site(self, code: str, role: str = "site", name: str | None = None) -> str:
        """Add a site and return its token."""
        self._admin("add_site", code, name or f"Site {code}", role)
        return self.token(code)

    def token(self, code: str) -> str:
        return str(self._admin("issue_token", code))

    def revoke(self, code: str) -> None:
        self._admin("revoke", code)

    # --- HTTP ----------------------------------------------------------------------------

    @staticmethod
    def headers(token: str | None, schema: str | None = None,
                clock_ms: int | None = None) -> dict[str, str]:
        result = {"X-Dmdesk-Schema": schema or _schema_version(),
                  "X-Dmdesk-Clock": str(clock_ms if clock_ms is not None
                                        else int(time.time() * 1000)),
                  "Content-Type": "application/json"}
        if token is not None:
            result["Authorization"] = f"Bearer {token}"
        return result

    def request(self, method: str, path: str, token: str | None, body: Any = None, *,
                raw: bytes | None = None, headers: dict[str, str] | None = None,
                timeout: float = 60) -> tuple[int, Any]:
        """(status, parsed JSON body) of one request; errors are returned, not raised."""
        data = raw if raw is not None else (
            None if body is None else json.dumps(body).encode())
        request = urllib.request.Request(f"{self.base_url}{path}", data=data, method=method,
                                         headers=headers or self.headers(token))
        try:
            with urllib.request.urlopen(request, timeout=timeout) as reply:
                return reply.status, json.loads(reply.read() or b"null")
        except urllib.error.HTTPError as error:
            text = error.read()
            try:
                return error.code, json.loads(text)
            except ValueError:
                return error.code, text.decode(errors="replace")


@contextmanager
def running_server(db_url: str | None, tmp_path: Path) -> Iterator[RunningServer]:
    """A started server (SQLite in tmp_path when db_url is None); stopped afterwards."""
    server = RunningServer(db_url or str(tmp_path / "server.sqlite"), tmp_path)
    server.start()
    try:
        yield server
    finally:
        server.stop()


def postgres_url() -> str:
    """The PostgreSQL URL tests may create databases with; skips (fails in CI) without it."""
    url = os.environ.get(ENV_PG, "")
    if not url:
        pytest.skip(f"no PostgreSQL for the sync server tests: set {ENV_PG} to a "
                    "postgresql:// URL of a role that may CREATE DATABASE (.ci/run does)"
                    + (" — required in CI" if in_ci() else ""))
    return url


@contextmanager
def postgres_database() -> Iterator[str]:
    """A new, empty PostgreSQL database for one test; dropped afterwards."""
    import psycopg
    base = postgres_url()
    name = f"dmdesk_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(base, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield urlsplit(base)._replace(path=f"/{name}").geturl()
    finally:
        with psycopg.connect(base, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
