"""A change the server refuses is taken back (the network's value wins, server authority), and
every sync ends with a check that the site holds what the server says it should. Real sites
(SQLite files) against a real server process."""

from __future__ import annotations

import sqlite3
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from dmdesk.db import models as m
from dmdesk.services import contacts, products, stock, work_orders
from dmdesk.sync import protocol
from dmdesk.sync.push import pending_count
from dmdesk.sync.transport import SyncError, Transport
from tests.sync.support import (
    Site,
    assert_identical,
    assert_stock_is_ledger,
    close_all,
    join,
    old_client,
)
from tests.sync.test_sync_conflicts import _dmdesk
from tests.sync.test_sync_sites import owner_with_network
from tests.sync_server_process import RunningServer


def open_alerts(site: Site, kind: str | None = None) -> list[str]:
    with site.db.reader.connect() as conn:
        return [str(row[0]) for row in conn.exec_driver_sql(
            "SELECT message FROM sync_alert WHERE cleared_at IS NULL AND (? IS NULL OR "
            "kind = ?) ORDER BY detected_at", (kind, kind))]


def outbox_rows(site: Site) -> int:
    with site.db.reader.connect() as conn:
        return int(conn.exec_driver_sql("SELECT COUNT(*) FROM outbox").scalar_one())


def value(site: Site, sql: str, *params: Any) -> Any:
    with site.db.reader.connect() as conn:
        row = conn.exec_driver_sql(sql, params).first()
    return None if row is None else row[0]


def owner_and_mp1(server: RunningServer, tmp_path: Path) -> tuple[Site, Site, Any]:
    owner, net = owner_with_network(server, tmp_path)
    owner.sync()
    mp = join(server, tmp_path / "mp1.sqlite", "MP1")
    mp.sync()
    owner.sync()  # learns that MP1, syncing, now reports its own progress
    return owner, mp, net


def test_a_site_renaming_a_product_gets_the_owners_name_back_without_an_outbox_row(
        server: RunningServer, tmp_path: Path) -> None:
    owner, net = owner_with_network(server, tmp_path)
    products.update_product(owner.ctx, net.chair, name="Chair, oak")  # the network's value
    owner.sync()
    mp = join(server, tmp_path / "mp1.sqlite", "MP1")
    mp.sync()
    owner.sync()  # learns that MP1, syncing, now reports its own progress
    with old_client(mp):  # an app from before the rules were shared
        products.update_product(mp.ctx, net.chair, name="Armchair")  # products are the owner's
    stock.receive(mp.ctx, net.screw, net.mp_stock, "10")  # the site's to write: it goes
    before = outbox_rows(mp)

    report = mp.sync()

    assert report.refused == 1 and report.reverted == 1 and report.pushed == 1
    assert outbox_rows(mp) == before, "taking a change back must write no outbox row"
    assert pending_count(mp.db) == 0
    assert value(mp, "SELECT name FROM product WHERE id = ?", net.chair.bytes) == "Chair, oak"
    assert open_alerts(mp) == [
        "The server refused this site's change of product CHAIR's name ('Armchair'): "
        "products are the owner's. It was set back to 'Chair, oak'."]
    assert "1 new alert, 1 change refused by the server and taken back" in report.summary()
    # The field holds the network's value with the network's stamp, no longer pending.
    clock = "SELECT hlc, pending FROM sync_clock WHERE entity = 'product' AND field = 'name'"
    hlc, pending = value(owner, clock.replace("hlc, pending", "hlc")), value(
        mp, clock.replace("hlc, pending", "pending"))
    assert value(mp, clock.replace("hlc, pending", "hlc")) == hlc and pending == 0
    with mp.db.reader.connect() as conn:
        refusal, reverted, pushed = conn.exec_driver_sql(
            "SELECT refusal, reverted_at, pushed_at FROM outbox WHERE entity = 'product' "
            "AND op = 'update'").one()
    assert refusal == "products are the owner's" and reverted and pushed
    owner.sync()
    again = mp.sync()
    assert again.refused == 0 and again.gaps == "" and again.checked
    assert_identical([owner, mp])
    close_all([owner, mp])


def test_a_due_date_the_owner_planned_goes_back_to_the_plan(server: RunningServer,
                                                             tmp_path: Path) -> None:
    owner, net = owner_with_network(server, tmp_path)
    order = work_orders.create_work_order(owner.ctx, net.frame, 4, net.mp, date(2026, 12, 20))
    owner.sync()
    mp = join(server, tmp_path / "mp1.sqlite", "MP1")
    mp.sync()
    owner.sync()  # learns that MP1, syncing, now reports its own progress
    with old_client(mp):  # an app from before the rules were shared
        work_orders.update_work_order(mp.ctx, order.id, due_date=date(2027, 1, 15))

    report = mp.sync()

    assert report.refused == 1
    with mp.db.read_session() as session:
        planned = session.get(m.WorkOrder, order.id)
        assert planned is not None and planned.due_date == date(2026, 12, 20)
    [alert] = open_alerts(mp)
    assert alert.startswith(f"The server refused this site's change of work order "
                            f"{order.number}'s due date ('2027-01-15'): a work order's "
                            "planning")
    assert alert.endswith("It was set back to '2026-12-20'.")
    owner.sync()
    mp.sync()
    assert_identical([owner, mp])
    close_all([owner, mp])


