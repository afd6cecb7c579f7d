"""`dmdesk import`: problems one per line (capped), exit 1, nothing written; --dry-run; --map."""

from __future__ import annotations

from pathlib import Path

import pytest

from dmdesk.cli import main
from dmdesk.db.database import open_database
from tests.integration.import_files import write_csv
from tests.integration.support import checkpoint, count_rows


@pytest.fixture
def empty_db(tmp_path: Path) -> Path:
    path = tmp_path / "db.sqlite"
    db = open_database(path)
    checkpoint(db)
    db.close()
    return path


def _products(path: Path) -> int:
    db = open_database(path, create=False)
    try:
        return count_rows(db, "product")
    finally:
        db.close()


def test_problems_are_listed_capped_and_exit_1(empty_db: Path, tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    rows = [("SKU", "Name", "Unit")] + [(f"P-{i}", f"Part {i}", "bushel") for i in range(80)]
    path = write_csv(tmp_path / "bad.csv", rows)
    assert main(["import", "products", str(path), "--db", str(empty_db)]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err[0] == "The file has 80 problems; nothing was imported:"
    assert err[1] == ("  row 2, column 'Unit': unknown unit 'bushel'. Known units: g, h, kg, l, "
                      "m, m2, ml, mm, pcs, set.")
    assert len(err) == 1 + 50 + 1 and err[-1] == "  ... and 30 more."
    assert _products(empty_db) == 0


def test_dry_run_and_map(empty_db: Path, tmp_path: Path,
                         capsys: pytest.CaptureFixture[str]) -> None:
    path = write_csv(tmp_path / "p.csv", [("Ref", "Label", "Unit"), ("P-1", "Plank", "pcs")])
    assert main(["import", "products", str(path), "--db", str(empty_db), "--dry-run"]) == 1
    assert "missing required column 'Name'" in capsys.readouterr().err
    args = ["import", "products", str(path), "--db", str(empty_db), "--map", "name=Label"]
    assert main([*args, "--dry-run"]) == 0
    assert "Dry run: 1 product in p.csv would be imported" in capsys.readouterr().out
    assert _products(empty_db) == 0
    assert main(args) == 0
    assert "Imported 1 product from p.csv" in capsys.readouterr().out
    assert _products(empty_db) == 1


@pytest.mark.parametrize(("args", "message"), [
    (["--map", "colour=B"], "There is no field 'colour' here."),
    (["--map", "name"], "should be FIELD=COLUMN"),
    (["--map", "name=Nope"], "The file has no column 'Nope'."),
])
def test_bad_maps_and_files_are_one_line(empty_db: Path, tmp_path: Path, args: list[str],
                                         message: str, capsys: pytest.CaptureFixture[str]
                                         ) -> None:
    path = write_csv(tmp_path / "p.csv", [("SKU", "Name", "Unit"), ("P-1", "Plank", "pcs")])
    assert main(["import", "products", str(path), "--db", str(empty_db), *args]) == 1
    err = capsys.readouterr().err
    assert err.startswith("dmdesk: ") and message in err and "Traceback" not in err


def test_an_empty_file_from_the_command_line(empty_db: Path, tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "empty.xlsx"
    path.write_bytes(b"")
    assert main(["import", "bom", str(path), "--db", str(empty_db)]) == 1
    assert capsys.readouterr().err == "dmdesk: empty.xlsx is empty: there is nothing to import.\n"
