"""Excel exports: real .xlsx files, opened by LibreOffice headless and by openpyxl, checked
against the database's own figures (summed here in plain SQL on the scaled integers)."""

from __future__ import annotations

import csv
import gc
import subprocess
import tempfile
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlalchemy import text

from dmdesk.cli import main
from dmdesk.db.database import Database, open_database
from dmdesk.documents.excel import writer as excel_writer
from dmdesk.documents.excel.exports import EXPORT_KINDS, export_workbook
from dmdesk.domain.errors import DomainError, NotFoundError, ValidationError
from dmdesk.services import contacts, work_orders
from dmdesk.services import stock as stock_service
from dmdesk.services.context import ServiceContext
from tests.helpers import require_tool
from tests.integration.support import Network, build_network, checkpoint

JANUARY = datetime(2026, 1, 5, 9, 30, tzinfo=UTC)
FEBRUARY = datetime(2026, 2, 10, 14, 0, tzinfo=UTC)
MARCH = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
PERIOD = ("2026-02-01", "2026-02-28")


def _ctx(db: Database, when: datetime) -> ServiceContext:
    return ServiceContext(db, actor="tester", clock=lambda: when)


def _fill(db: Database, net: Network) -> dict[str, str]:
    """Stock in January, moves and work in February, more in March."""
    jan, feb, mar = _ctx(db, JANUARY), _ctx(db, FEBRUARY), _ctx(db, MARCH)
    stock_service.receive(jan, net.steel, net.hq_stock, "100.5")
    stock_service.receive(jan, net.screw, net.hq_stock, 1000)
    stock_service.receive(jan, net.fabric, net.hq_stock, "20", lot_code="LOT-A")
    stock_service.receive(jan, net.steel, net.mp_stock, 40)
    stock_service.receive(jan, net.screw, net.mp_stock, 200)
    stock_service.receive(jan, net.screw, net.wh_stock, 5000)
    contacts.create_contact(jan, kind="organisation", role="producer", name="CNC Ltd",
                            site_id=net.mp, email="shop@cnc.example", phone="+44 1",
                            hourly_rate="42.00", capabilities=["cnc"])
    # February: a frame made at HQ, one at the micro-producer (late), an issue and a scrap.
    hq_wo = work_orders.create_work_order(feb, net.frame, 4, net.hq, date(2026, 2, 20))
    mp_wo = work_orders.create_work_order(feb, net.frame, 2, net.mp, date(2026, 2, 9))
    for wo in (hq_wo, mp_wo):
        work_orders.release(feb, wo.id)
        work_orders.start(feb, wo.id)
    work_orders.complete(feb, hq_wo.id)
    work_orders.report_progress(feb, mp_wo.id, 10, good=2)
    work_orders.report_progress(feb, mp_wo.id, 20, good=1, scrap=1)
    work_orders.complete(feb, mp_wo.id, good_qty=1)
    stock_service.issue(feb, net.screw, net.hq_stock, "12")
    stock_service.scrap(feb, net.steel, net.hq_stock, "0.75")
    # March, after the period: more stock, and an order still open.
    stock_service.receive(mar, net.steel, net.hq_stock, 10)
    work_orders.create_work_order(mar, net.chair, 3, net.hq, date(2026, 3, 30))
    return {"hq_wo": hq_wo.number, "mp_wo": mp_wo.number}


@dataclass
class Exported:
    db_path: Path
    net: Network
    numbers: dict[str, str]
    files: dict[str, Path]
    csv_dir: Path


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> Exported:
    """One database, every export (plus a period/site variant), all converted by LibreOffice
    in one run (starting soffice takes seconds)."""
    soffice = require_tool("soffice")
    root = tmp_path_factory.mktemp("exports")
    db = open_database(root / "dmdesk.sqlite")
    try:
        net = build_network(ServiceContext(db, actor="tester"))
        numbers = _fill(db, net)
        files: dict[str, Path] = {}
        for kind in EXPORT_KINDS:
            files[kind] = export_workbook(db, kind, root / f"{kind}.xlsx").path
        files["moves-feb"] = export_workbook(db, "moves", root / "moves-feb.xlsx",
                                             date_from=PERIOD[0], date_to=PERIOD[1]).path
        files["valuation-hq"] = export_workbook(db, "valuation", root / "valuation-hq.xlsx",
                                                site="HQ").path
        checkpoint(db)
    finally:
        db.close()
    csv_dir = root / "csv"
    csv_dir.mkdir()
    profile = (root / "lo-profile").as_uri()
    subprocess.run(
        [soffice, f"-env:UserInstallation={profile}", "--headless", "--convert-to",
         'csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1',
         "--outdir", str(csv_dir), *map(str, files.values())],
        check=True, capture_output=True, timeout=240)
    return Exported(root / "dmdesk.sqlite", net, numbers, files, csv_dir)


