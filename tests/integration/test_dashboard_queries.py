"""The dashboard's figures and the network's read side, checked against SQL written here
independently (raw SQL on the tables, on hand from the ledger rather than the balance cache).

``build_busy_network`` (the small network plus stock, reorder points, contacts and work orders in
every state, exactly one of them late and exactly one item below its reorder point) is shared
with the GUI tests of the dashboard and the sites area.
"""

from __future__ import annotations

import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import event, text

from dmdesk.db.database import Database
from dmdesk.domain.quantity import QUANTITY_SCALE
from dmdesk.queries import dashboard, network
from dmdesk.queries.paging import count, fetch_page
from dmdesk.services import contacts, products, sites, stock, work_orders
from dmdesk.services.context import ServiceContext
from tests.integration.support import Network, build_network

OPEN = ("draft", "released", "in_progress", "on_hold")


@dataclass(frozen=True)
class Busy:
    net: Network
    today: date
    late: uuid.UUID  # the one late order (released at MP1, due two days ago)
    on_time: uuid.UUID  # done at HQ before its due date, with scrap reported
    done_late: uuid.UUID  # done at HQ after its due date
    cancelled: uuid.UUID  # cancelled, due in the past: not late
    due_today: uuid.UUID  # in progress at HQ, due today: not late yet
    mp_org: uuid.UUID  # the CNC shop's business, linked to MP1
    mp_person: uuid.UUID  # someone who works there (linked through the organisation)


def _order(ctx: ServiceContext, product: uuid.UUID, qty: int, site: uuid.UUID,
           due: date) -> uuid.UUID:
    return work_orders.create_work_order(ctx, product, qty, site, due).id


def _stock_and_reorder_points(ctx: ServiceContext, net: Network) -> None:
    stock.receive(ctx, net.steel, net.hq_stock, 100)
    stock.receive(ctx, net.screw, net.hq_stock, 500)
    stock.receive(ctx, net.steel, net.mp_stock, 50)
    stock.receive(ctx, net.screw, net.mp_stock, 200)
    products.set_reorder_point(ctx, net.screw, net.hq, 1000, 2000)  # 500 less use: below
    products.set_reorder_point(ctx, net.steel, net.hq, 10)  # plenty: not below
    products.set_reorder_point(ctx, net.screw, net.mp, 200)  # exactly at it: not below
    products.set_reorder_point(ctx, net.steel, net.wh, 0)  # nothing, none wanted: not below


def _contacts(ctx: ServiceContext, net: Network) -> tuple[uuid.UUID, uuid.UUID]:
    org = contacts.create_contact(ctx, name="Oficina CNC Lda", role="producer",
                                  site_id=net.mp, capabilities="cnc")
    person = contacts.create_contact(ctx, kind="person", role="producer", name="Rui Costa",
                                     organisation_id=org, email="rui@cnc.example")
    contacts.create_contact(ctx, name="Casa Verde", role="customer")  # linked to no site
    return org, person


def _finished_orders(ctx: ServiceContext, net: Network, today: date) -> tuple[uuid.UUID, ...]:
    on_time = _order(ctx, net.frame, 4, net.hq, today + timedelta(days=7))
    work_orders.release(ctx, on_time)
    work_orders.start(ctx, on_time)
    work_orders.report_progress(ctx, on_time, 10, good=4)
    work_orders.report_progress(ctx, on_time, 20, good=3, scrap=1)
    work_orders.complete(ctx, on_time)
    done_late = _order(ctx, net.frame, 2, net.hq, today - timedelta(days=5))
    work_orders.release(ctx, done_late)
    work_orders.complete(ctx, done_late)
    cancelled = _order(ctx, net.frame, 1, net.hq, today - timedelta(days=10))
    work_orders.cancel(ctx, cancelled, reason="customer changed their mind")
    return on_time, done_late, cancelled


