"""A field edited at two sites between syncs: kept as a conflict where it is detected, shown
with both values, settled by a person, and the settlement reaches the other site. Also the
`dmdesk sync` command end to end."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date
from pathlib import Path

from dmdesk.db import models as m
from dmdesk.services import sites, work_orders
from dmdesk.sync import conflicts, state
from tests.sync.support import assert_identical, close_all, join, sync_all
from tests.sync.test_sync_sites import owner_with_network
from tests.sync_server_process import RunningServer


def test_a_field_edited_at_two_sites_is_a_conflict_settled_everywhere(
        server: RunningServer, tmp_path: Path) -> None:
    owner, net = owner_with_network(server, tmp_path)
    order = work_orders.create_work_order(owner.ctx, net.frame, 2, net.mp, date(2026, 12, 1))
    owner.sync()
    mp = join(server, tmp_path / "mp1.sqlite", "MP1")
    mp.sync()

    # Both edit the notes while apart; the owner also changes the priority (no clash).
    work_orders.update_work_order(owner.ctx, order.id, notes="Use the blue powder coat",
                                 priority=1)
    work_orders.update_work_order(mp.ctx, order.id, notes="Coating booth down until Friday")
    owner.sync()
    report = mp.sync()
    assert report.conflicts == 1
    with mp.db.read_session() as session:
        held = session.get(m.WorkOrder, order.id)
        assert held is not None
        assert held.notes == "Coating booth down until Friday"  # the local value stays...
        assert held.priority == 1  # ...while the field nobody else changed merges
    [conflict] = conflicts.list_conflicts(mp.db)
    assert (conflict.entity, conflict.field, conflict.origin) == ("work_order", "notes", "HQ")
    assert conflict.label == order.number
    assert conflict.local_value == "Coating booth down until Friday"
    assert conflict.remote_value == "Use the blue powder coat"
    assert state.overview(mp.db).open_conflicts == 1

    # The conflict survives later syncs until someone settles it.
    sync_all([owner, mp])
    assert state.overview(mp.db).open_conflicts == 1

    listed = _dmdesk("sync", "--db", str(mp.db.path), "--conflicts")
    assert str(conflict.id) in listed.stdout and "Use the blue powder coat" in listed.stdout
    settled = _dmdesk("sync", "--db", str(mp.db.path), "--keep-mine", str(conflict.id))
    assert settled.returncode == 0, settled.stderr
    assert "Coating booth down until Friday" in settled.stderr
    assert conflicts.list_conflicts(mp.db) == []
    sync_all([mp, owner])
    for site in (owner, mp):
        with site.db.read_session() as session:
            final = session.get(m.WorkOrder, order.id)
            assert final is not None and final.notes == "Coating booth down until Friday"
    assert_identical([owner, mp])
    [settled] = conflicts.list_conflicts(mp.db, open_only=False)
    assert settled.settled_how == "local"
    close_all([owner, mp])


def _dmdesk(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "dmdesk.cli", *args], capture_output=True,
                          text=True, env={**os.environ}, timeout=120)


def test_the_sync_command(server: RunningServer, tmp_path: Path) -> None:
    owner, _net = owner_with_network(server, tmp_path)
    owner.db.close()
    path = str(tmp_path / "hq.sqlite")
    wrong = _dmdesk("sync", "--db", path, "--setup", server.base_url, "nope")
    assert wrong.returncode == 1 and "token" in wrong.stderr
    assert len(wrong.stderr.strip().splitlines()) == 1
    token = server.token("HQ")
    setup = _dmdesk("sync", "--db", path, "--setup", server.base_url, token)
    assert setup.returncode == 0, setup.stderr
    assert "site HQ (owner)" in setup.stderr
    run = _dmdesk("sync", "--db", path)
    assert run.returncode == 0, run.stderr
    assert "Sending changes" in run.stderr and "Synced in" in run.stderr
    status = _dmdesk("sync", "--db", path, "--status")
    assert "Pending changes: 0" in status.stdout and server.base_url in status.stdout
    server.stop()
    down = _dmdesk("sync", "--db", path)
    assert down.returncode == 1 and "Cannot reach the sync server" in down.stderr
    server.start()


def test_progress_belongs_to_the_making_site(server: RunningServer, tmp_path: Path) -> None:
    """The owner puts an order on hold while MP1, offline, starts it: MP1's progress stands
    everywhere, and the owner's hold is refused by the server and taken back with an alert.

    Both may act only because the holder changed in flight: MP1 said it reports its own
    progress (so it holds the order) before the owner had heard of it (so the owner still
    held it). Otherwise only the holder acts at all (domain/lifecycle.py)."""
    owner, net = owner_with_network(server, tmp_path)
    order = work_orders.create_work_order(owner.ctx, net.frame, 2, net.mp, date(2026, 12, 1))
    work_orders.release(owner.ctx, order.id, override_reason="MP1 has its own steel")
    owner.sync()
    mp = join(server, tmp_path / "mp1.sqlite", "MP1")
    wh = join(server, tmp_path / "wh.sqlite", "WH")
    mp.sync()
    wh.sync()
    sites.update_site(mp.ctx, net.mp, reports_progress=True)
    work_orders.hold(owner.ctx, order.id, reason="customer asked to wait")
    work_orders.start(mp.ctx, order.id)
    refused = owner.sync()  # the server knows MP1 holds the order: the hold is taken back
    assert refused.refused == 1 and refused.reverted == 1
    mp.sync()
    sync_all([owner, mp, wh], rounds=3)
    for site in (owner, mp, wh):
        with site.db.read_session() as session:
            held = session.get(m.WorkOrder, order.id)
            assert held is not None and held.state == "in_progress", site.code
    assert conflicts.list_conflicts(mp.db) == [] and conflicts.list_conflicts(owner.db) == []
    with owner.db.reader.connect() as conn:
        said = [row[0] for row in conn.exec_driver_sql("SELECT message FROM sync_alert")]
    assert any(text.startswith("The server refused this site's") for text in said), said
    assert_identical([owner, mp, wh])
    close_all([owner, mp, wh])
