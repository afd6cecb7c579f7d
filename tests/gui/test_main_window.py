"""The main window over a real database: navigation, shortcuts, the status bar."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from dmdesk.db.database import Database, open_database
from dmdesk.gui.app import build_window
from dmdesk.gui.main_window import MainWindow
from dmdesk.gui.tasks import TaskRunner
from dmdesk.services import products, sites
from dmdesk.services.context import ServiceContext

SCREENSHOTS = Path(os.environ.get("DMDESK_SCREENSHOTS", "screenshots"))
AREAS = ["Dashboard", "Work orders", "Customer orders", "Products", "Stock",
         "Sites & producers", "Contacts", "Documents", "Sync"]


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = open_database(tmp_path / "shop.sqlite")
    ctx = ServiceContext(database, actor="tester")
    sites.create_site(ctx, code="LIS", name="Lisbon", kind="own_workshop")
    sites.set_local_site(ctx, "LIS")
    for n in range(3):
        products.create_product(ctx, sku=f"P{n}", name=f"Part {n}")
    yield database
    database.close()


@pytest.fixture
def window(qtbot: QtBot, db: Database) -> Iterator[MainWindow]:
    runner = TaskRunner()
    win, _gctx = build_window(db, runner)
    qtbot.addWidget(win)
    win.resize(1280, 800)
    win.show()
    yield win
    runner.shutdown()


def test_navigation_lists_every_area_in_order(window: MainWindow) -> None:
    assert [window.nav.item(i).text() for i in range(window.nav.count())] == AREAS


@pytest.mark.parametrize("number", range(1, 10))
def test_ctrl_number_jumps_to_the_area(qtbot: QtBot, window: MainWindow, number: int) -> None:
    qtbot.keyClick(window, Qt.Key(Qt.Key.Key_0 + number), Qt.KeyboardModifier.ControlModifier)
    assert window.current_area().title == AREAS[number - 1]
    assert window.stack.currentIndex() == number - 1


def test_status_bar_names_database_and_site(window: MainWindow, db: Database) -> None:
    assert str(db.path) in window.database_label.text()
    assert window.site_label.text().endswith("LIS")


def test_screenshot_of_the_products_area(qtbot: QtBot, window: MainWindow) -> None:
    area = window.show_area("Products")
    rows = area.list.model.rowCount()  # type: ignore[attr-defined]
    assert rows == 3
    SCREENSHOTS.mkdir(exist_ok=True)
    assert window.grab().save(str(SCREENSHOTS / "products-area.png"))
