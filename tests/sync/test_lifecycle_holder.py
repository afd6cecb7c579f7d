"""One holder per work order, and reroutes that never take work from under a site (issue 12's
scenarios 1-3), on real databases synced through a real server process.

The network: the owner HQ, and two workshops LIS and POR that run dmdesk (they claim their own
progress when they sync). A work order planned by the owner at LIS is held by LIS.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from dmdesk.db import models as m
from dmdesk.db.database import open_database
from dmdesk.db.models_network import WorkOrderReroute
from dmdesk.db.models_sync import SyncAlert, SyncDeferred
from dmdesk.domain.errors import NotYoursError
from dmdesk.domain.kinds import MoveReason
from dmdesk.services import products, rerouting, sites, stock, work_orders
from dmdesk.services.context import ServiceContext
from dmdesk.services.rerouting import RerouteChoice
from tests.integration.support import location_of, snapshot_counts
from tests.sync.support import (
    Site,
    assert_identical,
    assert_stock_is_ledger,
    close_all,
    join,
    sync_all,
)
from tests.sync_server_process import RunningServer

CAPABILITIES = "laser-cut,welding"


@dataclass
class World:
    owner: Site
    lis: Site
    por: Site
    lis_id: object
    por_id: object
    frame: object
    steel: object
    screw: object

    @property
    def sites(self) -> list[Site]:
        return [self.owner, self.lis, self.por]


def build(server: RunningServer, tmp_path: Path, *, lot_tracked: bool = False) -> World:
    db = open_database(tmp_path / "hq.sqlite")
    ctx = ServiceContext(db, actor="owner")
    sites.create_site(ctx, code="HQ", name="Head office", kind="warehouse")
    sites.set_local_site(ctx, "HQ")
    lis = sites.create_site(ctx, code="LIS", name="Lisbon", kind="own_workshop",
                            capabilities=CAPABILITIES)
    por = sites.create_site(ctx, code="POR", name="Porto", kind="own_workshop",
                            capabilities=CAPABILITIES)
    steel = products.create_product(ctx, sku="STEEL", name="Steel tube", kind="raw_material",
                                    unit="m")
    screw = products.create_product(ctx, sku="SCREW", name="Screw", kind="raw_material",
                                    unit="pcs")
    frame = products.create_product(ctx, sku="FRAME", name="Frame", kind="component",
                                    unit="pcs", lot_tracked=lot_tracked)
    products.add_bom_line(ctx, frame, steel, "2.5")
    products.add_bom_line(ctx, frame, screw, 8)
    products.add_operation(ctx, frame, name="Cut", capability="laser-cut", run_minutes=4)
    products.add_operation(ctx, frame, name="Weld", capability="welding", run_minutes=12)
    owner = join(server, tmp_path / "hq.sqlite", "HQ", role="owner", db=db)
    owner.sync()
    world = World(owner, join(server, tmp_path / "lis.sqlite", "LIS"),
                  join(server, tmp_path / "por.sqlite", "POR"), lis, por, frame, steel, screw)
    sync_all(world.sites)
    for site, site_id in ((world.lis, lis), (world.por, por)):
        stock.receive(site.ctx, steel, location_of(site.db, site_id), "100")
        stock.receive(site.ctx, screw, location_of(site.db, site_id), "400")
    sync_all(world.sites)
    return world


def reports_progress(site: Site, site_id: object) -> bool:
    with site.db.read_session() as session:
        return bool(session.scalar(select(m.Site.reports_progress).where(m.Site.id == site_id)))


def order_row(site: Site, number: str) -> m.WorkOrder:
    with site.db.read_session() as session:
        row = session.scalars(select(m.WorkOrder).where(m.WorkOrder.number == number)).one()
        session.expunge(row)
        return row


def outputs(site: Site) -> dict[str, Decimal]:
    """Production output per work order number, from the ledger."""
    with site.db.read_session() as session:
        rows = session.execute(
            select(m.WorkOrder.number, func.count(m.StockMove.id))
            .join(m.WorkOrder, m.WorkOrder.id == m.StockMove.document_id)
            .where(m.StockMove.reason == MoveReason.PRODUCTION_OUTPUT)
            .group_by(m.WorkOrder.number)).all()
        totals = dict(session.execute(
            select(m.WorkOrder.number, func.sum(m.StockMove.quantity))
            .join(m.WorkOrder, m.WorkOrder.id == m.StockMove.document_id)
            .where(m.StockMove.reason == MoveReason.PRODUCTION_OUTPUT)
            .group_by(m.WorkOrder.number)).all())
    assert all(count == 1 for _, count in rows), f"an order output twice at {site.code}: {rows}"
    return {number: Decimal(str(total)) for number, total in totals.items()}


def alerts(site: Site) -> list[str]:
    with site.db.read_session() as session:
        return list(session.scalars(select(SyncAlert.message).where(
            SyncAlert.kind == "reroute")))


def assert_settled(world: World) -> None:
    sync_all(world.sites, rounds=3)
    assert_identical(world.sites)
    assert_stock_is_ledger(world.sites)
    for site in world.sites:
        with site.db.read_session() as session:
            assert session.scalar(select(func.count()).select_from(SyncDeferred)) == 0
    first = outputs(world.owner)
    for site in world.sites[1:]:
        assert outputs(site) == first


def planned_at_lis(world: World, qty: int = 5) -> str:
    order = work_orders.create_work_order(world.owner.ctx, world.frame, qty, world.lis_id,
                                         date(2027, 1, 15))
    sync_all([world.owner, world.lis])
    return order.number


def work_at_lis(world: World, number: str, good: int, *, complete: bool) -> None:
    wo = order_row(world.lis, number)
    work_orders.release(world.lis.ctx, wo.id)
    work_orders.start(world.lis.ctx, wo.id)
    work_orders.report_progress(world.lis.ctx, wo.id, 10, good=good, finished=True)
    work_orders.report_progress(world.lis.ctx, wo.id, 20, good=good, finished=True)
    if complete:
        work_orders.complete(world.lis.ctx, wo.id)


def reroute_lis_to_por(world: World, number: str) -> rerouting.RerouteResult:
    wo = order_row(world.owner, number)
    return rerouting.apply_reroute(world.owner.ctx, world.lis_id,
                                   [RerouteChoice(wo.id, world.por_id)], reason="LIS is down")


def test_a_site_that_syncs_claims_its_own_progress(server: RunningServer,
                                                   tmp_path: Path) -> None:
    world = build(server, tmp_path)
    for site in world.sites:
        assert reports_progress(site, world.lis_id)
        assert reports_progress(site, world.por_id)
    close_all(world.sites)


@pytest.mark.parametrize("lot_tracked", [False, True], ids=["plain", "lot-tracked"])
def test_reroute_of_work_a_site_finished_offline_keeps_its_work(
        server: RunningServer, tmp_path: Path, lot_tracked: bool) -> None:
    """Scenario 1: LIS completes the order without syncing while the owner reroutes it."""
    world = build(server, tmp_path, lot_tracked=lot_tracked)
    number = planned_at_lis(world)
    work_at_lis(world, number, 5, complete=True)

    result = reroute_lis_to_por(world, number)
    assert result.failed == ()
    continued = result.moved[0].continued_as
    assert continued and order_row(world.owner, number).site_id == world.lis_id
    assert order_row(world.owner, continued).quantity == 5

    world.owner.sync()
    world.por.sync()   # POR sees the new order as a draft
    world.lis.sync()   # LIS's work goes in: it held the order all along
    world.owner.sync()  # the owner learns LIS made all 5 and withdraws the new order
    assert_settled(world)

    for site in world.sites:
        assert order_row(site, number).state == "done"
        assert order_row(site, number).good_qty == 5
        assert order_row(site, continued).state == "cancelled"
    assert outputs(world.owner) == {number: Decimal(5)}
    assert any(continued in text and "withdrawn" in text for text in alerts(world.owner))
    close_all(world.sites)


def overshoot_alerts(site: Site) -> list[str]:
    with site.db.read_session() as session:
        return list(session.scalars(select(SyncAlert.message).where(
            SyncAlert.kind == "overshoot")))


@pytest.mark.parametrize("por_made", [5, 2], ids=["done", "in progress"])
def test_a_withdrawn_order_its_site_made_anyway_stands_with_an_overshoot_alert(
        server: RunningServer, tmp_path: Path, por_made: int) -> None:
    """LIS makes all 5 offline while the owner splits its order to POR; POR, not knowing,
    makes some or all of the new order before the owner withdraws it (it still looked a draft
    to the owner). POR's work happened: it stands, and the overshoot is said, not silent."""
    world = build(server, tmp_path)
    number = planned_at_lis(world)
    work_at_lis(world, number, 5, complete=True)
    continued = reroute_lis_to_por(world, number).moved[0].continued_as
    world.owner.sync()
    world.por.sync()  # POR gets the new order as a draft and works on it without syncing
    new = order_row(world.por, continued)
    work_orders.release(world.por.ctx, new.id)
    work_orders.start(world.por.ctx, new.id)
    work_orders.report_progress(world.por.ctx, new.id, 10, good=por_made, finished=True)
    work_orders.report_progress(world.por.ctx, new.id, 20, good=por_made, finished=True)
    if por_made == 5:
        work_orders.complete(world.por.ctx, new.id)
    world.lis.sync()
    world.owner.sync()  # LIS made it all: the owner withdraws the new order, a draft to it
    assert order_row(world.owner, continued).moved_to_id == order_row(world.owner, number).id
    world.por.sync()  # POR's work goes in; it learns of the withdrawal
    assert_settled(world)

    for site in world.sites:
        row = order_row(site, continued)
        assert (row.state, row.good_qty) == ("done", por_made)
    assert outputs(world.owner) == {number: Decimal(5), continued: Decimal(por_made)}
    for site in (world.owner, world.por):
        told = overshoot_alerts(site)
        assert len(told) == 1, f"{site.code}: {told}"
        assert continued in told[0] and f"{por_made} pcs FRAME more than planned" in told[0]
    assert overshoot_alerts(world.lis) == []
    sync_all(world.sites)  # said once, not again at every sync
    assert len(overshoot_alerts(world.owner)) == len(overshoot_alerts(world.por)) == 1
    close_all(world.sites)