def build_busy_network(ctx: ServiceContext, today: date | None = None) -> Busy:
    today = today or date.today()
    net = build_network(ctx)
    _stock_and_reorder_points(ctx, net)
    org, person = _contacts(ctx, net)
    on_time, done_late, cancelled = _finished_orders(ctx, net, today)
    _order(ctx, net.frame, 1, net.hq, today + timedelta(days=10))  # draft
    _order(ctx, net.chair, 2, net.hq, today + timedelta(days=5))  # draft
    late = _order(ctx, net.frame, 2, net.mp, today - timedelta(days=2))
    work_orders.release(ctx, late)
    due_today = _order(ctx, net.frame, 1, net.hq, today)
    work_orders.release(ctx, due_today)
    work_orders.start(ctx, due_today)
    held = _order(ctx, net.frame, 1, net.mp, today + timedelta(days=3))
    work_orders.release(ctx, held)
    work_orders.hold(ctx, held, reason="machine down")
    return Busy(net, today, late, on_time, done_late, cancelled, due_today, org, person)


# --- the same figures, in SQL written for the test ----------------------------------------------


def sql_open_by_site(db: Database) -> dict[tuple[str, str], int]:
    with db.read_session() as session:
        rows = session.execute(text(
            "SELECT s.code, w.state, COUNT(*) FROM work_order w JOIN site s ON s.id = w.site_id "
            "WHERE w.state NOT IN ('done', 'cancelled') GROUP BY s.code, w.state")).all()
    return {(code, state): int(n) for code, state, n in rows}


def sql_late(db: Database, today: date) -> list[str]:
    with db.read_session() as session:
        return list(session.execute(text(
            "SELECT number FROM work_order WHERE due_date < :today "
            "AND state NOT IN ('done', 'cancelled') ORDER BY due_date, number"),
            {"today": today.isoformat()}).scalars())


def sql_below_reorder(db: Database) -> dict[tuple[str, str], tuple[Decimal, Decimal]]:
    """(site, sku) -> (on hand from the ledger, minimum), for reorder points below minimum."""
    with db.read_session() as session:
        rows = session.execute(text(
            "SELECT s.code, p.sku, rp.minimum, (SELECT COALESCE(SUM(mv.quantity), 0) "
            "  FROM stock_move mv JOIN location l ON l.id = mv.location_id "
            "  WHERE mv.product_id = rp.product_id AND l.site_id = rp.site_id "
            "  AND l.kind = 'internal') "
            "FROM reorder_point rp JOIN product p ON p.id = rp.product_id "
            "JOIN site s ON s.id = rp.site_id "
            "WHERE p.archived = 0 AND s.archived = 0")).all()
    scale = Decimal(QUANTITY_SCALE)
    return {(code, sku): (Decimal(on_hand) / scale, Decimal(minimum) / scale)
            for code, sku, minimum, on_hand in rows if on_hand < minimum}


# --- the dashboard -------------------------------------------------------------------------------


def test_open_work_per_site_and_state_matches_sql(ctx: ServiceContext) -> None:
    busy = build_busy_network(ctx)
    expected = sql_open_by_site(ctx.db)
    assert expected == {("HQ", "draft"): 2, ("HQ", "in_progress"): 1,
                        ("MP1", "released"): 1, ("MP1", "on_hold"): 1}
    with ctx.db.read_session() as session:
        work = dashboard.open_work_by_site(session)
    assert work.states == OPEN
    got = {(site.code, state): site.count(state) for site in work.sites for state in OPEN
           if site.count(state)}
    assert got == expected
    # Making sites show even when idle; the warehouse (no work) does not.
    assert [site.code for site in work.sites] == ["HQ", "MP1"]
    assert [site.total for site in work.sites] == [3, 2]
    assert work.total == sum(expected.values()) == 5
    assert [work.state_total(s) for s in OPEN] == [2, 1, 1, 1]
    assert busy.net.hq == work.sites[0].site_id


def test_late_orders_are_open_and_due_before_today(ctx: ServiceContext) -> None:
    busy = build_busy_network(ctx)
    expected = sql_late(ctx.db, busy.today)
    assert len(expected) == 1
    with ctx.db.read_session() as session:
        assert dashboard.late_count(session, busy.today) == 1
        page = fetch_page(session, dashboard.LATE_WORK_ORDERS,
                          filters={"late_on": busy.today})
        # Tomorrow the order due today is late too; the done and cancelled ones never are.
        tomorrow = busy.today + timedelta(days=1)
        assert dashboard.late_count(session, tomorrow) == len(sql_late(ctx.db, tomorrow)) == 2
    assert [row.number for row in page.rows] == expected
    [row] = page.rows
    assert row._id == busy.late
    assert (row.site, row.product, row.state, row.due_date) == (
        "MP1", "FRAME", "released", busy.today - timedelta(days=2))


