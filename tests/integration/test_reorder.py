"""Reorder suggestions: below the reorder point, a transfer from a site with surplus, a work
order, or a purchase; the quantity from the forecast of monthly customer demand."""

from __future__ import annotations

import csv
import subprocess
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook

from dmdesk.db.database import Database
from dmdesk.documents.excel.reorder_export import export_reorder
from dmdesk.domain.errors import ValidationError
from dmdesk.queries.reorder import monthly_demand, reorder_suggestions
from dmdesk.services import products, stock
from dmdesk.services.context import ServiceContext
from dmdesk.services.customer_orders import OrderLineSpec, create_customer_order
from tests.helpers import require_tool
from tests.integration.network_geo import GeoNetwork, build_geo_network

TODAY = date(2030, 5, 10)


@pytest.fixture
def geo(db: Database, ctx: ServiceContext) -> GeoNetwork:
    geo = build_geo_network(ctx)
    # Chairs ordered in January..April 2030: 2, 4, 6, 8 (one order a month).
    for month, qty in ((1, 2), (2, 4), (3, 6), (4, 8)):
        at = datetime(2030, month, 12, 10, tzinfo=UTC)
        dated = ServiceContext(db, actor="tester", clock=lambda at=at: at)  # type: ignore[misc]
        create_customer_order(dated, geo.lisbon_customer, date(2030, month, 28),
                              [OrderLineSpec(geo.net.chair, qty)])
    return geo


def test_monthly_demand_includes_parents_through_the_bom(ctx: ServiceContext,
                                                         geo: GeoNetwork) -> None:
    with ctx.db.read_session() as session:
        chairs = monthly_demand(session, geo.net.chair, date(2030, 4, 1), 6)
        fabric = monthly_demand(session, geo.net.fabric, date(2030, 4, 1), 6)
    assert chairs == [0, 0, 2, 4, 6, 8]  # Nov .. Apr
    assert fabric == [0, 0, Decimal("1.5"), 3, Decimal("4.5"), 6]  # 0.75 m2 a chair


def test_suggestions_transfer_make_or_buy(ctx: ServiceContext, geo: GeoNetwork) -> None:
    net = geo.net
    # HQ: chairs below their minimum, MP2 holds a surplus -> transfer.
    products.set_reorder_point(ctx, net.chair, net.hq, 5, 2)
    stock.receive(ctx, net.chair, net.hq_stock, 1)
    stock.receive(ctx, net.chair, geo.mp2_stock, 30)
    # MP2: frames below minimum, nobody holds any; MP2 cannot weld -> made at... nobody
    # (laser-cut + welding), so bought. WH: screws below minimum -> bought (raw material).
    products.set_reorder_point(ctx, net.frame, geo.mp2, 2)
    products.set_reorder_point(ctx, net.screw, net.wh, 100, 500)
    # HQ fabric is fine (above its minimum): no suggestion.
    products.set_reorder_point(ctx, net.fabric, net.hq, 1)
    stock.receive(ctx, net.fabric, net.hq_stock, 3, lot_code="F1")
    with ctx.db.read_session() as session:
        found = {(s.site_code, s.sku): s for s in reorder_suggestions(session, today=TODAY,
                                                                       method="ma")}
    assert set(found) == {("HQ", "CHAIR"), ("MP2", "FRAME"), ("WH", "SCREW")}
    chair = found[("HQ", "CHAIR")]
    # Moving average of Feb..Apr = (4 + 6 + 8) / 3 = 6; 5 - 1 + 6 = 10 (above the 2 minimum).
    assert chair.forecast_per_month == 6 and chair.quantity == 10
    assert (chair.action, chair.source_site_code) == ("transfer", "MP2")
    frame = found[("MP2", "FRAME")]
    assert frame.action == "buy" and "laser-cut, welding" in frame.reason
    screw = found[("WH", "SCREW")]
    # Screws: 4 per chair (SES alpha 0.3 not used here: ma) = 24 a month; reorder qty wins.
    assert screw.quantity == 500 and screw.action == "buy"


def test_made_when_no_site_has_a_surplus(ctx: ServiceContext, geo: GeoNetwork) -> None:
    products.set_reorder_point(ctx, geo.net.chair, geo.net.wh, 3)
    with ctx.db.read_session() as session:
        (chair,) = reorder_suggestions(session, today=TODAY)
    assert chair.action == "make" and chair.source_site_code == "HQ"  # nearest to Leiria
    # SES (alpha 0.3) over Nov..Apr 0, 0, 2, 4, 6, 8: 0, 0, 0.6, 1.62, 2.934, 4.4538;
    # 3 - 0 + 4.454 = 7.454 -> 8 (whole pieces)
    assert chair.forecast_per_month == Decimal("4.454") and chair.quantity == 8


def test_export_writes_number_cells(ctx: ServiceContext, geo: GeoNetwork,
                                    tmp_path: Path) -> None:
    products.set_reorder_point(ctx, geo.net.chair, geo.net.wh, 3)
    out = tmp_path / "reorder.xlsx"
    result = export_reorder(ctx.db, out, today=TODAY)
    assert result.rows == 1
    sheet = load_workbook(out, read_only=True)["Reorder"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("Site", "SKU", "Product")
    assert rows[1][0] == "WH" and rows[1][1] == "CHAIR"
    numbers = [v for v in rows[1] if isinstance(v, int | float)]
    assert 8 in numbers and 3 in numbers
    with pytest.raises(ValidationError, match=r"should end in \.xlsx"):
        export_reorder(ctx.db, tmp_path / "reorder.csv")
    assert not (tmp_path / "reorder.csv").exists()


def test_libreoffice_reads_the_numbers(ctx: ServiceContext, geo: GeoNetwork,
                                       tmp_path: Path) -> None:
    soffice = require_tool("soffice")
    products.set_reorder_point(ctx, geo.net.chair, geo.net.wh, 3, 2)
    out = tmp_path / "reorder.xlsx"
    export_reorder(ctx.db, out, today=TODAY)
    subprocess.run(
        [soffice, f"-env:UserInstallation={(tmp_path / 'lo').as_uri()}", "--headless",
         "--convert-to",
         "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1",
         "--outdir", str(tmp_path), str(out)], check=True, capture_output=True, timeout=240)
    with (tmp_path / "reorder-Reorder.csv").open(newline="", encoding="utf-8") as handle:
        header, row = list(csv.reader(handle))
    values = dict(zip(header, row, strict=True))
    assert values["Site"] == "WH" and values["SKU"] == "CHAIR"
    assert (values["Available"], values["Minimum"], values["Reorder quantity"],
            values["Forecast per month"], values["Suggested quantity"]) == (
        "0", "3", "2", "4.454", "8")
    assert values["Action"] == "make" and values["From / made at"] == "HQ"
