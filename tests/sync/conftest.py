"""Fixtures: a real sync server process on 127.0.0.1 per test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.sync_server_process import RunningServer, running_server


@pytest.fixture
def server(tmp_path: Path) -> Iterator[RunningServer]:
    (tmp_path / "server").mkdir()
    with running_server(None, tmp_path / "server") as running:
        yield running
