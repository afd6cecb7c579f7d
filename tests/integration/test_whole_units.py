"""db.units.whole_units: the unit table decides which units take whole numbers only, and
every check asks it (not a list written into the code)."""

from __future__ import annotations

import pytest

from dmdesk.db import models as m
from dmdesk.db.units import whole_units
from dmdesk.domain.errors import ValidationError
from dmdesk.services import products, stock
from dmdesk.services.context import ServiceContext
from tests.integration.support import Network


def test_the_seeded_counted_units_are_whole(ctx: ServiceContext) -> None:
    with ctx.db.read_session() as session:
        found = whole_units(session)
    assert {"pcs", "set"} <= found and "m" not in found and "kg" not in found


def test_a_unit_the_table_marks_whole_refuses_fractions_at_the_ledger(
        ctx: ServiceContext, network: Network) -> None:
    with ctx.transaction() as uow:
        uow.session.add(m.Unit(code="box", name="Box", whole_only=True))
    crate = products.create_product(ctx, sku="CRATE", name="Crate of screws",
                                    kind="raw_material", unit="box")
    with pytest.raises(ValidationError, match="box"):
        stock.receive(ctx, crate, network.hq_stock, "1.5")
    stock.receive(ctx, crate, network.hq_stock, 2)
    with ctx.db.read_session() as session:
        assert "box" in whole_units(session)
        on_hand = session.get(m.StockBalance, (crate, network.hq_stock, b""))
        assert on_hand is not None and on_hand.on_hand == 2
