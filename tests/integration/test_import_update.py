"""`dmdesk import products --update`: rows whose SKU exists change that product (through the
product form's edit service: outbox and audit rows as for any edit), new SKUs are created, and
one bad row leaves the database exactly as it was."""

from __future__ import annotations

import json
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from dmdesk.cli import main
from dmdesk.db import models as m
from dmdesk.db.database import Database, open_database
from dmdesk.services import stock
from dmdesk.services.context import ServiceContext
from tests.integration.import_files import write_csv, write_xlsx
from tests.integration.support import (
    Network,
    audit_entries,
    build_network,
    checkpoint,
    db_fingerprint,
    max_seq,
)

Row = tuple[str, str, str, str, Decimal, Decimal, bool, bool]


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    """The small network (STEEL, SCREW, FABRIC, FRAME, CHAIR); STEEL has a stock move."""
    path = tmp_path / "db.sqlite"
    db = open_database(path)
    ctx = ServiceContext(db)
    net: Network = build_network(ctx)
    stock.receive(ctx, net.steel, net.hq_stock, 10)
    checkpoint(db)
    db.close()
    return path


@pytest.fixture
def db(db_path: Path) -> Iterator[Database]:
    """Opened after the command ran (each test reads the database back through it)."""
    database = open_database(db_path, create=False)
    yield database
    database.close()


def _products(db: Database) -> dict[str, Row]:
    with db.read_session() as session:
        return {p.sku: (p.name, p.unit, p.kind, p.description, p.standard_cost, p.price,
                        p.lot_tracked, p.archived)
                for p in session.scalars(select(m.Product))}


def _import(db_path: Path, path: Path, *extra: str) -> int:
    return main(["import", "products", str(path), "--db", str(db_path), "--update", *extra])


def _outbox_after(db: Database, seq: int) -> list[tuple[str, str, dict[str, object]]]:
    with db.read_session() as session:
        return [(o.entity, o.op, json.loads(o.payload)) for o in session.scalars(
            select(m.OutboxOp).where(m.OutboxOp.seq > seq).order_by(m.OutboxOp.seq))]


def _seqs(db_path: Path) -> tuple[int, int]:
    db = open_database(db_path, create=False)
    try:
        return max_seq(db, "outbox"), max_seq(db, "audit_log")
    finally:
        db.close()


@pytest.mark.parametrize("suffix", ["xlsx", "csv"])
def test_update_names_and_a_price(db_path: Path, tmp_path: Path, suffix: str,
                                  capsys: pytest.CaptureFixture[str]) -> None:
    rows = [("SKU", "Name", "Unit", "Price"),
            ("CHAIR", "Lounge chair, oak", "pcs", 279.5),
            ("screw", "Screw M6 x 20", "pcs", 0),      # SKU matched ignoring case
            ("FRAME", "Chair frame", "pcs", 0)]        # as stored: unchanged
    path = (write_xlsx(tmp_path / "p.xlsx", rows, title="Products") if suffix == "xlsx"
            else write_csv(tmp_path / "p.csv", rows))
    outbox_seq, audit_seq = _seqs(db_path)
    db = open_database(db_path, create=False)
    before = _products(db)
    db.close()

    assert _import(db_path, path, "--dry-run") == 0
    assert capsys.readouterr().out == (
        f"Dry run: p.{suffix} would create 0 products and update 2 (name: 2, price: 1); "
        "1 unchanged (3 rows checked, no problems); nothing was written.\n")
    assert _seqs(db_path) == (outbox_seq, audit_seq)
    assert _import(db_path, path) == 0
    assert capsys.readouterr().out.startswith(
        f"Imported p.{suffix}: created 0 products and updated 2 (name: 2, price: 1); "
        "1 unchanged; took ")

    db = open_database(db_path, create=False)
    try:
        after = _products(db)
        assert after["CHAIR"] == ("Lounge chair, oak", "pcs", "finished", "",
                                  Decimal("0"), Decimal("279.5"), False, False)
        assert after["SCREW"][0] == "Screw M6 x 20"
        assert after["SCREW"][1:] == before["SCREW"][1:]
        assert {k: v for k, v in after.items() if k not in ("CHAIR", "SCREW")} == \
            {k: v for k, v in before.items() if k not in ("CHAIR", "SCREW")}
        outbox = _outbox_after(db, outbox_seq)
        assert [(e, o, sorted(p)) for e, o, p in outbox] == [
            ("product", "update", ["name", "price", "updated_at"]),
            ("product", "update", ["name", "updated_at"])]  # FRAME (unchanged): none
        assert outbox[0][2]["name"] == "Lounge chair, oak"
        edits = [(a.action, a.entity, json.loads(a.details))
                 for a in audit_entries(db) if a.seq > audit_seq]
        assert [(a, e) for a, e, _ in edits] == [("edit", "product"), ("edit", "product"),
                                                 ("import", "products")]
        assert edits[0][2] == {"name": ["Lounge chair", "Lounge chair, oak"],
                               "price": ["249.0000", "279.5000"]}
        assert edits[2][2]["created"] == 0 and edits[2][2]["updated"] == 2
    finally:
        db.close()


