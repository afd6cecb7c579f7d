"""Sites pushing at the same time while another pulls: the pull cursor never skips an op.

The cursor is the server's sequence; on PostgreSQL a sequence value taken by one push can
commit after a later one, so the server serialises pushes (dmdesk.server.storage.Store.write).
Without that, a puller reading between two such commits would move past an op for good.
"""

from __future__ import annotations

import threading
from typing import Any

import pytest

from tests.server import ops as o
from tests.sync_server_process import RunningServer

ROUNDS, BATCH = 4, 500  # long enough transactions for a pull to fall between two


@pytest.mark.slow
def test_a_pull_during_concurrent_pushes_misses_nothing(server: RunningServer) -> None:
    writers = {code: server.add_site(code, role="owner") for code in ("W1", "W2", "W3")}
    reader = server.add_site("ACC", role="accountant")
    sent: dict[str, list[str]] = {code: [] for code in writers}
    errors: list[Any] = []

    def write(code: str) -> None:
        for round_no in range(ROUNDS):
            batch = [o.site(f"{code}{round_no * BATCH + i:04X}")  # codes: unique, 6 chars
                     for i in range(BATCH)]
            status, reply = server.request("POST", "/v1/push", writers[code], {"ops": batch})
            if status != 200:
                errors.append(reply)
                return
            sent[code] += [op["op_id"] for op in batch]

    threads = [threading.Thread(target=write, args=(code,)) for code in writers]
    for thread in threads:
        thread.start()
    received: list[str] = []
    after = 0
    first = True  # pull at least once, even if the writers are already done
    while first or any(thread.is_alive() for thread in threads):
        first = False
        status, reply = server.request("GET", f"/v1/pull?after={after}&limit=25", reader)
        assert status == 200, reply
        received += [c["op_id"] for c in reply["changes"]]
        after = reply["last_seq"]
    for thread in threads:
        thread.join()
    while True:  # what was committed after the last pull in the loop
        reply = server.request("GET", f"/v1/pull?after={after}", reader)[1]
        received += [c["op_id"] for c in reply["changes"]]
        after = reply["last_seq"]
        if not reply["more"]:
            break
    assert errors == []
    everything = [op_id for ids in sent.values() for op_id in ids]
    assert len(everything) == 3 * ROUNDS * BATCH
    assert sorted(received) == sorted(everything)  # each once, none skipped