def test_a_refused_stock_move_leaves_the_ledger_and_the_balance(server: RunningServer,
                                                                 tmp_path: Path) -> None:
    owner, mp, net = owner_and_mp1(server, tmp_path)
    stock.receive(mp.ctx, net.steel, net.mp_stock, "20")  # its own location: goes
    with old_client(mp):  # an app from before the rules were shared
        stock.receive(mp.ctx, net.steel, net.wh_stock, "5")  # the warehouse's: refused
    moves_before = value(mp, "SELECT COUNT(*) FROM stock_move")

    report = mp.sync()

    assert report.refused == 1 and report.pushed == 1
    assert value(mp, "SELECT COUNT(*) FROM stock_move") == moves_before - 1
    assert value(mp, "SELECT COUNT(*) FROM stock_move WHERE location_id = ?",
                 net.wh_stock.bytes) == 0
    assert value(mp, "SELECT on_hand FROM stock_balance WHERE location_id = ?",
                 net.wh_stock.bytes) is None
    [alert] = open_alerts(mp)
    assert alert.startswith("The server refused this site's stock move of 5 m STEEL at "
                            "WH/STOCK (")
    assert alert.endswith("a site posts stock moves only at its own locations. It was "
                          "removed from this site's ledger and its stock balance.")
    assert_stock_is_ledger([mp])  # `dmdesk db check`: cache = ledger, references, audit
    # The ledger is still protected: the trigger is back as it was.
    with sqlite3.connect(mp.db.path) as conn, pytest.raises(sqlite3.IntegrityError):
        conn.execute("DELETE FROM stock_move")
    owner.sync()
    assert mp.sync().gaps == ""
    assert_identical([owner, mp])
    assert_stock_is_ledger([owner, mp])
    close_all([owner, mp])


def test_a_refused_product_and_its_refused_bom_line_are_both_removed(
        server: RunningServer, tmp_path: Path) -> None:
    owner, mp, net = owner_and_mp1(server, tmp_path)
    with old_client(mp):  # an app from before the rules were shared
        jig = products.create_product(mp.ctx, sku="MP-JIG", name="Drilling jig",
                                      kind="component", unit="pcs")
        products.add_bom_line(mp.ctx, jig, net.screw, "4")

    report = mp.sync()

    assert report.refused == 2 and report.reverted == 2
    assert value(mp, "SELECT COUNT(*) FROM product WHERE id = ?", jig.bytes) == 0
    assert value(mp, "SELECT COUNT(*) FROM bom_line WHERE parent_id = ?", jig.bytes) == 0
    assert value(mp, "SELECT COUNT(*) FROM sync_clock WHERE entity_id = ?", jig.bytes) == 0
    alerts = open_alerts(mp)
    assert len(alerts) == 2
    assert "The server refused this site's new product MP-JIG: products are the owner's. "\
        "It was removed here." in alerts
    assert any(a.startswith("The server refused this site's new bom line ")
               and a.endswith("bom lines are the owner's. It was removed here.")
               for a in alerts)
    owner.sync()
    mp.sync()
    assert_identical([owner, mp])
    close_all([owner, mp])


def test_a_refused_row_still_used_here_is_kept_and_said_so(server: RunningServer,
                                                           tmp_path: Path) -> None:
    owner, mp, net = owner_and_mp1(server, tmp_path)
    with old_client(mp):  # an app from before the rules were shared
        jig = products.create_product(mp.ctx, sku="MP-JIG", name="Drilling jig",
                                      kind="component", unit="pcs")
    stock.receive(mp.ctx, jig, net.mp_stock, "3")  # a move at its own location: goes

    report = mp.sync()

    assert report.refused == 1
    assert value(mp, "SELECT sku FROM product WHERE id = ?", jig.bytes) == "MP-JIG"
    [alert] = open_alerts(mp)
    assert alert.startswith("The server refused this site's new product MP-JIG: products "
                            "are the owner's. It is still used here (by ")
    assert "stock move" in alert and "so it was kept" in alert
    close_all([owner, mp])


def test_nothing_refused_means_no_alerts_and_the_check_passes(server: RunningServer,
                                                              tmp_path: Path) -> None:
    owner, mp, net = owner_and_mp1(server, tmp_path)
    stock.receive(mp.ctx, net.screw, net.mp_stock, "40")
    contacts.create_contact(mp.ctx, name="Tube supplier", role="supplier", site_id=net.mp)
    products.update_product(owner.ctx, net.chair, price="259.00")
    for site in (mp, owner, mp):
        report = site.sync()
        assert report.refused == 0 and report.checked and report.gaps == ""
    assert open_alerts(owner) == [] and open_alerts(mp) == []
    assert_identical([owner, mp])
    close_all([owner, mp])