def test_items_below_reorder_point_match_the_ledger(ctx: ServiceContext) -> None:
    busy = build_busy_network(ctx)
    expected = sql_below_reorder(ctx.db)
    assert list(expected) == [("HQ", "SCREW")]
    with ctx.db.read_session() as session:
        rows = fetch_page(session, dashboard.BELOW_REORDER_POINT).rows
        assert dashboard.below_reorder_count(session) == 1
    got = {(r.site, r.product): (r.on_hand, r.minimum) for r in rows}
    assert got == expected
    [row] = rows
    assert row.short == row.minimum - row.on_hand
    assert (row.minimum, row.reorder_quantity, row.unit) == (Decimal(1000), Decimal(2000), "pcs")
    # Screws used by the two finished frames (8 each) left the HQ stock.
    assert row.on_hand == Decimal(500) - 8 * (3 + 1) - 8 * 2
    assert busy.net.screw is not None


def test_stock_elsewhere_and_archived_records_do_not_count(ctx: ServiceContext) -> None:
    busy = build_busy_network(ctx)
    net = busy.net
    stock.receive(ctx, net.screw, net.wh_stock, 5000)  # another site's stock does not help HQ
    with ctx.db.read_session() as session:
        assert dashboard.below_reorder_count(session) == 1
    stock.receive(ctx, net.screw, net.hq_stock, 1000)  # now HQ has enough
    with ctx.db.read_session() as session:
        assert dashboard.below_reorder_count(session) == 0 == len(sql_below_reorder(ctx.db))
    products.set_reorder_point(ctx, net.fabric, net.mp, 3)  # none on hand anywhere: below
    with ctx.db.read_session() as session:
        assert dashboard.below_reorder_count(session) == 1
    sites.set_site_archived(ctx, net.mp)
    with ctx.db.read_session() as session:
        assert dashboard.below_reorder_count(session) == 0 == len(sql_below_reorder(ctx.db))
        # An archived site keeps its open orders on the table (they still need doing).
        codes = [s.code for s in dashboard.open_work_by_site(session).sites]
    assert codes == ["HQ", "MP1"]


def test_dashboard_bundles_the_figures(ctx: ServiceContext) -> None:
    busy = build_busy_network(ctx)
    with ctx.db.read_session() as session:
        figures = dashboard.dashboard(session, busy.today)
    assert (figures.open_work.total, figures.late, figures.below_reorder) == (5, 1, 1)
    assert figures.today == busy.today


def _plans_of_dashboard_queries(db: Database, today: date) -> list[str]:
    """EXPLAIN QUERY PLAN of every statement the dashboard runs (figures and first pages)."""
    statements: list[tuple[str, object]] = []

    def capture(_conn: object, _cursor: object, statement: str, parameters: object,
                *_args: object) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            statements.append((statement, parameters))

    event.listen(db.reader, "before_cursor_execute", capture)
    try:
        with db.read_session() as session:
            dashboard.dashboard(session, today)
            fetch_page(session, dashboard.LATE_WORK_ORDERS, filters={"late_on": today})
            fetch_page(session, dashboard.BELOW_REORDER_POINT)
    finally:
        event.remove(db.reader, "before_cursor_execute", capture)
    plans = []
    with db.read_session() as session:
        raw = session.connection().connection.driver_connection
        assert raw is not None
        for statement, parameters in statements:
            rows = raw.execute(f"EXPLAIN QUERY PLAN {statement}", parameters).fetchall()
            plans.append(" | ".join(str(row[-1]) for row in rows))
    return plans


