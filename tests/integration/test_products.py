"""Products, bills of materials, operations and design files."""

from __future__ import annotations

import hashlib
import uuid

import pytest
from sqlalchemy import select

from dmdesk.db import models as m
from dmdesk.db.database import Database
from dmdesk.domain.errors import DuplicateError, NotFoundError, ReferencedError, ValidationError
from dmdesk.services import products, stock
from dmdesk.services.context import ServiceContext
from tests.integration.support import (
    Network,
    audit_entries,
    count_rows,
    max_seq,
    outbox_entities,
    snapshot_counts,
)


def _product(db: Database, product_id: uuid.UUID) -> m.Product | None:
    with db.read_session() as session:
        return session.get(m.Product, product_id)


def _bom(db: Database, parent_id: uuid.UUID) -> list[tuple[uuid.UUID, str]]:
    with db.read_session() as session:
        return [(c, str(q)) for c, q in session.execute(
            select(m.BomLine.component_id, m.BomLine.quantity)
            .where(m.BomLine.parent_id == parent_id).order_by(m.BomLine.sequence))]


# --- products ------------------------------------------------------------------------------


def test_create_product_with_defaults(ctx: ServiceContext) -> None:
    product_id = products.create_product(ctx, sku=" BOLT-10 ", name="Bolt", price="0.3333")
    product = _product(ctx.db, product_id)
    assert product is not None
    assert (product.sku, product.kind, product.unit) == ("BOLT-10", "component", "pcs")
    assert str(product.price) == "0.3333"
    assert not product.lot_tracked and not product.archived
    assert outbox_entities(ctx.db) == [("product", "insert")]


@pytest.mark.parametrize("sku", ["STEEL", "steel", "Steel", "  sTeEl "])
def test_duplicate_sku_is_refused_whatever_the_case(ctx: ServiceContext, network: Network,
                                                    sku: str) -> None:
    before = snapshot_counts(ctx.db)
    with pytest.raises(DuplicateError, match=r"SKU .* is already taken") as caught:
        products.create_product(ctx, sku=sku, name="Another steel")
    assert caught.value.field == "sku"
    assert snapshot_counts(ctx.db) == before


def test_changing_a_sku_to_a_taken_one_is_refused(ctx: ServiceContext,
                                                  network: Network) -> None:
    products.update_product(ctx, network.screw, sku="screw")  # its own SKU in another case
    with pytest.raises(DuplicateError):
        products.update_product(ctx, network.screw, sku="Frame")
    product = _product(ctx.db, network.screw)
    assert product is not None and product.sku == "screw"


def test_unknown_unit_is_refused_with_the_known_units(ctx: ServiceContext) -> None:
    with pytest.raises(ValidationError) as caught:
        products.create_product(ctx, sku="X1", name="X", unit="boxes")
    assert str(caught.value) == ("Unknown unit 'boxes'. Known units: g, h, kg, l, m, m2, ml, mm, "
                                 "pcs, set.")
    assert caught.value.field == "unit"
    assert count_rows(ctx.db, "product") == 0


def test_unit_can_change_until_the_product_has_stock_moves(ctx: ServiceContext,
                                                           network: Network) -> None:
    products.update_product(ctx, network.steel, unit="mm")
    products.update_product(ctx, network.steel, unit="m")
    with pytest.raises(ValidationError, match="Known units"):
        products.update_product(ctx, network.steel, unit="furlong")
    stock.receive(ctx, network.steel, network.hq_stock, "1.5")
    before = snapshot_counts(ctx.db)
    with pytest.raises(ValidationError, match="has stock moves cannot change") as caught:
        products.update_product(ctx, network.steel, unit="kg", name="renamed too")
    assert caught.value.field == "unit"
    product = _product(ctx.db, network.steel)
    assert product is not None and (product.unit, product.name) == ("m", "Steel tube 20 mm")
    assert snapshot_counts(ctx.db) == before
    products.update_product(ctx, network.steel, unit="m", name="Steel tube")  # same unit: fine


