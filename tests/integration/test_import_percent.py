"""Percent cells: a workbook cell formatted as a percentage shows "10%" and holds 0.1; a scrap
percentage imported from it is 10 %, as the user sees it, not 0.1 %. CSV text "10%" is 10 %."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from openpyxl import Workbook
from sqlalchemy import text

from dmdesk.db.database import Database
from dmdesk.documents.importing import import_file
from dmdesk.services import products
from dmdesk.services.context import ServiceContext
from tests.integration.import_files import write_csv
from tests.integration.support import Network

HEADER = ("Parent SKU", "Component SKU", "Quantity", "Scrap %")


def _stool(db: Database) -> None:
    products.create_product(ServiceContext(db), sku="STOOL", name="Stool", unit="pcs",
                            kind="finished")


def _scrap(db: Database) -> dict[str, int]:
    """Scrap % per component of STOOL, as stored (thousandths)."""
    with db.read_session() as session:
        rows = session.execute(text(
            "SELECT c.sku, b.scrap_pct FROM bom_line b JOIN product p ON p.id = b.parent_id "
            "JOIN product c ON c.id = b.component_id WHERE p.sku = 'STOOL'")).all()
    return {sku: scrap for sku, scrap in rows}


def _bom_xlsx(tmp_path: Path, rows: list[tuple[Any, ...]], formats: dict[str, str]) -> Path:
    """A BOM workbook of ``rows`` under the header, with number formats by cell ("D2")."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    for cell, number_format in formats.items():
        sheet[cell].number_format = number_format
    path = tmp_path / "bom.xlsx"
    workbook.save(path)
    return path


def test_percent_formatted_cells_import_as_the_percentage_they_show(
        db: Database, network: Network, tmp_path: Path) -> None:
    _stool(db)
    rows: list[tuple[Any, ...]] = [
        ("STOOL", "FRAME", 1, 0.1, "0%"),  # shows 10%
        ("STOOL", "FABRIC", 0.4, 0.125, "0.0%"),  # shows 12.5%
        ("STOOL", "SCREW", 4, 0.07, "0.00%"),  # shows 7.00% (0.07 * 100 is 7.000000000000001)
        ("STOOL", "STEEL", 1, 5, "General"),  # a plain 5: 5 %
        ("STOOL", "CHAIR", 1, 3, '0"%"'),  # shows 3% as literal text after the number: 3 %
    ]
    path = _bom_xlsx(tmp_path, [row[:4] for row in rows],
                     {f"D{index}": row[4] for index, row in enumerate(rows, start=2)})

    result = import_file(ServiceContext(db, actor="tester"), "bom", path)

    assert result.summary == "5 BOM lines"
    assert _scrap(db) == {"FRAME": 10_000, "FABRIC": 12_500, "SCREW": 7_000, "STEEL": 5_000,
                          "CHAIR": 3_000}


def test_percent_text_in_csv(db: Database, network: Network, tmp_path: Path) -> None:
    _stool(db)
    path = write_csv(tmp_path / "bom.csv", [
        HEADER,
        ("STOOL", "FRAME", "1", "10%"),
        ("STOOL", "FABRIC", "0.4", " 12.5 % "),
        ("STOOL", "SCREW", "4", "7"),
    ])
    import_file(ServiceContext(db, actor="tester"), "bom", path)
    assert _scrap(db) == {"FRAME": 10_000, "FABRIC": 12_500, "SCREW": 7_000}


def test_a_quantity_formatted_as_a_percentage_is_not_scaled(
        db: Database, network: Network, tmp_path: Path) -> None:
    """Only percentage fields read the format: a quantity cell showing 50% holds 0.5."""
    _stool(db)
    path = _bom_xlsx(tmp_path, [("STOOL", "FABRIC", 0.5, None)], {"C2": "0%"})
    import_file(ServiceContext(db, actor="tester"), "bom", path)
    with db.read_session() as session:
        quantity = session.execute(text(
            "SELECT b.quantity FROM bom_line b JOIN product p ON p.id = b.parent_id "
            "WHERE p.sku = 'STOOL'")).scalar_one()
    assert quantity == 500  # 0.5 (thousandths)