def test_the_correction_follows_a_remainder_split_onward(server: RunningServer,
                                                        tmp_path: Path) -> None:
    """LIS makes all 5 offline; the owner splits its order to POR, then POR's new order on to
    LIS. When LIS's figure arrives, it is the last order of that chain that carries the rest
    (the one in between is withdrawn already), so that is the one withdrawn: nothing is made
    twice, and the link from POR's order to it is kept."""
    world = build(server, tmp_path)
    number = planned_at_lis(world)
    work_at_lis(world, number, 5, complete=True)
    first = rerouting.reroute_work_order(world.owner.ctx, order_row(world.owner, number).id,
                                         world.por_id).continued_as
    sync_all([world.owner, world.por])  # POR holds the new order now
    second = rerouting.reroute_work_order(world.owner.ctx, order_row(world.owner, first).id,
                                          world.lis_id).continued_as
    assert second and order_row(world.owner, first).moved_to_id is not None
    world.owner.sync()
    world.lis.sync()
    world.owner.sync()  # LIS made it all: the rest, now carried by the third order, goes
    assert order_row(world.owner, first).moved_to_id == order_row(world.owner, second).id
    assert_settled(world)

    for site in world.sites:
        assert [order_row(site, n).state for n in (number, first, second)] == [
            "done", "cancelled", "cancelled"]
    assert outputs(world.owner) == {number: Decimal(5)}
    assert any(second in text and "withdrawn" in text for text in alerts(world.owner))
    close_all(world.sites)


