"""The read side: every list pages, sorts, searches and filters in SQL; stock figures and
shortages agree with what the services did."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from dmdesk.domain.errors import ValidationError
from dmdesk.queries import lists, paging
from dmdesk.queries import stock as stock_queries
from dmdesk.services import stock, work_orders
from dmdesk.services.context import ServiceContext
from tests.integration.support import Network


@pytest.fixture
def moved(ctx: ServiceContext, network: Network) -> Network:
    for n in range(7):
        stock.receive(ctx, network.screw, network.hq_stock, 10 + n)
    stock.receive(ctx, network.steel, network.wh_stock, "12.5")
    return network


@pytest.mark.parametrize("name", sorted(lists.ALL_LISTS))
def test_every_list_pages_in_both_directions(ctx: ServiceContext, moved: Network,
                                             name: str) -> None:
    spec = lists.ALL_LISTS[name]
    with ctx.db.read_session() as session:
        total = paging.count(session, spec)
        for column in spec.columns:
            up = paging.fetch_page(session, spec, sort=column.key, limit=1000)
            down = paging.fetch_page(session, spec, sort=column.key, descending=True,
                                     limit=1000)
            assert len(up.rows) == total == len(down.rows)
            assert [r[-1] for r in up.rows] == [r[-1] for r in reversed(down.rows)]


def test_keyset_pages_visit_every_move_once_in_ledger_order(ctx: ServiceContext,
                                                             moved: Network) -> None:
    seen = []
    with ctx.db.read_session() as session:
        page = paging.fetch_page(session, lists.MOVES, limit=3)
        seen += [r.reference for r in page.rows]
        while page.has_more:
            page = paging.fetch_page(session, lists.MOVES, limit=3, after=page.last_key)
            seen += [r.reference for r in page.rows]
    assert seen == [f"HQ-MV-{n:05d}" for n in range(1, 9)]


def test_search_matches_every_word_and_is_case_insensitive(ctx: ServiceContext,
                                                           network: Network) -> None:
    with ctx.db.read_session() as session:
        rows = paging.fetch_page(session, lists.PRODUCTS, search="CHAIR lounge").rows
        assert [r.sku for r in rows] == ["CHAIR"]
        assert paging.fetch_page(session, lists.PRODUCTS, search="lounge nothing").rows == []
        # Wildcards typed by the user are literal characters, not patterns.
        assert paging.fetch_page(session, lists.PRODUCTS, search="%").rows == []


def test_filters_narrow_and_unknown_names_are_refused(ctx: ServiceContext,
                                                      moved: Network) -> None:
    with ctx.db.read_session() as session:
        rows = paging.fetch_page(session, lists.ON_HAND, filters={"site_id": moved.wh}).rows
        assert [(r.product, r.on_hand) for r in rows] == [("STEEL", Decimal("12.5"))]
        with pytest.raises(ValidationError, match="no filter 'colour'"):
            paging.fetch_page(session, lists.PRODUCTS, filters={"colour": "red"})
        with pytest.raises(ValidationError, match="no column 'weight'"):
            paging.fetch_page(session, lists.PRODUCTS, sort="weight")


def test_figures_and_shortages_follow_reservations(ctx: ServiceContext,
                                                   network: Network) -> None:
    stock.receive(ctx, network.steel, network.hq_stock, "30")
    stock.receive(ctx, network.screw, network.hq_stock, "50")
    wo = work_orders.create_work_order(ctx, network.frame, 10, network.hq, date(2027, 1, 15))
    with ctx.db.read_session() as session:
        # 10 frames need 2.5 m x 10 x 1.10 = 27.5 m steel and 80 screws: screws are short.
        short = stock_queries.work_order_shortages(session, wo.id)
        assert [(s.sku, s.required, s.missing) for s in short] == [
            ("SCREW", Decimal("80"), Decimal("30"))]
    stock.receive(ctx, network.screw, network.hq_stock, "30")
    work_orders.release(ctx, wo.id)
    with ctx.db.read_session() as session:
        steel = stock_queries.figures(session, network.steel, site_id=network.hq)
        assert (steel.on_hand, steel.reserved, steel.available) == (
            Decimal("30"), Decimal("27.5"), Decimal("2.5"))
        assert stock_queries.work_order_shortages(session, wo.id) == []


def test_move_history_searches_by_sku_or_full_reference(ctx: ServiceContext,
                                                        moved: Network) -> None:
    with ctx.db.read_session() as session:
        by_sku = paging.fetch_page(session, lists.MOVES, search="ste").rows
        assert {r.product for r in by_sku} == {"STEEL"}
        by_reference = paging.fetch_page(session, lists.MOVES, search="hq-mv-00003").rows
        assert [r.reference for r in by_reference] == ["HQ-MV-00003"]
        # Part of a reference is not a search key (it would scan the whole ledger).
        assert paging.fetch_page(session, lists.MOVES, search="MV-0000").rows == []


def test_only_time_order_is_offered_for_the_ledger() -> None:
    sortable = [c.key for c in lists.MOVES.columns if c.sortable]
    assert sortable == ["created_at"]
    assert lists.MOVES.column("created_at").sort_by is not None