def test_dashboard_queries_use_indexes_and_never_read_the_ledger(ctx: ServiceContext) -> None:
    """What keeps the dashboard fast at 50,000 orders and a million moves: no step scans the
    work orders or the stock balances without an index, and none reads stock_move at all."""
    busy = build_busy_network(ctx)
    plans = _plans_of_dashboard_queries(ctx.db, busy.today)
    assert len(plans) >= 5
    for plan in plans:
        assert "stock_move" not in plan, plan
        for step in plan.split(" | "):
            big_table = any(f" {t}" in f" {step} " for t in ("work_order", "stock_balance"))
            if big_table and step.startswith("SCAN"):
                assert "INDEX" in step, plan


# --- a site's read side --------------------------------------------------------------------------


def test_site_figures_count_on_time_and_scrap(ctx: ServiceContext) -> None:
    busy = build_busy_network(ctx)
    with ctx.db.read_session() as session:
        hq = network.site_figures(session, busy.net.hq)
        mp = network.site_figures(session, busy.net.mp)
        history = fetch_page(session, network.SITE_HISTORY, filters={"site_id": busy.net.hq},
                             descending=True).rows
    assert (hq.finished, hq.on_time, hq.open_orders) == (2, 1, 3)
    assert hq.on_time_share == Decimal("0.5")
    assert (hq.good, hq.scrap) == (Decimal(3 + 2), Decimal(1))
    assert hq.scrap_share == Decimal(1) / Decimal(6)
    assert {row._id: row.on_time for row in history} == {busy.on_time: True,
                                                         busy.done_late: False}
    assert (mp.finished, mp.on_time_share, mp.scrap_share, mp.open_orders) == (0, None, None, 2)


def test_site_lists_are_scoped_to_the_site(ctx: ServiceContext) -> None:
    busy = build_busy_network(ctx)
    sites.create_location(ctx, busy.net.mp, "BAY-2", "Second bay")
    mp = {"site_id": busy.net.mp}
    with ctx.db.read_session() as session:
        detail = network.site_detail(session, busy.net.mp)
        locations = [r.code for r in fetch_page(session, network.SITE_LOCATIONS,
                                                filters=mp).rows]
        people = {r.name: r.organisation for r in fetch_page(
            session, network.SITE_CONTACTS, filters=mp).rows}
        open_work = fetch_page(session, network.SITE_OPEN_WORK, filters=mp).rows
        figures = network.site_figures(session, busy.net.mp)
        open_count = count(session, network.SITE_OPEN_WORK, filters=mp)
    assert (detail.code, detail.kind, detail.capabilities) == (
        "MP1", "micro_producer", ("cnc", "laser-cut"))
    assert locations == ["BAY-2", "STOCK"]
    # The organisation linked to the site, and its person (linked through the organisation).
    assert people == {"Oficina CNC Lda": None, "Rui Costa": "Oficina CNC Lda"}
    assert [r.state for r in open_work] == ["released", "on_hold"]  # soonest due first
    assert Counter(r.state for r in open_work) == Counter(
        state for (code, state), n in sql_open_by_site(ctx.db).items() if code == "MP1"
        for _ in range(n))
    assert (figures.locations, figures.contacts, figures.open_orders) == (2, 2, open_count)
    assert open_count == 2


def test_contact_detail_names_organisation_site_and_people(ctx: ServiceContext) -> None:
    busy = build_busy_network(ctx)
    with ctx.db.read_session() as session:
        person = network.contact_detail(session, busy.mp_person)
        org = network.contact_detail(session, busy.mp_org)
        people = fetch_page(session, network.PEOPLE,
                            filters={"organisation_id": org.people_of}).rows
        organisations = [c.label for c in network.organisation_choices(session)]
        site_choices = [c.label for c in network.site_choices(session)]
    assert (person.organisation_name, person.people_of, person.email) == (
        "Oficina CNC Lda", busy.mp_org, "rui@cnc.example")
    assert (org.site_code, org.site_kind, org.capabilities) == ("MP1", "micro_producer", ("cnc",))
    assert [p.name for p in people] == ["Rui Costa"]
    assert organisations == ["Casa Verde", "Oficina CNC Lda"]
    assert site_choices == ["HQ — Head office workshop", "MP1 — CNC shop", "WH — Central warehouse"]
