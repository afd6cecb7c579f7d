"""Round trip: export products, BOMs and contacts, import them into an empty database (with the
source's site codes, which contacts name), and get the same data field by field (through the
command line, and through a copy LibreOffice re-saved).

Contacts: the importer has no Archived column, so the export leaves archived contacts out,
except an archived organisation a listed person still belongs to (it comes back active)."""

from __future__ import annotations

import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import text

from dmdesk.cli import main
from dmdesk.db.database import Database, open_database
from dmdesk.documents.excel.exports import export_workbook
from dmdesk.documents.importing import import_file
from dmdesk.documents.importing.kind_contacts import FIELDS as CONTACT_FIELDS
from dmdesk.services import contacts, products, sites
from dmdesk.services.context import ServiceContext
from tests.conftest import SmallDemo
from tests.helpers import require_tool
from tests.integration.support import Network, build_network, checkpoint

PRODUCTS_SQL = """SELECT sku, name, unit, kind, description, standard_cost, price, lot_tracked,
                  archived FROM product ORDER BY sku"""
BOM_SQL = """SELECT p.sku, c.sku, b.quantity, b.scrap_pct, b.sequence, b.notes FROM bom_line b
             JOIN product p ON p.id = b.parent_id JOIN product c ON c.id = b.component_id
             ORDER BY p.sku, c.sku"""


# The contacts an export lists: not archived, or an organisation a listed person belongs to.
CONTACTS_SQL = """SELECT c.name, c.kind, c.role, o.name, s.code, c.email, c.phone, c.address,
                  c.latitude, c.longitude, c.capabilities, c.lead_time_days, c.hourly_rate,
                  c.notes FROM contact c LEFT JOIN contact o ON o.id = c.organisation_id
                  LEFT JOIN site s ON s.id = c.site_id
                  WHERE NOT c.archived OR EXISTS (SELECT 1 FROM contact p
                        WHERE p.organisation_id = c.id AND NOT p.archived)
                  ORDER BY c.name, o.name"""
KINDS = ("products", "bom", "contacts")
Data = tuple[list[tuple[object, ...]], ...]


def _data(path: Path) -> Data:
    db = open_database(path, create=False, upgrade=False)
    try:
        with db.read_session() as session:
            return tuple([tuple(r) for r in session.execute(text(sql))]
                         for sql in (PRODUCTS_SQL, BOM_SQL, CONTACTS_SQL))
    finally:
        db.close()


def _empty(path: Path, like: Path) -> Path:
    """An empty database with ``like``'s sites (the contacts file names sites by code)."""
    source = open_database(like, create=False, upgrade=False)
    try:
        with source.read_session() as session:
            site_rows = session.execute(text("SELECT code, name, kind FROM site")).all()
    finally:
        source.close()
    db = open_database(path)
    try:
        ctx = ServiceContext(db, actor="tester")
        for code, name, kind in site_rows:
            sites.create_site(ctx, code=code, name=name, kind=kind)
    finally:
        db.close()
    return path


def _archived(path: Path) -> list[str]:
    db = open_database(path, create=False, upgrade=False)
    try:
        with db.read_session() as session:
            return list(session.scalars(text("SELECT name FROM contact WHERE archived "
                                             "ORDER BY name")))
    finally:
        db.close()


def _add_contacts(ctx: ServiceContext, net: Network) -> None:
    """Organisations and people, a micro-producer with capabilities, lead time and rate,
    non-ASCII names, empty optional fields, a note starting with "=", archived contacts."""
    muller = contacts.create_contact(
        ctx, name="Müller & Söhne GmbH", kind="organisation", role="customer",
        email="einkauf@mueller.example", phone="+49 30 1234567",
        address="Straße des 17. Juni 1\n10623 Berlin", latitude=52.5145123, longitude=13.3501,
        notes="Pays on 30 days — «net»")
    contacts.create_contact(ctx, name="Zoë Ångström", kind="person", role="customer",
                            organisation_id=muller, email="zoe@mueller.example")
    atelier = contacts.create_contact(
        ctx, name="Atelier Őrség", kind="organisation", role="producer", site_id=net.mp,
        capabilities="welding,cnc", lead_time_days=7, hourly_rate="42.50",
        latitude=-46.8521234, longitude=-16.3)
    contacts.create_contact(ctx, name="李小龍", kind="person", role="producer",
                            organisation_id=atelier, site_id=net.mp, capabilities="assembly",
                            lead_time_days=3, hourly_rate="18.75", phone="0800 000")
    contacts.create_contact(ctx, name="Ana", kind="person", role="other")
    contacts.create_contact(ctx, name="Bare Supplies", kind="organisation", role="supplier",
                            notes="= check the terms first")
    old = contacts.create_contact(ctx, name="Old Works", kind="organisation", role="supplier")
    contacts.create_contact(ctx, name="Kept Person", kind="person", role="supplier",
                            organisation_id=old)
    contacts.set_contact_archived(ctx, old)  # listed: Kept Person belongs to it
    gone = contacts.create_contact(ctx, name="Gone Person", kind="person", role="customer")
    contacts.set_contact_archived(ctx, gone)  # left out