def test_a_continuation_the_owner_already_finished_is_said_to_overshoot(
        server: RunningServer, tmp_path: Path) -> None:
    """POR does not report its own progress, so the owner completes the new order for it
    before LIS's figure (all 5 made) arrives: both outputs stand, and the owner is told."""
    world = build(server, tmp_path)
    sites.update_site(world.owner.ctx, world.por_id, reports_progress=False)
    number = planned_at_lis(world)
    work_at_lis(world, number, 5, complete=True)
    continued = reroute_lis_to_por(world, number).moved[0].continued_as
    new = order_row(world.owner, continued)
    work_orders.release(world.owner.ctx, new.id, override_reason="stock elsewhere")
    work_orders.start(world.owner.ctx, new.id)
    work_orders.complete(world.owner.ctx, new.id, override_reason="stock elsewhere")
    world.owner.sync()
    world.lis.sync()
    world.owner.sync()
    assert_settled(world)
    assert outputs(world.owner) == {number: Decimal(5), continued: Decimal(5)}
    assert any(continued in text and "overshoots by 5" in text for text in alerts(world.owner))
    close_all(world.sites)


def test_reroute_of_work_half_done_offline_closes_it_and_shrinks_the_rest(
        server: RunningServer, tmp_path: Path) -> None:
    world = build(server, tmp_path)
    number = planned_at_lis(world)
    work_at_lis(world, number, 3, complete=False)
    result = reroute_lis_to_por(world, number)
    continued = result.moved[0].continued_as

    world.owner.sync()
    world.lis.sync()  # pushes its progress, learns of the move, closes with 3 good
    lis_order = order_row(world.lis, number)
    assert (lis_order.state, lis_order.good_qty) == ("done", 3)
    assert any(number in text and "closed" in text for text in alerts(world.lis))
    world.owner.sync()  # reconciles: POR makes 2, not 5
    assert order_row(world.owner, continued).quantity == 2
    assert_settled(world)

    # LIS consumed components for the 3 it handled, not for 5; the rest is free again.
    with world.lis.db.read_session() as session:
        consumed = dict(session.execute(
            select(m.WOMaterial.line_no, m.WOMaterial.consumed)
            .join(m.WorkOrder, m.WorkOrder.id == m.WOMaterial.work_order_id)
            .where(m.WorkOrder.number == number)).all())
        reserved = session.scalar(select(func.count()).select_from(m.Reservation))
    assert consumed == {1: Decimal("7.5"), 2: Decimal(24)}
    assert reserved == 0
    assert outputs(world.owner) == {number: Decimal(3)}
    # POR makes the rest: the two orders add up to the five planned.
    new = order_row(world.por, continued)
    work_orders.release(world.por.ctx, new.id)
    work_orders.start(world.por.ctx, new.id)
    work_orders.complete(world.por.ctx, new.id)
    assert_settled(world)
    assert outputs(world.owner) == {number: Decimal(3), continued: Decimal(2)}
    close_all(world.sites)


