"""Fixtures for GUI tests: a real database file, a GUI context with its task runner (what it
says goes to ``messages``), the small network or the busy one built in it, and the main window
as the app builds it. Helpers to drive the widgets are in tests/gui/support.py.

A module acts as someone other than "tester" with ``pytestmark = pytest.mark.actor("owner")``,
and seeds its own database by overriding ``db`` (``def db(db)`` receives this one)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, QSettings
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from dmdesk.db.database import Database, open_database
from dmdesk.gui.app import build_window
from dmdesk.gui.context import GuiContext
from dmdesk.gui.main_window import MainWindow
from dmdesk.gui.tasks import TaskRunner
from dmdesk.services.context import ServiceContext
from tests.gui.support import BusyEnv, settings_under
from tests.integration.support import Network, build_network
from tests.integration.test_dashboard_queries import Busy, build_busy_network


@pytest.fixture
def screenshots() -> Path:
    folder = Path(os.environ.get("DMDESK_SCREENSHOTS", "screenshots"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = open_database(tmp_path / "gui.sqlite")
    yield database
    database.close()


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "actor(name): who the GUI context's services act as (default: tester)")


@pytest.fixture
def actor(request: pytest.FixtureRequest) -> str:
    """Who the GUI context's services act as (the audit log's actor)."""
    marker = request.node.get_closest_marker("actor")
    return str(marker.args[0]) if marker is not None else "tester"


@pytest.fixture
def messages() -> list[str]:
    """What the GUI said in its status line, in order."""
    return []


@pytest.fixture
def gctx(db: Database, actor: str, messages: list[str]) -> Iterator[GuiContext]:
    runner = TaskRunner()
    context = GuiContext(db, ServiceContext(db, actor=actor), runner, status=messages.append)
    yield context
    runner.wait_idle()
    runner.shutdown()


@pytest.fixture
def ctx(gctx: GuiContext) -> ServiceContext:
    """The GUI context's own services, for writes behind the widgets' backs."""
    return gctx.services


@pytest.fixture
def net(gctx: GuiContext) -> Network:
    return build_network(gctx.services)


@pytest.fixture
def busy(gctx: GuiContext) -> Busy:
    return build_busy_network(gctx.services)


@pytest.fixture
def events(gctx: GuiContext) -> list[str]:
    """Every table the GUI context told its areas had changed, notice by notice, in order."""
    told: list[str] = []
    gctx.events.changed.connect(lambda changes: told.extend(sorted(changes.tables)))
    return told


@pytest.fixture
def busy_env(gctx: GuiContext, busy: Busy, messages: list[str],
             events: list[str]) -> BusyEnv:
    return BusyEnv(gctx, busy, messages, events)


@pytest.fixture(autouse=True)
def no_window_outlives_its_test() -> Iterator[None]:
    """Main windows a test opened without handing them to qtbot (the app's own sessions,
    File > Open's new windows) are deleted after it: a closed window still runs its Sync
    area's timer, and a later test met its auto-sync on a database long closed."""
    before = set(QApplication.topLevelWidgets())
    yield
    left = [w for w in QApplication.topLevelWidgets()
            if w not in before and isinstance(w, MainWindow)]
    for window in left:
        window.close()
        window.deleteLater()
    if left:
        QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


@pytest.fixture
def isolated_settings(tmp_path: Path) -> Iterator[None]:
    """The app's settings (recent files, geometry) in a file of this test's own."""
    settings_under(tmp_path / "settings")
    QApplication.setOrganizationName("dmdesk-tests")
    yield
    QSettings().clear()


@pytest.fixture
def window(qtbot: QtBot, db: Database) -> Iterator[MainWindow]:
    """The main window with every area, as the app builds it over ``db``, at 1280 × 800."""
    runner = TaskRunner()
    win, _gctx = build_window(db, runner)
    qtbot.addWidget(win)
    win.resize(1280, 800)
    win.show()
    yield win
    runner.wait_idle()
    runner.shutdown()
