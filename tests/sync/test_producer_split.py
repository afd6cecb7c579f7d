"""A split reroute across a producer's scope (services/rerouting.py ``_split``), on real
databases synced through a real server process.

The network: the owner HQ, its workshop POR (role site) and the outside producers MP1 and
MP2 (role producer); all of them report their own progress once they sync, so each holds the
orders made at it, and a reroute by the owner splits them.

- Away from a producer: MP1 made part of an order when the owner moves the rest to POR. MP1
  does not see POR's new order, only a stub of it (domain/read_scope.py), against which it
  settles its own order exactly as the owner then holds it.
- Towards a producer: the rest of POR's order goes to MP2, which receives the new order
  whole (catch-up) and makes it.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from pytestqt.qtbot import QtBot

from dmdesk.domain.read_scope import STUB_COLUMNS
from dmdesk.gui.app import build_window
from dmdesk.gui.producer_mode import MyWorkOrdersArea
from dmdesk.gui.tasks import TaskRunner
from dmdesk.queries.integrity import check_database
from dmdesk.services import products, rerouting, sites, stock, work_orders
from dmdesk.services.rerouting import RerouteChoice
from tests.integration.support import Network, location_of
from tests.sync.support import (
    Site,
    assert_identical,
    assert_stock_is_ledger,
    close_all,
    join,
)
from tests.sync.test_sync_sites import owner_with_network
from tests.sync_server_process import RunningServer

MAKES_FRAMES = "laser-cut,welding"
CHILDREN = ("wo_material", "wo_operation", "quality_check", "lot", "lot_genealogy")


@dataclass
class World:
    owner: Site
    por: Site
    mp1: Site
    mp2: Site
    net: Network
    por_id: uuid.UUID
    mp2_id: uuid.UUID

    @property
    def sites(self) -> list[Site]:
        return [self.owner, self.por, self.mp1, self.mp2]


def build(server: RunningServer, tmp_path: Path) -> World:
    owner, net = owner_with_network(server, tmp_path)
    por = sites.create_site(owner.ctx, code="POR", name="Porto", kind="own_workshop",
                            capabilities=MAKES_FRAMES)
    mp2 = sites.create_site(owner.ctx, code="MP2", name="Weld shop", kind="micro_producer",
                            capabilities=MAKES_FRAMES.split(","))
    products.add_design_file(owner.ctx, net.frame, "frame.dxf", b"frame drawing")
    owner.sync()
    world = World(owner, join(server, tmp_path / "por.sqlite", "POR"),
                  join(server, tmp_path / "mp1.sqlite", "MP1", role="producer"),
                  join(server, tmp_path / "mp2.sqlite", "MP2", role="producer"),
                  net, por, mp2)
    full_sync(world)  # each claims its own progress; the owner learns it
    return world


def full_sync(world: World, rounds: int = 2) -> None:
    """Everyone syncs; no change refused and every sync ends with a clean digest check."""
    for _ in range(rounds):
        for site in world.sites:
            report = site.sync()
            assert report.refused == 0, f"{site.code}: the server refused changes"
            assert report.checked and report.gaps == "", f"{site.code}: {report.gaps}"


def rows(site: Site, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    with site.db.reader.connect() as conn:
        return [tuple(r) for r in conn.exec_driver_sql(sql, params)]


def order_row(site: Site, wo: uuid.UUID) -> dict[str, Any]:
    with site.db.reader.connect() as conn:
        found = conn.exec_driver_sql("SELECT * FROM work_order WHERE id = ?", (wo.bytes,))
        names = list(found.keys())
        row = found.one()
    return dict(zip(names, row, strict=True))


def make_at(site: Site, wo: uuid.UUID, good: int, *, start: bool) -> None:
    """The holder works on the order: released and started (once), ``good`` more through
    both operations."""
    if start:
        work_orders.release(site.ctx, wo, override_reason="its own steel")
        work_orders.start(site.ctx, wo)
    work_orders.report_progress(site.ctx, wo, 10, good=good)
    work_orders.report_progress(site.ctx, wo, 20, good=good)


def split(world: World, wo: uuid.UUID, from_site: uuid.UUID,
          to_site: uuid.UUID) -> uuid.UUID:
    result = rerouting.apply_reroute(world.owner.ctx, from_site,
                                     [RerouteChoice(wo, to_site)], reason="site down")
    assert result.failed == () and result.moved[0].continued_as, result
    number = result.moved[0].continued_as
    return uuid.UUID(bytes=rows(world.owner, "SELECT id FROM work_order WHERE number = ?",
                                number)[0][0])


def shown_in_window(qtbot: QtBot, site: Site, wo: uuid.UUID) -> tuple[str, list[str]]:
    """The producer's window on ``site``: My work orders, ``wo`` selected; the moved note
    and the order actions offered."""
    runner = TaskRunner()
    window, _gctx = build_window(site.db, runner)
    qtbot.addWidget(window)
    window.show()
    try:
        area = window.current_area()
        assert isinstance(area, MyWorkOrdersArea)
        area.state_filter.setCurrentIndex(area.state_filter.findText("All states"))
        area.refresh()
        assert area.list.select_id(wo)
        qtbot.waitUntil(lambda: area.current is not None and area.current.id == wo,
                        timeout=5_000)
        pane = area.detail
        offered = [a.value for a, b in pane.buttons.items() if b.isEnabled()]
        return (pane.moved_note.text() if pane.moved_note.isVisible() else ""), offered
    finally:
        window.close()
        runner.wait_idle()
        runner.shutdown()


def test_an_order_split_away_from_a_producer_is_settled_there_as_at_the_owner(
        server: RunningServer, tmp_path: Path, qtbot: QtBot) -> None:
    world = build(server, tmp_path)
    net, owner, mp1 = world.net, world.owner, world.mp1
    order = work_orders.create_work_order(owner.ctx, net.frame, 5, net.mp, date(2027, 1, 15)).id
    full_sync(world)
    stock.receive(mp1.ctx, net.steel, net.mp_stock, "50")
    stock.receive(mp1.ctx, net.screw, net.mp_stock, "100")
    make_at(mp1, order, 2, start=True)
    mp1.sync()
    owner.sync()  # the owner counts MP1's 2 good
    continued = split(world, order, net.mp, world.por_id)
    assert order_row(owner, continued)["quantity"] == 3000  # thousandths: 3 left to make
    make_at(mp1, order, 1, start=False)  # offline, before MP1 learns of the move

    full_sync(world, rounds=3)

    # MP1 closed its order with the 3 it made; the owner made the rest 2 at POR.
    at_owner, at_mp1 = order_row(owner, order), order_row(mp1, order)
    assert (at_mp1["state"], at_mp1["good_qty"]) == ("done", 3000)
    assert at_mp1["moved_to_id"] == continued.bytes
    # Every field as the owner holds it, but the pinned design file's row: it left MP1 with
    # the work (read_scope.py, design_file), so the pin is cleared there; its hash stays.
    assert at_owner["design_file_id"] is not None and at_mp1["design_file_id"] is None
    assert at_mp1["design_sha256"] == at_owner["design_sha256"] is not None
    assert {k: v for k, v in at_mp1.items() if k != "design_file_id"} == \
        {k: v for k, v in at_owner.items() if k != "design_file_id"}
    for table in ("wo_material", "wo_operation"):
        sql = f"SELECT * FROM {table} WHERE work_order_id = ?"
        assert sorted(rows(mp1, sql, order.bytes)) == sorted(rows(owner, sql, order.bytes))
    assert order_row(owner, continued)["quantity"] == 2000

    # Of the new order MP1 holds the stub only: its number, site and quantity, nothing else.
    stub_row, full_row = order_row(mp1, continued), order_row(owner, continued)
    shown = STUB_COLUMNS["work_order"]
    assert {k: stub_row[k] for k in shown} == {k: full_row[k] for k in shown}
    assert stub_row["site_id"] == world.por_id.bytes and stub_row["quantity"] == 2000
    assert full_row["notes"] and stub_row["notes"] == ""
    assert full_row["rerouted_from_id"] == order.bytes and stub_row["rerouted_from_id"] is None
    for table in CHILDREN:
        assert rows(mp1, f"SELECT COUNT(*) FROM {table} WHERE work_order_id = ?",
                    continued.bytes) == [(0,)], table
    assert len(rows(mp1, "SELECT id FROM work_order")) == 2
    assert check_database(mp1.db).problems == []  # `dmdesk db check`

    # MP1's window: the order moved to POR, read-only, with where its progress stood.
    note, offered = shown_in_window(qtbot, mp1, order)
    number = order_row(owner, continued)["number"]
    assert note == (f"Moved to POR: {number}, which makes the remaining 2 pcs. Progress here "
                    "stood at 3 good, 0 scrapped (done); read-only.")
    assert offered == []

    assert_identical([owner, world.por])
    assert_stock_is_ledger(world.sites)
    close_all(world.sites)


def test_an_order_split_away_to_a_producer_reaches_it_whole_and_is_made_there(
        server: RunningServer, tmp_path: Path) -> None:
    world = build(server, tmp_path)
    net, owner, por, mp2 = world.net, world.owner, world.por, world.mp2
    por_stock = location_of(owner.db, world.por_id)
    stock.receive(owner.ctx, net.steel, net.hq_stock, "1")  # the owner's own, unrelated
    order = work_orders.create_work_order(owner.ctx, net.frame, 4, world.por_id,
                                         date(2027, 1, 15)).id
    full_sync(world)
    stock.receive(por.ctx, net.steel, por_stock, "50")
    stock.receive(por.ctx, net.screw, por_stock, "100")
    make_at(por, order, 1, start=True)
    por.sync()
    owner.sync()
    continued = split(world, order, world.por_id, world.mp2_id)

    full_sync(world, rounds=3)

    assert order_row(por, order)["state"] == "done"
    new = order_row(mp2, continued)
    # Whole, not a stub; but the order it continues is POR's, not in MP2's scope, so the
    # link back is sent as null (read_scope.py, SCOPED_REFERENCES).
    full = order_row(owner, continued)
    assert full["rerouted_from_id"] == order.bytes and new["rerouted_from_id"] is None
    assert {**new, "rerouted_from_id": order.bytes} == full
    assert new["quantity"] == 3000 and new["state"] == "draft"
    for table in ("wo_operation",):
        sql = f"SELECT * FROM {table} WHERE work_order_id = ?"
        assert sorted(rows(mp2, sql, continued.bytes)) == sorted(
            rows(owner, sql, continued.bytes)) != []
    # MP2 makes it, with its own stock.
    mp2_stock = location_of(mp2.db, world.mp2_id)
    stock.receive(mp2.ctx, net.steel, mp2_stock, "50")
    stock.receive(mp2.ctx, net.screw, mp2_stock, "100")
    make_at(mp2, continued, 3, start=True)
    work_orders.complete(mp2.ctx, continued)
    full_sync(world)
    for site in (owner, por, mp2):
        assert order_row(site, continued)["state"] == "done"
    for outsider in (mp2, world.mp1):  # neither POR's order nor (at MP1) MP2's
        assert rows(outsider, "SELECT COUNT(*) FROM work_order WHERE id = ?",
                    order.bytes) == [(0,)]
    assert rows(world.mp1, "SELECT COUNT(*) FROM work_order WHERE id = ?",
                continued.bytes) == [(0,)]
    assert check_database(mp2.db).problems == []
    assert_identical([owner, por])
    assert_stock_is_ledger(world.sites)
    assert Decimal(order_row(owner, continued)["good_qty"]) == 3000
    close_all(world.sites)


def test_a_stub_that_comes_back_as_the_producers_work_is_filled_in_whole(
        server: RunningServer, tmp_path: Path) -> None:
    """The rest of MP1's order, moved to POR, comes back to MP1 (rerouted in draft): the
    stub MP1 held becomes its order, every field as the owner holds it, with its
    operations."""
    world = build(server, tmp_path)
    net, owner, mp1 = world.net, world.owner, world.mp1
    order = work_orders.create_work_order(owner.ctx, net.frame, 5, net.mp, date(2027, 1, 15),
                                         notes="for the spring range").id
    full_sync(world)
    continued = split(world, order, net.mp, world.por_id)
    full_sync(world)
    assert order_row(mp1, continued)["notes"] == ""  # a stub
    assert order_row(mp1, order)["state"] == "cancelled"  # nothing was made: cancelled

    rerouting.set_site_status(owner.ctx, net.mp, "active")
    work_orders.update_work_order(owner.ctx, continued, site_id=net.mp)
    full_sync(world)

    back, full = order_row(mp1, continued), order_row(owner, continued)
    assert back == full and back["notes"].startswith("Continues ")
    sql = "SELECT * FROM wo_operation WHERE work_order_id = ?"
    assert sorted(rows(mp1, sql, continued.bytes)) == sorted(
        rows(owner, sql, continued.bytes)) != []
    stock.receive(mp1.ctx, net.steel, net.mp_stock, "50")
    stock.receive(mp1.ctx, net.screw, net.mp_stock, "100")
    make_at(mp1, continued, 5, start=True)
    work_orders.complete(mp1.ctx, continued)
    full_sync(world)
    assert order_row(owner, continued)["state"] == "done"
    assert check_database(mp1.db).problems == []
    assert_identical([owner, world.por])
    assert_stock_is_ledger(world.sites)
    close_all(world.sites)
