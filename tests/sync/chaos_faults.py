"""How the chaos test syncs a site: whole, push only, pull only, in small pages, cancelled
mid-way, as a `dmdesk sync` process SIGKILLed mid-batch, or with the server SIGKILLed
mid-batch and restarted on the same database. Each returns a short outcome for the run's
summary ("ok", "stopped", ...); a sync the fault stopped raises nothing: the next sync must
pick up from there."""

from __future__ import annotations

import itertools
import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from enum import StrEnum

import pytest

from dmdesk.sync import client, protocol
from dmdesk.sync.transport import SyncError, Transport
from tests.sync.chaos_support import World

KILL_WATCHDOG_S = 60.0


class SyncMode(StrEnum):
    FULL = "full"
    PUSH_ONLY = "push only"
    PULL_ONLY = "pull only"
    PAGED = "pull in small pages"
    CANCELLED = "cancelled mid-way"
    KILLED_CLIENT = "dmdesk sync SIGKILLed"
    KILLED_SERVER = "server SIGKILLed"


def partial_sync(world: World, code: str, mode: SyncMode, rng: random.Random,
                 clock_ms: Callable[[], int]) -> str:
    """Sync ``code`` the way ``mode`` says; the outcome in a few words."""
    if mode is SyncMode.KILLED_CLIENT:
        return sync_process_killed(world, code, rng)
    if mode is SyncMode.KILLED_SERVER:
        return sync_with_server_killed(world, code, rng, clock_ms)
    try:
        if mode is SyncMode.FULL:
            world.sync(code, clock_ms=clock_ms)
        elif mode is SyncMode.PUSH_ONLY:
            world.sync(code, clock_ms=clock_ms, pull=False)
        elif mode is SyncMode.PULL_ONLY:
            world.sync(code, clock_ms=clock_ms, push=False)
        elif mode is SyncMode.PAGED:
            world.sync(code, clock_ms=clock_ms, pull_limit=rng.choice((1, 2, 5)))
        else:
            _cancelled_sync(world, code, rng, clock_ms)
    except SyncError:
        return "stopped"
    return "ok"


def _cancelled_sync(world: World, code: str, rng: random.Random,
                    clock_ms: Callable[[], int]) -> None:
    """Small push and pull batches, the user cancelling after a few of them."""
    batches = itertools.count()
    after = rng.randint(0, 4)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(protocol, "MAX_PUSH_OPS", 3)
        client.run_sync(world.sites[code].db, clock_ms=clock_ms, pull_limit=3,
                        cancelled=lambda: next(batches) > after)


def sync_process_killed(world: World, code: str, rng: random.Random) -> str:
    """`dmdesk sync --db PATH` in its own process, SIGKILLed after its first progress line
    (a batch done, the next under way) or after a moment (maybe before it sent anything)."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [sys.executable, "-m", "dmdesk.cli", "sync", "--db", str(world.path(code))],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    watchdog = threading.Timer(KILL_WATCHDOG_S, process.kill)  # never hang the test
    watchdog.start()
    try:
        lines = rng.choice((0, 1, 1, 2))
        if lines == 0:
            time.sleep(rng.uniform(0.3, 1.5))
        assert process.stderr is not None
        while lines > 0 and (line := process.stderr.readline()):
            lines -= line.startswith(b"  ")  # "  Sending changes: 3/9", "  Receiving ..."
        time.sleep(rng.uniform(0, 0.02))
        process.send_signal(signal.SIGKILL)  # nothing if it has already finished
        process.wait(timeout=30)
    finally:
        watchdog.cancel()
        if process.stderr is not None:
            process.stderr.close()
    return "finished first" if process.returncode == 0 else "killed"


def sync_with_server_killed(world: World, code: str, rng: random.Random,
                            clock_ms: Callable[[], int]) -> str:
    """A sync in small batches; during one of its requests the server is SIGKILLed (a few
    milliseconds in, so mostly while it handles the batch), then started again on the same
    database and port."""
    server = world.server
    at_call, delay = rng.randint(1, 2), rng.uniform(0, 0.03)  # every sync makes 1 request
    calls = itertools.count(1)
    timers: list[threading.Timer] = []
    push, pull = Transport.push, Transport.pull

    def arm() -> None:
        if next(calls) == at_call:
            timers.append(threading.Timer(delay, server.kill))
            timers[-1].start()

    def killing_push(self: Transport, body: bytes) -> protocol.PushReply:
        arm()
        return push(self, body)

    def killing_pull(self: Transport, after: int, limit: int) -> protocol.PullReply:
        arm()
        return pull(self, after, limit)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Transport, "push", killing_push)
        patch.setattr(Transport, "pull", killing_pull)
        patch.setattr(protocol, "MAX_PUSH_OPS", 4)
        try:
            world.sync(code, clock_ms=clock_ms, pull_limit=5)
            outcome = "sync finished"
        except SyncError:
            outcome = "sync stopped"
        finally:
            for timer in timers:
                timer.join()
    assert server.process is not None
    if server.process.poll() is None:
        return f"not reached, {outcome}"
    server.restart()
    return f"killed and restarted, {outcome}"
