"""Every area of the main window on the small demo, as a person first sees it: each area
shows data, and a 1280x800 screenshot of each is written for a human to look at."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from dmdesk.db.database import Database, open_database
from dmdesk.gui.app import build_window
from dmdesk.gui.tasks import TaskRunner
from dmdesk.gui.views.list_area import ListArea
from tests.conftest import SmallDemo


@pytest.fixture(scope="module")
def demo_db(small_demo: SmallDemo, tmp_path_factory: pytest.TempPathFactory
            ) -> Iterator[Database]:
    db = open_database(small_demo.copy_to(tmp_path_factory.mktemp("demo") / "demo.sqlite"))
    yield db
    db.close()


def _lists_in(widget: object) -> list[ListArea]:
    if isinstance(widget, ListArea):
        return [widget]
    return list(widget.findChildren(ListArea))  # type: ignore[attr-defined]


def test_every_area_shows_the_demo(qtbot: QtBot, demo_db: Database,
                                   screenshots: Path) -> None:
    runner = TaskRunner()
    window, _gctx = build_window(demo_db, runner)
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    for number, area in enumerate(window.areas, start=1):
        window.show_area(area.title)
        runner.wait_idle()
        QApplication.processEvents()
        for view in _lists_in(area):
            if view.isVisibleTo(area):
                assert view.model.rowCount() > 0, f"{area.title}: an empty list on the demo"
        name = area.title.lower().replace(" & ", "-").replace(" ", "-")
        assert window.grab().save(str(screenshots / f"demo-{number}-{name}.png"))
    runner.shutdown()
