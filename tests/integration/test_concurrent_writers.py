"""Several writers at once (threads here, processes in the field): BEGIN IMMEDIATE serialises
them, so numbers stay unique and gap-free, the cache equals the ledger and the audit chain
has no fork."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from pathlib import Path

from sqlalchemy import select

from dmdesk.db import models as m
from dmdesk.db.database import open_database
from dmdesk.services import stock
from dmdesk.services.context import ServiceContext
from tests.integration.support import (
    Network,
    assert_cache_matches_ledger,
    audit_chain_problems,
    on_hand,
)

WRITERS, RECEIPTS = 4, 15


def test_concurrent_writers_from_separate_connections(network_template: tuple[Path, Network],
                                                      tmp_path: Path) -> None:
    template, network = network_template
    path = tmp_path / "busy.sqlite"
    path.write_bytes(template.read_bytes())
    databases = [open_database(path) for _ in range(WRITERS)]  # one engine each, like apps

    def write(index: int) -> list[str]:
        ctx = ServiceContext(databases[index], actor=f"writer-{index}")
        references = []
        for _ in range(RECEIPTS):
            references.append(stock.receive(ctx, network.screw, network.hq_stock, 1).reference)
            if index % 2:
                stock.issue(ctx, network.screw, network.hq_stock, 1,
                            override_reason="racing on purpose")
        return references

    try:
        with ThreadPoolExecutor(WRITERS) as pool:
            results = list(pool.map(write, range(WRITERS)))
        db = databases[0]
        references = sorted(r for refs in results for r in refs)
        assert len(set(references)) == WRITERS * RECEIPTS
        issued = WRITERS // 2 * RECEIPTS
        assert set(references) <= {f"HQ-MV-{n:05d}" for n in range(1, WRITERS * RECEIPTS
                                                                    + issued + 1)}
        assert on_hand(db, network.screw, network.hq_stock) == Decimal(WRITERS * RECEIPTS
                                                                       - issued)
        with db.read_session() as session:
            used = set(session.scalars(select(m.StockMove.reference)))
        assert used == {f"HQ-MV-{n:05d}" for n in range(1, WRITERS * RECEIPTS + issued + 1)}
        assert_cache_matches_ledger(db)
        assert audit_chain_problems(db) == []
    finally:
        for database in databases:
            database.close()
