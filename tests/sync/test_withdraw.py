"""The client's side of a withdrawal (a producer no longer making a product): the design file
and its bytes leave the database without an outbox row, a moved order forgets the pin, and
the thumbnails cached for those bytes are removed."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from dmdesk.db.database import open_database
from dmdesk.documents.pdf.thumbnails import disk
from dmdesk.server.scope import blob_key
from dmdesk.services import products, work_orders
from dmdesk.services.context import ServiceContext
from dmdesk.sync.merge import Merger
from dmdesk.sync.protocol import Change
from dmdesk.sync.pull import driver
from tests.integration.support import build_network


def _withdraw(seq: int, entity: str, entity_id: str) -> Change:
    return {"seq": seq, "origin": "", "op_id": "", "entity": entity, "entity_id": entity_id,
            "op": "withdraw", "payload": {}, "hlc": "", "schema_version": ""}


def test_a_withdrawn_design_file_leaves_with_its_bytes_and_thumbnails(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DMDESK_CACHE_DIR", str(tmp_path / "cache"))
    db = open_database(tmp_path / "mp.sqlite")
    ctx = ServiceContext(db, actor="test")
    net = build_network(ctx)
    design = products.add_design_file(ctx, net.frame, "frame.pdf", b"%PDF frame")
    order = work_orders.create_work_order(ctx, net.frame, 1, net.mp, date(2026, 12, 1)).id
    with db.reader.connect() as conn:
        sha = conn.exec_driver_sql("SELECT sha256 FROM design_file").scalar_one()
    with db.write_session() as session:  # as a release pins it
        session.connection().exec_driver_sql(
            "UPDATE work_order SET design_file_id = ?", (design.bytes,))
    with db.reader.connect() as conn:
        outbox = conn.exec_driver_sql("SELECT COUNT(*) FROM outbox").scalar_one()
    cached = tmp_path / "cache" / "thumbnails" / f"{sha}-200x200-v{disk.FORMAT}.thumb"
    cached.parent.mkdir(parents=True)
    cached.write_bytes(b"prepared form")
    (cached.parent / f"{'0' * 64}-200x200-v1.thumb").write_bytes(b"another file's")

    with db.write_session() as session:
        merger = Merger(driver(session), datetime.now(UTC))
        result = merger.apply([_withdraw(9, "design_file", design.hex),
                               _withdraw(9, "file_blob", blob_key(sha))])
    for hash_ in result.withdrawn_hashes:
        disk.forget(hash_)

    assert result.applied == 2 and result.withdrawn_hashes == {sha}
    with db.reader.connect() as conn:
        assert conn.exec_driver_sql("SELECT COUNT(*) FROM design_file").scalar_one() == 0
        assert conn.exec_driver_sql("SELECT COUNT(*) FROM file_blob").scalar_one() == 0
        assert conn.exec_driver_sql("SELECT COUNT(*) FROM outbox").scalar_one() == outbox
        assert conn.exec_driver_sql(
            "SELECT design_file_id FROM work_order WHERE id = ?", (order.bytes,)
        ).scalar_one() is None
    assert not cached.exists()
    assert (cached.parent / f"{'0' * 64}-200x200-v1.thumb").exists()
    db.close()
