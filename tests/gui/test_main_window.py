"""The main window over a real database: navigation, shortcuts, the status bar."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from dmdesk.db.database import Database
from dmdesk.gui.main_window import MainWindow
from dmdesk.services import products, sites
from dmdesk.services.context import ServiceContext
from tests.gui.support import AREA_TITLES


@pytest.fixture
def db(db: Database) -> Database:
    """conftest's database, with a local site LIS and three products."""
    ctx = ServiceContext(db, actor="tester")
    sites.create_site(ctx, code="LIS", name="Lisbon", kind="own_workshop")
    sites.set_local_site(ctx, "LIS")
    for n in range(3):
        products.create_product(ctx, sku=f"P{n}", name=f"Part {n}")
    return db


def test_navigation_lists_every_area_in_order(window: MainWindow) -> None:
    assert [window.nav.item(i).text() for i in range(window.nav.count())] == AREA_TITLES


def test_the_go_menu_names_every_area_as_the_list_does(window: MainWindow) -> None:
    go = next(action.menu() for action in window.menuBar().actions()
              if action.text() == "&Go")
    # A lone "&" would be an access key: "Sites & producers" showed as "Sites _producers".
    shown = [action.text().replace("&&", "&") for action in go.actions()]
    assert shown == AREA_TITLES
    assert all("&" not in action.text().replace("&&", "") for action in go.actions())


@pytest.mark.parametrize("number", range(1, 10))
def test_ctrl_number_jumps_to_the_area(qtbot: QtBot, window: MainWindow, number: int) -> None:
    qtbot.keyClick(window, Qt.Key(Qt.Key.Key_0 + number), Qt.KeyboardModifier.ControlModifier)
    assert window.current_area().title == AREA_TITLES[number - 1]
    assert window.stack.currentIndex() == number - 1


def test_status_bar_names_database_and_site(window: MainWindow, db: Database) -> None:
    assert str(db.path) in window.database_label.text()
    assert window.site_label.text().endswith("LIS")


def test_screenshot_of_the_products_area(qtbot: QtBot, window: MainWindow,
                                         screenshots: Path) -> None:
    area = window.show_area("Products")
    rows = area.list.model.rowCount()  # type: ignore[attr-defined]
    assert rows == 3
    assert window.grab().save(str(screenshots / "products-area.png"))


def test_dashboard_figures_open_the_work_orders_behind_them(
        window: MainWindow, db: Database) -> None:
    from datetime import date

    from sqlalchemy import select

    from dmdesk.db import models as m
    from dmdesk.gui.views.dashboard import DashboardArea
    from dmdesk.gui.views.work_orders import WorkOrdersArea
    from dmdesk.services import work_orders

    ctx = ServiceContext(db, actor="tester")
    with db.read_session() as session:
        site_id = session.scalars(select(m.Site.id)).one()
        product_id = session.scalars(select(m.Product.id).where(m.Product.sku == "P1")).one()
    created = work_orders.create_work_order(ctx, product_id, 3, site_id, date(2030, 1, 1))
    dashboard = window.areas[0]
    work = window.areas[1]
    assert isinstance(dashboard, DashboardArea) and isinstance(work, WorkOrdersArea)
    dashboard.work_order_requested.emit(created.id)
    assert window.current_area() is work
    assert work.current is not None and work.current.id == created.id
    window.show_area("Dashboard")
    dashboard.open_work_requested.emit(site_id, "draft")
    assert window.current_area() is work
    assert work.site_filter.currentData() == site_id
    assert work.state_filter.currentData() == "draft"
