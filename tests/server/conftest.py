"""Fixtures: a real `dmdesk serve` process, on SQLite and on PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.sync_server_process import RunningServer, postgres_database, running_server

pytest.importorskip("fastapi", reason="the sync server's packages: pip install 'dmdesk[server]'")


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest) -> Iterator[str | None]:
    """The server's database URL: None (a SQLite file) or a fresh PostgreSQL database."""
    if request.param == "sqlite":
        yield None
    else:
        with postgres_database() as url:
            yield url


@pytest.fixture
def server(backend: str | None, tmp_path: Path) -> Iterator[RunningServer]:
    with running_server(backend, tmp_path) as running:
        yield running


@pytest.fixture
def sqlite_server(tmp_path: Path) -> Iterator[RunningServer]:
    """For tests about HTTP handling that does not depend on the database."""
    with running_server(None, tmp_path) as running:
        yield running
