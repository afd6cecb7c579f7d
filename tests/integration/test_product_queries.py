"""The read side of one product: multi-level BOM, where-used, operations, design files, stock by
site and the product search, checked against what the services wrote."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from dmdesk.domain.errors import NotFoundError
from dmdesk.queries import products as q
from dmdesk.services import products, stock, work_orders
from dmdesk.services.context import ServiceContext
from tests.integration.support import Network


def _flat(nodes: list[q.BomNode]) -> list[tuple[int, str, str, str]]:
    out: list[tuple[int, str, str, str]] = []
    for node in nodes:
        out.append((node.level, node.sku, str(node.quantity), str(node.scrap_pct)))
        out += _flat(list(node.children))
    return out


def test_bom_tree_has_every_level_in_sequence_order(ctx: ServiceContext,
                                                    network: Network) -> None:
    with ctx.db.read_session() as session:
        tree = q.bom_tree(session, network.chair)
    assert _flat(tree) == [
        (1, "FRAME", "1.000", "0.000"),
        (2, "STEEL", "2.500", "10.000"),
        (2, "SCREW", "8.000", "0.000"),
        (1, "FABRIC", "0.750", "0.000"),
        (1, "SCREW", "4.000", "0.000"),
    ]
    assert tree[0].parent_id == network.chair and tree[0].children[0].parent_id == network.frame
    assert q.bom_depth(tree) == 2


def test_a_third_level_appears_and_depth_is_bounded(ctx: ServiceContext,
                                                    network: Network) -> None:
    kit = products.create_product(ctx, sku="KIT", name="Lounge set", kind="finished")
    products.add_bom_line(ctx, kit, network.chair, 2)
    with ctx.db.read_session() as session:
        assert q.bom_depth(q.bom_tree(session, kit)) == 3
        assert q.bom_depth(q.bom_tree(session, kit, max_depth=2)) == 2


def test_a_raw_material_has_an_empty_bom(ctx: ServiceContext, network: Network) -> None:
    with ctx.db.read_session() as session:
        assert q.bom_tree(session, network.steel) == []
        assert q.bom_depth([]) == 0


def test_where_used_walks_up_to_every_parent(ctx: ServiceContext, network: Network) -> None:
    with ctx.db.read_session() as session:
        screw = q.where_used(session, network.screw)
        steel = q.where_used(session, network.steel)
        chair = q.where_used(session, network.chair)
    assert [(u.sku, str(u.quantity), [p.sku for p in u.parents]) for u in screw] == [
        ("FRAME", "8.000", ["CHAIR"]), ("CHAIR", "4.000", [])]
    assert [(u.level, u.sku) for u in steel] == [(1, "FRAME")]
    assert [(p.level, p.sku, str(p.quantity)) for p in steel[0].parents] == [(2, "CHAIR", "1.000")]
    assert chair == []


def test_operations_in_sequence(ctx: ServiceContext, network: Network) -> None:
    with ctx.db.read_session() as session:
        rows = q.operations(session, network.frame)
    assert [(r.sequence, r.name, r.capability, str(r.setup_minutes), str(r.run_minutes))
            for r in rows] == [(10, "Cut tubes", "laser-cut", "15.000", "4.500"),
                               (20, "Weld frame", "welding", "0.000", "12.000")]


def test_design_files_list_every_version_newest_first(ctx: ServiceContext,
                                                      network: Network) -> None:
    products.add_design_file(ctx, network.chair, "chair.dxf", b"v1")
    products.add_design_file(ctx, network.chair, "chair.dxf", b"v2 longer")
    products.add_design_file(ctx, network.chair, "assembly.pdf", b"%PDF", "application/pdf")
    with ctx.db.read_session() as session:
        rows = q.design_files(session, network.chair)
        content = q.design_file_content(session, rows[1].id)
    assert [(r.name, r.version, r.size, r.latest) for r in rows] == [
        ("assembly.pdf", 1, 4, True), ("chair.dxf", 2, 9, True), ("chair.dxf", 1, 2, False)]
    assert (content.name, content.version, content.data) == ("chair.dxf", 2, b"v2 longer")
    assert len(rows[1].sha256) == 64


def test_unknown_design_file_and_product_are_refused(ctx: ServiceContext,
                                                     network: Network) -> None:
    with ctx.db.read_session() as session, pytest.raises(NotFoundError):
        q.design_file_content(session, network.hq)
    with ctx.db.read_session() as session, pytest.raises(NotFoundError):
        q.product_header(session, network.hq)


def test_stock_by_site_sums_locations_and_shows_reservations(ctx: ServiceContext,
                                                             network: Network) -> None:
    stock.receive(ctx, network.steel, network.hq_stock, "12.5")
    stock.receive(ctx, network.steel, network.wh_stock, 40)
    stock.receive(ctx, network.screw, network.hq_stock, 100)
    order = work_orders.create_work_order(ctx, network.frame, 2, network.hq, date(2030, 1, 1))
    work_orders.release(ctx, order.id)
    products.set_reorder_point(ctx, network.steel, network.mp, 5)
    with ctx.db.read_session() as session:
        rows = q.stock_by_site(session, network.steel)
    assert [(r.code, r.on_hand, r.reserved, r.available, r.minimum) for r in rows] == [
        ("HQ", Decimal("12.5"), Decimal("5.5"), Decimal("7"), None),
        ("MP1", Decimal(0), Decimal(0), Decimal(0), Decimal(5)),
        ("WH", Decimal(40), Decimal(0), Decimal(40), None),
    ]
    assert [r.below_minimum for r in rows] == [False, True, False]


def test_find_products_matches_words_puts_the_exact_sku_first(ctx: ServiceContext,
                                                              network: Network) -> None:
    products.create_product(ctx, sku="SCREW-LONG", name="Long screw")
    products.create_product(ctx, sku="OLD", name="Old screw")
    products.set_product_archived(ctx, products.create_product(ctx, sku="GONE", name="Screw"))
    with ctx.db.read_session() as session:
        assert [c.sku for c in q.find_products(session, "screw")] == [
            "SCREW", "OLD", "SCREW-LONG"]
        assert [c.sku for c in q.find_products(session, "screw", include_archived=True,
                                               exclude=network.screw)] == [
            "GONE", "OLD", "SCREW-LONG"]
        assert [c.sku for c in q.find_products(session, "long SCREW")] == ["SCREW-LONG"]
        assert q.find_products(session, "%") == []


def test_product_detail_reads_everything_at_once(ctx: ServiceContext,
                                                 network: Network) -> None:
    with ctx.db.read_session() as session:
        units = q.units(session)
        detail = q.product_detail(session, network.steel)
    assert ("m", "metres") in units
    header = detail.header
    assert (header.sku, header.kind, header.unit, header.unit_name) == (
        "STEEL", "raw_material", "m", "metres")
    assert header.standard_cost == Decimal("4.25")
    assert detail.bom == [] and [u.sku for u in detail.used_in] == ["FRAME"]
    assert detail.operations == [] and detail.design_files == [] and detail.stock == []
