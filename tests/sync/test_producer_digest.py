"""The check that ends every sync (sync/digest.py, GET /v1/digest) at an outside producer, whose
database holds only its scope: the server counts what the producer's feed sent it (catch-up
and withdrawals included) and all of its own changes, so a producer that holds its scope
passes, and one that lost a row behind sync's back is told so. Real server process."""

from __future__ import annotations

import sqlite3
import uuid
from datetime import date
from pathlib import Path

import pytest

from dmdesk.services import products, stock, work_orders
from dmdesk.sync.transport import Transport
from tests.sync.support import (
    Site,
    assert_identical,
    assert_stock_is_ledger,
    close_all,
    old_client,
)
from tests.sync.test_producer_split import World, build, full_sync, make_at, rows, split
from tests.sync_server_process import RunningServer


def open_alerts(site: Site) -> list[str]:
    return [str(r[0]) for r in rows(site, "SELECT message FROM sync_alert WHERE kind = "
                                          "'digest' AND cleared_at IS NULL")]


def work_that_comes_and_goes(world: World) -> None:
    """Routing, rerouting in draft (a withdrawal at MP1), a split reroute away from MP1, and
    stock moves of MP1's own and shipped to it; each producer syncs fully after each."""
    net, owner, mp1 = world.net, world.owner, world.mp1
    products.add_design_file(owner.ctx, net.chair, "chair.pdf", b"chair drawing")
    routed = work_orders.create_work_order(owner.ctx, net.chair, 2, net.mp, date(2027, 2, 1))
    kept = work_orders.create_work_order(owner.ctx, net.frame, 4, net.mp, date(2027, 2, 1))
    stock.ship_transfer(owner.ctx, net.hq_stock, net.mp_stock,
                        [stock.TransferLineSpec(net.steel, "5")], override_reason="test")
    full_sync(world)
    assert rows(mp1, "SELECT COUNT(*) FROM design_file") == [(2,)]
    # Rerouted in draft: the chair leaves MP1, and its design file with it.
    work_orders.update_work_order(owner.ctx, routed.id, site_id=world.mp2_id)
    full_sync(world)
    assert rows(mp1, "SELECT COUNT(*) FROM design_file") == [(1,)]
    # MP1 receives the steel, makes part of the frames; the owner splits the rest away.
    [(transfer,)] = rows(mp1, "SELECT id FROM transfer WHERE state = 'shipped'")
    stock.receive_transfer(mp1.ctx, uuid.UUID(bytes=transfer))
    stock.receive(mp1.ctx, net.screw, net.mp_stock, "100")
    stock.receive(mp1.ctx, net.steel, net.mp_stock, "20")
    make_at(mp1, kept.id, 1, start=True)
    mp1.sync()
    owner.sync()
    split(world, kept.id, net.mp, world.por_id)
    full_sync(world, rounds=3)
    assert rows(mp1, "SELECT COUNT(*) FROM design_file") == [(0,)]  # withdrawn: no work
    assert rows(mp1, "SELECT state FROM work_order WHERE id = ?", kept.id.bytes) == [("done",)]


def test_a_producers_sync_after_work_came_and_went_ends_with_a_clean_check(
        server: RunningServer, tmp_path: Path) -> None:
    world = build(server, tmp_path)
    work_that_comes_and_goes(world)  # every sync of it asserts report.gaps == ""
    for producer in (world.mp1, world.mp2):
        report = producer.sync()
        assert report.checked and report.gaps == "" and open_alerts(producer) == []
        status, digest = server.request("GET", "/v1/digest?upto=1000000", producer.token)
        assert status == 200, digest
        assert digest["origins"], "a producer with work is sent something"
    # What MP1 was sent from HQ is what it counted, withdrawals ("" origin) included.
    held = dict(rows(world.mp1, "SELECT origin, merged FROM sync_origin"))
    assert held.get("", 0) >= 1 and held["HQ"] > 0
    assert_identical([world.owner, world.por])
    assert_stock_is_ledger(world.sites)
    close_all(world.sites)


