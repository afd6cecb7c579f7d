"""A write transaction reports every table it wrote, whichever way it wrote it (ORM, the
ledger's set-based and driver SQL, a raw driver connection), and only once it committed."""

from __future__ import annotations

import pytest

from dmdesk.db.database import Database
from dmdesk.domain.errors import DomainError
from dmdesk.services import sites, stock
from dmdesk.services.changes import Changes, recording
from dmdesk.services.context import ServiceContext
from tests.integration.support import Network


def test_a_receipt_reports_the_ledger_and_its_caches(ctx: ServiceContext,
                                                     network: Network) -> None:
    with recording() as tables:
        stock.receive(ctx, network.steel, network.hq_stock, 5)
    # stock_move and outbox are written by driver SQL, stock_balance by Core: all counted.
    assert {"stock_move", "stock_balance", "outbox", "audit_log"} <= tables
    assert "product" not in tables and "site" not in tables


def test_an_orm_edit_reports_its_table(ctx: ServiceContext, network: Network) -> None:
    with recording() as tables:
        sites.set_site_archived(ctx, network.mp)
    assert "site" in tables and "stock_move" not in tables


def test_a_refused_write_reports_nothing(ctx: ServiceContext, network: Network) -> None:
    with recording() as tables, pytest.raises(DomainError):
        stock.issue(ctx, network.steel, network.hq_stock, 10_000)
    assert tables == set()


def test_raw_driver_sql_counts_too(db: Database, network: Network) -> None:
    with recording() as tables, db.write_session() as session:
        raw = session.connection().connection.driver_connection
        assert raw is not None
        raw.execute("UPDATE product SET name = name WHERE sku = 'STEEL'")
        raw.execute("UPDATE product SET name = name WHERE sku = 'STEEL'")  # cached statement
    assert tables == {"product"}
    with recording() as again, db.write_session() as session:  # a later transaction, same SQL
        session.connection().connection.driver_connection.execute(  # type: ignore[union-attr]
            "UPDATE product SET name = name WHERE sku = 'STEEL'")
    assert again == {"product"}


def test_recordings_nest_and_end(ctx: ServiceContext, network: Network) -> None:
    with recording() as outer:
        with recording() as inner:
            stock.receive(ctx, network.steel, network.hq_stock, 1)
        sites.set_site_archived(ctx, network.mp)
    assert "stock_balance" in inner and "site" not in inner
    assert {"stock_balance", "site"} <= outer
    with recording() as later:
        pass
    stock.receive(ctx, network.steel, network.hq_stock, 1)
    assert later == set()


def test_a_notice_says_whether_it_touches_a_watch_set() -> None:
    notice = Changes(frozenset({"site", "outbox"}), initiator="me")
    assert notice.touches({"site", "contact"}) and not notice.touches({"product"})
    assert notice and not Changes()
