"""Two sites make a lot with the same code for the same product while offline: the other
site's lot waits with an alert (nothing lost) until one is renamed (services/lots.py); after
the rename and a sync both lots are everywhere, stock is the ledger, and nothing waits."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from sqlalchemy import select

from dmdesk.db import models as m
from dmdesk.services import lots, stock
from dmdesk.sync import state
from tests.integration.support import ledger_sums
from tests.sync.support import (
    Site,
    assert_identical,
    assert_stock_is_ledger,
    close_all,
    join,
    sync_all,
)
from tests.sync.test_sync_sites import owner_with_network
from tests.sync_server_process import RunningServer


def fabric_lots(site: Site) -> dict[str, str]:
    """Code -> id (hex) of the lots of FABRIC at ``site``."""
    with site.db.read_session() as session:
        return {lot.code: lot.id.hex for lot in session.scalars(
            select(m.Lot).join(m.Product, m.Product.id == m.Lot.product_id)
            .where(m.Product.sku == "FABRIC"))}


def open_alerts(site: Site) -> list[str]:
    with site.db.reader.connect() as conn:
        return [row[0] for row in conn.exec_driver_sql(
            "SELECT message FROM sync_alert WHERE cleared_at IS NULL")]


@pytest.mark.parametrize("renamer", ["MP1", "HQ"])
def test_a_lot_code_clash_waits_and_a_rename_settles_it_everywhere(
        server: RunningServer, tmp_path: Path, renamer: str) -> None:
    owner, net = owner_with_network(server, tmp_path)
    owner.sync()
    mp = join(server, tmp_path / "mp1.sqlite", "MP1")
    mp.sync()
    sites = [owner, mp]

    # Offline, each makes lot L1 of FABRIC (lot-tracked) and moves stock in and out of it.
    stock.receive(owner.ctx, net.fabric, net.hq_stock, "3", lot_code="L1")
    stock.receive(mp.ctx, net.fabric, net.mp_stock, "2", lot_code="L1")
    mine = fabric_lots(mp)["L1"]
    stock.issue(mp.ctx, net.fabric, net.mp_stock, "0.5", lot_id=uuid.UUID(hex=mine))
    ours = fabric_lots(owner)["L1"]
    sync_all(sites)

    for site, theirs in ((owner, "MP1"), (mp, "HQ")):
        [alert] = open_alerts(site)
        assert alert.startswith(f"{theirs} made a lot with code 'L1'")
        assert "until one of the two is renamed" in alert
        view = state.overview(site.db)
        assert view.deferred >= 2  # the lot and the moves into it wait, not dropped
    assert fabric_lots(owner) == {"L1": ours} and fabric_lots(mp) == {"L1": mine}
    assert_stock_is_ledger(sites)

    # One of the two renames its own lot; the change travels like any other.
    renaming = mp if renamer == "MP1" else owner
    renamed = lots.rename_lot_by_code(renaming.ctx, "FABRIC", "L1", f"L1-{renamer}")
    assert renamed.lot_id.hex == (mine if renamer == "MP1" else ours)
    sync_all(sites)

    expected = ({"L1": ours, "L1-MP1": mine} if renamer == "MP1"
                else {"L1": mine, "L1-HQ": ours})
    for site in sites:
        assert fabric_lots(site) == expected, site.code
        view = state.overview(site.db)
        assert (view.deferred, view.open_alerts, view.pending) == (0, 0, 0), site.code
        assert open_alerts(site) == []
    assert_identical(sites)
    assert_stock_is_ledger(sites)  # the balance cache equals the sum of the moves
    assert ledger_sums(owner.db) == ledger_sums(mp.db)
    with owner.db.reader.connect() as conn:
        by_lot = dict(conn.exec_driver_sql(
            "SELECT lower(hex(lot_id)), SUM(quantity) FROM stock_move WHERE lot_id IS NOT NULL "
            "GROUP BY lot_id").all())
    assert by_lot == {ours: 3000, mine: 1500}  # thousandths: 3 at HQ, 2 - 0.5 at MP1
    assert mp.sync().pulled == 0  # quiet: nothing left to exchange
    close_all(sites)
