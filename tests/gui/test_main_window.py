"""The start window over a real database (the full views come with the desktop-app work)."""

from __future__ import annotations

import os
from pathlib import Path

from pytestqt.qtbot import QtBot

from dmdesk.db.database import open_database
from dmdesk.gui.app import MainWindow
from dmdesk.services import products, sites
from dmdesk.services.context import ServiceContext

SCREENSHOTS = Path(os.environ.get("DMDESK_SCREENSHOTS", "screenshots"))


def test_main_window_shows_the_database_and_its_counts(qtbot: QtBot, tmp_path: Path) -> None:
    db = open_database(tmp_path / "shop.sqlite")
    ctx = ServiceContext(db, actor="tester")
    sites.create_site(ctx, code="LIS", name="Lisbon", kind="own_workshop")
    for n in range(3):
        products.create_product(ctx, sku=f"P{n}", name=f"Part {n}")
    window = MainWindow(db)
    qtbot.addWidget(window)
    window.show()
    text = window.centralWidget().text()
    assert "Products: <b>3</b>" in text and "Sites: <b>1</b>" in text
    assert "shop.sqlite" in window.windowTitle()
    assert str(db.path) in window.database_label.text()
    SCREENSHOTS.mkdir(exist_ok=True)
    assert window.grab().save(str(SCREENSHOTS / "start-window.png"))
    db.close()
