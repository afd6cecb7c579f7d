"""Every row is checked before anything is written; each problem names its row, column and
reason; one bad row and nothing is written; a good file is written in one transaction through
the services (outbox and audit rows like any other change)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, text

from dmdesk.db import models as m
from dmdesk.db.database import Database
from dmdesk.documents.importing import ImportRefusedError, check_file, import_file
from dmdesk.services import products
from dmdesk.services.context import ServiceContext
from tests.integration.import_files import write_csv, write_xlsx
from tests.integration.support import (
    Network,
    audit_chain_problems,
    count_rows,
    db_fingerprint,
    on_hand,
    outbox_entities,
)


def _problems(db: Database, kind: str, path: Path, **kwargs: Any) -> list[str]:
    """The problems of the dry run, which must equal those of the refused import, which must
    have written nothing."""
    before = db_fingerprint(db)
    dry = check_file(db, kind, path, **kwargs)
    assert not dry.ok
    with pytest.raises(ImportRefusedError) as refused:
        import_file(ServiceContext(db, actor="tester"), kind, path, **kwargs)
    assert [str(p) for p in refused.value.problems] == [str(p) for p in dry.problems]
    assert db_fingerprint(db) == before
    return [str(p) for p in dry.problems]


# --- products ----------------------------------------------------------------------------


def test_product_problems_each_with_row_column_and_reason(db: Database, network: Network,
                                                          tmp_path: Path) -> None:
    path = write_csv(tmp_path / "p.csv", [
        ("Item code", "Product name", "UOM", "Cost", "Lot tracked", "Type"),
        ("NEW-1", "Oak board", "m2", "12.5", "no", "raw material"),   # fine
        ("NEW-2", "Hinge", "pieces", "1", "", ""),                    # unknown unit
        ("new-1", "Oak again", "m2", "", "", ""),                     # duplicate in the file
        ("steel", "Steel again", "m", "", "", ""),                    # duplicate in the DB
        ("NEW-3", "", "pcs", "abc", "maybe", "gadget"),               # empty, not a number...
        ("NEW-4", "Glue", "l", "-2", "", ""),                         # negative
        ("NEW-5", "Dust", "kg", "0.00001", "", ""),                   # too precise
    ])
    assert _problems(db, "products", path) == [
        "row 3, column 'UOM': unknown unit 'pieces'. Known units: g, h, kg, l, m, m2, ml, mm, "
        "pcs, set.",
        "row 4, column 'Item code': duplicate SKU 'new-1': row 2 has it too.",
        "row 5, column 'Item code': duplicate SKU 'steel': a product with it is already in "
        "the database.",
        "row 6, column 'Product name': is empty; a value is required.",
        "row 6, column 'Type': 'gadget' is not one of: component, finished, raw_material.",
        "row 6, column 'Lot tracked': 'maybe' is not yes or no.",
        "row 6, column 'Cost': 'abc' is not a number.",
        "row 7, column 'Cost': -2 is negative.",
        "row 8, column 'Cost': 0.00001 has more than 4 decimal places.",
    ]


def test_a_missing_required_column_and_the_mapping_that_fixes_it(
        db: Database, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "p.csv", [("Code", "Title", "Measure"),
                                          ("NEW-1", "Oak board", "m2")])
    path2 = write_csv(tmp_path / "p2.csv", [("Article", "Label", "Measure"),
                                            ("NEW-1", "Oak board", "m2")])
    assert _problems(db, "products", path2) == [
        "row 1, column 'Name': missing required column 'Name' (no header matches it; map "
        "one: --map name=COLUMN)."]
    assert check_file(db, "products", path).ok  # synonyms: code, title, measure
    result = import_file(ServiceContext(db, actor="tester"), "products", path2,
                         overrides={"name": "Label"})
    assert result.written and result.summary == "1 product"
    by_letter = write_csv(tmp_path / "p3.csv", [("x", "y", "Unit"), ("NEW-2", "Pine", "m")])
    assert check_file(db, "products", by_letter, overrides={"sku": "A", "Name": "B"}).ok


def test_a_good_product_file_is_written_through_the_services(db: Database, network: Network,
                                                             tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "p.xlsx", [
        ("SKU", "Name", "Unit", "Kind", "Standard cost", "Price", "Lot tracked", "Archived"),
        ("NEW-1", "Oak board", "M2", "raw_material", 12.5, None, "yes", "no"),
        (1001, "Brass hinge", "pcs", "Component", 0.1, 2, False, True),
    ])
    outbox_before = count_rows(db, "outbox")
    progress: list[tuple[str, int, int]] = []
    result = import_file(ServiceContext(db, actor="importer"), "products", path,
                         progress=lambda done, total, text: progress.append((text, done, total)))
    assert result.written and result.rows == 2
    assert progress[-1][0] == "Importing products" and progress[-1][1] == 2
    with db.read_session() as session:
        oak = session.scalars(select(m.Product).where(m.Product.sku == "NEW-1")).one()
        hinge = session.scalars(select(m.Product).where(m.Product.sku == "1001")).one()
    assert (oak.unit, oak.kind, oak.standard_cost, oak.lot_tracked, oak.archived) == (
        "m2", "raw_material", Decimal("12.5000"), True, False)
    assert (hinge.standard_cost, hinge.price, hinge.archived) == (
        Decimal("0.1000"), Decimal("2.0000"), True)
    assert ("product", "insert") in outbox_entities(db, outbox_before)
    with db.read_session() as session:
        actions = list(session.execute(text(
            "SELECT action, entity, actor FROM audit_log ORDER BY seq DESC LIMIT 4")))
    assert actions[0] == ("import", "products", "importer")
    assert ("create", "product", "importer") in actions
    assert audit_chain_problems(db) == []


# --- BOM lines -------------------------------------------------------------------------------


def test_bom_problems(db: Database, network: Network, tmp_path: Path) -> None:
    products.set_product_archived(ServiceContext(db), network.steel)
    path = write_csv(tmp_path / "bom.csv", [
        ("Parent SKU", "Component SKU", "Qty", "Scrap %", "Sequence"),
        ("FRAME", "FABRIC", "1.5", "5", "30"),       # fine
        ("FRAME", "NOPE", "1", "", ""),              # unknown component
        ("NOTHING", "SCREW", "1", "", ""),           # unknown parent
        ("FRAME", "fabric", "2", "", ""),            # duplicate in the file
        ("CHAIR", "FRAME", "1", "", ""),             # already in the database
        ("SCREW", "SCREW", "1", "", ""),             # itself
        ("CHAIR", "SCREW", "", "", ""),              # missing quantity (and in the DB)
        ("FABRIC", "STEEL", "0", "100", "x"),        # archived, zero, scrap, sequence
    ])
    assert _problems(db, "bom", path) == [
        "row 3, column 'Component SKU': unknown component SKU 'NOPE' (import or create the "
        "product first).",
        "row 4, column 'Parent SKU': unknown parent SKU 'NOTHING' (import or create the "
        "product first).",
        "row 5, column 'Component SKU': duplicate line FABRIC in FRAME: row 2 has it too.",
        "row 6, column 'Component SKU': FRAME in CHAIR is already in the database's BOM; "
        "change that line instead.",
        "row 7, column 'Component SKU': BOM cycle: SCREW cannot contain itself.",
        "row 8, column 'Qty': is empty; a value is required.",
        "row 8, column 'Component SKU': SCREW in CHAIR is already in the database's BOM; "
        "change that line instead.",
        "row 9, column 'Component SKU': STEEL is archived; restore it to use it in a BOM.",
        "row 9, column 'Qty': must be greater than zero.",
        "row 9, column 'Scrap %': 100 must be below 100.",
        "row 9, column 'Sequence': 'x' is not a number.",
    ]


def test_bom_cycles_formed_by_the_file_with_the_database(db: Database, network: Network,
                                                         tmp_path: Path) -> None:
    # The database has CHAIR > FRAME > STEEL. The file adds STEEL > CHAIR (a loop through the
    # database's lines) and a loop of its own, A > B > A, among new products.
    for sku in ("PART-A", "PART-B"):
        products.create_product(ServiceContext(db), sku=sku, name=sku, unit="pcs")
    path = write_csv(tmp_path / "bom.csv", [
        ("Parent", "Component", "Quantity"),
        ("PART-A", "PART-B", "1"),
        ("STEEL", "CHAIR", "1"),
        ("PART-B", "PART-A", "2"),
    ])
    problems = _problems(db, "bom", path)
    assert len(problems) == 2, problems
    assert ("row 3, column 'Component': BOM cycle: STEEL → CHAIR → FRAME → STEEL (file rows 3 "
            "with lines already in the database): a product would contain itself.") in problems
    assert ("row 4, column 'Component': BOM cycle: PART-A → PART-B → PART-A (file rows 2, 4): "
            "a product would contain itself.") in problems


def test_a_good_bom_file(db: Database, network: Network, tmp_path: Path) -> None:
    products.create_product(ServiceContext(db), sku="STOOL", name="Stool", unit="pcs",
                            kind="finished")
    path = write_csv(tmp_path / "bom.csv", [
        ("Parent SKU", "Component SKU", "Quantity", "Scrap %", "Notes"),
        ("STOOL", "FRAME", "1", "", "the same frame"),
        ("STOOL", "FABRIC", "0.4", "12.5", ""),
    ])
    result = import_file(ServiceContext(db, actor="tester"), "bom", path)
    assert result.summary == "2 BOM lines"
    with db.read_session() as session:
        lines = session.execute(text(
            "SELECT c.sku, b.quantity, b.scrap_pct, b.sequence, b.notes FROM bom_line b "
            "JOIN product p ON p.id = b.parent_id JOIN product c ON c.id = b.component_id "
            "WHERE p.sku = 'STOOL' ORDER BY b.sequence")).all()
    assert [tuple(r) for r in lines] == [("FRAME", 1000, 0, 10, "the same frame"),
                                         ("FABRIC", 400, 12500, 20, "")]


# --- contacts ----------------------------------------------------------------------------------


def test_contacts_with_their_organisation_on_an_earlier_row(db: Database, network: Network,
                                                            tmp_path: Path) -> None:
    path = write_csv(tmp_path / "c.csv", [
        ("Name", "Type", "Role", "Company", "Site", "Email", "Capabilities", "Lead time",
         "Hourly rate", "Lat", "Lng"),
        ("Weld & Co", "company", "producer", "", "MP1", "info@weld.example", "welding; cnc",
         "5", "38.5", "41.15", "-8.61"),
        ("Ana Lima", "person", "producer", "Weld & Co", "", "ana@weld.example", "", "", "", "",
         ""),
    ])
    result = import_file(ServiceContext(db, actor="tester"), "contacts", path)
    assert result.summary == "2 contacts"
    with db.read_session() as session:
        org = session.scalars(select(m.Contact).where(m.Contact.name == "Weld & Co")).one()
        ana = session.scalars(select(m.Contact).where(m.Contact.name == "Ana Lima")).one()
    assert (org.kind, org.role, org.site_id, org.capabilities, org.lead_time_days,
            org.hourly_rate, org.latitude) == ("organisation", "producer", network.mp,
                                               "cnc,welding", 5, Decimal("38.5000"), 41.15)
    assert (ana.kind, ana.organisation_id) == ("person", org.id)


def test_contact_problems(db: Database, network: Network, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "c.csv", [
        ("Name", "Kind", "Organisation", "Site", "E-mail", "Latitude", "Lead time (days)"),
        ("Ana", "person", "Nobody Ltd", "", "", "", ""),
        ("Bob", "robot", "", "XX", "bob at example", "95", "-1"),
        ("Ana", "person", "Nobody Ltd", "", "", "", ""),
    ])
    assert _problems(db, "contacts", path) == [
        "row 2, column 'Organisation': unknown organisation 'Nobody Ltd': it is neither in the "
        "database nor on an earlier row of this file.",
        "row 3, column 'Kind': 'robot' is not one of: organisation, person.",
        "row 3, column 'Latitude': 95 must be between -90 and 90.",
        "row 3, column 'Lead time (days)': -1 must be between 0 and 3650.",
        "row 3, column 'Site': unknown site code 'XX'.",
        "row 3, column 'E-mail': 'bob at example' is not an e-mail address.",
        "row 4, column 'Organisation': unknown organisation 'Nobody Ltd': it is neither in the "
        "database nor on an earlier row of this file.",
        "row 4, column 'Name': duplicate contact 'Ana': row 2 has it too.",
    ]


# --- stock counts --------------------------------------------------------------------------


def test_stock_counts_post_the_differences(db: Database, network: Network,
                                           tmp_path: Path) -> None:
    from dmdesk.services import stock
    ctx = ServiceContext(db, actor="tester")
    stock.receive(ctx, network.screw, network.hq_stock, 100)
    path = write_xlsx(tmp_path / "count.xlsx", [
        ("Site", "Location", "Item code", "Batch", "Counted quantity"),
        ("HQ", "STOCK", "SCREW", None, 97),
        ("hq", "stock", "steel", None, 12.5),
        ("MP1", "STOCK", "FABRIC", "LOT-9", "3.25"),
    ], title="Counts")
    result = import_file(ctx, "counts", path)
    assert result.summary == "3 counts"
    assert on_hand(db, network.screw, network.hq_stock) == Decimal(97)
    assert on_hand(db, network.steel, network.hq_stock) == Decimal("12.5")
    with db.read_session() as session:
        moves = session.execute(text(
            "SELECT DISTINCT reason, reference, note FROM stock_move WHERE reason = 'count'"
        )).all()
    assert len(moves) == 1 and moves[0][2] == "Count imported from count.xlsx"
    again = import_file(ctx, "counts", path)  # agrees with the books now: no new moves
    assert again.written
    assert count_rows(db, "stock_move") == 4


def test_stock_count_problems(db: Database, network: Network, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "count.csv", [
        ("Site", "Location", "SKU", "Lot", "Counted"),
        ("HQ", "STOCK", "SCREW", "", "2.5"),         # whole units only
        ("HQ", "STOCK", "FABRIC", "", "3"),          # lot-tracked needs a lot
        ("ZZ", "STOCK", "STEEL", "", "1"),           # unknown site
        ("HQ", "SHELF-9", "STEEL", "", "1"),         # unknown location
        ("HQ", "STOCK", "GHOST", "", "1"),           # unknown SKU
        ("WH", "STOCK", "STEEL", "", "-4"),          # negative
        ("MP1", "STOCK", "STEEL", "", "ten"),        # not a number
        ("HQ", "STOCK", "STEEL", "", "1"),
        ("HQ", "STOCK", "steel", "", "2"),           # the same place counted twice
    ])
    problems = _problems(db, "counts", path)
    assert problems == [
        "row 2, column 'Counted': 2.5 pcs is not a whole number: 'pcs' is counted in whole "
        "units.",
        "row 3, column 'Lot': FABRIC is tracked by lot: give a lot code.",
        "row 4, column 'Site': unknown site code 'ZZ'. Known: HQ, MP1, WH.",
        "row 5, column 'Location': site HQ has no location 'SHELF-9'.",
        "row 6, column 'SKU': unknown SKU 'GHOST'.",
        "row 7, column 'Counted': -4 is negative.",
        "row 8, column 'Counted': 'ten' is not a number.",
        "row 10, column 'SKU': duplicate count: row 9 counts the same product, location and "
        "lot.",
    ]


# --- dry run, all or nothing, cancel -------------------------------------------------------


def test_a_dry_run_writes_nothing(db: Database, network: Network, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "p.csv", [("SKU", "Name", "Unit"), ("NEW-1", "Oak", "m2")])
    before = db_fingerprint(db)
    result = check_file(db, "products", path)
    assert result.ok and not result.written and result.summary == "1 product"
    assert db_fingerprint(db) == before


def test_one_bad_row_at_the_end_and_nothing_is_written(db: Database, tmp_path: Path) -> None:
    rows: list[tuple[str, ...]] = [("SKU", "Name", "Unit")]
    rows += [(f"P-{i}", f"Part {i}", "pcs") for i in range(2000)]
    rows.append(("P-LAST", "Last", "furlong"))
    path = write_csv(tmp_path / "p.csv", rows)
    before = db_fingerprint(db)
    with pytest.raises(ImportRefusedError) as refused:
        import_file(ServiceContext(db), "products", path)
    assert refused.value.count == 1 and refused.value.problems[0].row == 2002
    assert db_fingerprint(db) == before


def test_cancel_part_way_through_writing_rolls_everything_back(db: Database,
                                                               tmp_path: Path) -> None:
    rows: list[tuple[str, ...]] = [("SKU", "Name", "Unit")]
    rows += [(f"P-{i}", f"Part {i}", "pcs") for i in range(3000)]
    path = write_csv(tmp_path / "p.csv", rows)
    before = db_fingerprint(db)

    class CancelledError(Exception):
        pass

    def progress(done: int, total: int, text: str) -> None:
        if text.startswith("Importing") and done >= 1500:
            raise CancelledError

    with pytest.raises(CancelledError):
        import_file(ServiceContext(db), "products", path, progress=progress)
    assert db_fingerprint(db) == before
