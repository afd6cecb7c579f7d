"""Faults a sync must survive with nothing lost or counted twice: lost replies (every batch
sent twice), a pull cut off mid-way, a crash while applying a batch, a clock hours off, an
older client against the server's newer schema, bad and revoked tokens."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from dmdesk.db.database import Database
from dmdesk.domain.errors import NotYoursError
from dmdesk.sync import alerts, client, protocol, state
from dmdesk.sync.pull import current_cursor
from dmdesk.sync.push import pending_count
from dmdesk.sync.transport import SyncCancelledError, SyncError, Transport, wall_ms
from tests.sync.support import assert_identical, assert_stock_is_ledger, close_all, join
from tests.sync.test_sync_sites import owner_with_network
from tests.sync_server_process import RunningServer

HOUR_MS = 3_600_000


def test_every_batch_sent_twice_is_stored_once(server: RunningServer, tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    owner, _net = owner_with_network(server, tmp_path)
    original = Transport.push
    replies: list[protocol.PushReply] = []

    def twice(self: Transport, body: bytes) -> protocol.PushReply:
        original(self, body)  # this reply is "lost": the client sends the batch again
        reply = original(self, body)
        replies.append(reply)
        return reply

    monkeypatch.setattr(Transport, "push", twice)
    monkeypatch.setattr(protocol, "MAX_PUSH_OPS", 7)
    report = owner.sync()
    assert report.pushed > 7 and report.duplicates == report.pushed
    assert len(replies) == -(-report.pushed // 7)  # batches of seven, each sent twice
    monkeypatch.undo()
    mp = join(server, tmp_path / "mp1.sqlite", "MP1")
    pulled = mp.sync().pulled
    assert pulled == report.pushed  # each op once on the server
    owner.sync()  # learns that MP1, syncing, now reports its own progress
    assert_identical([owner, mp])
    assert_stock_is_ledger([owner, mp])
    close_all([owner, mp])


def test_an_interrupted_pull_resumes_where_it_stopped(server: RunningServer,
                                                      tmp_path: Path) -> None:
    owner, _net = owner_with_network(server, tmp_path)
    owner.sync()
    mp = join(server, tmp_path / "mp1.sqlite", "MP1")
    batches = 0

    def stop_after_three() -> bool:
        nonlocal batches
        batches += 1
        return batches > 3

    with pytest.raises(SyncCancelledError):
        client.run_sync(mp.db, cancelled=stop_after_three, pull_limit=5)
    cursor = current_cursor(mp.db)
    assert cursor >= 15  # three batches of five were applied and kept
    report = mp.sync(pull_limit=5)
    assert report.pulled > 0 and current_cursor(mp.db) > cursor
    owner.sync()  # learns that MP1, syncing, now reports its own progress
    assert_identical([owner, mp])
    assert_stock_is_ledger([owner, mp])
    close_all([owner, mp])


def test_a_crash_while_applying_a_batch_leaves_nothing_half_applied(
        server: RunningServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    owner, _net = owner_with_network(server, tmp_path)
    owner.sync()
    mp = join(server, tmp_path / "mp1.sqlite", "MP1")
    original = alerts.check_stock
    calls = 0

    def crash_on_third(*args: Any) -> int:
        nonlocal calls
        calls += 1
        if calls == 3:
            raise RuntimeError("power cut")
        return original(*args)

    monkeypatch.setattr(alerts, "check_stock", crash_on_third)
    with pytest.raises(RuntimeError):
        mp.sync(pull_limit=4)
    assert current_cursor(mp.db) == 8  # two whole batches; the third rolled back with its cursor
    monkeypatch.undo()
    mp.sync(pull_limit=4)
    owner.sync()  # learns that MP1, syncing, now reports its own progress
    assert_identical([owner, mp])
    assert_stock_is_ledger([owner, mp])
    close_all([owner, mp])


def test_a_clock_hours_off_is_refused_and_nothing_is_lost(server: RunningServer,
                                                          tmp_path: Path) -> None:
    owner, _net = owner_with_network(server, tmp_path)
    waiting = pending_count(owner.db)
    with pytest.raises(SyncError) as refused:
        owner.sync(clock_ms=lambda: wall_ms() + 3 * HOUR_MS)
    assert refused.value.status == 400 and "clock" in refused.value.message
    assert pending_count(owner.db) == waiting
    view = state.overview(owner.db)
    assert "clock" in view.last_error and view.last_sync_at is None
    report = owner.sync()  # the clock put right: everything goes
    assert report.pushed == waiting and pending_count(owner.db) == 0
    assert state.overview(owner.db).last_error == ""
    close_all([owner])


def test_an_older_client_is_refused_by_a_newer_server_and_keeps_its_outbox(
        server: RunningServer, tmp_path: Path) -> None:
    owner, _net = owner_with_network(server, tmp_path)
    waiting = pending_count(owner.db)
    newest = owner.db.schema_version
    owner.db.schema_version = "0002"  # what a dmdesk two migrations older would send
    with pytest.raises(SyncError) as refused:
        owner.sync()
    assert refused.value.status == 409 and "schema" in refused.value.message
    assert "kept" in refused.value.message
    assert pending_count(owner.db) == waiting
    owner.db.schema_version = newest  # after the update
    assert owner.sync().pushed == waiting
    close_all([owner])


def test_wrong_and_revoked_tokens_get_a_clear_refusal(server: RunningServer,
                                                      tmp_path: Path) -> None:
    owner, _net = owner_with_network(server, tmp_path)
    with pytest.raises(SyncError) as wrong:
        client.setup(owner.db, server.base_url, "not-a-token")
    assert wrong.value.status == 401 and "token" in wrong.value.message
    server.revoke("HQ")
    with pytest.raises(SyncError) as revoked:
        owner.sync()
    assert revoked.value.status == 401 and "new token" in revoked.value.message
    close_all([owner])


def test_an_unreachable_server_is_one_clear_message(server: RunningServer,
                                                    tmp_path: Path) -> None:
    owner, _net = owner_with_network(server, tmp_path)
    server.stop()
    with pytest.raises(SyncError) as down:
        owner.sync()
    assert down.value.status is None and "Cannot reach" in down.value.message
    assert "kept" in down.value.message
    server.restart()
    owner.sync()
    assert pending_count(owner.db) == 0
    close_all([owner])


def test_the_server_killed_mid_push_and_restarted_loses_nothing(
        server: RunningServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    owner, _net = owner_with_network(server, tmp_path)
    waiting = pending_count(owner.db)
    original = Transport.push
    calls = 0

    def killed_on_third(self: Transport, body: bytes) -> protocol.PushReply:
        nonlocal calls
        calls += 1
        if calls == 3:
            server.kill()  # SIGKILL, as a power cut would
        return original(self, body)

    monkeypatch.setattr(Transport, "push", killed_on_third)
    monkeypatch.setattr(protocol, "MAX_PUSH_OPS", 5)
    with pytest.raises(SyncError) as down:
        owner.sync()
    assert "Cannot reach" in down.value.message
    assert pending_count(owner.db) == waiting - 10  # two batches went, the rest is kept
    server.restart()
    owner.sync()
    monkeypatch.undo()
    assert pending_count(owner.db) == 0
    mp = join(server, tmp_path / "mp1.sqlite", "MP1")
    assert mp.sync().pulled == waiting
    owner.sync()  # learns that MP1, syncing, now reports its own progress
    assert_identical([owner, mp])
    assert_stock_is_ledger([owner, mp])
    close_all([owner, mp])


def as_role(db: Database, role: str) -> None:
    with db.write_session() as session:
        session.execute(text("UPDATE sync_state SET role = :r"), {"r": role})


def test_a_change_the_site_may_not_make_is_taken_back_and_the_rest_goes(
        server: RunningServer, tmp_path: Path) -> None:
    from dmdesk.db import models as m
    from dmdesk.services import products, stock

    owner, net = owner_with_network(server, tmp_path)
    owner.sync()
    mp = join(server, tmp_path / "mp1.sqlite", "MP1")
    mp.sync()
    stock.receive(mp.ctx, net.screw, net.mp_stock, "10")
    with pytest.raises(NotYoursError):  # the owner's to change: the app refuses it
        products.update_product(mp.ctx, net.chair, price="1.00")
    # An app from before the rules were shared did not check: the server refuses it then.
    as_role(mp.db, "")
    products.update_product(mp.ctx, net.chair, price="1.00")
    as_role(mp.db, "site")
    stock.receive(mp.ctx, net.steel, net.mp_stock, "3")
    report = mp.sync()
    assert report.refused == 1 and report.pushed > 0
    assert pending_count(mp.db) == 0
    view = state.overview(mp.db)
    assert view.open_alerts == 1 and view.last_error == ""
    owner.sync()
    for site in (owner, mp):  # the owner's price everywhere: MP1 took its change back
        with site.db.read_session() as session:
            assert session.get(m.Product, net.chair).price == 249  # type: ignore[union-attr]
    assert_stock_is_ledger([owner, mp])
    with owner.db.reader.connect() as conn:
        moves = conn.exec_driver_sql("SELECT COUNT(*) FROM stock_move").scalar_one()
    with mp.db.reader.connect() as conn:
        assert conn.exec_driver_sql("SELECT COUNT(*) FROM stock_move").scalar_one() == moves
    close_all([owner, mp])
