"""The on-hand list paged by keyset from the table whose index gives the order (product for
SKU and name, site for site) lists exactly the rows, in exactly the order, of the old single
query over all balances: every sortable column, both directions, with ties (a product at
many locations and lots, two products of one name, equal quantities), filters and a search,
and the zero balances left out; on a real database file written through the services."""

from __future__ import annotations

import dataclasses
import uuid
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy.orm import Session

from dmdesk.db.database import Database
from dmdesk.queries.lists import ON_HAND
from dmdesk.queries.paging import fetch_page
from dmdesk.services import products, stock
from dmdesk.services.context import ServiceContext
from tests.integration.support import Network

OLD_ON_HAND = dataclasses.replace(ON_HAND, base_by_sort={})  # one query, sorted whole
SORTS = [column.key for column in ON_HAND.columns if column.sortable]


@pytest.fixture
def stocked(ctx: ServiceContext, network: Network) -> Network:
    twins = [products.create_product(ctx, sku=f"TWIN-{n}", name="Twin bracket",
                                     kind="raw_material", unit="pcs") for n in (2, 1)]
    places = (network.hq_stock, network.mp_stock, network.wh_stock)
    lines = []
    for n, product in enumerate((network.steel, network.screw, *twins)):
        lines += [stock.ReceiptLine(product, place, Decimal(5 + (n * k) % 3))
                  for k, place in enumerate(places)]
    lines += [stock.ReceiptLine(network.fabric, place, Decimal("7.5"), f"LOT-{k}")
              for k, place in enumerate(places) for _ in range(2)]
    lines += [stock.ReceiptLine(network.fabric, network.hq_stock, Decimal(2), "LOT-9")]
    stock.receive_many(ctx, lines)
    stock.issue(ctx, network.screw, network.wh_stock, Decimal(5 + 2 % 3))  # a zero balance
    return network


def _keyset_pages(session: Session, page_size: int, **options: Any) -> list[tuple[Any, ...]]:
    rows: list[tuple[Any, ...]] = []
    after = None
    while True:
        page = fetch_page(session, ON_HAND, limit=page_size, after=after, **options)
        rows += [tuple(row) for row in page.rows]
        if not page.has_more:
            return rows
        after = page.last_key


@pytest.mark.parametrize("sort", SORTS)
def test_keyset_pages_equal_the_whole_sorted_list(db: Database, stocked: Network,
                                                  sort: str) -> None:
    cases: list[dict[str, Any]] = [
        {}, {"filters": {"site_id": stocked.hq}}, {"search": "tw"},
        {"filters": {"product_id": stocked.fabric}}, {"search": "lot- hq"},
    ]
    with db.read_session() as session:
        for case in cases:
            for descending in (False, True):
                options = {"sort": sort, "descending": descending, **case}
                whole = [tuple(r) for r in fetch_page(session, OLD_ON_HAND, limit=10_000,
                                                      **options).rows]
                assert whole or case.get("search") == "lot- hq", options
                for page_size in (1, 2, 5):
                    assert _keyset_pages(session, page_size, **options) == whole, (
                        options, page_size)


def test_the_list_has_the_ties_and_leaves_out_zero_balances(db: Database,
                                                            stocked: Network) -> None:
    with db.read_session() as session:
        rows = fetch_page(session, ON_HAND, limit=10_000).rows
    skus = [row.product for row in rows]
    assert skus == sorted(skus) and len(skus) > len(set(skus))  # ties on the sort value
    assert all(row.on_hand != 0 or row.reserved != 0 for row in rows)
    screw_sites = {row.site for row in rows if row.product == "SCREW"}
    assert screw_sites == {"HQ", "MP1"}  # its balance at WH is zero
    names = [row.product_name for row in rows if row.product.startswith("TWIN")]
    assert set(names) == {"Twin bracket"} and len(names) == 6
    assert isinstance(rows[0][-1], int) and not isinstance(rows[0][-1], uuid.UUID)
