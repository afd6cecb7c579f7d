"""`dmdesk init`: a new, empty database for one site from the command line, and refusals
that leave nothing behind."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from dmdesk import cli


def _everything_under(folder: Path) -> list[Path]:
    return sorted(folder.rglob("*"))


def test_init_makes_an_empty_database_for_the_site(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "new" / "folder" / "lisbon.sqlite"
    assert cli.main(["init", "--db", str(path), "--site", "lis",
                     "--name", " Lisbon workshop "]) == 0
    assert f"Created {path}" in capsys.readouterr().out
    with sqlite3.connect(path) as connection:
        sites = connection.execute("SELECT code, name, kind FROM site").fetchall()
        local = connection.execute(
            "SELECT value FROM setting WHERE key = 'local_site_code'").fetchone()
        products = connection.execute("SELECT COUNT(*) FROM product").fetchone()
    assert sites == [("LIS", "Lisbon workshop", "own_workshop")]
    assert local == ("LIS",) and products == (0,)
    # The other commands take it as it is: no upgrade, a clean check.
    assert cli.main(["db", "upgrade", "--db", str(path)]) == 0
    assert "is up to date" in capsys.readouterr().err
    assert cli.main(["db", "check", "--db", str(path)]) == 0
    assert capsys.readouterr().out.startswith("OK:")


def test_upgrade_of_a_missing_file_points_to_init(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "nothing.sqlite"
    assert cli.main(["db", "upgrade", "--db", str(path)]) == 1
    assert "dmdesk init --db" in capsys.readouterr().err
    assert not path.exists()


def test_init_takes_the_kind_of_site(tmp_path: Path) -> None:
    path = tmp_path / "wh.sqlite"
    assert cli.main(["init", "--db", str(path), "--site", "WH", "--name", "Warehouse",
                     "--kind", "warehouse"]) == 0
    with sqlite3.connect(path) as connection:
        assert connection.execute("SELECT kind FROM site").fetchall() == [("warehouse",)]


def test_init_refuses_an_existing_file_and_leaves_it_alone(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "mine.sqlite"
    path.write_bytes(b"someone's file")
    assert cli.main(["init", "--db", str(path), "--site", "LIS", "--name", "Lisbon"]) == 1
    err = capsys.readouterr().err
    assert "already exists" in err and str(path) in err
    assert path.read_bytes() == b"someone's file"
    assert _everything_under(tmp_path) == [path]


@pytest.mark.parametrize(("site", "name", "message"), [
    ("1LIS", "Lisbon", "Site code '1LIS' must be 2 to 6 letters or digits"),
    ("TOOLONGCODE", "Lisbon", "must be 2 to 6 letters or digits"),
    ("LIS", "   ", "Give the site a name"),
    ("LIS", "x" * 121, "too long"),  # refused by the site's own rules, after the file was made
])
def test_init_refuses_bad_input_and_leaves_nothing_behind(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], site: str, name: str,
        message: str) -> None:
    path = tmp_path / "new" / "site.sqlite"
    assert cli.main(["init", "--db", str(path), "--site", site, "--name", name]) == 1
    assert message in capsys.readouterr().err
    assert _everything_under(tmp_path) == []  # not the file, its -wal, nor the folder


def test_init_refuses_a_kind_no_database_is_made_for(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):  # argparse: a usage error, exit status 2
        cli.main(["init", "--db", str(tmp_path / "t.sqlite"), "--site", "TRN",
                  "--name", "Road", "--kind", "in_transit"])
    assert "invalid choice" in capsys.readouterr().err
    assert _everything_under(tmp_path) == []