@pytest.mark.parametrize(("values", "field"), [
    ({"sku": "", "name": "x"}, "sku"),
    ({"sku": "A" * 41, "name": "x"}, "sku"),
    ({"sku": "A1", "name": " "}, "name"),
    ({"sku": "A1", "name": "x", "kind": "gadget"}, "kind"),
    ({"sku": "A1", "name": "x", "price": 9.99}, "price"),
    ({"sku": "A1", "name": "x", "standard_cost": "-1"}, "standard_cost"),
    ({"sku": "A1", "name": "x", "standard_cost": "0.00001"}, "standard_cost"),
    ({"sku": "A1", "name": "x", "lot_tracked": "yes"}, "lot_tracked"),
])
def test_invalid_product_values_are_refused(ctx: ServiceContext, values: dict[str, object],
                                            field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        products.create_product(ctx, **values)
    assert caught.value.field == field
    assert count_rows(ctx.db, "product") == 0


def test_archive_and_restore(ctx: ServiceContext, network: Network) -> None:
    products.set_product_archived(ctx, network.chair)
    product = _product(ctx.db, network.chair)
    assert product is not None and product.archived
    products.set_product_archived(ctx, network.chair, archived=False)
    product = _product(ctx.db, network.chair)
    assert product is not None and not product.archived
    actions = [e.action for e in audit_entries(ctx.db) if e.entity_id == network.chair]
    assert actions == ["create", "archive", "restore"]


def test_delete_an_unreferenced_product(ctx: ServiceContext) -> None:
    product_id = products.create_product(ctx, sku="TEMP", name="Typo")
    seq = max_seq(ctx.db, "outbox")
    products.delete_product(ctx, product_id)
    assert _product(ctx.db, product_id) is None
    assert outbox_entities(ctx.db, seq) == [("product", "delete")]
    assert audit_entries(ctx.db)[-1].action == "delete"


@pytest.mark.parametrize("referenced_by", ["bom", "stock"])
def test_delete_of_a_referenced_product_is_refused(ctx: ServiceContext, network: Network,
                                                   referenced_by: str) -> None:
    target = network.fabric if referenced_by == "bom" else products.create_product(
        ctx, sku="LOOSE", name="Loose part")
    if referenced_by == "stock":
        stock.receive(ctx, target, network.hq_stock, 3)
    before = snapshot_counts(ctx.db)
    with pytest.raises(ReferencedError, match="archive it instead"):
        products.delete_product(ctx, target)
    assert _product(ctx.db, target) is not None
    assert snapshot_counts(ctx.db) == before


def test_delete_of_an_unknown_product(ctx: ServiceContext) -> None:
    with pytest.raises(NotFoundError):
        products.delete_product(ctx, uuid.uuid4())


# --- bill of materials ----------------------------------------------------------------------


def test_bom_cycle_is_refused(ctx: ServiceContext) -> None:
    a, b, c = (products.create_product(ctx, sku=s, name=s) for s in "ABC")
    products.add_bom_line(ctx, a, b, 1)
    products.add_bom_line(ctx, b, c, 2)
    before = snapshot_counts(ctx.db)
    with pytest.raises(ValidationError, match="would contain itself") as caught:
        products.add_bom_line(ctx, c, a, 1)  # A -> B -> C -> A
    assert caught.value.field == "component"
    with pytest.raises(ValidationError, match="would contain itself"):
        products.add_bom_line(ctx, a, a, 1)
    assert snapshot_counts(ctx.db) == before
    assert count_rows(ctx.db, "bom_line") == 2


def test_duplicate_bom_line_is_refused(ctx: ServiceContext, network: Network) -> None:
    before = snapshot_counts(ctx.db)
    with pytest.raises(ValidationError, match="already in the BOM of FRAME"):
        products.add_bom_line(ctx, network.frame, network.steel, 3)
    assert snapshot_counts(ctx.db) == before


def test_bom_lines_keep_order_and_exact_quantities(ctx: ServiceContext,
                                                   network: Network) -> None:
    assert _bom(ctx.db, network.frame) == [(network.steel, "2.500"), (network.screw, "8.000")]
    glue = products.create_product(ctx, sku="GLUE", name="Glue", unit="ml",
                                   kind="raw_material")
    line = products.add_bom_line(ctx, network.frame, glue, "12.5", sequence=5)
    assert _bom(ctx.db, network.frame)[0] == (glue, "12.500")
    products.update_bom_line(ctx, line, quantity="13")
    assert _bom(ctx.db, network.frame)[0] == (glue, "13.000")
    products.remove_bom_line(ctx, line)
    assert [c for c, _ in _bom(ctx.db, network.frame)] == [network.steel, network.screw]


@pytest.mark.parametrize(("quantity", "scrap"), [(0, 0), ("-1", 0), (1.5, 0), ("1", 100),
                                                 ("1", "-5"), ("0.0001", 0)])
def test_invalid_bom_quantities_are_refused(ctx: ServiceContext, network: Network,
                                            quantity: object, scrap: object) -> None:
    glue = products.create_product(ctx, sku="GLUE", name="Glue", unit="ml")
    with pytest.raises(ValidationError):
        products.add_bom_line(ctx, network.frame, glue, quantity, scrap_pct=scrap)
    assert len(_bom(ctx.db, network.frame)) == 2


def test_an_archived_component_cannot_enter_a_bom(ctx: ServiceContext,
                                                  network: Network) -> None:
    old = products.create_product(ctx, sku="OLD", name="Discontinued")
    products.set_product_archived(ctx, old)
    with pytest.raises(ValidationError, match="archived"):
        products.add_bom_line(ctx, network.chair, old, 1)


def test_unknown_bom_component(ctx: ServiceContext, network: Network) -> None:
    with pytest.raises(NotFoundError):
        products.add_bom_line(ctx, network.chair, uuid.uuid4(), 1)


# --- operations -------------------------------------------------------------------------------


def test_operations_are_numbered_in_tens_and_unique(ctx: ServiceContext,
                                                    network: Network) -> None:
    with ctx.db.read_session() as session:
        ops = session.execute(select(m.Operation.sequence, m.Operation.name).where(
            m.Operation.product_id == network.frame).order_by(m.Operation.sequence)).all()
    assert [tuple(o) for o in ops] == [(10, "Cut tubes"), (20, "Weld frame")]
    with pytest.raises(ValidationError, match="Operation 20 already exists"):
        products.add_operation(ctx, network.frame, sequence=20, name="Paint")
    op = products.add_operation(ctx, network.frame, name="Paint", capability="painting")
    products.update_operation(ctx, op, run_minutes="7.25")
    with ctx.db.read_session() as session:
        added = session.get_one(m.Operation, op)
    assert (added.sequence, str(added.run_minutes)) == (30, "7.250")
    products.remove_operation(ctx, op)
    assert count_rows(ctx.db, "operation") == 4


# --- design files -------------------------------------------------------------------------------


def test_design_file_versions_increment_and_contents_are_stored_once(
        ctx: ServiceContext, network: Network) -> None:
    drawing = b"%PDF-1.7 frame drawing rev A"
    first = products.add_design_file(ctx, network.frame, "frame.pdf", drawing,
                                     media_type="application/pdf")
    second = products.add_design_file(ctx, network.frame, "frame.pdf", b"rev B")
    third = products.add_design_file(ctx, network.frame, "frame.pdf", drawing)  # back to A
    other_name = products.add_design_file(ctx, network.frame, "frame.step", b"rev B")
    other_product = products.add_design_file(ctx, network.chair, "frame.pdf", drawing)
    with ctx.db.read_session() as session:
        versions = {d.id: (d.product_id, d.name, d.version, d.sha256)
                    for d in session.scalars(select(m.DesignFile))}
        blobs = {b.sha256: (b.size, b.data) for b in session.scalars(select(m.FileBlob))}
    sha_a = hashlib.sha256(drawing).hexdigest()
    sha_b = hashlib.sha256(b"rev B").hexdigest()
    assert versions == {
        first: (network.frame, "frame.pdf", 1, sha_a),
        second: (network.frame, "frame.pdf", 2, sha_b),
        third: (network.frame, "frame.pdf", 3, sha_a),
        other_name: (network.frame, "frame.step", 1, sha_b),
        other_product: (network.chair, "frame.pdf", 1, sha_a),
    }
    assert blobs == {sha_a: (len(drawing), drawing), sha_b: (5, b"rev B")}
    assert [e.action for e in audit_entries(ctx.db)].count("add_design_file") == 5


def test_design_file_contents_must_be_bytes(ctx: ServiceContext, network: Network) -> None:
    with pytest.raises(ValidationError, match="must be bytes"):
        products.add_design_file(ctx, network.frame, "a.txt", "text")  # type: ignore[arg-type]
    with pytest.raises(ValidationError):
        products.add_design_file(ctx, network.frame, "  ", b"x")
    with pytest.raises(NotFoundError):
        products.add_design_file(ctx, uuid.uuid4(), "a.txt", b"x")
    assert count_rows(ctx.db, "file_blob") == 0


# --- reorder points ---------------------------------------------------------------------------


def test_reorder_point_is_one_row_per_product_and_site(ctx: ServiceContext,
                                                       network: Network) -> None:
    products.set_reorder_point(ctx, network.steel, network.hq, "50", "100")
    products.set_reorder_point(ctx, network.steel, network.hq, "60")
    products.set_reorder_point(ctx, network.steel, network.mp, "5")
    with ctx.db.read_session() as session:
        rows = session.execute(select(m.ReorderPoint.site_id, m.ReorderPoint.minimum,
                                      m.ReorderPoint.reorder_quantity)).all()
    assert sorted((s, str(a), str(b)) for s, a, b in rows) == sorted([
        (network.hq, "60.000", "0.000"), (network.mp, "5.000", "0.000")])


def test_renumbering_an_operation_onto_another_is_refused_cleanly(
        ctx: ServiceContext, network: Network) -> None:
    """A clash must come back as a message for the user, not as a database error."""
    with ctx.db.read_session() as session:
        weld = session.scalars(select(m.Operation.id).where(
            m.Operation.product_id == network.frame, m.Operation.sequence == 20)).one()
    with pytest.raises(ValidationError, match="10"):
        products.update_operation(ctx, weld, sequence=10)
    products.update_operation(ctx, weld, sequence=30)