def test_a_stock_move_deleted_behind_syncs_back_at_a_producer_is_reported_and_fetched_again(
        server: RunningServer, tmp_path: Path) -> None:
    world = build(server, tmp_path)
    work_that_comes_and_goes(world)
    mp1 = world.mp1
    total = rows(mp1, "SELECT COUNT(*) FROM stock_move")[0][0]
    with sqlite3.connect(mp1.db.path) as conn:  # the transfer's arrival, sent by HQ
        move, product, location, quantity = conn.execute(
            "SELECT id, product_id, location_id, quantity FROM stock_move WHERE reason = "
            "'transfer_in'").fetchone()
        conn.execute("DROP TRIGGER stock_move_no_delete")
        conn.execute("DELETE FROM stock_move WHERE id = ?", (move,))
        conn.execute("UPDATE stock_balance SET on_hand = on_hand - ? WHERE product_id = ? "
                     "AND location_id = ? AND lot_key = X''", (quantity, product, location))

    report = mp1.sync()

    sentence = (f"This site holds {total - 1:,} of the network's {total:,} stock moves; 1 is "
                "missing: run a full resync")
    assert report.gaps.startswith(sentence), report.gaps
    assert any(a.startswith(sentence) for a in open_alerts(mp1))

    report = mp1.sync(full_resync=True)

    assert report.gaps == "" and open_alerts(mp1) == []
    assert rows(mp1, "SELECT COUNT(*) FROM stock_move WHERE id = ?", move) == [(1,)]
    assert rows(mp1, "SELECT COUNT(*) FROM design_file") == [(0,)]  # withdrawn again
    assert_stock_is_ledger([mp1])
    close_all(world.sites)


def test_a_change_lost_on_the_way_to_a_producer_is_reported(
        server: RunningServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    world = build(server, tmp_path)
    net, owner, mp1 = world.net, world.owner, world.mp1
    order = work_orders.create_work_order(owner.ctx, net.frame, 3, net.mp, date(2027, 2, 1))
    owner.sync()
    original = Transport.pull

    def losing_the_order(self: Transport, after: int, limit: int) -> object:
        reply = original(self, after, limit)
        reply["changes"] = [c for c in reply["changes"] if c["entity_id"] != order.id.hex]
        return reply

    monkeypatch.setattr(Transport, "pull", losing_the_order)
    report = mp1.sync()
    monkeypatch.undo()

    assert "of HQ's" in report.gaps and "missing: run a full resync" in report.gaps
    assert mp1.sync(full_resync=True).gaps == ""
    assert rows(mp1, "SELECT COUNT(*) FROM work_order WHERE id = ?", order.id.bytes) == [(1,)]
    close_all(world.sites)


def test_a_refused_change_at_a_producer_is_set_back_to_what_the_producer_was_sent(
        server: RunningServer, tmp_path: Path) -> None:
    """GET /v1/row, which the client asks to take a refused change back, folds what the
    producer's feed sent it (projected, as sent): the network's value comes back, not
    "the network has no such row" (a producer never reads the op log)."""
    world = build(server, tmp_path)
    net, owner, mp1 = world.net, world.owner, world.mp1
    products.update_product(owner.ctx, net.frame, name="Chair frame, oak")
    work_orders.create_work_order(owner.ctx, net.frame, 2, net.mp, date(2027, 2, 1))
    full_sync(world)
    with old_client(mp1):  # an app from before the rules were shared
        products.update_product(mp1.ctx, net.frame, name="Our frame")

    report = mp1.sync()

    assert report.refused == 1 and report.reverted == 1
    assert rows(mp1, "SELECT name, price FROM product WHERE id = ?", net.frame.bytes) == [
        ("Chair frame, oak", 0)]
    [alert] = [r[0] for r in rows(mp1, "SELECT message FROM sync_alert WHERE cleared_at IS "
                                       "NULL")]
    assert alert.endswith("It was set back to 'Chair frame, oak'."), alert
    status, row = server.request("GET", f"/v1/row?entity=product&id={net.frame.hex}",
                                 mp1.token)
    assert status == 200 and "price" not in row["fields"], row  # as projected for MP1
    status, row = server.request("GET", f"/v1/row?entity=product&id={net.chair.hex}",
                                 mp1.token)
    assert status == 200 and not row["exists"]  # never sent to MP1
    full_sync(world)
    close_all(world.sites)
