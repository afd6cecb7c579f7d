"""Fit for the internet: a real HTTPS round trip (a test CA made here, the server on uvicorn
with its certificate), a wrong CA refused in words, a sync through an HTTP CONNECT proxy taken
from HTTPS_PROXY (and NO_PROXY going around it), and gzip both ways seen on the wire."""

from __future__ import annotations

import select
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import trustme

from dmdesk.db.database import open_database
from dmdesk.services import products
from dmdesk.services.context import ServiceContext
from dmdesk.sync import client
from dmdesk.sync.transport import GZIP_MIN_BYTES, SyncError
from tests.sync_server_process import RunningServer

PROXY_VARS = ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY",
              "all_proxy", "NO_PROXY", "no_proxy")


@pytest.fixture
def ca() -> trustme.CA:
    return trustme.CA(organization_name="dmdesk test CA")


@pytest.fixture
def tls_server(tmp_path: Path, ca: trustme.CA) -> Iterator[RunningServer]:
    cert = ca.issue_cert("127.0.0.1", "localhost")
    chain, key = tmp_path / "server-chain.pem", tmp_path / "server-key.pem"
    cert.private_key_pem.write_to_path(str(key))
    chain.write_bytes(b"".join(blob.bytes() for blob in cert.cert_chain_pems))
    (tmp_path / "server").mkdir()
    server = RunningServer(str(tmp_path / "server" / "server.sqlite"), tmp_path / "server",
                           ("--certfile", str(chain), "--keyfile", str(key)))
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(autouse=True)
def no_proxy_from_the_machine(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in PROXY_VARS:
        monkeypatch.delenv(name, raising=False)


def _pem(ca: trustme.CA, path: Path) -> str:
    ca.cert_pem.write_to_path(str(path))
    return str(path)


def _owner(tmp_path: Path, server: RunningServer, ca_file: str = "") -> client.SyncReport:
    """HQ with a few products: set up over the server's own URL, synced once."""
    db = open_database(tmp_path / "hq.sqlite")
    try:
        ctx = ServiceContext(db)
        for number in range(3):
            products.create_product(ctx, sku=f"P{number}", name=f"Part {number}",
                                    kind="raw_material", unit="pcs")
        client.setup(db, server.base_url, server.add_site("HQ", role="owner"), ca_file=ca_file)
        return client.run_sync(db)
    finally:
        db.close()


def test_https_round_trip_with_the_owners_ca_and_a_wrong_ca_refused(
        tls_server: RunningServer, tmp_path: Path, ca: trustme.CA,
        monkeypatch: pytest.MonkeyPatch) -> None:
    assert tls_server.base_url.startswith("https://127.0.0.1:")
    # Not in the operating system's store: refused, in words, before anything is stored.
    db = open_database(tmp_path / "mp.sqlite")
    token = tls_server.add_site("MP1")
    with pytest.raises(SyncError, match="showed a certificate this computer does not trust"):
        client.setup(db, tls_server.base_url, token)
    other = _pem(trustme.CA(), tmp_path / "other-ca.pem")
    with pytest.raises(SyncError, match="--ca-file"):
        client.setup(db, tls_server.base_url, token, ca_file=other)
    # SSL_CERT_FILE (OpenSSL's, honoured on Linux) replaces the system store.
    with monkeypatch.context() as patch:
        patch.setenv("SSL_CERT_FILE", _pem(ca, tmp_path / "ca.pem"))
        assert client.setup(db, tls_server.base_url, token).site == "MP1"
    db.close()

    # --ca-file, stored with the server: the sync after setup trusts it too.
    report = _owner(tmp_path, tls_server, ca_file=str(tmp_path / "ca.pem"))
    assert report.pushed > 0


@dataclass
class ConnectProxy:
    """A tiny HTTP CONNECT proxy on 127.0.0.1 that counts the tunnels it opened."""

    sock: socket.socket = field(default_factory=lambda: socket.create_server(("127.0.0.1", 0)))
    tunnels: list[str] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.sock.getsockname()[1]}"

    def serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._tunnel, args=(conn,), daemon=True).start()

    def _tunnel(self, conn: socket.socket) -> None:
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = conn.recv(4096)
            if not chunk:
                conn.close()
                return
            head += chunk
        method, target = head.split(b" ")[:2]
        if method != b"CONNECT":
            conn.sendall(b"HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n")
            conn.close()
            return
        self.tunnels.append(target.decode())
        host, port = target.decode().rsplit(":", 1)
        upstream = socket.create_connection((host, int(port)))
        conn.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
        _pipe(conn, upstream)


