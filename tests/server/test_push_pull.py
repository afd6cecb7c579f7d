"""Push and pull against a real server process, on SQLite and PostgreSQL."""

from __future__ import annotations

import random
from typing import Any

from tests.server import ops as o
from tests.sync_server_process import RunningServer


def push(server: RunningServer, token: str, batch: list[dict[str, Any]]) -> tuple[int, Any]:
    return server.request("POST", "/v1/push", token, {"ops": batch})


def pull_all(server: RunningServer, token: str, after: int = 0,
             limit: int = 5000) -> tuple[list[dict[str, Any]], int]:
    changes: list[dict[str, Any]] = []
    while True:
        status, reply = server.request("GET", f"/v1/pull?after={after}&limit={limit}", token)
        assert status == 200, reply
        changes += reply["changes"]
        after = reply["last_seq"]
        if not reply["more"]:
            return changes, after


def test_status_says_who_is_calling(server: RunningServer) -> None:
    token = server.add_site("HQ", role="owner")
    status, reply = server.request("GET", "/v1/status", token)
    assert status == 200
    assert reply["site"] == "HQ" and reply["role"] == "owner" and reply["protocol"] == 1
    assert reply["schema_version"] == server.headers(None)["X-Dmdesk-Schema"]


def test_round_trip_reaches_the_others_but_not_the_writer(server: RunningServer) -> None:
    hq = server.add_site("HQ", role="owner")
    mp1 = server.add_site("MP1")
    acc = server.add_site("ACC", role="accountant")
    batch = [o.site("HQ"), o.site("MP1", "micro_producer")]
    batch.append(o.location(batch[1]["entity_id"]))
    status, reply = push(server, hq, batch)
    assert status == 200, reply
    assert reply["stored"] == 3 and reply["duplicates"] == 0
    assert reply["last_op_id"] == max(op["op_id"] for op in batch)

    for reader in (mp1, acc):
        changes, cursor = pull_all(server, reader)
        assert [c["op_id"] for c in changes] == [op["op_id"] for op in batch]
        assert all(c["origin"] == "HQ" for c in changes)
        assert changes[2]["payload"] == batch[2]["payload"]
        assert cursor == reply["server_seq"]
        assert pull_all(server, reader, after=cursor)[0] == []
    own, cursor = pull_all(server, hq)
    assert own == [] and cursor == reply["server_seq"]  # the cursor still moves past them


def test_the_same_batch_twice_is_stored_once(server: RunningServer) -> None:
    hq = server.add_site("HQ", role="owner")
    reader = server.add_site("MP1")
    batch = [o.site(f"S{n}") for n in range(20)]
    first = push(server, hq, batch)[1]
    again = push(server, hq, batch)[1]
    assert (first["stored"], first["duplicates"]) == (20, 0)
    assert (again["stored"], again["duplicates"]) == (0, 20)
    assert again["last_op_id"] == first["last_op_id"]
    assert again["server_seq"] == first["server_seq"]
    # Overlapping: half old, half new; and a duplicate inside one batch.
    more = [o.site(f"T{n}") for n in range(10)]
    third = push(server, hq, batch[10:] + more + more[:1])[1]
    assert (third["stored"], third["duplicates"]) == (10, 11)
    changes = pull_all(server, reader)[0]
    assert sorted(c["op_id"] for c in changes) == sorted(op["op_id"] for op in batch + more)


def test_the_same_op_id_from_two_sites_is_two_ops(server: RunningServer) -> None:
    hq = server.add_site("HQ", role="owner")
    hq2 = server.add_site("HQ2", role="owner")
    reader = server.add_site("ACC", role="accountant")
    op = o.site("X1")
    assert push(server, hq, [op])[1]["stored"] == 1
    assert push(server, hq2, [op])[1]["stored"] == 1
    assert [c["origin"] for c in pull_all(server, reader)[0]] == ["HQ", "HQ2"]


def test_batches_in_another_order_all_arrive(server: RunningServer) -> None:
    hq = server.add_site("HQ", role="owner")
    reader = server.add_site("MP1")
    batches = [[o.site(f"B{b}{n}") for n in range(5)] for b in range(6)]
    shuffled = batches[:]
    random.Random(5).shuffle(shuffled)
    for batch in shuffled + batches:  # out of order, then everything again
        assert push(server, hq, batch)[0] == 200
    changes = pull_all(server, reader)[0]
    assert len(changes) == 30
    assert {c["op_id"] for c in changes} == {op["op_id"] for b in batches for op in b}
    # Seq order is the order the server took them in.
    expected = [op["op_id"] for b in shuffled for op in b]
    assert [c["op_id"] for c in changes] == expected


def test_pull_pages_with_the_cursor(server: RunningServer) -> None:
    hq = server.add_site("HQ", role="owner")
    reader = server.add_site("MP1")
    batch = [o.site(f"P{n}") for n in range(25)]
    push(server, hq, batch)
    pages = []
    after = 0
    while True:
        reply = server.request("GET", f"/v1/pull?after={after}&limit=10", reader)[1]
        pages.append(len(reply["changes"]))
        after = reply["last_seq"]
        if not reply["more"]:
            break
    assert pages[:3] == [10, 10, 5] and sum(pages) == 25


def test_sigterm_stops_cleanly(server: RunningServer) -> None:
    assert server.stop() == 0
    log = sorted(server.log_dir.glob("server-*.log"))[-1].read_text()
    assert "stopped" in log and "Traceback" not in log


def test_a_page_of_large_rows_stops_early_and_the_cursor_goes_on(
        sqlite_server: RunningServer) -> None:
    server = sqlite_server
    hq = server.add_site("HQ", role="owner")
    reader = server.add_site("MP1")
    blob = "ab" * (3 * 1024 * 1024)  # a 3 MiB design file, as hex
    batches = [[o.op("file_blob", sha256=f"{n:064x}", size=len(blob) // 2, data=blob)]
               for n in range(8)]
    for batch in batches:
        assert push(server, hq, batch)[0] == 200
    status, first = server.request("GET", "/v1/pull?after=0", reader)
    assert status == 200 and first["more"] and 0 < len(first["changes"]) < 8
    changes, _ = pull_all(server, reader)
    assert [c["payload"]["sha256"] for c in changes] == [f"{n:064x}" for n in range(8)]
