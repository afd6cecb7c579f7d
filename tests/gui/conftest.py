"""Fixtures for GUI tests: a real database with a small network, a task runner, and helpers
to wait for work the GUI sent to its worker thread."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from dmdesk.db.database import Database, open_database
from dmdesk.gui.context import GuiContext
from dmdesk.gui.tasks import TaskRunner
from dmdesk.services.context import ServiceContext
from tests.integration.support import Network, build_network


@pytest.fixture
def screenshots() -> Path:
    folder = Path(os.environ.get("DMDESK_SCREENSHOTS", "screenshots"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def gui_db(tmp_path: Path) -> Iterator[Database]:
    db = open_database(tmp_path / "gui.sqlite")
    yield db
    db.close()


@pytest.fixture
def gctx(gui_db: Database) -> Iterator[GuiContext]:
    runner = TaskRunner()
    context = GuiContext(gui_db, ServiceContext(gui_db, actor="tester"), runner)
    messages: list[str] = []
    context.status = messages.append
    yield context
    runner.shutdown()


@pytest.fixture
def net(gctx: GuiContext) -> Network:
    return build_network(gctx.services)
