"""The `dmdesk` command line: exit codes, messages, and that refusals change nothing."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from dmdesk import cli
from dmdesk.db.database import open_database
from dmdesk.services import sites, stock
from dmdesk.services.context import ServiceContext


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def stocked_db(tmp_path: Path) -> Path:
    path = tmp_path / "site.sqlite"
    db = open_database(path)
    ctx = ServiceContext(db, actor="tester")
    from dmdesk.services import products

    site_id = sites.create_site(ctx, code="LIS", name="Lisbon", kind="own_workshop")
    product_id = products.create_product(ctx, sku="BOLT", name="Bolt M8")
    with db.read_session() as session:
        from sqlalchemy import select

        from dmdesk.db import models as m

        location_id = session.scalar(select(m.Location.id).where(m.Location.site_id == site_id))
    assert location_id is not None
    stock.receive(ctx, product_id, location_id, "12")
    db.close()
    return path


def test_version_is_printed() -> None:
    result = subprocess.run([sys.executable, "-m", "dmdesk.cli", "--version"],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0
    assert result.stdout.startswith("dmdesk ")


def test_check_passes_on_a_sound_database(stocked_db: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["db", "check", "--db", str(stocked_db)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("OK:") and "1 stock moves" in out


def test_check_finds_a_cache_that_disagrees_with_the_ledger(
        stocked_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with sqlite3.connect(stocked_db) as conn:
        conn.execute("UPDATE stock_balance SET on_hand = on_hand + 1000")
    assert cli.main(["db", "check", "--db", str(stocked_db)]) == 1
    out = capsys.readouterr().out
    assert "FAILED" in out and "ledger 12.0, cache 13.0" in out


def test_check_finds_an_edited_audit_entry(stocked_db: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    with sqlite3.connect(stocked_db) as conn:
        # Someone with direct file access removes the guard and rewrites history.
        conn.execute("DROP TRIGGER audit_log_no_update")
        conn.execute("UPDATE audit_log SET actor = 'mallory' WHERE seq = 2")
    assert cli.main(["db", "check", "--db", str(stocked_db)]) == 1
    assert "Audit chain broken at entry 2" in capsys.readouterr().out


def test_check_refuses_a_missing_file_without_creating_it(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "nothing.sqlite"
    assert cli.main(["db", "check", "--db", str(missing)]) == 1
    assert "There is no dmdesk database" in capsys.readouterr().err
    assert not missing.exists()


def test_a_file_that_is_not_a_database_is_refused_and_untouched(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "notes.sqlite"
    path.write_bytes(b"shopping list: glue, screws\n" * 50)
    before = _digest(path)
    for argv in (["db", "check", "--db", str(path)], ["db", "upgrade", "--db", str(path)]):
        assert cli.main(argv) == 1
        assert "not a dmdesk database" in capsys.readouterr().err
    assert _digest(path) == before


def test_a_newer_database_is_refused_and_untouched(
        stocked_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with sqlite3.connect(stocked_db) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999_from_the_future'")
    before = _digest(stocked_db)
    assert cli.main(["db", "upgrade", "--db", str(stocked_db)]) == 1
    err = capsys.readouterr().err
    assert "newer version of dmdesk" in err and "9999_from_the_future" in err
    assert _digest(stocked_db) == before


def test_backup_is_a_consistent_copy(stocked_db: Path, tmp_path: Path) -> None:
    target = tmp_path / "copy.sqlite"
    assert cli.main(["db", "backup", "--db", str(stocked_db), "--out", str(target)]) == 0
    with sqlite3.connect(target) as conn:
        assert conn.execute("SELECT COUNT(*) FROM stock_move").fetchone() == (1,)
    # A second backup to the same name is refused rather than overwriting the first.
    assert cli.main(["db", "backup", "--db", str(stocked_db), "--out", str(target)]) == 1


def test_dmdesk_db_environment_variable_is_the_default(stocked_db: Path) -> None:
    env = {**os.environ, "DMDESK_DB": str(stocked_db)}
    result = subprocess.run([sys.executable, "-m", "dmdesk.cli", "db", "check"],
                            capture_output=True, text=True, env=env, check=False)
    assert result.returncode == 0, result.stderr
    assert str(stocked_db) in result.stdout


def test_without_a_display_the_app_says_so_in_one_line(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items()
           if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    result = subprocess.run([sys.executable, "-m", "dmdesk.cli", "--db",
                             str(tmp_path / "x.sqlite")],
                            capture_output=True, text=True, env=env, check=False)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "QT_QPA_PLATFORM=offscreen" in lines[0] and "db upgrade" in lines[0]
    assert not (tmp_path / "x.sqlite").exists()


def test_subcommands_do_not_import_qt(stocked_db: Path) -> None:
    code = ("import sys; from dmdesk import cli; "
            f"rc = cli.main(['db', 'check', '--db', {str(stocked_db)!r}]); "
            "assert 'PySide6' not in sys.modules, 'Qt was imported'; sys.exit(rc)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=False)
    assert result.returncode == 0, result.stderr
