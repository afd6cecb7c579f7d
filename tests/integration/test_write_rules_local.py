"""The app refuses, before writing anything, what the sync server would refuse.

A database whose sync role is ``site`` (set directly, as setting up sync does) may not rename
a product or act on an order it does not hold; the owner's database may not act on an order
whose making site reports its own progress. Each refusal is a NotYoursError naming the change
and the reason, and the database is as it was (row counts, outbox included).
"""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import text

from dmdesk.db import models as m
from dmdesk.db.database import Database
from dmdesk.domain.errors import NotYoursError
from dmdesk.domain.lifecycle import Actor, why_not
from dmdesk.services import products, sites, stock, work_orders
from dmdesk.services.context import ServiceContext
from tests.integration.support import Network, snapshot_counts


def become(ctx: ServiceContext, code: str, role: str) -> None:
    """Make this database the one a site of ``code`` syncs with a token of ``role``; what it
    holds so far came from the network (so none of it was made here)."""
    sites.set_local_site(ctx, code)
    with ctx.db.write_session() as session:
        session.execute(text("DELETE FROM outbox"))
        session.execute(text(
            "INSERT INTO sync_state (id, server_url, token, site_code, role, pull_cursor, "
            "last_result, last_error) VALUES (1, 'http://127.0.0.1:1', 't', :code, :role, 0, "
            "'', '') ON CONFLICT (id) DO UPDATE SET role = :role, site_code = :code"),
            {"code": code, "role": role})


def order_at(ctx: ServiceContext, network: Network, site: uuid.UUID) -> tuple[uuid.UUID, str]:
    created = work_orders.create_work_order(ctx, network.frame, 2, site, "2027-01-15")
    return created.id, created.number


def stock_up(ctx: ServiceContext, network: Network, location: uuid.UUID) -> None:
    stock.receive(ctx, network.steel, location, 100)
    stock.receive(ctx, network.screw, location, 100)


def product_name(db: Database, product: uuid.UUID) -> str:
    with db.read_session() as session:
        return session.get(m.Product, product).name  # type: ignore[union-attr]


def test_a_site_may_not_rename_a_product_and_nothing_is_written(
        ctx: ServiceContext, network: Network) -> None:
    become(ctx, "MP1", "site")
    before = snapshot_counts(ctx.db)
    with pytest.raises(NotYoursError) as refused:
        products.update_product(ctx, network.chair, name="Armchair")
    assert str(refused.value) == "Products are the owner's: this site (MP1) cannot rename CHAIR."
    assert snapshot_counts(ctx.db) == before
    assert product_name(ctx.db, network.chair) == "Lounge chair"


def test_a_site_may_not_release_an_order_made_at_another_site(
        ctx: ServiceContext, network: Network) -> None:
    stock_up(ctx, network, network.hq_stock)
    order, number = order_at(ctx, network, network.hq)
    become(ctx, "MP1", "site")
    before = snapshot_counts(ctx.db)
    with pytest.raises(NotYoursError) as refused:
        work_orders.release(ctx, order)
    assert str(refused.value) == why_not(Actor("MP1", "site"), number, "HQ", False)
    assert "the owner records it on its behalf" in str(refused.value)
    assert snapshot_counts(ctx.db) == before


def test_a_site_holds_its_orders_only_when_it_reports_its_own_progress(
        ctx: ServiceContext, network: Network) -> None:
    stock_up(ctx, network, network.mp_stock)
    order, number = order_at(ctx, network, network.mp)
    become(ctx, "MP1", "site")
    with pytest.raises(NotYoursError) as refused:
        work_orders.release(ctx, order)
    assert str(refused.value) == why_not(Actor("MP1", "site"), number, "MP1", False)
    become(ctx, "HQ", "owner")
    sites.update_site(ctx, network.mp, reports_progress=True)
    become(ctx, "MP1", "site")
    work_orders.release(ctx, order)
    work_orders.start(ctx, order)
    work_orders.complete(ctx, order)
    with ctx.db.read_session() as session:
        assert session.get(m.WorkOrder, order).state == "done"  # type: ignore[union-attr]


def test_the_owner_may_not_act_on_an_order_of_a_reporting_site(
        ctx: ServiceContext, network: Network) -> None:
    stock_up(ctx, network, network.mp_stock)
    order, number = order_at(ctx, network, network.mp)
    sites.update_site(ctx, network.mp, reports_progress=True)
    before = snapshot_counts(ctx.db)
    with pytest.raises(NotYoursError) as refused:
        work_orders.release(ctx, order)  # a database never set up for sync is the owner
    assert str(refused.value) == why_not(Actor("HQ"), number, "MP1", True)
    assert snapshot_counts(ctx.db) == before
    # Planning stays the owner's.
    work_orders.update_work_order(ctx, order, due_date="2027-02-01", priority=1)
    # Once the site no longer reports, the owner holds the order again.
    sites.update_site(ctx, network.mp, reports_progress=False)
    work_orders.release(ctx, order)


def test_a_site_moves_stock_at_its_own_locations_only(
        ctx: ServiceContext, network: Network) -> None:
    become(ctx, "MP1", "site")
    stock.receive(ctx, network.steel, network.mp_stock, 5)
    before = snapshot_counts(ctx.db)
    with pytest.raises(NotYoursError) as refused:
        stock.receive(ctx, network.steel, network.hq_stock, 5)
    assert str(refused.value).startswith("This site (MP1) cannot move stock at HQ/STOCK: ")
    assert snapshot_counts(ctx.db) == before


def test_a_site_changes_the_planning_of_orders_it_planned_only(
        ctx: ServiceContext, network: Network) -> None:
    theirs, number = order_at(ctx, network, network.mp)
    become(ctx, "MP1", "site")
    mine, _ = order_at(ctx, network, network.mp)
    work_orders.update_work_order(ctx, mine, due_date="2027-03-01")
    before = snapshot_counts(ctx.db)
    with pytest.raises(NotYoursError) as refused:
        work_orders.update_work_order(ctx, theirs, due_date="2027-03-01")
    assert str(refused.value).startswith(f"The planning of {number} ")
    assert snapshot_counts(ctx.db) == before