def test_reroute_of_work_not_started_cancels_it_at_the_old_site(
        server: RunningServer, tmp_path: Path) -> None:
    world = build(server, tmp_path)
    number = planned_at_lis(world)
    wo = order_row(world.lis, number)
    work_orders.release(world.lis.ctx, wo.id)  # reserved, not started
    continued = reroute_lis_to_por(world, number).moved[0].continued_as
    assert_settled(world)
    for site in world.sites:
        assert order_row(site, number).state == "cancelled"
        assert order_row(site, continued).quantity == 5
        assert order_row(site, continued).state == "draft"
    with world.lis.db.read_session() as session:
        assert session.scalar(select(func.count()).select_from(m.Reservation)) == 0
        reroutes = session.scalars(select(WorkOrderReroute)).all()
        assert [r.settled_at is not None for r in reroutes] == [True]
    close_all(world.sites)


def test_a_second_reroute_of_a_split_order_is_refused(server: RunningServer,
                                                       tmp_path: Path) -> None:
    world = build(server, tmp_path)
    number = planned_at_lis(world)
    reroute_lis_to_por(world, number)
    again = reroute_lis_to_por(world, number)
    assert again.moved == () and "already moved" in again.failed[0][1]
    close_all(world.sites)


@pytest.mark.parametrize("action", ["release", "complete"])
def test_only_the_holder_acts_on_an_order(server: RunningServer, tmp_path: Path,
                                          action: str) -> None:
    """Scenarios 2 and 3: the owner and the making site both try; only LIS may."""
    world = build(server, tmp_path)
    number = planned_at_lis(world)
    wo = order_row(world.owner, number)
    if action == "complete":
        work_at_lis(world, number, 5, complete=False)
        sync_all(world.sites)
    before = snapshot_counts(world.owner.db)
    act = getattr(work_orders, action)
    with pytest.raises(NotYoursError, match="only LIS"):
        act(world.owner.ctx, wo.id)
    assert snapshot_counts(world.owner.db) == before
    act(world.lis.ctx, wo.id)
    assert_settled(world)
    with world.owner.db.read_session() as session:
        lines = session.scalars(select(m.WOMaterial.line_no).where(
            m.WOMaterial.work_order_id == wo.id)).all()
    assert sorted(lines) == [1, 2]
    close_all(world.sites)


def test_the_owner_acts_for_a_site_that_does_not_report(server: RunningServer,
                                                        tmp_path: Path) -> None:
    world = build(server, tmp_path)
    sites.update_site(world.owner.ctx, world.por_id, reports_progress=False)
    order = work_orders.create_work_order(world.owner.ctx, world.frame, 2, world.por_id,
                                         date(2027, 1, 15))
    sync_all(world.sites)
    with pytest.raises(NotYoursError, match="owner records it"):
        work_orders.release(world.por.ctx, order.id)
    close_all(world.sites)


def test_a_standalone_database_holds_every_order(tmp_path: Path) -> None:
    db = open_database(tmp_path / "alone.sqlite")
    ctx = ServiceContext(db)
    sites.create_site(ctx, code="HQ", name="Head office", kind="own_workshop")
    sites.set_local_site(ctx, "HQ")
    lis = sites.create_site(ctx, code="LIS", name="Lisbon", kind="own_workshop",
                            reports_progress=True)
    frame = products.create_product(ctx, sku="F", name="F", kind="component", unit="pcs")
    order = work_orders.create_work_order(ctx, frame, 1, lis, date(2027, 1, 1))
    # Never set up for sync: this database is the whole network, so it is the owner; LIS
    # reports its own progress, so even the owner may not act for it.
    with pytest.raises(NotYoursError):
        work_orders.release(ctx, order.id)
    sites.update_site(ctx, lis, reports_progress=False)
    work_orders.release(ctx, order.id)
    db.close()
