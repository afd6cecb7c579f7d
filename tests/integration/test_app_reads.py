"""Reads the desktop app makes through queries/ (it imports neither sqlalchemy nor dmdesk.db):
the moves behind a stock-on-hand row, whether a lot code is taken, every site for the export
choice, the open sync alerts, and this database's site code."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from dmdesk.db.raw_insert import utc_text
from dmdesk.queries import paging
from dmdesk.queries.lists import MOVES, ON_HAND
from dmdesk.queries.lookup import lot_code_taken
from dmdesk.queries.network import SiteName, all_sites
from dmdesk.queries.settings import local_site_code
from dmdesk.queries.stock import BalancePlace, balance_place
from dmdesk.queries.sync_alerts import open_alert_messages
from dmdesk.services import sites, stock
from dmdesk.services.context import ServiceContext
from dmdesk.services.database import Database
from dmdesk.sync.alerts import clear_alert, raise_alert
from tests.integration.support import Network, raw_connection


def test_a_stock_row_names_its_product_and_the_location_at_its_own_site(
        ctx: ServiceContext, network: Network) -> None:
    # HQ and MP1 both have a location STOCK: the site's code tells them apart.
    stock.receive(ctx, network.steel, network.hq_stock, 5)
    stock.receive(ctx, network.steel, network.mp_stock, 2)
    stock.receive(ctx, network.screw, network.mp_stock, 9)
    with ctx.db.read_session() as session:
        rows = paging.fetch_page(session, ON_HAND, filters={"site_id": network.mp}).rows
        steel_row = next(row._mapping for row in rows if row._mapping["product"] == "STEEL")
        place = balance_place(session, steel_row["product"], steel_row["site"],
                              steel_row["location"])
        assert place == BalancePlace(network.steel, network.mp_stock)
        moves = paging.fetch_page(session, MOVES, filters={
            "product_id": place.product_id, "location_id": place.location_id}).rows
        assert [row._mapping["quantity"] for row in moves] == [2]
        assert balance_place(session, "STEEL", "MP1", "NOWHERE") == BalancePlace(
            network.steel, None)
        assert balance_place(session, "steel", "MP1", "STOCK") == BalancePlace(
            None, network.mp_stock)  # the SKU as the row shows it, exactly


def test_a_lot_code_is_taken_only_for_its_own_product(ctx: ServiceContext,
                                                       network: Network) -> None:
    stock.receive(ctx, network.fabric, network.hq_stock, 3, lot_code="L1")
    with ctx.db.read_session() as session:
        assert lot_code_taken(session, "FABRIC", "L1")
        assert not lot_code_taken(session, "FABRIC", "L2")
        assert not lot_code_taken(session, "FABRIC", "l1")  # codes are exact
        assert not lot_code_taken(session, "STEEL", "L1")


def test_all_sites_includes_archived_and_in_transit_by_code(ctx: ServiceContext,
                                                            network: Network) -> None:
    sites.set_site_archived(ctx, network.wh)
    stock.receive(ctx, network.steel, network.hq_stock, 5)
    stock.ship_transfer(ctx, network.hq_stock, network.mp_stock,
                        [stock.TransferLineSpec(network.steel, 1)])  # makes the TRN site
    with ctx.db.read_session() as session:
        assert all_sites(session) == [
            SiteName("HQ", "Head office workshop"), SiteName("MP1", "CNC shop"),
            SiteName("TRN", "In transit"), SiteName("WH", "Central warehouse")]


def test_open_alert_messages_leave_out_cleared_ones_oldest_first(db: Database) -> None:
    start = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    with raw_connection(db.path) as raw:
        for minutes, subject in ((30, "b"), (10, "a"), (20, "c")):
            raise_alert(raw, "test", subject, f"alert {subject}",
                        utc_text(start + timedelta(minutes=minutes)))
        clear_alert(raw, "c", utc_text(start + timedelta(hours=1)))
        raw.commit()
    with db.read_session() as session:
        assert open_alert_messages(session) == ["alert a", "alert b"]


def test_local_site_code_is_hq_until_set(ctx: ServiceContext) -> None:
    with ctx.db.read_session() as session:
        assert local_site_code(session) == "HQ"
    sites.create_site(ctx, code="LIS", name="Lisbon", kind="own_workshop")
    sites.set_local_site(ctx, "LIS")
    with ctx.db.read_session() as session:
        assert local_site_code(session) == "LIS"
