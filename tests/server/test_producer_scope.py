"""Role producer on a real server: crafted pulls get only its own work (projected), crafted
writes outside it get 403, work moving between producers catches up and withdraws, and a
server database made before producers existed is migrated when opened."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, inspect, select, text

from dmdesk.server.scope import blob_key
from dmdesk.server.storage import open_store, owners
from tests.server import ops as o
from tests.sync_server_process import RunningServer

SHA_CHAIR, SHA_SECRET = "a" * 64, "b" * 64


@dataclass
class Net:
    server: RunningServer
    tokens: dict[str, str]
    ids: dict[str, str]

    def push(self, site: str, batch: list[dict[str, Any]]) -> tuple[int, Any]:
        return self.server.request("POST", "/v1/push", self.tokens[site], {"ops": batch})

    def pull(self, site: str, after: int = 0) -> dict[str, Any]:
        status, reply = self.server.request("GET", f"/v1/pull?after={after}", self.tokens[site])
        assert status == 200, reply
        return dict(reply)

    def seen(self, site: str, after: int = 0) -> dict[str, set[str]]:
        found: dict[str, set[str]] = {}
        for change in self.pull(site, after)["changes"]:
            found.setdefault(change["entity"], set()).add(change["entity_id"])
        return found


def _product(sku: str) -> dict[str, Any]:
    return o.op("product", sku=sku, name=sku, kind="finished", unit="pcs", price="249.37",
                standard_cost="101.53")


def _design(product: str, sha: str) -> list[dict[str, Any]]:
    blob = o.op("file_blob", entity_id=blob_key(sha), sha256=sha, size=3, data="616263")
    return [blob, o.op("design_file", product_id=product, name="d.pdf", version=1,
                       sha256=sha, media_type="application/pdf")]


def build(server: RunningServer) -> Net:
    """HQ (owner) pushes a network; MP2 is a producer before the push, MP1 joins after it."""
    tokens = {"HQ": server.add_site("HQ", role="owner"),
              "MP2": server.add_site("MP2", role="producer")}
    batch = [o.site("HQ"), o.site("MP1", "micro_producer", reports_progress=True),
             o.site("MP2", "micro_producer", reports_progress=True)]  # they hold their orders
    ids = {op["payload"]["code"]: op["entity_id"] for op in batch}
    for code in ("HQ", "MP1", "MP2"):
        batch.append(o.location(ids[code]))
        ids[f"{code}.loc"] = batch[-1]["entity_id"]
    for sku, sha in (("CHAIR", SHA_CHAIR), ("SECRET", SHA_SECRET)):
        batch.append(_product(sku))
        ids[sku] = batch[-1]["entity_id"]
        batch += _design(ids[sku], sha)
        ids[f"{sku}.design"] = batch[-1]["entity_id"]
    customer = o.op("contact", kind="organisation", role="customer", name="Rival's client")
    batch.append(customer)
    batch.append(o.op("customer_order", number="CO-1", customer_id=customer["entity_id"],
                      due_date="2026-12-01"))
    for code, sku in (("MP1", "CHAIR"), ("MP2", "SECRET")):
        batch.append(o.op("work_order", number=f"WO-{code}", product_id=ids[sku], quantity="5",
                          site_id=ids[code], due_date="2026-12-01", priority=3, state="draft",
                          good_qty="0", scrap_qty="0"))
        ids[f"{code}.wo"] = batch[-1]["entity_id"]
    batch.append(o.move(ids["HQ.loc"], ids["CHAIR"], "4"))
    status, reply = server.request("POST", "/v1/push", tokens["HQ"], {"ops": batch})
    assert status == 200, reply
    tokens["MP1"] = server.add_site("MP1", role="producer")  # seeded from what is stored
    return Net(server, tokens, ids)


@pytest.fixture
def net(sqlite_server: RunningServer) -> Net:
    return build(sqlite_server)


def test_a_producer_pulls_its_own_work_only_without_money(net: Net) -> None:
    ids = net.ids
    for code, mine, theirs in (("MP1", "CHAIR", "SECRET"), ("MP2", "SECRET", "CHAIR")):
        reply = net.pull(code)  # a crafted pull from the start
        seen = net.seen(code)
        assert set(seen) == {"site", "location", "product", "design_file", "file_blob",
                             "work_order"}, code
        assert seen["work_order"] == {ids[f"{code}.wo"]}
        assert seen["product"] == {ids[mine]} and ids[theirs] not in seen["product"]
        assert seen["design_file"] == {ids[f"{mine}.design"]}
        assert seen["location"] == {ids[f"{code}.loc"]}
        assert len(seen["site"]) == 3
        for change in reply["changes"]:
            assert not {"price", "standard_cost", "customer_order_line_id"} & set(
                change["payload"]), change
            if change["entity"] == "site" and change["entity_id"] != ids[code]:
                assert set(change["payload"]) <= {"id", "code", "name", "kind", "created_at",
                                                  "updated_at"}
        assert "249.37" not in json.dumps(reply) and "101.53" not in json.dumps(reply)


def test_a_producer_writes_inside_its_own_work_only(net: Net) -> None:
    ids = net.ids
    refused = [  # (the op, what the refusal names)
        (o.op("customer_order", number="CO-9", customer_id=o.new_key(),
              due_date="2026-12-01"), "producer"),
        (o.op("work_order", "update", ids["MP2.wo"], state="released"), "holder"),
        (o.op("product", "update", ids["CHAIR"], price="1.00"), "producer"),
        (o.move(ids["HQ.loc"], ids["CHAIR"]), "producer"),
        (o.op("contact", kind="person", role="customer", name="A customer of mine"),
         "producer"),
        (o.op("reorder_point", product_id=ids["CHAIR"], site_id=ids["MP1"], minimum="1"),
         "producer"),
    ]
    for crafted, reason in refused:
        status, reply = net.push("MP1", [crafted])
        assert status == 403, (crafted["entity"], reply)
        assert reason in reply["detail"], reply
    assert "customer_order" not in net.seen("HQ")
    status, reply = net.push("MP1", [o.move(ids["MP1.loc"], ids["CHAIR"]),
                                     o.op("work_order", "update", ids["MP1.wo"],
                                          state="released")])
    assert status == 200, reply


def test_work_moving_between_producers_catches_up_and_withdraws(net: Net) -> None:
    ids = net.ids
    cursors = {code: net.pull(code)["last_seq"] for code in ("MP1", "MP2")}
    status, reply = net.push("HQ", [o.op("work_order", "update", ids["MP1.wo"],
                                         site_id=ids["MP2"])])
    assert status == 200, reply
    left = net.pull("MP1", cursors["MP1"])["changes"]
    assert [(c["op"], c["entity"]) for c in left] == [
        ("update", "work_order"), ("withdraw", "design_file"), ("withdraw", "file_blob")]
    assert left[2]["entity_id"] == blob_key(SHA_CHAIR)
    came = net.pull("MP2", cursors["MP2"])["changes"]
    # Rows stored long before its cursor, the referenced ones first, then the order itself.
    assert [c["entity"] for c in came] == ["product", "file_blob", "design_file",
                                           "work_order", "work_order"]
    assert all(c["seq"] <= cursors["MP2"] for c in came[:4])
    assert not {"price", "standard_cost"} & set(came[0]["payload"])
    # Later edits of the moved order do not reach MP1 any more; they reach MP2.
    net.push("HQ", [o.op("work_order", "update", ids["MP1.wo"], priority=1)])
    assert net.pull("MP1", net.pull("MP1", cursors["MP1"])["last_seq"] - 1)["changes"] == []
    assert net.seen("MP2", net.pull("MP2", cursors["MP2"])["last_seq"] - 1) == {
        "work_order": {ids["MP1.wo"]}}


def test_an_existing_server_database_is_migrated_when_opened(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite"
    store = open_store(str(path))
    order = o.op("work_order", number="WO-1", product_id="ab" * 16, site_id="cd" * 16)
    with store.write() as connection:  # as an older server left it: no product fields
        connection.execute(text("DROP INDEX ix_server_row_owner_product"))
        connection.execute(text("ALTER TABLE server_row_owner DROP COLUMN product_id"))
        connection.execute(text(
            "INSERT INTO server_op (site, op_id, entity, entity_id, op, payload, hlc, "
            "schema_version, received_at_ms) VALUES ('HQ', :op_id, 'work_order', :key, "
            "'insert', :payload, 'h', '0005', 0)"),
            {"op_id": order["op_id"], "key": order["entity_id"],
             "payload": json.dumps(order["payload"])})
        connection.execute(text(
            "INSERT INTO server_row_owner (entity, entity_id, creator, site_id) VALUES "
            "('work_order', :key, 'HQ', :site)"), {"key": order["entity_id"], "site": "cd" * 16})
    store.dispose()
    assert "product_id" not in {
        c["name"] for c in inspect(create_engine(f"sqlite:///{path}")).get_columns(
            "server_row_owner")}
    store = open_store(str(path))
    with store.read() as connection:
        learnt = connection.execute(select(owners.c.product_id)).scalar()
    store.dispose()
    assert learnt == "ab" * 16