def _csv(exported: Exported, name: str, sheet: str) -> list[list[str]]:
    path = exported.csv_dir / f"{name}-{sheet}.csv"
    assert path.exists(), f"LibreOffice wrote no {path.name}: {sorted(exported.csv_dir.iterdir())}"
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


def _sql(db_path: Path, query: str) -> list[Any]:
    db = open_database(db_path, create=False, upgrade=False)
    try:
        with db.read_session() as session:
            return list(session.execute(text(query)).all())
    finally:
        db.close()


def _rows(path: Path, sheet: str) -> list[tuple[Any, ...]]:
    workbook = load_workbook(path, data_only=True, read_only=True)
    try:
        return [tuple(row) for row in workbook[sheet].iter_rows(values_only=True)]
    finally:
        workbook.close()


# --- every file opens, with the conventions --------------------------------------------------


def test_libreoffice_opens_every_export_and_every_sheet(exported: Exported) -> None:
    for name, path in exported.files.items():
        workbook = load_workbook(path)
        assert workbook.sheetnames[0] == "About"
        # It opens on the figures, not on About (one tab selected: the active one).
        assert workbook.active is workbook.worksheets[1], name
        assert [s.sheet_view.tabSelected for s in workbook.worksheets][:2] == [None, True], name
        for sheet in workbook.sheetnames:
            assert len(sheet) <= 31 and not set(sheet) & set("[]:*?/\\")
            rows = _csv(exported, name, sheet)
            assert rows, f"{name}/{sheet} is empty in LibreOffice"
        for sheet in workbook.worksheets[1:]:
            assert sheet.freeze_panes == "A2"
            assert sheet.auto_filter.ref and sheet.auto_filter.ref.startswith("A1:")
            header = [cell.value for cell in sheet[1]]
            for i, title in enumerate(header, 1):
                letter = sheet.cell(1, i).column_letter
                width = sheet.column_dimensions[letter].width
                assert width and width >= len(str(title)), (name, sheet.title, title)


def test_numbers_and_dates_are_real_cells_with_formats(exported: Exported) -> None:
    workbook = load_workbook(exported.files["workorders"])
    sheet = workbook["Work orders"]
    header = [cell.value for cell in sheet[1]]
    row = {h: sheet.cell(2, i + 1) for i, h in enumerate(header)}
    assert row["Due"].is_date and row["Due"].number_format == "yyyy-mm-dd"
    assert row["Completed (UTC)"].is_date
    for name in ("Quantity", "Good", "Scrap", "Labour minutes"):
        assert row[name].data_type == "n" and row[name].number_format == "0.###", name
    for name in ("Material cost", "Labour cost", "Total cost"):
        assert row[name].data_type == "n" and row[name].number_format == "#,##0.00", name
    moves = load_workbook(exported.files["moves"], read_only=True)["Moves"]
    for cells in moves.iter_rows(min_row=2):
        when, quantity = cells[0], cells[7]
        assert when.is_date and quantity.data_type == "n"
        assert not isinstance(quantity.value, str)


def test_about_names_the_kind_period_site_and_version(exported: Exported) -> None:
    about = dict(row[:2] for row in _rows(exported.files["moves-feb"], "About"))
    assert "Stock moves" in about["File"]
    assert "2026-02-01" in about["Period"] and "2026-02-28" in about["Period"]
    assert about["From"] == datetime(2026, 2, 1) and about["To"] == datetime(2026, 2, 28)
    assert about["Site"] == "All sites"
    assert str(about["Made by"]).startswith("dmdesk ")
    assert isinstance(about["Made"], datetime)
    about_hq = dict(row[:2] for row in _rows(exported.files["valuation-hq"], "About"))
    assert str(about_hq["Site"]).startswith("HQ")
    lo_about = {row[0]: row[1] for row in _csv(exported, "valuation-hq", "About")}
    assert lo_about["Site"].startswith("HQ —")
    # Notes a person reads in the app: no command-line option names.
    assert "--" not in str(about_hq["Notes"]) and "end date (To)" in str(about_hq["Notes"])


# --- the figures -----------------------------------------------------------------------------


