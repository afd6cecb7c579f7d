"""Joining in a minute: the owner prints an invite with `dmdesk server invite`, the producer
runs `dmdesk join INVITE --db PATH` and has the network's data, with the server and token
stored. Every refusal is one sentence and leaves no half-made database behind."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from sqlalchemy import select

from dmdesk.cli import main
from dmdesk.db import models as m
from dmdesk.db.database import open_database
from dmdesk.services.context import SETTING_SITE, ServiceContext
from dmdesk.sync import invite, state
from dmdesk.sync.join import JoinError, join
from tests.integration.support import build_network
from tests.sync.support import join as setup_site
from tests.sync_server_process import RunningServer


def _invite(server: RunningServer, capsys: pytest.CaptureFixture[str], *args: str) -> str:
    code = main(["server", "invite", *args, "--db", server.db_url, "--url", server.base_url])
    out = capsys.readouterr()
    assert code == 0, out.err
    return out.out.strip().splitlines()[-1]


def _owner_with_network(server: RunningServer, tmp_path: Path) -> None:
    hq = setup_site(server, tmp_path / "hq.sqlite", "HQ", role="owner")
    build_network(ServiceContext(hq.db))
    hq.sync()
    hq.db.close()


def _join_cli(capsys: pytest.CaptureFixture[str], text: str, path: Path) -> tuple[int, str, str]:
    code = main(["join", text, "--db", str(path)])
    out = capsys.readouterr()
    return code, out.out, out.err


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_invite_then_join_gives_the_producer_the_network(
        server: RunningServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _owner_with_network(server, tmp_path)
    code = main(["server", "invite", "MP1", "--db", server.db_url, "--url", server.base_url])
    assert code == 1 and "add-site MP1" in capsys.readouterr().err  # not on the server yet
    text = _invite(server, capsys, "MP1", "--name", "CNC shop", "--role", "site")
    assert text.startswith(invite.PREFIX) and invite.decode(text).site == "MP1"

    path = tmp_path / "producer" / "mp1.sqlite"
    code, out, err = _join_cli(capsys, text, path)
    assert code == 0, err
    assert "Receiving changes: " in err
    [summary] = out.strip().splitlines()
    assert summary.startswith(f"Joined {server.base_url} as site MP1 (site)")
    assert "received " in summary

    db = open_database(path, create=False)
    try:
        with db.read_session() as session:
            skus = set(session.scalars(select(m.Product.sku)))
            site = session.scalar(select(m.Setting.value).where(m.Setting.key == SETTING_SITE))
        assert {"CHAIR", "FRAME", "STEEL"} <= skus and site == "MP1"
        view = state.overview(db)
        assert view.configured and view.server_url == server.base_url and view.role == "site"
    finally:
        db.close()

    # Joining again into the site's own database (a new invite: the old token is replaced).
    again = _invite(server, capsys, "MP1")
    code, out, err = _join_cli(capsys, again, path)
    assert code == 0, err
    # Another site's database is refused and left as it was.
    before = _digest(tmp_path / "hq.sqlite")
    code, _out, err = _join_cli(capsys, again, tmp_path / "hq.sqlite")
    assert code == 1 and "already the database of site HQ" in err
    assert _digest(tmp_path / "hq.sqlite") == before


def test_refusals_are_one_sentence_and_leave_no_database(
        server: RunningServer, tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    server.add_site("MP2")
    text = _invite(server, capsys, "MP2")
    target = tmp_path / "mp2.sqlite"

    def refused(paste: str, words: str) -> str:
        code, out, err = _join_cli(capsys, paste, target)
        assert code == 1 and out == "" and words in err, err
        assert err.count("\n") == 1  # one line
        assert not target.exists() and not Path(f"{target}-wal").exists()
        return err

    refused(text[:-3], "damaged or incomplete")
    nobody = invite.encode(invite.Invite("http://127.0.0.1:9", "t", "MP2"))
    refused(nobody, "Cannot reach the sync server at http://127.0.0.1:9")
    with monkeypatch.context() as patch:
        patch.setattr("dmdesk.sync.join.head_revision", lambda: "0001")
        refused(text, "This dmdesk has database schema 0001 and the server another one")
    notes = tmp_path / "notes.txt"
    notes.write_text("not a database")
    code, _out, err = _join_cli(capsys, text, notes)
    assert code == 1 and "is not a dmdesk database" in err and "nothing was changed" in err
    assert notes.read_text() == "not a database"
    server.revoke("MP2")
    err = refused(text, "The server refused the invite's token (The token of site MP2 was "
                        "revoked): ask the owner for a new invite (dmdesk server invite MP2)")
    assert "; nothing was made at" in err

    # A failure after the database was made (here: Cancel during the first sync) removes it.
    fresh = _invite(server, capsys, "MP2")
    with pytest.raises(JoinError, match=r"Join cancelled; the new database .* was removed"):
        join(fresh, target, cancelled=lambda: True)
    assert not target.exists() and not Path(f"{target}-wal").exists()
    result = join(fresh, target)
    assert result.created and result.site == "MP2" and target.exists()
