"""Two and three sites with the owner, each working offline, synced through a real server
process: every synced table ends identical everywhere and stock equals the ledger."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlalchemy import select

from dmdesk.db import models as m
from dmdesk.db.database import open_database
from dmdesk.services import contacts, products, sites, stock, work_orders
from dmdesk.services.context import ServiceContext
from dmdesk.services.stock import TransferLineSpec
from dmdesk.sync import state
from tests.integration.support import Network, build_network, location_of
from tests.sync.support import (
    Site,
    assert_identical,
    assert_stock_is_ledger,
    close_all,
    join,
    sync_all,
)
from tests.sync_server_process import RunningServer


def owner_with_network(server: RunningServer, tmp_path: Path) -> tuple[Site, Network]:
    db = open_database(tmp_path / "hq.sqlite")
    ctx = ServiceContext(db, actor="owner")
    net = build_network(ctx)
    stock.receive(ctx, net.steel, net.hq_stock, "100")
    stock.receive(ctx, net.screw, net.hq_stock, "500")
    # The first shipment makes the shared in-transit site, at the owner's.
    stock.ship_transfer(ctx, net.hq_stock, net.wh_stock, [TransferLineSpec(net.steel, "10")])
    return join(server, tmp_path / "hq.sqlite", "HQ", role="owner", db=db), net


def test_owner_and_two_sites_work_offline_and_converge(server: RunningServer,
                                                       tmp_path: Path) -> None:
    owner, net = owner_with_network(server, tmp_path)
    first = owner.sync()
    assert first.pushed > 0 and first.pulled == 0
    mp = join(server, tmp_path / "mp1.sqlite", "MP1")
    wh = join(server, tmp_path / "wh.sqlite", "WH")
    for site in (mp, wh):
        report = site.sync()
        assert report.pulled >= first.pushed and report.conflicts == 0
    owner.sync()  # learns that MP1, syncing, now reports its own progress
    assert_identical([owner, mp, wh])

    # Offline at each place.
    order = work_orders.create_work_order(owner.ctx, net.frame, 4, net.mp,
                                         date(2026, 12, 20), notes="rush")
    products.update_product(owner.ctx, net.chair, price="259.00", description="New fabric")
    customer = contacts.create_contact(owner.ctx, kind="organisation", role="customer",
                                       name="Acme Furniture")
    owner.sync()

    mp.sync()  # gets the work order, which MP1 holds: it reports its own progress
    work_orders.release(mp.ctx, order.id, override_reason="MP1 buys its own steel")
    stock.receive(mp.ctx, net.steel, net.mp_stock, "20")
    stock.receive(mp.ctx, net.screw, net.mp_stock, "40")
    work_orders.start(mp.ctx, order.id)
    work_orders.report_progress(mp.ctx, order.id, 10, good=4, finished=True)
    work_orders.report_progress(mp.ctx, order.id, 20, good=4, finished=True)
    work_orders.complete(mp.ctx, order.id)
    supplier = contacts.create_contact(mp.ctx, kind="organisation", role="supplier",
                                       name="Tube supplier", site_id=net.mp)
    contacts.update_contact(mp.ctx, supplier, phone="+351 21 000 0000")

    with wh.db.read_session() as session:
        transfer = session.scalars(select(m.Transfer.id)).one()
    stock.receive_transfer(wh.ctx, transfer)
    stock.receive(wh.ctx, net.screw, net.wh_stock, "1000")
    contacts.update_contact(owner.ctx, customer, email="buy@acme.example")

    sync_all([owner, mp, wh])
    everyone = [owner, mp, wh]
    assert_identical(everyone)
    assert_stock_is_ledger(everyone)
    for site in everyone:
        with site.db.read_session() as session:
            done = session.get(m.WorkOrder, order.id)
            assert done is not None and done.state == "done" and done.good_qty == 4
            assert session.get(m.Product, net.chair).price == 259  # type: ignore[union-attr]
        assert site.sync().pulled == 0  # quiet: nothing left to exchange
    # The owner holds no reservations for an order MP1 made (only its holder reserves).
    with owner.db.read_session() as session:
        assert session.scalars(select(m.Reservation)).all() == []
    close_all(everyone)


def test_owner_and_three_sites_with_a_transfer_between_producers(server: RunningServer,
                                                                  tmp_path: Path) -> None:
    owner, net = owner_with_network(server, tmp_path)
    mp2_site = sites.create_site(owner.ctx, code="MP2", name="Upholsterer",
                                 kind="micro_producer", capabilities=["upholstery"])
    mp2_stock = location_of(owner.db, mp2_site)
    owner.sync()
    mp1, mp2, wh = (join(server, tmp_path / f"{code}.sqlite", code)
                    for code in ("MP1", "MP2", "WH"))
    everyone = [owner, mp1, mp2, wh]
    for site in everyone[1:]:
        site.sync()

    stock.receive(mp1.ctx, net.screw, net.mp_stock, "200")
    shipped = stock.ship_transfer(mp1.ctx, net.mp_stock, mp2_stock,
                                  [TransferLineSpec(net.screw, "80")])
    stock.receive(wh.ctx, net.steel, net.wh_stock, "30")
    stock.receive(mp2.ctx, net.fabric, mp2_stock, "12", lot_code="MP2-F1")
    contacts.create_contact(owner.ctx, name="Hotel chain", role="customer")
    mp1.sync()
    mp2.sync()  # gets the transfer and receives it
    with mp2.db.read_session() as session:
        transfer = session.scalars(select(m.Transfer.id).where(
            m.Transfer.number == shipped.reference)).one()
    stock.receive_transfer(mp2.ctx, transfer)
    stock.issue(mp2.ctx, net.screw, mp2_stock, "100", override_reason="counted short later")

    sync_all(everyone)
    assert_identical(everyone)
    assert_stock_is_ledger(everyone)
    for site in everyone:  # MP2 issued 100 of the 80 it had: an alert wherever it merged
        with site.db.reader.connect() as conn:
            on_hand = conn.exec_driver_sql(
                "SELECT on_hand FROM stock_balance WHERE product_id = ? AND location_id = ?",
                (net.screw.bytes, mp2_stock.bytes)).scalar_one()
        assert on_hand == -20_000  # thousandths
        if site is not mp2:
            assert state.overview(site.db).open_alerts == 1, site.code
    close_all(everyone)


def test_two_sites_shipping_before_they_ever_synced_make_one_in_transit_site(
        server: RunningServer, tmp_path: Path) -> None:
    db = open_database(tmp_path / "hq.sqlite")
    ctx = ServiceContext(db, actor="owner")
    net = build_network(ctx)
    stock.receive(ctx, net.steel, net.hq_stock, "100")
    owner = join(server, tmp_path / "hq.sqlite", "HQ", role="owner", db=db)
    owner.sync()
    mp = join(server, tmp_path / "mp1.sqlite", "MP1")
    mp.sync()
    stock.receive(mp.ctx, net.steel, net.mp_stock, "30")
    # Both ship before either has seen an in-transit site: each makes one.
    stock.ship_transfer(owner.ctx, net.hq_stock, net.wh_stock,
                        [TransferLineSpec(net.steel, "10")])
    stock.ship_transfer(mp.ctx, net.mp_stock, net.wh_stock, [TransferLineSpec(net.steel, "5")])
    sync_all([owner, mp], rounds=3)
    assert_identical([owner, mp])
    assert_stock_is_ledger([owner, mp])
    for site in (owner, mp):
        with site.db.read_session() as session:
            transit = session.scalars(select(m.Site.code).where(
                m.Site.kind == "in_transit")).all()
            assert transit == ["TRN"]
        view = state.overview(site.db)
        assert (view.deferred, view.open_alerts, view.last_error) == (0, 0, "")
    close_all([owner, mp])
