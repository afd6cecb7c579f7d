"""A store made by an older server gets the columns added since, at open, with its data."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, text

from dmdesk.server.storage import engine_url, open_store
from tests.sync_server_process import postgres_database

OLD_OWNERS = (
    "CREATE TABLE server_row_owner (entity VARCHAR(40) NOT NULL, "
    "entity_id VARCHAR(512) NOT NULL, creator VARCHAR(6) NOT NULL, site_id VARCHAR(512), "
    "peer_site_id VARCHAR(512), parent_id VARCHAR(512), code VARCHAR(512), "
    "kind VARCHAR(512), PRIMARY KEY (entity, entity_id))")


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield str(tmp_path / "server.db")
    else:
        with postgres_database() as url:
            yield url


def test_reports_progress_is_added_to_an_old_ownership_index(store_url: str) -> None:
    old = create_engine(engine_url(store_url))
    with old.begin() as connection:
        connection.execute(text(OLD_OWNERS))
        connection.execute(text("INSERT INTO server_row_owner (entity, entity_id, creator, "
                                "code, kind) VALUES ('site', 'ab', 'HQ', 'LIS', 'own_workshop')"))
    old.dispose()
    for _ in range(2):  # and a second open finds it there
        store = open_store(store_url)
        columns = {c["name"] for c in inspect(store.engine).get_columns("server_row_owner")}
        assert "reports_progress" in columns
        with store.engine.connect() as connection:
            row = connection.execute(text(
                "SELECT code, reports_progress FROM server_row_owner")).one()
        assert tuple(row) == ("LIS", None)
        store.engine.dispose()