def _db_valuation(db_path: Path, site: str | None = None) -> dict[str, Decimal]:
    where = f"WHERE s.code = '{site}'" if site else ""
    rows = _sql(db_path, f"""
        SELECT s.code, SUM(b.on_hand * p.standard_cost) FROM stock_balance b
        JOIN location l ON l.id = b.location_id JOIN site s ON s.id = l.site_id
        JOIN product p ON p.id = b.product_id {where} GROUP BY s.code""")
    # on_hand in thousandths x cost in ten-thousandths
    return {code: Decimal(total) / 10**7 for code, total in rows if total}


def test_valuation_totals_are_formulas_whose_values_match_the_database(
        exported: Exported) -> None:
    expected = _db_valuation(exported.db_path)
    assert expected["HQ"] > 0 and expected["MP1"] > 0
    grand = sum(expected.values(), Decimal(0))
    formulas = load_workbook(exported.files["valuation"])["Valuation"]
    values = _rows(exported.files["valuation"], "Valuation")
    subtotals = {}
    for index, row in enumerate(values[1:], start=2):
        label = row[1]
        if isinstance(label, str) and label.startswith("Total "):
            assert str(formulas.cell(index, 8).value).startswith("=SUM(H")
            subtotals[row[0]] = Decimal(str(row[7]))
        if label == "Grand total":
            assert str(formulas.cell(index, 8).value).startswith("=SUM(")
            assert Decimal(str(row[7])).quantize(Decimal("0.0001")) == grand.quantize(
                Decimal("0.0001"))
    assert {k: v.quantize(Decimal("0.0001")) for k, v in subtotals.items()} == {
        k: v.quantize(Decimal("0.0001")) for k, v in expected.items()}
    # LibreOffice shows the same totals (from the stored values, as a viewer would).
    lo = {row[1]: Decimal(row[7]) for row in _csv(exported, "valuation", "Valuation")[1:]
          if row[1].startswith(("Total ", "Grand total"))}
    assert abs(lo["Grand total"] - grand) < Decimal("0.005")
    for code, total in expected.items():
        assert abs(lo[f"Total {code}"] - total) < Decimal("0.005")
    # ... and the lines add up to the subtotal in LibreOffice's text too.
    lines = [row for row in _csv(exported, "valuation", "Valuation")[1:]
             if row[2] and row[0] == "HQ"]
    assert abs(sum(Decimal(r[7]) for r in lines) - expected["HQ"]) < Decimal("0.005")


def test_valuation_of_one_site(exported: Exported) -> None:
    rows = _rows(exported.files["valuation-hq"], "Valuation")
    assert {row[0] for row in rows[1:] if row[0]} == {"HQ"}
    grand = next(row[7] for row in rows if row[1] == "Grand total")
    expected = _db_valuation(exported.db_path, "HQ")["HQ"]
    assert abs(Decimal(str(grand)) - expected) < Decimal("0.00001")


def test_stock_sheet_matches_the_balances(exported: Exported) -> None:
    rows = _rows(exported.files["stock"], "Stock")
    header = rows[0]
    assert header[:8] == ("Site", "Location", "SKU", "Product", "Lot", "On hand", "Reserved",
                          "Available")
    on_hand = _sql(exported.db_path, "SELECT SUM(on_hand), SUM(reserved) FROM stock_balance")
    assert Decimal(str(sum(Decimal(str(r[5])) for r in rows[1:]))) == Decimal(
        on_hand[0][0]) / 1000
    for row in rows[1:]:
        assert Decimal(str(row[7])) == Decimal(str(row[5])) - Decimal(str(row[6]))
    assert any(row[4] == "LOT-A" for row in rows[1:])
    lo = _csv(exported, "stock", "Stock")
    assert len(lo) == len(rows)


def test_moves_opening_plus_period_is_closing(exported: Exported) -> None:
    balances = _rows(exported.files["moves-feb"], "Balances")
    moves = _rows(exported.files["moves-feb"], "Moves")
    assert moves[1:], "February has moves"
    for when in (row[0] for row in moves[1:]):
        assert datetime(2026, 2, 1) <= when < datetime(2026, 3, 1)
    in_period: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for row in moves[1:]:
        in_period[(row[4], row[3])] += Decimal(str(row[7]))
    opening_sql = {(site, sku): Decimal(total) / 1000 for site, sku, total in _sql(
        exported.db_path, """
        SELECT s.code, p.sku, SUM(m.quantity) FROM stock_move m
        JOIN location l ON l.id = m.location_id JOIN site s ON s.id = l.site_id
        JOIN product p ON p.id = m.product_id WHERE m.created_at < '2026-02-01'
        GROUP BY 1, 2""")}
    seen = set()
    for site, sku, _name, _unit, opening, came, went, net, closing in balances[1:]:
        key = (site, sku)
        seen.add(key)
        opening, closing = Decimal(str(opening)), Decimal(str(closing))
        assert opening == opening_sql.get(key, 0), key
        assert Decimal(str(net)) == Decimal(str(came)) - Decimal(str(went))
        assert opening + in_period.get(key, Decimal(0)) == closing, key
    assert set(in_period) <= seen
    # The March receipt is after the period: HQ steel closes February without it.
    steel = next(row for row in balances if row[:2] == ("HQ", "STEEL"))
    assert Decimal(str(steel[4])) == Decimal("100.5")
    # In LibreOffice's reading too.
    for line in _csv(exported, "moves-feb", "Balances")[1:]:
        assert Decimal(line[4]) + Decimal(line[7]) == Decimal(line[8])


