"""Fixtures for the integration tests: a real SQLite file per test, a service context, and a
small network of sites and products built through the services.

Migrating a new file takes a noticeable fraction of a second, so the session migrates one
template file and each test copies it (a byte copy of a checkpointed, closed database is a
fresh database at the head revision). The migration tests open real new files themselves.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from dmdesk.db.database import Database, open_database
from dmdesk.services.context import ServiceContext
from tests.integration.support import Network, build_network, checkpoint

ACTOR = "tester"


def _close_to_single_file(db: Database) -> None:
    checkpoint(db)
    db.close()


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database file at the head revision, with nothing in it but the seeded units."""
    path = tmp_path_factory.mktemp("template") / "template.sqlite"
    _close_to_single_file(open_database(path))
    return path


@pytest.fixture(scope="session")
def network_template(tmp_path_factory: pytest.TempPathFactory,
                     migrated_template: Path) -> tuple[Path, Network]:
    """A database file holding the ``network``, and its ids (for tests that copy it often)."""
    path = tmp_path_factory.mktemp("network-template") / "network.sqlite"
    shutil.copyfile(migrated_template, path)
    db = open_database(path)
    network = build_network(ServiceContext(db, actor=ACTOR))
    _close_to_single_file(db)
    return path, network


def copy_database(template: Path, target: Path) -> Database:
    """Open a byte copy of ``template`` at ``target``."""
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(template, target)
    return open_database(target)


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "dmdesk.sqlite"


@pytest.fixture
def db(migrated_template: Path, db_path: Path) -> Iterator[Database]:
    """A fresh database file in tmp_path, migrated to head."""
    database = copy_database(migrated_template, db_path)
    yield database
    database.close()


@pytest.fixture
def ctx(db: Database) -> ServiceContext:
    return ServiceContext(db, actor=ACTOR)


@pytest.fixture
def network(ctx: ServiceContext) -> Network:
    """The small network of tests.integration.support.Network, built through the services."""
    return build_network(ctx)
