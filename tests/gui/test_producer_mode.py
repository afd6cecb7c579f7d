"""Producer mode: a database whose sync role is ``producer`` opens with the producer's areas
only (My work orders, Stock at my site, Transfers, Products, Sync, Documents), Ctrl+1.. in that
order, its own site's orders and stock, products without prices, and transfers to receive.

Screenshots of every area land in $DMDESK_SCREENSHOTS (producer_*.png)."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QPushButton, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from dmdesk.db import models as m
from dmdesk.db.database import Database
from dmdesk.gui.dialogs.import_wizard import ImportWizard
from dmdesk.gui.dialogs.product_form import ProductFormDialog
from dmdesk.gui.main_window import MainWindow
from dmdesk.gui.producer_mode import MyWorkOrdersArea
from dmdesk.gui.views.customer_orders import CustomerOrdersArea
from dmdesk.gui.views.dashboard import DashboardArea
from dmdesk.gui.views.documents import DocumentsArea
from dmdesk.gui.views.products import ProductsArea
from dmdesk.gui.views.sites import SitesArea
from dmdesk.gui.views.stock import StockArea
from dmdesk.gui.views.transfers import TransfersArea
from dmdesk.services import products, stock, work_orders
from dmdesk.services.context import SETTING_SITE, ServiceContext
from dmdesk.sync import state as sync_state
from tests.gui.support import assert_screenshot, idle, listed
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
    made = work_orders.create_work_order(ctx, net.frame, 4, net.mp, "2030-06-30")
    work_orders.release(ctx, made.id)
    work_orders.create_work_order(ctx, net.frame, 2, net.mp, "2030-07-31")
    work_orders.create_work_order(ctx, net.frame, 9, net.hq, "2030-05-31")
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
    wizard = documents.imports.open_wizard("counts")  # nor does its wizard offer the others
    kinds = wizard.source_page.kind
    assert [kinds.itemData(i) for i in range(kinds.count())] == ["counts"]
    wizard.reject()
    assert_screenshot(window, screenshots / "producer_documents.png")


def _unshared_order(db: Database) -> work_orders.CreatedWorkOrder:
    """An order at MP1 whose product row the producer does not hold. Made as the owner would
    (the producer's own app may not add products), then the product row is taken away as if
    the server never sent it."""
    ctx = ServiceContext(db, actor="mp1")
    with db.read_session() as session:
        mp1 = session.scalars(select(m.Site.id).where(m.Site.code == "MP1")).one()
    with db.write_session() as session:
        sync_state.load(session).role = ""
    secret = products.create_product(ctx, sku="SECRET", name="Unshared part")
    made = work_orders.create_work_order(ctx, secret, 1, mp1, "2030-08-31")
    make_producer(db)
    with raw_connection(db.path) as connection:  # as if the row never arrived
        connection.execute("PRAGMA foreign_keys=OFF")
        connection.execute("DELETE FROM product WHERE sku = 'SECRET'")
        connection.commit()
    return made


def _show_order(qtbot: QtBot, window: MainWindow, wo_id: uuid.UUID) -> MyWorkOrdersArea:
    area = window.current_area()
    assert isinstance(area, MyWorkOrdersArea)
    area.refresh()
    assert area.list.select_id(wo_id)
    qtbot.waitUntil(lambda: area.current is not None and area.current.id == wo_id,
                    timeout=5_000)
    return area


def test_an_order_whose_product_is_not_shared_says_so(
        qtbot: QtBot, db: Database, window: MainWindow) -> None:
    """The server shares a producer its orders; a product row it has not (yet) sent must
    not make the list drop the order or the detail pane fail."""
    made = _unshared_order(db)
    area = _show_order(qtbot, window, made.id)
    assert made.number in listed(area, "number")
    assert area.current is not None and area.current.sku == "not shared"
    shown = " ".join(label.text() for label in area.findChildren(QLabel))
    assert "not shared" in shown


def test_its_job_sheet_button_says_the_product_is_not_shared_yet(
        qtbot: QtBot, db: Database, window: MainWindow) -> None:
    """Not "Unknown work order": the order is there. The sheet would tell the shop neither
    what to make nor what to pick, so it is not printed; the message says why and what to
    do, before any print dialog asks for a printer."""
    made = _unshared_order(db)
    area = _show_order(qtbot, window, made.id)
    printing = area.job_sheets.printing
    assert area.job_sheets.button.isEnabled()
    with qtbot.waitSignal(printing.failed, timeout=10_000) as failed:
        qtbot.mouseClick(area.job_sheets.button, Qt.MouseButton.LeftButton)
    expected = (f"Cannot print the job sheet of {made.number} yet: its product has not been "
                "shared with this site. Sync again, or ask the owner to share it.")
    assert failed.args == [expected]
    assert printing.dialog is None and not printing.busy  # no print dialog, nothing queued
    assert area.detail.message.text() == expected and not area.detail.message.isHidden()
    assert window.statusBar().currentMessage() == expected
    with qtbot.waitSignal(printing.failed, timeout=10_000) as failed:
        area.job_sheets.save_action.trigger()  # Save as PDF asks for no file either
    assert failed.args == [expected] and printing.dialog is None


# --- the Products area: the owner's master data, read-only ------------------------------------

# Every control of the Products area that changes products, BOM lines, operations or design
# files; and those that only read, which stay.
EDIT_BUTTONS = ("new_product", "edit_product", "archive_product", "bom_add", "bom_edit",
                "bom_remove", "operation_add", "operation_edit", "operation_remove",
                "file_add")
READ_BUTTONS = ("bom_open", "file_open", "used_open")
MASTER_TABLES = ("product", "bom_line", "operation", "design_file", "file_blob", "audit_log",
                 "outbox")


def _rows(db: Database) -> dict[str, list[tuple[object, ...]]]:
    """Every row of the master-data tables (an archive changes a flag, not a count), with
    the audit log and the outbox, where any write leaves a trace."""
    with raw_connection(db.path) as connection:
        return {table: sorted(connection.execute(f"SELECT * FROM {table}").fetchall(),
                              key=repr) for table in MASTER_TABLES}


def _hidden(area: ProductsArea, names: tuple[str, ...]) -> dict[str, bool]:
    found = {name: area.findChild(QPushButton, name) for name in names}
    assert all(found.values()), found
    return {name: button.isHidden() for name, button in found.items() if button is not None}


def _chair_with_bom_line(qtbot: QtBot, window: MainWindow) -> ProductsArea:
    """The Products area on CHAIR, its BOM tab open with its own FABRIC line selected."""
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=5_000)
    area = window.show_area("Products")
    assert isinstance(area, ProductsArea)
    with area.gctx.db.read_session() as session:
        chair = session.scalars(select(m.Product.id).where(m.Product.sku == "CHAIR")).one()
    area.list.select_id(chair)
    qtbot.waitUntil(lambda: area.detail.product_id == chair, timeout=5_000)
    area.detail.tabs.setCurrentWidget(area.detail.bom_tab)
    tree = area.detail.bom_tab.tree
    fabric = next(tree.topLevelItem(i) for i in range(tree.topLevelItemCount())
                  if tree.topLevelItem(i).text(0) == "FABRIC")
    tree.setCurrentItem(fabric)
    return area


def _press(qtbot: QtBot, widget: QWidget, key: Qt.Key,
           modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> None:
    widget.setFocus()
    qtbot.waitUntil(widget.hasFocus, timeout=5_000)
    qtbot.keyClick(widget, key, modifier)


def _wizards(window: MainWindow) -> list[list[str]]:
    """The kinds each open import wizard offers."""
    return [[w.source_page.kind.itemData(i) for i in range(w.source_page.kind.count())]
            for w in window.findChildren(ImportWizard) if w.isVisible()]


# The File menu's items before and after Import, the same in both modes: a producer keeps
# its own database (new, open, copy, backups); only what it may import differs.
FILE_AROUND_IMPORT = (["&New database…", "&Open…", "Open &recent"],
                      ["Save a &copy…", "&Backups…", "&Quit"])


def _menus(window: MainWindow) -> dict[str, list[str]]:
    return {a.text(): [b.text() for b in a.menu().actions() if not b.isSeparator()]
            for a in window.menuBar().actions() if a.menu() is not None}


def test_products_offer_no_editing_and_their_keys_change_nothing(
        qtbot: QtBot, db: Database, window: MainWindow, screenshots: Path) -> None:
    area = _chair_with_bom_line(qtbot, window)
    assert _hidden(area, EDIT_BUTTONS) == dict.fromkeys(EDIT_BUTTONS, True)
    assert _hidden(area, READ_BUTTONS) == dict.fromkeys(READ_BUTTONS, False)
    tree = area.detail.bom_tab.tree
    assert [tree.topLevelItem(i).text(0) for i in range(tree.topLevelItemCount())] == [
        "FRAME", "FABRIC", "SCREW"]  # the BOM is there to read
    menus = _menus(window)
    assert menus["&File"] == [*FILE_AROUND_IMPORT[0], "Import stock &counts…",
                              *FILE_AROUND_IMPORT[1]]
    assert menus["&Tools"] == ["&Trace a lot…", "&Verify audit chain"]
    assert_screenshot(window, screenshots / "producer_products_bom.png")

    before = _rows(db)
    _press(qtbot, area.list.table, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    _press(qtbot, area.list.table, Qt.Key.Key_Delete)  # would archive CHAIR
    _press(qtbot, tree, Qt.Key.Key_Delete)  # would remove the FABRIC line
    tree.setCurrentItem(tree.topLevelItem(1))
    tree.itemActivated.emit(tree.currentItem(), 0)  # a double-click would edit the line
    operations = area.detail.operations_tab
    area.detail.tabs.setCurrentWidget(operations)
    operations.tree.setCurrentItem(operations.tree.topLevelItem(0))
    _press(qtbot, operations.tree, Qt.Key.Key_Delete)  # would remove Assemble
    operations.tree.itemActivated.emit(operations.tree.currentItem(), 0)
    asked: list[str] = []  # the file dialog, answered without blocking: nothing chosen
    area.detail.files_tab.choose_file = lambda: asked.append("asked") and None
    area.detail.files_tab.add_file()
    _press(qtbot, area.list.table, Qt.Key.Key_I, Qt.KeyboardModifier.ControlModifier)
    idle(qtbot, area.gctx)
    qtbot.wait(100)
    assert area.dialog is None and operations.dialog is None
    assert area.detail.bom_tab.dialog is None
    assert _wizards(window) == [["counts"]]  # Ctrl+I: stock counts only, never products
    assert asked == []  # Add design file: not even a file was asked for
    assert area.gctx.undo.count() == 0
    assert _rows(db) == before


@pytest.fixture
def owner_window(request: pytest.FixtureRequest, db: Database) -> MainWindow:
    """The same database as the owner's (no sync role): the full window, for comparison."""
    with db.write_session() as session:
        sync_state.load(session).role = ""
    window: MainWindow = request.getfixturevalue("window")  # built after the role is gone
    return window


def test_the_owner_still_edits_products_and_bom_with_the_same_keys(
        qtbot: QtBot, db: Database, owner_window: MainWindow) -> None:
    """What the producer's test presses, at the owner's: the controls are there and the keys
    act, so the producer's test would see them if producer mode let them through."""
    area = _chair_with_bom_line(qtbot, owner_window)
    assert _hidden(area, EDIT_BUTTONS) == dict.fromkeys(EDIT_BUTTONS, False)
    assert _menus(owner_window)["&File"] == [*FILE_AROUND_IMPORT[0], "&Import…",
                                             *FILE_AROUND_IMPORT[1]]
    before = _rows(db)
    _press(qtbot, area.detail.bom_tab.tree, Qt.Key.Key_Delete)
    qtbot.waitUntil(lambda: len(_rows(db)["bom_line"]) == len(before["bom_line"]) - 1,
                    timeout=10_000)
    assert area.gctx.undo.count() == 1
    _press(qtbot, area.list.table, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert isinstance(area.dialog, ProductFormDialog) and area.dialog.isVisible()
    area.dialog.reject()
    _press(qtbot, area.list.table, Qt.Key.Key_I, Qt.KeyboardModifier.ControlModifier)
    assert _wizards(owner_window) == [["products", "bom", "contacts", "counts"]]