def test_moves_without_period_close_at_the_ledger(exported: Exported) -> None:
    balances = _rows(exported.files["moves"], "Balances")
    ledger = {(site, sku): Decimal(total) / 1000 for site, sku, total in _sql(
        exported.db_path, """
        SELECT s.code, p.sku, SUM(m.quantity) FROM stock_move m
        JOIN location l ON l.id = m.location_id JOIN site s ON s.id = l.site_id
        JOIN product p ON p.id = m.product_id GROUP BY 1, 2""")}
    assert {(r[0], r[1]): Decimal(str(r[8])) for r in balances[1:]} == {
        k: v for k, v in ledger.items()}
    count = _sql(exported.db_path, "SELECT COUNT(*) FROM stock_move")[0][0]
    assert len(_rows(exported.files["moves"], "Moves")) == count + 1


def test_work_order_costs(exported: Exported) -> None:
    rows = _rows(exported.files["workorders"], "Work orders")
    header = rows[0]
    by_number = {row[0]: dict(zip(header, row, strict=True)) for row in rows[1:]}
    hq = by_number[exported.numbers["hq_wo"]]
    assert hq["State"] == "done"
    # 4 frames: 4 x 2.5 m x 1.1 = 11 m steel at 4.25, 32 screws at 0.05.
    assert Decimal(str(hq["Material cost"])) == Decimal("11") * Decimal("4.25") + Decimal(
        "1.60")
    # Minutes: 15 + 4 x 4.5 (cut) + 4 x 12 (weld) = 81, at the default rate (no HQ contact).
    assert Decimal(str(hq["Labour minutes"])) == 81
    assert Decimal(str(hq["Labour cost"])) == Decimal(81) * Decimal("35") / 60
    mp = by_number[exported.numbers["mp_wo"]]
    assert Decimal(str(mp["Labour rate / h"])) == Decimal("42")  # the producer's rate
    sql_material = _sql(exported.db_path, """
        SELECT SUM(w.consumed * p.standard_cost) FROM wo_material w
        JOIN product p ON p.id = w.product_id""")[0][0]
    total = sum(Decimal(str(r["Material cost"])) for r in by_number.values())
    assert total == Decimal(sql_material) / 10**7


def test_producers_on_time_and_scrap(exported: Exported) -> None:
    rows = _rows(exported.files["producers"], "Producers")
    header = rows[0]
    mp = dict(zip(header, rows[1], strict=True))
    assert len(rows) == 2 and mp["Code"] == "MP1"  # micro-producers only
    assert mp["Finished orders"] == 1 and mp["On time"] == 0
    assert mp["On-time rate"] == 0
    good, scrap = _sql(exported.db_path, f"""
        SELECT good_qty, scrap_qty FROM work_order
        WHERE number = '{exported.numbers["mp_wo"]}'""")[0]
    assert scrap > 0
    assert mp["Scrap rate"] == pytest.approx(scrap / (good + scrap))
    assert "cnc" in mp["Capabilities"]
    assert mp["Contacts"] == 1
    contact_rows = _rows(exported.files["producers"], "Producer contacts")
    assert contact_rows[1][1] == "CNC Ltd" and contact_rows[1][4] == "shop@cnc.example"
    lo = _csv(exported, "producers", "Producers")
    assert lo[1][0] == "MP1"


# --- refusals ---------------------------------------------------------------------------------


@pytest.fixture
def small_db(tmp_path: Path) -> Path:
    path = tmp_path / "small.sqlite"
    db = open_database(path)
    try:
        net = build_network(ServiceContext(db, actor="tester"))
        stock_service.receive(ServiceContext(db, actor="tester"), net.steel, net.hq_stock, 3)
    finally:
        db.close()
    return path


