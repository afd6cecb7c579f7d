"""The refused changes still to take back are looked up at every push (sync/revert.py): the
look-up reads a partial index of those rows, never the whole outbox (2.5 s a push on the
large demo's 1.48 million rows when it scanned)."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from sqlalchemy import event

from dmdesk.db.database import open_database
from dmdesk.services import products
from dmdesk.services.context import ServiceContext
from dmdesk.sync.revert import mark_refused, to_revert


def test_the_refused_changes_to_take_back_are_found_through_their_index(
        tmp_path: Path) -> None:
    db = open_database(tmp_path / "site.sqlite")
    try:
        ctx = ServiceContext(db, actor="test")
        for n in range(3):
            products.create_product(ctx, sku=f"P{n}", name=f"Product {n}", kind="finished",
                                    unit="pcs")
        with db.reader.connect() as conn:
            seq, op_id = conn.exec_driver_sql(
                "SELECT seq, op_id FROM outbox ORDER BY seq DESC LIMIT 1").one()
        mark_refused(db, seq, uuid.UUID(bytes=op_id).hex, "not yours")
        seen: list[tuple[str, Any]] = []

        def capture(_conn: Any, _cursor: Any, statement: str, parameters: Any,
                    _context: Any, _many: bool) -> None:
            if "FROM outbox" in statement:
                seen.append((statement, parameters))

        event.listen(db.reader, "before_cursor_execute", capture)
        try:
            found = to_revert(db)
        finally:
            event.remove(db.reader, "before_cursor_execute", capture)
        assert [r.seq for r in found] == [seq] and found[0].reason == "not yours"
        statement, parameters = seen[0]
        with db.reader.connect() as conn:
            plan = [str(row[3]) for row in conn.exec_driver_sql(
                f"EXPLAIN QUERY PLAN {statement}", parameters)]
        # Walking the partial index is fine (it holds only those rows); the table is not.
        assert plan and all("ix_outbox_to_revert" in step for step in plan), plan
    finally:
        db.close()
