"""The server killed (SIGKILL) in the middle of a push: after a restart and a resend, every
op of the batch is stored exactly once, and no pull ever saw part of it."""

from __future__ import annotations

import contextlib
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from dmdesk.sync.protocol import MAX_PUSH_OPS
from tests.server import ops as o
from tests.sync_server_process import RunningServer


def big_batch(round_no: int) -> list[dict[str, Any]]:
    """MAX_PUSH_OPS ops, about 4 MB: sites, their locations (indexed), and moves."""
    batch: list[dict[str, Any]] = []
    while len(batch) < MAX_PUSH_OPS:
        site = o.site(f"K{round_no}{len(batch):04X}")  # site codes are unique (6 at most)
        batch += [site, o.location(site["entity_id"])]
        batch += [o.move(batch[-1]["entity_id"], "ab" * 16, "1") for _ in range(8)]
    for op in batch:
        if "note" in op["payload"]:  # the moves: heavier rows, a longer transaction to hit
            op["payload"]["note"] = "x" * 5000
    return batch[:MAX_PUSH_OPS]


def pulled(server: RunningServer, token: str) -> list[str]:
    op_ids: list[str] = []
    after = 0
    while True:
        status, reply = server.request("GET", f"/v1/pull?after={after}", token)
        assert status == 200, reply
        op_ids += [c["op_id"] for c in reply["changes"]]
        after = reply["last_seq"]
        if not reply["more"]:
            return op_ids


def writing(server: RunningServer, before: int) -> bool:
    """Whether the server is inside a push's write transaction right now."""
    if server.db_url.startswith("postgresql"):
        import psycopg
        with psycopg.connect(server.db_url, autocommit=True) as connection:
            row = connection.execute(
                "SELECT count(*) FROM pg_locks WHERE relation = 'server_op'::regclass "
                "AND mode = 'ShareRowExclusiveLock' AND granted").fetchone()
        return bool(row and row[0])
    return wal_size(server) > before  # SQLite spills the transaction's pages into the WAL


def wal_size(server: RunningServer) -> int:
    wal = Path(f"{server.db_url}-wal")
    return wal.stat().st_size if wal.exists() else 0


def push_and_kill(server: RunningServer, token: str, batch: list[dict[str, Any]],
                  trigger: float | None) -> None:
    """Push in a thread; SIGKILL the server after ``trigger`` seconds, or (None) as soon as
    the push is seen writing."""
    def send() -> None:
        with contextlib.suppress(OSError):  # the connection dies with the server
            server.request("POST", "/v1/push", token, {"ops": batch}, timeout=120)

    sender = threading.Thread(target=send)
    before = wal_size(server)
    sender.start()
    if trigger is not None:
        time.sleep(trigger)
    else:
        deadline = time.monotonic() + 30
        while not writing(server, before) and time.monotonic() < deadline:
            time.sleep(0.001)
    server.kill()
    sender.join(timeout=120)


@pytest.mark.slow
def test_sigkill_mid_push_then_resend_stores_each_op_once(server: RunningServer) -> None:
    owner = server.add_site("HQ", role="owner")
    reader = server.add_site("ACC", role="accountant")
    expected: list[str] = []
    outcomes = []
    for round_no, trigger in enumerate((None, None, None, 0.02, 0.15)):
        batch = big_batch(round_no)
        push_and_kill(server, owner, batch, trigger)
        server.restart()
        seen = pulled(server, reader)
        kept = [op_id for op_id in seen if op_id not in expected]
        # All of the batch or none of it: never a part.
        assert kept in ([], [op["op_id"] for op in batch]), f"round {round_no}: {len(kept)}"
        outcomes.append("stored" if kept else "lost")
        # The client does not know; it sends the batch again.
        status, reply = server.request("POST", "/v1/push", owner, {"ops": batch}, timeout=120)
        assert status == 200, reply
        assert (reply["stored"], reply["duplicates"]) == (
            (0, MAX_PUSH_OPS) if kept else (MAX_PUSH_OPS, 0))
        expected += [op["op_id"] for op in batch]
        assert pulled(server, reader) == expected
    # The kills did land inside pushes (else this test proves nothing).
    assert outcomes[:3].count("lost") >= 2, outcomes
