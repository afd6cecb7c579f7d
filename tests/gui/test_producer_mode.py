"""Producer mode: a database whose sync role is ``producer`` opens with the producer's areas
only (My work orders, Stock at my site, Transfers, Products, Sync, Documents), Ctrl+1.. in that
order, its own site's orders and stock, products without prices, and transfers to receive.

Screenshots of every area land in $DMDESK_SCREENSHOTS (producer_*.png)."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from dmdesk.db import models as m
from dmdesk.db.database import Database
from dmdesk.gui.main_window import MainWindow
from dmdesk.gui.producer_mode import MyWorkOrdersArea
from dmdesk.gui.views.customer_orders import CustomerOrdersArea
from dmdesk.gui.views.dashboard import DashboardArea
from dmdesk.gui.views.documents import DocumentsArea
from dmdesk.gui.views.products import ProductsArea
from dmdesk.gui.views.sites import SitesArea
from dmdesk.gui.views.stock import StockArea
from dmdesk.gui.views.transfers import TransfersArea
from dmdesk.services import products, stock, workorders
from dmdesk.services.context import SETTING_SITE, ServiceContext
from dmdesk.sync import state as sync_state
from tests.gui.support import assert_screenshot, listed
from tests.integration.support import build_network, raw_connection

PRODUCER_AREAS = ["My work orders", "Stock at my site", "Transfers", "Products", "Sync",
                  "Documents"]


def make_producer(db: Database, site_code: str = "MP1") -> None:
    """What joining the network as a producer leaves: the role and the site in sync_state,
    and the database's own site code (client.setup stores both)."""
    with db.write_session() as session:
        row = sync_state.load(session)
        row.role, row.site_code = "producer", site_code
        session.merge(m.Setting(key=SETTING_SITE, value=site_code))


@pytest.fixture
def db(db: Database) -> Database:
    """The small network seen from MP1: two orders there, one at HQ, steel on its way."""
    ctx = ServiceContext(db, actor="mp1")
    net = build_network(ctx)
    stock.receive(ctx, net.steel, net.mp_stock, 30)
    stock.receive(ctx, net.screw, net.mp_stock, 100)
    stock.receive(ctx, net.steel, net.hq_stock, 40)
    made = workorders.create_work_order(ctx, net.frame, 4, net.mp, "2030-06-30")
    workorders.release(ctx, made.id)
    workorders.create_work_order(ctx, net.frame, 2, net.mp, "2030-07-31")
    workorders.create_work_order(ctx, net.frame, 9, net.hq, "2030-05-31")
    stock.ship_transfer(ctx, net.hq_stock, net.mp_stock,
                        [stock.TransferLineSpec(net.steel, 12)], note="steel for MP1")
    make_producer(db)
    return db


def _titles(window: MainWindow) -> list[str]:
    return [window.nav.item(i).text() for i in range(window.nav.count())]


def test_a_producer_database_opens_with_the_producers_areas_only(window: MainWindow) -> None:
    assert _titles(window) == PRODUCER_AREAS
    assert [a.title for a in window.areas] == PRODUCER_AREAS
    assert window.windowTitle() == "Producer: MP1 — gui.sqlite"
    assert window.site_label.text() == "Site: MP1"
    kinds = tuple(type(a) for a in window.areas)
    for hidden in (DashboardArea, CustomerOrdersArea, SitesArea):
        assert hidden not in kinds
    go = next(a.menu() for a in window.menuBar().actions() if a.text() == "&Go")
    assert [a.text() for a in go.actions()] == PRODUCER_AREAS
    assert [a.shortcut().toString() for a in go.actions()] == [
        f"Ctrl+{n}" for n in range(1, 7)]


@pytest.mark.parametrize("number", range(1, 7))
def test_ctrl_number_follows_the_producers_order(qtbot: QtBot, window: MainWindow,
                                                 number: int) -> None:
    window.nav.setCurrentRow(5 if number != 6 else 0)
    qtbot.keyClick(window, Qt.Key(Qt.Key.Key_0 + number), Qt.KeyboardModifier.ControlModifier)
    assert window.current_area().title == PRODUCER_AREAS[number - 1]


