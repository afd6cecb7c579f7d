"""Sites for the sync tests: each a real SQLite file with its own token on a real server
process (tests/sync_server_process.py), synced through dmdesk.sync exactly as `dmdesk sync`
does. Checks read the databases back with plain SQL."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import text

from dmdesk.db import models as m
from dmdesk.db.changes import LOCAL_TABLES
from dmdesk.db.database import Database, open_database
from dmdesk.queries.integrity import check_database
from dmdesk.services.context import ServiceContext
from dmdesk.sync import client
from dmdesk.sync.client import SyncReport
from dmdesk.sync.transport import wall_ms
from tests.sync_server_process import RunningServer

# Every table whose rows travel between sites.
SYNCED_TABLES = tuple(sorted(
    name for name in m.Base.metadata.tables if name not in LOCAL_TABLES))


@dataclass
class Site:
    code: str
    db: Database
    token: str

    @property
    def ctx(self) -> ServiceContext:
        return ServiceContext(self.db, actor=f"user@{self.code}")

    def sync(self, clock_ms: Callable[[], int] = wall_ms, **options: Any) -> SyncReport:
        return client.run_sync(self.db, clock_ms=clock_ms, **options)


def join(server: RunningServer, path: Path, code: str, role: str = "site",
         db: Database | None = None) -> Site:
    """A database at ``path`` (new unless given) set up with a new token for ``code``."""
    token = server.add_site(code, role=role)
    database = db or open_database(path)
    client.setup(database, server.base_url, token)
    return Site(code, database, token)


def sync_all(sites: Sequence[Site], rounds: int = 2) -> None:
    """Everyone syncs, ``rounds`` times: after the second round each site has everything."""
    for _ in range(rounds):
        for site in sites:
            site.sync()


def table_rows(db: Database, table: str) -> list[tuple[Any, ...]]:
    with db.reader.connect() as conn:
        return sorted(tuple(row) for row in conn.exec_driver_sql(f"SELECT * FROM {table}"))


def assert_identical(sites: Sequence[Site]) -> None:
    first = sites[0]
    for table in SYNCED_TABLES:
        expected = table_rows(first.db, table)
        for other in sites[1:]:
            got = table_rows(other.db, table)
            assert got == expected, (f"{table} differs between {first.code} and {other.code}: "
                                     f"{len(expected)} rows against {len(got)}")


def assert_stock_is_ledger(sites: Sequence[Site]) -> None:
    for site in sites:
        report = check_database(site.db)
        assert report.problems == [], (site.code, report.problems)


def close_all(sites: Sequence[Site]) -> None:
    for site in sites:
        site.db.close()


@contextmanager
def old_client(site: Site) -> Iterator[None]:
    """Write as a dmdesk from before the app read the write rules: nothing is refused here
    (the database acts as if never set up for sync), so the server is the one to refuse."""
    with site.db.write_session() as session:
        role = session.execute(text("SELECT role FROM sync_state WHERE id = 1")).scalar()
        session.execute(text("UPDATE sync_state SET role = '' WHERE id = 1"))
    try:
        yield
    finally:
        with site.db.write_session() as session:
            session.execute(text("UPDATE sync_state SET role = :r WHERE id = 1"), {"r": role})