def test_the_check_finds_a_move_deleted_behind_its_back_and_a_full_resync_restores_it(
        server: RunningServer, tmp_path: Path) -> None:
    owner, mp, _net = owner_and_mp1(server, tmp_path)
    assert mp.sync().gaps == ""
    total = value(mp, "SELECT COUNT(*) FROM stock_move")
    with sqlite3.connect(mp.db.path) as conn:  # a tool that does not go through dmdesk
        move, product, location, quantity = conn.execute(
            "SELECT id, product_id, location_id, quantity FROM stock_move WHERE lot_id IS "
            "NULL ORDER BY id LIMIT 1").fetchone()
        conn.execute("DROP TRIGGER stock_move_no_delete")
        conn.execute("DELETE FROM stock_move WHERE id = ?", (move,))
        conn.execute("UPDATE stock_balance SET on_hand = on_hand - ? WHERE product_id = ? "
                     "AND location_id = ? AND lot_key = X''", (quantity, product, location))

    report = mp.sync()

    sentence = (f"This site holds {total - 1:,} of the network's {total:,} stock moves; 1 is "
                "missing: run a full resync")
    assert report.gaps.startswith(sentence)
    assert sentence in report.summary()
    assert any(a.startswith(sentence) for a in open_alerts(mp, "digest"))

    report = mp.sync(full_resync=True)

    assert report.gaps == "" and open_alerts(mp, "digest") == []
    assert value(mp, "SELECT COUNT(*) FROM stock_move WHERE id = ?", move) == 1
    assert_identical([owner, mp])
    assert_stock_is_ledger([owner, mp])
    close_all([owner, mp])


def test_the_check_finds_a_change_lost_on_the_way_and_a_full_resync_fetches_it(
        server: RunningServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    owner, _net = owner_with_network(server, tmp_path)
    buyer = contacts.create_contact(owner.ctx, name="Hotel chain", role="customer")
    sent = owner.sync().pushed
    mp = join(server, tmp_path / "mp1.sqlite", "MP1")
    original = Transport.pull

    def losing_one(self: Transport, after: int, limit: int) -> protocol.PullReply:
        reply = original(self, after, limit)
        reply["changes"] = [c for c in reply["changes"] if c["entity_id"] != buyer.hex]
        return reply

    monkeypatch.setattr(Transport, "pull", losing_one)
    report = mp.sync()
    monkeypatch.undo()

    assert report.gaps.startswith(f"This site holds {sent - 1:,} of HQ's {sent:,} changes; "
                                  "1 is missing: run a full resync")
    # The cursor is past it: it stays missing until fixed; `dmdesk sync` says so and how.
    again = _dmdesk("sync", "--db", str(mp.db.path))
    assert again.returncode == 0, again.stderr
    assert "1 is missing: run a full resync" in again.stderr and "--full-resync" in again.stderr
    fixed = _dmdesk("sync", "--db", str(mp.db.path), "--full-resync")
    assert fixed.returncode == 0, fixed.stderr
    assert "missing" not in fixed.stderr and open_alerts(mp) == []
    assert value(mp, "SELECT name FROM contact WHERE id = ?", buyer.bytes) == "Hotel chain"
    owner.sync()  # learns that MP1, syncing, now reports its own progress
    assert_identical([owner, mp])
    close_all([owner, mp])


def test_a_read_only_token_refused_as_a_whole_is_an_error_and_nothing_is_taken_back(
        server: RunningServer, tmp_path: Path) -> None:
    owner, _net = owner_with_network(server, tmp_path)
    owner.sync()
    accountant = join(server, tmp_path / "acc.sqlite", "ACC", role="accountant")
    accountant.sync()
    with old_client(accountant):  # an app from before the rules were shared
        contact = contacts.create_contact(accountant.ctx, name="Auditor", role="supplier")
    waiting = pending_count(accountant.db)
    with pytest.raises(SyncError) as refused:
        accountant.sync()
    assert refused.value.status == 403 and "only reads" in refused.value.message
    assert pending_count(accountant.db) == waiting
    assert value(accountant, "SELECT COUNT(*) FROM outbox WHERE refusal IS NOT NULL") == 0
    assert value(accountant, "SELECT name FROM contact WHERE id = ?",
                 contact.bytes) == "Auditor"
    assert open_alerts(accountant) == []
    close_all([owner, accountant])


def test_a_site_that_pulled_before_changes_were_counted_pulls_once_more_to_count(
        server: RunningServer, tmp_path: Path) -> None:
    owner, mp, _net = owner_and_mp1(server, tmp_path)
    counted = value(mp, "SELECT merged FROM sync_origin WHERE origin = 'HQ'")
    assert counted > 0
    with sqlite3.connect(mp.db.path) as conn:  # as migration 0007 leaves a site that pulled
        conn.execute("DELETE FROM sync_origin")
        conn.execute("INSERT INTO sync_origin (origin, merged) VALUES ('?', 0)")

    report = mp.sync()

    assert report.gaps == "" and report.pulled == counted and report.conflicts == 0
    assert value(mp, "SELECT merged FROM sync_origin WHERE origin = 'HQ'") == counted
    assert value(mp, "SELECT COUNT(*) FROM sync_origin WHERE origin = '?'") == 0
    assert mp.sync().pulled == 0  # once only
    assert_identical([owner, mp])
    close_all([owner, mp])