def test_ctrl_1_opens_my_work_orders_with_only_my_sites_orders(
        qtbot: QtBot, window: MainWindow, screenshots: Path) -> None:
    window.nav.setCurrentRow(2)
    qtbot.keyClick(window, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
    area = window.current_area()
    assert isinstance(area, MyWorkOrdersArea)
    assert set(listed(area, "site")) == {"MP1"} and len(listed(area, "number")) == 2
    area.refresh()  # F5 keeps the list to the site
    assert set(listed(area, "site")) == {"MP1"}
    assert not area.site_filter.isEnabled() and area.site_filter.count() == 1
    assert area.new_button.isHidden() and area.sending.button.isHidden()
    assert not area.job_sheets.button.isHidden()  # job sheets stay
    area.list.select_id(area.list.model.row_id(0))
    qtbot.waitUntil(lambda: area.current is not None, timeout=5_000)
    assert_screenshot(window, screenshots / "producer_my_work_orders.png")


def test_products_show_no_prices(qtbot: QtBot, window: MainWindow, screenshots: Path) -> None:
    area = window.show_area("Products")
    assert isinstance(area, ProductsArea)
    keys = [area.list.model.spec.columns[c].key
            for c in range(area.list.model.columnCount())
            if not area.list.table.isColumnHidden(c)]
    assert "price" not in keys and "standard_cost" not in keys and "sku" in keys
    with window.areas[0].gctx.db.read_session() as session:
        chair = session.scalars(select(m.Product.id).where(m.Product.sku == "CHAIR")).one()
    area.list.select_id(chair)
    qtbot.waitUntil(lambda: area.detail.product_id == chair, timeout=5_000)
    facts = {key: area.findChild(QLabel, f"fact_{key}").text()
             for key in ("price", "standard_cost", "margin")}
    assert facts == dict.fromkeys(facts, "not shared")  # CHAIR has a price: not shown
    assert "249" not in " ".join(label.text() for label in area.findChildren(QLabel))
    assert area.detail.header_view.edit_button.isHidden()
    assert_screenshot(window, screenshots / "producer_products.png")


def test_transfers_list_mine_and_receive_the_steel(
        qtbot: QtBot, window: MainWindow, screenshots: Path) -> None:
    area = window.show_area("Transfers")
    assert isinstance(area, TransfersArea)
    assert listed(area, "from_site") == ["HQ"] and listed(area, "to_site") == ["MP1"]
    assert_screenshot(window, screenshots / "producer_transfers.png")
    area.list.select_id(area.list.model.row_id(0))
    area.receive_button.click()
    qtbot.waitUntil(lambda: listed(area, "number") == [], timeout=10_000)  # none in transit
    stock_area = window.show_area("Stock at my site")
    assert isinstance(stock_area, StockArea)
    rows = {(r["site"], r["product"]): r["on_hand"]
            for r in (stock_area.on_hand.model.row_values(i)
                      for i in range(stock_area.on_hand.model.rowCount()))}
    assert {site for site, _p in rows} == {"MP1"}
    assert not stock_area.tabs.isTabVisible(stock_area.tabs.indexOf(stock_area.transit))
    stock_area.clear_history_filter()  # "All moves" is all of my site's moves
    sites = {stock_area.moves.model.row_values(i)["site"]
             for i in range(stock_area.moves.model.rowCount())}
    assert sites == {"MP1"}
    assert rows[("MP1", "STEEL")] == 30 + 12  # the 12 received (reserved steel is on hand)
    assert_screenshot(window, screenshots / "producer_stock.png")


def test_documents_offer_no_owner_exports_and_screenshots(
        window: MainWindow, screenshots: Path) -> None:
    window.show_area("Sync")
    assert_screenshot(window, screenshots / "producer_sync.png")
    documents = window.show_area("Documents")
    assert isinstance(documents, DocumentsArea)
    shown = [kind for kind, b in documents.exports.buttons.items() if not b.isHidden()]
    assert shown == ["stock", "moves", "workorders", "products", "bom"]
    assert [k for k, b in documents.imports.buttons.items() if not b.isHidden()] == ["counts"]
    assert_screenshot(window, screenshots / "producer_documents.png")


def test_an_order_whose_product_is_not_shared_says_so(
        qtbot: QtBot, db: Database, window: MainWindow) -> None:
    """The server shares a producer its orders; a product row it has not (yet) sent must
    not make the list drop the order or the detail pane fail."""
    ctx = ServiceContext(db, actor="mp1")
    with db.read_session() as session:
        mp1 = session.scalars(select(m.Site.id).where(m.Site.code == "MP1")).one()
    # Made as the owner would (the producer's own app may not add products), then the
    # product row is taken away as if the server never sent it.
    with db.write_session() as session:
        sync_state.load(session).role = ""
    secret = products.create_product(ctx, sku="SECRET", name="Unshared part")
    made = workorders.create_work_order(ctx, secret, 1, mp1, "2030-08-31")
    make_producer(db)
    with raw_connection(db.path) as connection:  # as if the row never arrived
        connection.execute("PRAGMA foreign_keys=OFF")
        connection.execute("DELETE FROM product WHERE sku = 'SECRET'")
        connection.commit()
    area = window.current_area()
    assert isinstance(area, MyWorkOrdersArea)
    area.refresh()
    assert made.number in listed(area, "number")
    assert area.list.select_id(made.id)
    qtbot.waitUntil(lambda: area.current is not None and area.current.id == made.id,
                    timeout=5_000)
    assert area.current is not None and area.current.sku == "not shared"
    shown = " ".join(label.text() for label in area.findChildren(QLabel))
    assert "not shared" in shown