def test_new_and_existing_skus_in_one_file(db_path: Path, db: Database, tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    path = write_csv(tmp_path / "mixed.csv", [
        ("SKU", "Name", "Unit", "Kind", "Standard cost", "Lot tracked"),
        ("OAK-BOARD", "Oak board 18 mm", "m2", "raw material", "31.20", "no"),
        ("FRAME", "Chair frame", "pcs", "component", "12.40", ""),
        ("HINGE-35", "Cup hinge 35 mm", "pcs", "", "1.45", "yes"),
    ])
    before = _products(db)
    assert _import(db_path, path) == 0
    assert "created 2 products and updated 1 (standard cost: 1)" in capsys.readouterr().out
    after = _products(db)
    assert after["OAK-BOARD"][:3] == ("Oak board 18 mm", "m2", "raw_material")
    assert after["HINGE-35"][4:7] == (Decimal("1.45"), Decimal(0), True)
    assert after["FRAME"] == (*before["FRAME"][:4], Decimal("12.40"), *before["FRAME"][5:])
    assert len(after) == len(before) + 2


def test_a_missing_column_or_an_empty_cell_leaves_the_field(
        db_path: Path, db: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """CHAIR's price (249.00) is in no column; SCREW's name and cost cells are empty."""
    path = write_csv(tmp_path / "names.csv", [
        ("SKU", "Name", "Unit", "Standard cost", "Description"),
        ("CHAIR", "Armchair", "", "", "Oak and wool"),
        ("SCREW", "", "pcs", "", ""),
    ])
    before = _products(db)
    assert _import(db_path, path) == 0
    assert "updated 1 (name: 1, description: 1); 1 unchanged" in capsys.readouterr().out
    after = _products(db)
    assert after["CHAIR"] == ("Armchair", "pcs", "finished", "Oak and wool", Decimal(0),
                              Decimal("249.00"), False, False)
    assert after["SCREW"] == before["SCREW"]


def test_an_unchanged_row_writes_no_outbox_or_audit_row(db_path: Path, tmp_path: Path,
                                                        capsys: pytest.CaptureFixture[str]
                                                        ) -> None:
    path = write_csv(tmp_path / "same.csv", [
        ("SKU", "Name", "Unit", "Kind", "Standard cost", "Price", "Lot tracked", "Archived"),
        ("STEEL", "Steel tube 20 mm", "m", "raw_material", "4.25", "0", "no", "no"),
        ("CHAIR", "Lounge chair", "pcs", "finished", "0", "249", "no", "no"),
    ])
    outbox_seq, audit_seq = _seqs(db_path)
    assert _import(db_path, path) == 0
    assert "updated 0; 2 unchanged" in capsys.readouterr().out
    db = open_database(db_path, create=False)
    try:
        assert _outbox_after(db, outbox_seq) == []
        assert [a.action for a in audit_entries(db) if a.seq > audit_seq] == ["import"]
    finally:
        db.close()


def test_one_bad_row_changes_nothing(db_path: Path, tmp_path: Path,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    """Every row is checked before any is written: a good update, a new product, then a unit
    change the edit service refuses (STEEL has stock moves), a SKU twice and a bad price."""
    path = write_csv(tmp_path / "bad.csv", [
        ("SKU", "Name", "Unit", "Price"),
        ("CHAIR", "Armchair", "pcs", "300"),
        ("NEW-1", "New part", "pcs", ""),
        ("STEEL", "Steel tube 20 mm", "mm", ""),
        ("chair", "Armchair again", "pcs", ""),
        ("SCREW", "Screw M6", "pcs", "cheap"),
        ("FRAME", "Chair frame", "", ""),
    ])
    db = open_database(db_path, create=False)
    before = db_fingerprint(db)
    db.close()
    assert _import(db_path, path, "--dry-run") == 1
    dry = capsys.readouterr().err
    assert _import(db_path, path) == 1
    err = capsys.readouterr().err
    assert err == dry
    assert err.splitlines() == [
        "The file has 3 problems; nothing was imported:",
        "  row 4, column 'Unit': STEEL from m to mm: The unit of a product that has stock "
        "moves cannot change: the ledger would mean something else. Create a new product "
        "instead.",
        "  row 5, column 'SKU': duplicate SKU 'chair': row 2 has it too.",
        "  row 6, column 'Price': 'cheap' is not a number.",
    ]
    db = open_database(db_path, create=False)
    try:
        assert db_fingerprint(db) == before
    finally:
        db.close()


def test_the_unit_changes_when_there_are_no_moves(db_path: Path, db: Database,
                                                  tmp_path: Path) -> None:
    path = write_csv(tmp_path / "unit.csv", [("SKU", "Name", "Unit"),
                                             ("FRAME", "Chair frame", "set")])
    assert _import(db_path, path) == 0
    assert _products(db)["FRAME"][1] == "set"


def test_without_update_an_existing_sku_is_still_a_problem(
        db_path: Path, db: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_csv(tmp_path / "p.csv", [("SKU", "Name", "Unit"), ("CHAIR", "Armchair", "pcs")])
    before = db_fingerprint(db)
    assert main(["import", "products", str(path), "--db", str(db_path)]) == 1
    assert "duplicate SKU 'CHAIR': a product with it is already in the database." in \
        capsys.readouterr().err
    assert db_fingerprint(db) == before


def test_update_is_for_products_only(db_path: Path, tmp_path: Path,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    path = write_csv(tmp_path / "b.csv", [("Parent", "Component", "Quantity"),
                                          ("CHAIR", "SCREW", "4")])
    assert main(["import", "bom", str(path), "--db", str(db_path), "--update"]) == 1
    assert "cannot be updated by an import, only added" in capsys.readouterr().err
