"""Kill a writing process at random moments, many times; the database must stay whole.

A child (crash_writer.py) receives stock through the services in a loop and prints each
receipt's move ids after the call returns. The parent SIGKILLs it after a random delay, again
and again, then checks: SQLite's integrity check passes, every printed (committed) move is in
the ledger, the balance cache equals the ledger, the audit chain is intact, no document number
was lost or used twice.
"""

from __future__ import annotations

import os
import random
import re
import select
import shutil
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from sqlalchemy import select as sql_select

import dmdesk
from dmdesk.db import models as m
from dmdesk.db.database import open_database
from dmdesk.services.context import GENESIS_HASH, audit_hash, audit_record
from tests.integration.support import (
    Network,
    assert_cache_matches_ledger,
    audit_entries,
    raw_connection,
)

WRITER = Path(__file__).with_name("crash_writer.py")
ROUNDS = 25
pytestmark = [pytest.mark.slow, pytest.mark.skipif(sys.platform == "win32",
                                                   reason="SIGKILL is POSIX")]


def _child_env() -> dict[str, str]:
    env = dict(os.environ)
    package_root = str(Path(dmdesk.__file__).resolve().parent.parent)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (package_root, env.get("PYTHONPATH")) if p)
    return env


def _wait_for_ready(process: subprocess.Popen[bytes], timeout: float = 60) -> None:
    assert process.stdout is not None
    ready, _, _ = select.select([process.stdout], [], [], timeout)
    assert ready, "the writer did not start"
    line = process.stdout.readline()
    assert line == b"ready\n", line + (process.stderr.read() if process.stderr else b"")


def _run_and_kill(path: Path, network: Network, rng: random.Random,
                  wait_for_ready: bool) -> list[uuid.UUID]:
    process = subprocess.Popen(
        [sys.executable, str(WRITER), str(path), network.steel.hex, network.hq_stock.hex],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=_child_env(), cwd=path.parent)
    if wait_for_ready:
        _wait_for_ready(process)
    time.sleep(rng.uniform(0.05, 0.4))
    os.kill(process.pid, signal.SIGKILL)
    out, err = process.communicate(timeout=60)
    assert process.returncode == -signal.SIGKILL, err.decode(errors="replace")
    printed: list[uuid.UUID] = []
    for line in out.decode().split("\n")[:-1]:  # the last piece may be cut off mid-line
        if line != "ready":
            printed.extend(uuid.UUID(hex=word) for word in line.split())
    return printed


def test_killing_a_writer_never_loses_or_corrupts_committed_work(
        network_template: tuple[Path, Network], tmp_path: Path) -> None:
    template, network = network_template
    path = tmp_path / "crash.sqlite"
    shutil.copyfile(template, path)
    seed = int.from_bytes(os.urandom(4), "big")
    rng = random.Random(seed)

    printed: list[uuid.UUID] = []
    rounds_with_writes = 0
    for round_no in range(ROUNDS):
        ids = _run_and_kill(path, network, rng, wait_for_ready=round_no % 6 != 5)
        printed.extend(ids)
        rounds_with_writes += bool(ids)
    assert rounds_with_writes >= ROUNDS // 2, f"the writer hardly wrote (seed {seed})"

    with raw_connection(path) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert connection.execute("PRAGMA foreign_key_check").fetchall() == []

    db = open_database(path)
    try:
        with db.read_session() as session:
            moves = {mv.id: mv for mv in session.scalars(sql_select(m.StockMove))}
            references = sorted({mv.reference for mv in moves.values()})
            last = session.scalar(sql_select(m.NumberSequence.last).where(
                m.NumberSequence.prefix == "HQ", m.NumberSequence.kind == "MV"))
            outbox_moves = set(session.scalars(sql_select(m.OutboxOp.entity_id).where(
                m.OutboxOp.entity == "stock_move")))
        missing = [i for i in printed if i not in moves]
        assert not missing, f"{len(missing)} committed moves lost (seed {seed})"
        assert len(moves) >= len(printed)
        print(f"seed {seed}: {len(printed)} moves printed, {len(moves)} committed, "
              f"{rounds_with_writes}/{ROUNDS} rounds wrote")
        # each receipt committed whole: single receipts have 1 move, multi-line ones 3
        per_reference: dict[str, int] = {}
        for mv in moves.values():
            per_reference[mv.reference] = per_reference.get(mv.reference, 0) + 1
        assert set(per_reference.values()) <= {1, 3}
        # numbers: one per committed receipt, none lost to a killed transaction, none twice
        assert references == [f"HQ-MV-{n:05d}" for n in range(1, (last or 0) + 1)]
        assert outbox_moves == {i.bytes for i in moves}
        assert_cache_matches_ledger(db)

        entries = audit_entries(db)
        receipts = [e for e in entries if e.actor == "crash-writer"]
        assert len(receipts) == len(references)
        previous = GENESIS_HASH
        for entry in entries:
            assert entry.prev_hash == previous, f"chain broken at {entry.seq} (seed {seed})"
            assert entry.hash == audit_hash(entry.prev_hash, audit_record(entry))
            previous = entry.hash
        assert [e.seq for e in entries] == list(range(1, len(entries) + 1))
    finally:
        db.close()
    assert re.fullmatch(r"[0-9a-f]{64}", previous)
