"""`dmdesk server ...` and `dmdesk serve` as an administrator types them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.sync_server_process import RunningServer, running_server


def dmdesk(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "dmdesk.cli", *args], capture_output=True,
                          text=True, timeout=120)


def test_sites_tokens_and_revocation_from_the_command_line(tmp_path: Path) -> None:
    db = str(tmp_path / "server.sqlite")
    added = dmdesk("server", "add-site", "mp1", "--name", "Micro one", "--role", "site",
                   "--db", db)
    assert added.returncode == 0, added.stderr
    assert "Added site MP1" in added.stdout
    again = dmdesk("server", "add-site", "MP1", "--name", "x", "--role", "site", "--db", db)
    assert again.returncode == 1 and "already" in again.stderr
    bad = dmdesk("server", "add-site", "TOO-LONG", "--name", "x", "--role", "site",
                 "--db", db)
    assert bad.returncode == 1 and "Site code 'TOO-LONG' must be 2 to 6" in bad.stderr
    # The rule every site's database applies: a code a site would refuse is refused here too.
    digit_first = dmdesk("server", "add-site", "1AB", "--name", "x", "--role", "site",
                         "--db", db)
    assert digit_first.returncode == 1 and "starting with a letter" in digit_first.stderr
    role = dmdesk("server", "add-site", "X", "--name", "x", "--role", "boss", "--db", db)
    assert role.returncode == 2 and "invalid choice" in role.stderr

    issued = dmdesk("server", "token", "MP1", "--db", db)
    assert issued.returncode == 0, issued.stderr
    token = issued.stdout.strip()
    assert len(token) >= 43 and "\n" not in token  # 32 random bytes, url-safe base64
    assert "shown only this once" in issued.stderr
    # Only a hash is stored: the token itself is nowhere in the database file.
    assert token.encode() not in Path(db).read_bytes()
    listing = dmdesk("server", "sites", "--db", db)
    assert "MP1" in listing.stdout and "set" in listing.stdout

    with running_server(db, tmp_path) as server:
        assert server.request("GET", "/v1/status", token)[0] == 200
        revoked = dmdesk("server", "revoke", "MP1", "--db", db)
        assert revoked.returncode == 0 and "Revoked" in revoked.stdout
        assert server.request("GET", "/v1/status", token)[0] == 401
    assert "revoked" in dmdesk("server", "sites", "--db", db).stdout
    missing = dmdesk("server", "token", "NOPE", "--db", db)
    assert missing.returncode == 1 and "no site NOPE" in missing.stderr


def test_serve_says_where_it_listens_and_what_is_wrong(tmp_path: Path) -> None:
    no_db = dmdesk("serve")
    assert no_db.returncode == 1 and "--db" in no_db.stderr
    db = str(tmp_path / "server.sqlite")
    with running_server(db, tmp_path) as server:
        busy = dmdesk("serve", "--db", db, "--port", str(server.port))
        assert busy.returncode == 1 and "cannot listen" in busy.stderr
        log = sorted(tmp_path.glob("server-*.log"))[-1].read_text()
        assert f"listening on {server.base_url}" in log


def test_the_server_uses_sqlite_in_wal_mode(sqlite_server: RunningServer) -> None:
    import sqlite3
    connection = sqlite3.connect(sqlite_server.db_url)
    try:
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    finally:
        connection.close()