@pytest.fixture
def source(tmp_path: Path) -> Path:
    """The support network, plus what a round trip can lose: an archived product, a
    description with a line break and non-Latin text, a note, a fractional cost; contacts."""
    path = tmp_path / "source.sqlite"
    db = open_database(path)
    try:
        ctx = ServiceContext(db, actor="tester")
        net: Network = build_network(ctx)
        old = products.create_product(ctx, sku="OLD-1", name="Старый стул", unit="set",
                                      description="Line one\nLine two — «quoted»",
                                      standard_cost="0.0125", price="1999.99")
        products.add_bom_line(ctx, old, net.screw, 12, scrap_pct="2.5", notes="zinc only")
        products.set_product_archived(ctx, old)
        _add_contacts(ctx, net)
        checkpoint(db)
    finally:
        db.close()
    return path


def test_export_then_import_through_the_command_line(source: Path, tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    target = _empty(tmp_path / "target.sqlite", like=source)
    for kind in KINDS:
        out = tmp_path / f"{kind}.xlsx"
        assert main(["export", kind, "--db", str(source), "--out", str(out)]) == 0
        assert main(["import", kind, str(out), "--db", str(target)]) == 0
    output = capsys.readouterr().out
    assert "Imported 6 products from products.xlsx" in output
    assert "Imported 6 BOM lines from bom.xlsx" in output
    assert "Imported 8 contacts from contacts.xlsx" in output
    assert _data(target) == _data(source)
    assert (_archived(source), _archived(target)) == (["Gone Person", "Old Works"], [])


def test_the_contacts_sheet_has_the_importers_columns_and_real_cells(source: Path,
                                                                     tmp_path: Path) -> None:
    db = open_database(source, create=False)
    try:
        result = export_workbook(db, "contacts", tmp_path / "contacts.xlsx")
    finally:
        db.close()
    assert (result.rows, result.sheets) == (8, ("About", "Contacts"))
    sheet = load_workbook(result.path)["Contacts"]
    assert [c.value for c in sheet[1]] == [field.label for field in CONTACT_FIELDS]
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref == "A1:N9"
    kinds = [row[1].value for row in sheet.iter_rows(min_row=2)]
    assert kinds == sorted(kinds)  # organisations first: a person's must be on an earlier row
    rows = {row[0].value: row for row in sheet.iter_rows(min_row=2)}
    producer = rows["李小龍"]
    assert [c.value for c in producer[:5]] == ["李小龍", "person", "producer", "Atelier Őrség",
                                               "MP1"]
    assert (producer[11].value, producer[11].data_type, producer[11].number_format) == \
        (3, "n", "0")
    assert (Decimal(str(producer[12].value)), producer[12].data_type) == (Decimal("18.75"), "n")
    atelier = rows["Atelier Őrség"]
    assert (atelier[10].value, atelier[8].value, atelier[9].value, atelier[8].data_type) == \
        ("cnc, welding", -46.8521234, -16.3, "n")
    note = rows["Bare Supplies"][13]
    assert (note.value, note.data_type) == ("= check the terms first", "s")  # not a formula
    assert rows["Ana"][8].value is None and rows["Ana"][3].value is None
    assert "Gone Person" not in rows and "Old Works" in rows


def test_a_workbook_re_saved_by_libreoffice_imports_the_same(source: Path,
                                                             tmp_path: Path) -> None:
    soffice = require_tool("soffice")
    exported = tmp_path / "exported"
    resaved = tmp_path / "resaved"
    exported.mkdir()
    db = open_database(source, create=False)
    try:
        for kind in KINDS:
            export_workbook(db, kind, exported / f"{kind}.xlsx")
    finally:
        db.close()
    subprocess.run([soffice, f"-env:UserInstallation={(tmp_path / 'lo').as_uri()}",
                    "--headless", "--convert-to", "xlsx", "--outdir", str(resaved),
                    *(str(exported / f"{kind}.xlsx") for kind in KINDS)],
                   check=True, capture_output=True, timeout=240)
    target = _empty(tmp_path / "target.sqlite", like=source)
    db = open_database(target)
    try:
        ctx = ServiceContext(db, actor="tester")
        rows = [import_file(ctx, kind, resaved / f"{kind}.xlsx").rows for kind in KINDS]
    finally:
        db.close()
    assert rows == [6, 6, 8]
    assert _data(target) == _data(source)


@pytest.mark.slow
def test_the_small_demo_network_round_trips(tmp_path: Path, small_demo: SmallDemo) -> None:
    source = small_demo.copy_to(tmp_path / "demo.sqlite")
    db: Database = open_database(source)
    try:
        for kind in KINDS:
            export_workbook(db, kind, tmp_path / f"{kind}.xlsx")
        checkpoint(db)
    finally:
        db.close()
    target = _empty(tmp_path / "target.sqlite", like=source)
    db = open_database(target)
    try:
        ctx = ServiceContext(db, actor="tester")
        rows = tuple(import_file(ctx, kind, tmp_path / f"{kind}.xlsx").rows for kind in KINDS)
    finally:
        db.close()
    before = _data(source)
    assert rows == tuple(len(data) for data in before)
    assert len(before[1]) > 20 and len(before[2]) > 5
    assert _data(target) == before