def _pipe(a: socket.socket, b: socket.socket, log: list[bytes] | None = None) -> None:
    """Copy both ways until one side closes (``log`` gets what a sent to b)."""
    ends = [a, b]
    try:
        while True:
            ready, _, _ = select.select(ends, [], [], 30)
            if not ready:
                return
            for source in ready:
                data = source.recv(65536)
                if not data:
                    return
                if log is not None and source is a:
                    log.append(data)
                (b if source is a else a).sendall(data)
    except OSError:
        return
    finally:
        a.close()
        b.close()


def test_a_sync_goes_through_the_proxy_of_https_proxy_and_no_proxy_goes_around(
        tls_server: RunningServer, tmp_path: Path, ca: trustme.CA,
        monkeypatch: pytest.MonkeyPatch) -> None:
    proxy = ConnectProxy()
    threading.Thread(target=proxy.serve, daemon=True).start()
    try:
        monkeypatch.setenv("HTTPS_PROXY", proxy.url)
        report = _owner(tmp_path, tls_server, ca_file=_pem(ca, tmp_path / "ca.pem"))
        assert report.pushed > 0
        host = tls_server.base_url.removeprefix("https://")
        assert proxy.tunnels and set(proxy.tunnels) == {host}
        went_through = len(proxy.tunnels)

        monkeypatch.setenv("NO_PROXY", "127.0.0.1")
        db = open_database(tmp_path / "hq.sqlite")
        try:
            client.run_sync(db)
        finally:
            db.close()
        assert len(proxy.tunnels) == went_through  # straight to the server this time

        # A proxy that is not there: the sentence names the server, not a traceback.
        monkeypatch.delenv("NO_PROXY")
        monkeypatch.setenv("HTTPS_PROXY", "http://127.0.0.1:9")
        db = open_database(tmp_path / "hq.sqlite")
        try:
            with pytest.raises(SyncError, match=r"sync server at https://127\.0\.0\.1:\d+ "
                                                r"through the proxy http://127\.0\.0\.1:9 "):
                client.run_sync(db)
        finally:
            db.close()
    finally:
        proxy.sock.close()


def test_push_bodies_and_replies_travel_gzipped(server: RunningServer, tmp_path: Path) -> None:
    """A relay between client and server records the bytes on the wire both ways."""
    relay = socket.create_server(("127.0.0.1", 0))
    sent: list[bytes] = []

    def run() -> None:
        while True:
            try:
                conn, _ = relay.accept()
            except OSError:
                return
            upstream = socket.create_connection(("127.0.0.1", server.port))
            threading.Thread(target=_pipe, args=(conn, upstream, sent), daemon=True).start()

    threading.Thread(target=run, daemon=True).start()
    try:
        db = open_database(tmp_path / "hq.sqlite")
        ctx = ServiceContext(db)
        for number in range(150):  # well over GZIP_MIN_BYTES of ops
            products.create_product(ctx, sku=f"P{number:03}", name=f"Part number {number} "
                                    "with a long descriptive name", kind="raw_material",
                                    unit="pcs")
        url = f"http://127.0.0.1:{relay.getsockname()[1]}"
        client.setup(db, url, server.add_site("HQ", role="owner"))
        report = client.run_sync(db)
        db.close()
    finally:
        relay.close()
    wire = b"".join(sent).lower()
    assert report.pushed >= 150
    push_head = wire[wire.index(b"post /v1/push"):].split(b"\r\n\r\n")[0]
    assert b"content-encoding: gzip" in push_head
    length = int(push_head.split(b"content-length: ")[1].split(b"\r\n")[0])
    assert length < GZIP_MIN_BYTES  # what was over the threshold went compressed
    assert b"accept-encoding: gzip" in wire
