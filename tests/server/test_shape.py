"""The server refuses (422) an op the merge at the sites could not apply, and stores nothing
of its batch; every synced table's real rows still go through (dmdesk.server.shape)."""

from __future__ import annotations

import time
from collections import Counter
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from dmdesk.db import models as m
from dmdesk.db.database import open_database
from dmdesk.db.models_network import QualityCheck, WorkOrderReroute
from dmdesk.demo import build_demo
from dmdesk.demo.params import ScaleParams
from dmdesk.domain.hlc import HLC
from dmdesk.server.storage import open_store, ops
from dmdesk.services.context import ServiceContext
from dmdesk.sync import client
from tests.server import ops as o
from tests.sync.support import SYNCED_TABLES
from tests.sync_server_process import RunningServer

END = "Nothing of this batch was stored."
HOUR_MS = 3600 * 1000


def server_ops(server: RunningServer) -> Counter[str]:
    """The server_op rows, by entity, read from the server's own database."""
    store = open_store(server.db_url)
    try:
        with store.read() as connection:
            rows = connection.execute(
                select(ops.c.entity, func.count()).group_by(ops.c.entity)).all()
            return Counter({str(entity): int(count) for entity, count in rows})
    finally:
        store.dispose()


def push(server: RunningServer, token: str, batch: list[dict[str, Any]]) -> tuple[int, Any]:
    return server.request("POST", "/v1/push", token, {"ops": batch})


def changed(base: dict[str, Any], **payload: Any) -> dict[str, Any]:
    return {**base, "payload": {**base["payload"], **payload}}


def without(base: dict[str, Any], *names: str) -> dict[str, Any]:
    return {**base, "payload": {k: v for k, v in base["payload"].items() if k not in names}}


def stamped(base: dict[str, Any], wall_ms: int) -> dict[str, Any]:
    return {**base, "hlc": HLC(wall_ms, 0, "HQ").encode()}


KEY, OTHER = o.new_key(), o.new_key()
SITE = o.site("S1")
MOVE = o.move(KEY, OTHER, "2")
BLOB = o.op("file_blob", sha256="ab" * 32, size=1, data="ab")
# case -> (the op, what the refusal must say besides naming the op)
CASES: dict[str, tuple[dict[str, Any], str]] = {
    "unknown column, no name": (
        o.op("contact", kind="person", role="customer", nickname="Bo"),
        "contact has no column nickname"),
    "no name": (o.op("contact", kind="person", role="customer"), "field name is missing"),
    "float quantity": (changed(MOVE, quantity=1.5), "field quantity must be a decimal number"),
    "too many decimals": (changed(MOVE, quantity="0.0001"), "at most 3 decimal places"),
    "quantity too large": (changed(MOVE, quantity="9" * 30), "field quantity is too large"),
    "not a number": (changed(MOVE, quantity="NaN"), "field quantity must be a decimal"),
    "naive time": (changed(MOVE, created_at="2026-11-25T00:00:00"),
                   "field created_at must be an ISO 8601 date and time with its time zone"),
    "garbled time": (changed(MOVE, created_at="2026-11-25Tab:cd:ef.ghijkl+00:00"),
                     "field created_at must be an ISO 8601"),
    "no such date": (changed(SITE, created_at="2026-02-30T00:00:00+00:00"),
                     "field created_at must be"),
    "bad date": (o.op("customer_order", number="O-1", customer_id=KEY, due_date="2026-02-30"),
                 "field due_date must be a date"),
    "text for a boolean": (changed(SITE, archived="no"), "field archived must be true or false"),
    "text for an integer": (o.op("bom_line", parent_id=KEY, component_id=OTHER,
                                 quantity="1", sequence="10"),
                            "field sequence must be a whole number"),
    "code too long": (o.site("TOOLONG"), "field code is 7 characters long, more than the 6"),
    "not an id": (changed(MOVE, location_id="XYZ"), "field location_id must be an id of 32"),
    "upper-case id": (changed(MOVE, location_id=KEY.upper()), "field location_id must be an id"),
    "null name": (changed(SITE, name=None), "field name may not be empty (null)"),
    "number for text": (changed(SITE, name=12), "field name must be text"),
    "update moves the key": (o.op("site", "update", KEY, id=OTHER),
                             "field id is '" + OTHER + "', not the row's key"),
    "insert of another key": ({**SITE, "entity_id": OTHER}, "not the row's key"),
    "short entity_id": ({**SITE, "entity_id": "abcd"}, "entity_id must be an id of 32 hex"),
    "unknown table": (o.op("some_future_table", name="x"),
                      "some_future_table is not a table this version of dmdesk syncs"),
    "delete with fields": (changed(o.op("site", "delete", KEY), name="x"),
                           "a delete carries no fields"),
    "text key as a uuid": ({**BLOB, "entity_id": KEY}, "entity_id is not a key of file_blob"),
    "bytes not hex": (changed(BLOB, data="abc"), "field data must be bytes written as"),
    "hlc not as dmdesk writes it": ({**SITE, "hlc": "9-0-HQ"}, "clock stamp (hlc) '9-0-HQ'"),
    "hlc with a sign": ({**SITE, "hlc": "+01795565364888-000000000-HQ"}, "is not of the form"),
    "hlc a week ahead": (stamped(SITE, int(time.time() * 1000) + 7 * 24 * HOUR_MS),
                         # how far exactly: the next test (this one is built at collection)
                         "ahead of the server's clock (hlc 0"),
}


@pytest.fixture
def owner(server: RunningServer) -> str:
    return server.add_site("HQ", role="owner")


