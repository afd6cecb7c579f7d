"""What a site asks to check itself against the network: one row as the network holds it
(GET /v1/row), and the per-origin digest that ends every sync (GET /v1/digest); and a refused
push that names the op refused. Against a real server, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, inspect

from dmdesk.server import admin, network_view, oplog
from dmdesk.server.storage import open_store
from tests.server import ops as o
from tests.server.test_push_pull import push
from tests.sync_server_process import RunningServer


def test_a_row_is_the_fold_of_its_ops_newest_stamp_winning(server: RunningServer) -> None:
    hq = server.add_site("HQ", role="owner")
    mp1 = server.add_site("MP1")
    product = o.op("product", sku="CP-100", name="Old name", price="10.0000",
                   kind="finished", unit="pcs")
    rename = o.op("product", "update", product["entity_id"], name="New name")
    older = o.op("product", "update", product["entity_id"], name="Stale name")
    older["hlc"] = product["hlc"].replace("-TEST", "-AAAA")  # stamped before the rename
    pushed = push(server, hq, [product, rename, older])
    assert pushed[0] == 200, pushed
    status, row = server.request(
        "GET", f"/v1/row?entity=product&id={product['entity_id']}", mp1)
    assert status == 200, row
    assert row["exists"] and not row["deleted"]
    assert row["fields"]["name"] == ["New name", rename["hlc"]]
    assert row["fields"]["price"] == ["10.0000", product["hlc"]]  # never edited: the insert's
    assert row["fields"]["sku"] == ["CP-100", product["hlc"]]

    gone = o.op("product", "delete", product["entity_id"])
    assert push(server, hq, [gone])[0] == 200
    row = server.request("GET", f"/v1/row?entity=product&id={product['entity_id']}", mp1)[1]
    assert row["exists"] and row["deleted"]
    unknown = server.request("GET", f"/v1/row?entity=product&id={o.new_key()}", mp1)[1]
    assert not unknown["exists"] and unknown["fields"] == {}


def test_row_refuses_bad_names_and_unknown_tokens(server: RunningServer) -> None:
    mp1 = server.add_site("MP1")
    status, reply = server.request("GET", "/v1/row?entity=Product;drop&id=00", mp1)
    assert status == 422, reply
    status, reply = server.request("GET", "/v1/row?entity=product&id=xyz", mp1)
    assert status == 422, reply
    status, _reply = server.request("GET", "/v1/row?entity=product&id=00", "nope")
    assert status == 401


def test_the_digest_counts_each_origin_up_to_the_cursor_and_all_of_the_callers_own(
        server: RunningServer) -> None:
    hq = server.add_site("HQ", role="owner")
    mp1 = server.add_site("MP1")
    wh = server.add_site("WH")
    sites = [o.site("HQ"), o.site("MP1", "micro_producer"), o.site("WH", "warehouse")]
    mp_loc = o.location(sites[1]["entity_id"])
    product = o.op("product", sku="S", name="Steel", kind="raw_material", unit="m")
    first = push(server, hq, [*sites, mp_loc, product])[1]["server_seq"]
    moves = [o.move(mp_loc["entity_id"], product["entity_id"]) for _ in range(3)]
    assert push(server, mp1, moves)[0] == 200
    contact = o.op("contact", name="Buyer", kind="person", role="customer")
    last = push(server, hq, [contact])[1]["server_seq"]

    status, digest = server.request("GET", f"/v1/digest?upto={first}", wh)
    assert status == 200, digest
    assert digest["upto"] == first
    assert digest["origins"] == {"HQ": {"changes": 5, "max_seq": last, "moves": 0},
                                 "MP1": {"changes": 0, "max_seq": last - 1, "moves": 0}}
    digest = server.request("GET", f"/v1/digest?upto={last}", wh)[1]
    assert digest["origins"]["HQ"] == {"changes": 6, "max_seq": last, "moves": 0}
    assert digest["origins"]["MP1"]["changes"] == 3 and digest["origins"]["MP1"]["moves"] == 3
    # MP1's own changes are all counted, whatever its cursor.
    own = server.request("GET", "/v1/digest?upto=0", mp1)[1]
    assert own["origins"] == {"MP1": {"changes": 3, "max_seq": last - 1, "moves": 3},
                              "HQ": {"changes": 0, "max_seq": last, "moves": 0}}


def test_a_refused_push_names_the_op_and_why_and_a_read_only_token_does_not(
        server: RunningServer) -> None:
    hq = server.add_site("HQ", role="owner")
    mp1 = server.add_site("MP1")
    acc = server.add_site("ACC", role="accountant")
    product = o.op("product", sku="S", name="Steel", kind="raw_material", unit="m")
    assert push(server, hq, [o.site("MP1", "micro_producer"), product])[0] == 200
    rename = o.op("product", "update", product["entity_id"], name="Mine")
    status, reply = push(server, mp1, [o.op("contact", name="A", kind="person",
                                            role="customer"), rename])
    assert status == 403
    assert reply["refused_op"] == rename["op_id"] and reply["reason"] == \
        "products are the owner's"
    status, reply = push(server, acc, [o.op("contact", name="B", kind="person",
                                            role="customer")])
    assert status == 403 and "refused_op" not in reply and "only reads" in reply["detail"]


def test_an_existing_store_gets_the_row_index_when_opened(backend: str | None,
                                                         tmp_path: Path) -> None:
    url = backend or str(tmp_path / "old.sqlite")
    store = open_store(url)
    with store.engine.begin() as connection:
        connection.exec_driver_sql("DROP INDEX ix_server_op_entity")  # as an old store was
    assert "ix_server_op_entity" not in _indexes(store.engine)
    store.dispose()
    store = open_store(url)
    assert _indexes(store.engine)["ix_server_op_entity"] == ["entity", "entity_id"]
    store.dispose()


def _indexes(engine: Engine) -> dict[str, list[str | None]]:
    return {str(i["name"]): list(i["column_names"])
            for i in inspect(engine).get_indexes("server_op")}


def _incoming(op: dict[str, Any]) -> oplog.IncomingOp:
    return oplog.IncomingOp(op["op_id"], op["entity"], op["entity_id"], op["op"],
                            op["payload"], op["hlc"], op["schema_version"],
                            json.dumps(op["payload"]))


def test_the_running_counts_agree_with_the_log_at_every_cursor_and_are_backfilled(
        backend: str | None, tmp_path: Path) -> None:
    url = backend or str(tmp_path / "counts.sqlite")
    store = open_store(url)
    accounts = {code: admin.add_site(store, code, f"Site {code}", role)
                for code, role in (("HQ", "owner"), ("MP1", "site"), ("WH", "site"))}
    sites = [o.site("HQ"), o.site("MP1", "micro_producer"), o.site("WH", "warehouse")]
    locations = [o.location(sites[1]["entity_id"]), o.location(sites[2]["entity_id"])]
    product = o.op("product", sku="S", name="Steel", kind="raw_material", unit="m")
    oplog.push(store, accounts["HQ"], [_incoming(op) for op in [*sites, *locations, product]])
    for round_ in range(3):
        for code, where in (("MP1", locations[0]), ("WH", locations[1])):
            batch = [o.move(where["entity_id"], product["entity_id"]) for _ in range(round_ + 1)]
            batch.append(o.op("contact", name=f"{code} {round_}", kind="person",
                              role="customer"))
            oplog.push(store, accounts[code], [_incoming(op) for op in batch])
    last = int(oplog.push(store, accounts["HQ"], [])["server_seq"])
    for caller in accounts.values():
        for upto in range(last + 1):
            with store.read() as connection:
                fast = network_view._from_counts(connection, caller.code, upto)
                slow = network_view._row_by_row(connection, caller, upto)
            assert fast == slow, (caller.code, upto)
    assert fast["MP1"] == {"changes": 9, "max_seq": last - 4, "moves": 6}

    with store.engine.begin() as connection:  # as a store from before the counts was
        connection.exec_driver_sql("DROP TABLE server_site_count")
    store.dispose()
    store = open_store(url)
    digest = network_view.digest(store, accounts["WH"], last)
    assert digest["origins"]["MP1"] == fast["MP1"]
    assert digest["origins"]["HQ"]["changes"] == 6
    store.dispose()
