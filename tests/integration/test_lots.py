"""Renaming a lot (services/lots.py and `dmdesk lot rename`): the code changes in place, with
an outbox row and an audit entry in the same transaction; refusals write nothing."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import select

from dmdesk import cli
from dmdesk.db import models as m
from dmdesk.domain.errors import DuplicateError, NotFoundError, ValidationError
from dmdesk.services import lots, stock
from dmdesk.services.context import ServiceContext
from tests.integration.support import (
    Network,
    assert_cache_matches_ledger,
    audit_entries,
    db_fingerprint,
    max_seq,
    on_hand,
    outbox_entities,
)


def _lots(ctx: ServiceContext, product_id: uuid.UUID) -> dict[str, uuid.UUID]:
    with ctx.db.read_session() as session:
        return {lot.code: lot.id for lot in session.scalars(
            select(m.Lot).where(m.Lot.product_id == product_id))}


@pytest.fixture
def lotted(ctx: ServiceContext, network: Network) -> dict[str, uuid.UUID]:
    stock.receive(ctx, network.fabric, network.hq_stock, "5", lot_code="L1")
    stock.receive(ctx, network.fabric, network.hq_stock, "2", lot_code="L2")
    stock.receive(ctx, network.steel, network.hq_stock, "4", lot_code="L3")
    return _lots(ctx, network.fabric)


def test_rename_changes_the_code_with_an_outbox_row_and_an_audit_entry(
        ctx: ServiceContext, network: Network, lotted: dict[str, uuid.UUID]) -> None:
    outbox_before = max_seq(ctx.db, "outbox")
    done = lots.rename_lot(ctx, lotted["L1"], "  L1-HQ ")
    assert (done.sku, done.old_code, done.new_code) == ("FABRIC", "L1", "L1-HQ")
    assert _lots(ctx, network.fabric) == {"L1-HQ": lotted["L1"], "L2": lotted["L2"]}
    assert outbox_entities(ctx.db, outbox_before) == [("lot", "update")]
    with ctx.db.read_session() as session:
        payload = session.scalars(select(m.OutboxOp.payload).where(
            m.OutboxOp.seq > outbox_before)).one()
    assert '"code":"L1-HQ"' in payload
    entry = audit_entries(ctx.db)[-1]
    assert (entry.action, entry.entity, entry.entity_id) == ("rename", "lot", lotted["L1"])
    assert '"L1", "L1-HQ"' in entry.details and "FABRIC" in entry.details
    # Stock follows the lot (by id): same quantity under the new code; ledger untouched.
    assert on_hand(ctx.db, network.fabric, network.hq_stock, lotted["L1"]) == 5
    assert_cache_matches_ledger(ctx.db)
    # A new receipt under the old code makes a new lot, not the renamed one.
    stock.receive(ctx, network.fabric, network.hq_stock, "1", lot_code="L1")
    assert set(_lots(ctx, network.fabric)) == {"L1", "L1-HQ", "L2"}


def test_rename_by_sku_and_code_and_the_same_code_on_another_product_is_fine(
        ctx: ServiceContext, network: Network, lotted: dict[str, uuid.UUID]) -> None:
    done = lots.rename_lot_by_code(ctx, "FABRIC", "L2", "L3")  # L3 is STEEL's, not FABRIC's
    assert done.lot_id == lotted["L2"]
    assert set(_lots(ctx, network.fabric)) == {"L1", "L3"}
    assert set(_lots(ctx, network.steel)) == {"L3"}


REFUSALS = {
    "taken": (DuplicateError, "Product FABRIC already has a lot 'L2'; choose another code."),
    "empty": (ValidationError, "A lot code must be 1 to 60 characters."),
    "too-long": (ValidationError, "A lot code must be 1 to 60 characters."),
    "same": (ValidationError, "Lot 'L1' of FABRIC already has that code"),
    "unknown-id": (NotFoundError, "Unknown lot: "),
    "unknown-code": (NotFoundError, "Product FABRIC has no lot 'L9'."),
    "unknown-sku": (NotFoundError, "There is no product with SKU 'NOPE'."),
}


@pytest.mark.parametrize("case", list(REFUSALS))
def test_refusals_name_the_problem_and_write_nothing(
        ctx: ServiceContext, lotted: dict[str, uuid.UUID], case: str) -> None:
    calls: dict[str, Callable[[], object]] = {
        "taken": lambda: lots.rename_lot_by_code(ctx, "FABRIC", "L1", "L2"),
        "empty": lambda: lots.rename_lot(ctx, lotted["L1"], "   "),
        "too-long": lambda: lots.rename_lot(ctx, lotted["L1"], "X" * 61),
        "same": lambda: lots.rename_lot(ctx, lotted["L1"], " L1 "),
        "unknown-id": lambda: lots.rename_lot(ctx, uuid.uuid4(), "L5"),
        "unknown-code": lambda: lots.rename_lot_by_code(ctx, "FABRIC", "L9", "L5"),
        "unknown-sku": lambda: lots.rename_lot_by_code(ctx, "NOPE", "L1", "L5"),
    }
    error, message = REFUSALS[case]
    before = db_fingerprint(ctx.db)
    with pytest.raises(error) as raised:
        calls[case]()
    assert str(raised.value).startswith(message)
    assert db_fingerprint(ctx.db) == before


def test_lot_codes_on_receipt_follow_the_same_rule(ctx: ServiceContext,
                                                   network: Network) -> None:
    before = db_fingerprint(ctx.db)
    with pytest.raises(ValidationError, match="1 to 60 characters"):
        stock.receive(ctx, network.fabric, network.hq_stock, "1", lot_code="Y" * 61)
    assert db_fingerprint(ctx.db) == before


def test_the_lot_rename_command(ctx: ServiceContext, network: Network,
                                lotted: dict[str, uuid.UUID], db_path: Path,
                                capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["lot", "rename", "FABRIC", "L1", "L1-HQ", "--db", str(db_path)]
    assert cli.main(argv) == 0
    assert "Renamed lot L1 of FABRIC to L1-HQ." in capsys.readouterr().out
    assert _lots(ctx, network.fabric)["L1-HQ"] == lotted["L1"]
    before = db_fingerprint(ctx.db)
    assert cli.main(["lot", "rename", "FABRIC", "L1-HQ", "L2", "--db", str(db_path)]) == 1
    assert capsys.readouterr().err.strip() == (
        "dmdesk: Product FABRIC already has a lot 'L2'; choose another code.")
    assert cli.main(["lot", "rename", "FABRIC", "L7", "L8", "--db", str(db_path)]) == 1
    assert "Product FABRIC has no lot 'L7'." in capsys.readouterr().err
    assert db_fingerprint(ctx.db) == before