def test_ops_the_merge_could_not_apply_get_422_naming_them(server: RunningServer,
                                                           owner: str) -> None:
    fine = [o.site("G1"), o.site("G2")]
    for case, (bad, says) in CASES.items():
        status, reply = push(server, owner, [*fine, bad])
        assert status == 422, (case, reply)
        detail = reply["detail"]
        named = f"op 3 ({bad['op']} {bad['entity']} {bad['entity_id']}, op id {bad['op_id']})"
        assert detail.startswith(f"{named} cannot be stored: "), (case, detail)
        assert says in detail, (case, detail)
        assert detail.endswith(END) and detail.count(". ") == 1, (case, detail)
        assert server_ops(server) == Counter(), case
    # The same batch without the bad op goes in: the checks refused that op, not the rest.
    assert push(server, owner, fine)[0] == 200
    assert server_ops(server) == Counter(site=2)


def test_an_op_a_few_minutes_ahead_passes_one_hours_ahead_does_not(server: RunningServer,
                                                                  owner: str) -> None:
    now = int(time.time() * 1000)
    soon = stamped(o.site("S1"), now + 2 * 60 * 1000)  # within MAX_CLOCK_SKEW_MS
    later = stamped(o.site("S2"), now + 2 * HOUR_MS + 5 * 60 * 1000)
    status, reply = push(server, owner, [soon, later])
    assert status == 422, reply
    assert f"op 2 (insert site {later['entity_id']}" in reply["detail"]
    assert "stamped 2 h 5 min ahead of the server's clock" in reply["detail"]
    assert server_ops(server) == Counter()
    assert push(server, owner, [soon])[0] == 200


def test_a_site_row_may_not_take_another_sites_code(server: RunningServer, owner: str) -> None:
    mp1, mp2, transit = o.site("MP1", "micro_producer"), o.site("MP2", "micro_producer"), \
        o.site("TRN", "in_transit")
    assert push(server, owner, [mp1, mp2, transit])[0] == 200
    site_token = server.add_site("MP2")
    stored = server_ops(server)

    def refused(token: str, batch: list[dict[str, Any]], says: str) -> None:
        status, reply = push(server, token, batch)
        assert status == 422, reply
        assert f"op {len(batch)} ({batch[-1]['op']} site {batch[-1]['entity_id']}" \
            in reply["detail"]
        assert says in reply["detail"] and reply["detail"].endswith(END)
        assert server_ops(server) == stored

    # The case found: a site pushes an in-transit site coded like another site.
    refused(site_token, [o.site("MP1", "in_transit")],
            f"field code is 'MP1', which site row {mp1['entity_id']} already has")
    # A second in-transit site, made at a site that had not received the first one yet.
    refused(site_token, [o.site("TRN", "in_transit")],
            f"the network's in-transit site is already row {transit['entity_id']}")
    # The owner too; a rename onto a taken code; two new rows coded alike in one batch.
    refused(owner, [o.site("MP2")], f"site row {mp2['entity_id']} already has")
    refused(owner, [o.op("site", "update", mp2["entity_id"], code="MP1")],
            f"site row {mp1['entity_id']} already has")
    twins = [o.site("NEW"), o.site("NEW")]
    refused(owner, twins, f"site row {twins[0]['entity_id']} already has")
    # The same row again, and a code freed earlier in the batch, are fine.
    freed = [o.op("site", "update", mp1["entity_id"], code="MP9"), o.site("MP1")]
    again = o.op("site", "insert", transit["entity_id"], code="TRN", name="In transit",
                 kind="in_transit")
    assert push(server, owner, [again, *freed])[0] == 200


def _the_tables_the_demo_leaves_out(ctx: ServiceContext) -> None:
    """A unit, a quality check and a reroute, written through the ORM as services do (so
    change capture puts them in the outbox)."""
    with ctx.transaction() as uow:
        session = uow.session
        order = session.query(m.WorkOrder).order_by(m.WorkOrder.number).first()
        assert order is not None
        other = session.query(m.Site).filter(m.Site.id != order.site_id,
                                             m.Site.kind != "in_transit").first()
        assert other is not None
        session.add(m.Unit(code="CRATE7", name="Crate of 7"))
        session.add(QualityCheck(
            work_order_id=order.id, site_id=order.site_id, name="Width", unit="mm",
            target=Decimal(10), tolerance=Decimal("0.5"), measured=Decimal("10.2"),
            passed=True, actor="test"))
        session.add(WorkOrderReroute(
            work_order_id=order.id, from_site_id=order.site_id, to_site_id=other.id,
            state="moved", actor="test"))


def test_a_real_outbox_of_every_synced_table_is_accepted(server: RunningServer,
                                                         tmp_path: Path) -> None:
    db = open_database(tmp_path / "site.sqlite")
    try:
        ctx = ServiceContext(db, actor="test")
        build_demo(ctx, "large", params=ScaleParams(
            products=60, moves=300, work_orders=6, customers=2, customer_orders=2, days=30))
        _the_tables_the_demo_leaves_out(ctx)
        with db.reader.connect() as connection:
            outbox = Counter({str(entity): int(count) for entity, count in connection
                              .exec_driver_sql("SELECT entity, COUNT(*) FROM outbox "
                                               "GROUP BY entity").all()})
        assert set(outbox) == set(SYNCED_TABLES)  # the test covers every table
        # The demo's own site is its warehouse WH; as an owner it may write every table.
        client.setup(db, server.base_url, server.add_site("WH", role="owner"))
        report = client.run_sync(db, pull=False)
        assert report.refused == 0
        assert server_ops(server) == outbox
    finally:
        db.close()