def test_cli_export_writes_a_file(small_db: Path, tmp_path: Path,
                                  capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "valuation.xlsx"
    assert main(["export", "valuation", "--db", str(small_db), "--out", str(out),
                 "--site", "hq", "--to", "2099-12-31"]) == 0
    assert out.exists()
    assert "Valuation" in capsys.readouterr().out
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".part")] == []


@pytest.mark.parametrize(("extra", "message"), [
    (["--site", "NOPE"], "There is no site NOPE."),
    (["--from", "2026-13-01"], "is not a date"),
    (["--from", "2026-03-01", "--to", "2026-02-01"], "is after --to"),
])
def test_cli_refusals_exit_1_and_leave_no_file(small_db: Path, tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str],
                                               extra: list[str], message: str) -> None:
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    out = out_dir / "moves.xlsx"
    assert main(["export", "moves", "--db", str(small_db), "--out", str(out), *extra]) == 1
    assert message in capsys.readouterr().err
    assert list(out_dir.iterdir()) == []


def test_refusals_raise_domain_errors(small_db: Path, tmp_path: Path) -> None:
    db = open_database(small_db, create=False)
    try:
        with pytest.raises(NotFoundError, match="Known site codes: HQ, MP1, WH"):
            export_workbook(db, "stock", tmp_path / "x.xlsx", site="XX")
        with pytest.raises(ValidationError, match=r"x\.csv should end in \.xlsx"):
            export_workbook(db, "stock", tmp_path / "x.csv")
        with pytest.raises(ValidationError, match=r"There is no folder .*nowhere"):
            export_workbook(db, "stock", tmp_path / "nowhere" / "x.xlsx")
        with pytest.raises(DomainError):
            export_workbook(db, "ledger", tmp_path / "x.xlsx")
        assert list(tmp_path.glob("x*")) == []
    finally:
        db.close()


def test_progress_reaches_the_total(small_db: Path, tmp_path: Path) -> None:
    calls: list[tuple[int, int]] = []
    db = open_database(small_db, create=False)
    try:
        result = export_workbook(db, "moves", tmp_path / "m.xlsx",
                                 progress=lambda done, total, _text: calls.append((done, total)))
    finally:
        db.close()
    assert calls and calls[-1] == (result.rows, result.rows)


def test_a_table_longer_than_a_sheet_goes_on_in_continuation_sheets(
        exported: Exported, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from dmdesk.documents.excel.writer import TableWriter

    monkeypatch.setattr(TableWriter, "max_rows", 6)  # a header and five moves a sheet
    db = open_database(exported.db_path, create=False)
    try:
        result = export_workbook(db, "moves", tmp_path / "long.xlsx")
    finally:
        db.close()
    count = _sql(exported.db_path, "SELECT COUNT(*) FROM stock_move")[0][0]
    move_sheets = [name for name in result.sheets if name.startswith("Moves")]
    assert move_sheets[:2] == ["Moves", "Moves (2)"]
    assert len(move_sheets) == -(-count // 5)
    rows = [row for name in move_sheets for row in _rows(result.path, name)[1:]]
    assert len(rows) == count
    for name in move_sheets:
        assert _rows(result.path, name)[0][0] == "When (UTC)"


class _CancelledError(Exception):
    pass


def _cancel(done: int, total: int, _text: str) -> None:
    raise _CancelledError  # as the app's Progress does when the user presses Cancel


# Unfinished write-only sheets, left to the garbage collector, raised "I/O operation on closed
# file" (unraisable); gc.collect() below would turn any such warning into an error here.
@pytest.mark.filterwarnings("error::pytest.PytestUnraisableExceptionWarning")
@pytest.mark.parametrize("kind", EXPORT_KINDS)
def test_a_cancelled_export_leaves_no_file_and_no_temporary_streams(
        small_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kind: str) -> None:
    streams = tmp_path / "streams"  # where openpyxl's per-sheet temporary files go
    streams.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(streams))
    monkeypatch.setattr(excel_writer, "PROGRESS_EVERY", 1)  # cancel at the first row
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    db = open_database(small_db, create=False)
    try:
        with pytest.raises(_CancelledError):
            export_workbook(db, kind, out_dir / f"{kind}.xlsx", progress=_cancel)
    finally:
        db.close()
    gc.collect()
    assert list(out_dir.iterdir()) == []
    assert list(streams.iterdir()) == []


def test_the_table_of_kinds_and_the_writers_name_the_same_kinds() -> None:
    """documents.excel.export_kinds is the one table (the CLI's choices, the Documents area's
    buttons); each kind in it must have its writer, and no writer may be left over."""
    from dmdesk.documents.excel import exports

    assert list(exports._WRITERS) == list(EXPORT_KINDS)
