"""A site whose clock ran hours ahead: its work is not lost and does not come from the future.

The server refuses ops stamped beyond the allowed skew; once the computer's clock is right
again, the site's unsent changes are stamped again with the right time and go out."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from dmdesk.db import models as m
from dmdesk.db.models_sync import SyncAlert
from dmdesk.domain.hlc import HLC, MAX_CLOCK_SKEW_MS
from dmdesk.services import contacts
from dmdesk.services.context import ServiceContext
from tests.sync.support import Site, assert_identical, close_all, join, sync_all
from tests.sync.test_sync_sites import owner_with_network
from tests.sync_server_process import RunningServer


def _supplier_made_with_the_clock_ahead(server: RunningServer, tmp_path: Path
                                        ) -> tuple[Site, Site, ServiceContext, uuid.UUID]:
    """The owner and MP1 in sync; then MP1, its clock 3 h ahead, adds a supplier."""
    owner, net = owner_with_network(server, tmp_path)
    owner.sync()
    mp = join(server, tmp_path / "mp1.sqlite", "MP1")
    sync_all([owner, mp])
    ahead = ServiceContext(mp.db, actor="user@MP1",
                           clock=lambda: datetime.now(UTC) + timedelta(hours=3))
    supplier = contacts.create_contact(ahead, kind="organisation", role="supplier",
                                       name="Tube supplier", site_id=net.mp)
    return owner, mp, ahead, supplier


def test_work_done_while_the_clock_ran_ahead_is_stamped_again_and_arrives(
        server: RunningServer, tmp_path: Path) -> None:
    owner, mp, ahead, supplier = _supplier_made_with_the_clock_ahead(server, tmp_path)
    contacts.update_contact(ahead, supplier, phone="+351 21 000 0000")
    sync_all([mp, owner])  # the clock is right again when it syncs

    limit = datetime.now(UTC).timestamp() * 1000 + MAX_CLOCK_SKEW_MS
    for site in (owner, mp):
        with site.db.read_session() as session:
            found = session.get(m.Contact, supplier)
            assert found is not None and found.phone == "+351 21 000 0000"
    with mp.db.read_session() as session:
        stamps = session.scalars(select(m.OutboxOp.hlc)).all()
        assert all(HLC.decode(stamp).wall_ms < limit for stamp in stamps)
        said = session.scalars(select(SyncAlert.message).where(
            SyncAlert.kind == "restamped")).all()
    assert said and "stamped again" in said[0]
    assert_identical([owner, mp])
    close_all([owner, mp])


def test_an_edit_made_after_the_clock_was_put_right_stays_the_last_word(
        server: RunningServer, tmp_path: Path) -> None:
    """The edit from the future is stamped again at sync time; the later edit of the same field,
    stamped by the right clock before that sync, must still come after it at every site."""
    owner, mp, ahead, supplier = _supplier_made_with_the_clock_ahead(server, tmp_path)
    contacts.update_contact(ahead, supplier, phone="+351 21 000 0001")
    right = ServiceContext(mp.db, actor="user@MP1")  # the clock was put right
    contacts.update_contact(right, supplier, phone="+351 21 000 0002")
    sync_all([mp, owner])

    for site in (owner, mp):
        with site.db.read_session() as session:
            found = session.get(m.Contact, supplier)
            assert found is not None and found.phone == "+351 21 000 0002", site.code
    assert_identical([owner, mp])
    close_all([owner, mp])
