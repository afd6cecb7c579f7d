"""The dashboard charts' figures (queries.dashboard_charts) against SQL and arithmetic written
here: late orders per site, output per week (with a completion on a Sunday and one on the next
Monday, so the week boundary is tested), stock value from the ledger, on-time per producer."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import text

from dmdesk.queries import dashboard_charts as charts
from dmdesk.services import work_orders
from dmdesk.services.context import ServiceContext
from tests.integration.test_dashboard_queries import Busy, build_busy_network, sql_late


def _complete_on(ctx: ServiceContext, busy: Busy, day: date, quantity: int) -> None:
    """A frame order at MP1 completed at noon (UTC) on ``day``, due the day before."""
    at = replace(ctx, clock=lambda: datetime(day.year, day.month, day.day, 12, tzinfo=UTC))
    order = work_orders.create_work_order(at, busy.net.frame, quantity, busy.net.mp,
                                         day - timedelta(days=1)).id
    work_orders.release(at, order, override_reason="test stock")
    work_orders.complete(at, order, override_reason="test stock")


def test_late_orders_per_making_site(ctx: ServiceContext) -> None:
    busy = build_busy_network(ctx)
    with ctx.db.read_session() as session:
        rows = charts.late_by_site(session, busy.today)
    assert [(r.code, r.value) for r in rows] == [("HQ", 0), ("MP1", 1)]  # no warehouse bar
    assert sum(r.value for r in rows) == len(sql_late(ctx.db, busy.today))


def test_output_per_week_counts_good_quantity_in_monday_to_sunday_weeks(
        ctx: ServiceContext) -> None:
    busy = build_busy_network(ctx)
    monday = charts.week_start(busy.today)
    sunday_before = monday - timedelta(days=8)  # the Sunday ending the week before last
    _complete_on(ctx, busy, sunday_before, 3)
    _complete_on(ctx, busy, sunday_before + timedelta(days=1), 5)  # the next Monday
    _complete_on(ctx, busy, monday - timedelta(weeks=12), 7)  # before the 12 weeks shown
    with ctx.db.read_session() as session:
        weeks = charts.output_per_week(session, busy.today)
        done_today = session.execute(text(
            "SELECT SUM(good_qty), COUNT(*) FROM work_order WHERE state = 'done' "
            "AND date(completed_at) >= :monday"), {"monday": monday.isoformat()}).one()
    assert len(weeks) == 12
    assert [w.monday for w in weeks] == [monday - timedelta(weeks=11 - n) for n in range(12)]
    assert all(w.monday.weekday() == 0 for w in weeks)
    by_week = {w.monday: (w.quantity, w.orders) for w in weeks}
    assert by_week[monday - timedelta(weeks=2)] == (Decimal(3), 1)
    assert by_week[monday - timedelta(weeks=1)] == (Decimal(5), 1)
    # This week: the two orders build_busy_network finished (good 3 of 4, and 2 of 2).
    assert by_week[monday] == (Decimal(done_today[0]) / 1000, done_today[1]) == (Decimal(5), 2)
    assert sum(w.orders for w in weeks) == 4  # the order 12 weeks back is not shown


def test_stock_value_per_site_equals_ledger_times_standard_cost(ctx: ServiceContext) -> None:
    build_busy_network(ctx)
    with ctx.db.read_session() as session:
        rows = charts.stock_value_by_site(session)
        ledger = session.execute(text(
            "SELECT s.code, mv.quantity, p.standard_cost FROM stock_move mv "
            "JOIN location l ON l.id = mv.location_id JOIN site s ON s.id = l.site_id "
            "JOIN product p ON p.id = mv.product_id")).all()
    expected: dict[str, Decimal] = {}
    for code, quantity, cost in ledger:
        value = Decimal(quantity) / 1000 * Decimal(cost) / 10000
        expected[code] = expected.get(code, Decimal(0)) + value
    got = {r.code: r.value for r in rows}
    assert set(got) == {"HQ", "MP1", "WH"}  # the in-transit site is not a bar
    for code, value in got.items():
        assert value == expected.get(code, Decimal(0)), code
    # MP1 holds 50 m of steel at 4.25 and 200 screws at 0.05, untouched by any order.
    assert got["MP1"] == Decimal("212.5") + Decimal("10")


def test_on_time_rate_per_producer(ctx: ServiceContext) -> None:
    busy = build_busy_network(ctx)
    with ctx.db.read_session() as session:
        rows = {r.code: r for r in charts.on_time_by_producer(session)}
        data = charts.chart_data(session, busy.today)
    assert (rows["HQ"].finished, rows["HQ"].on_time, rows["HQ"].rate) == (2, 1, Decimal("0.5"))
    assert (rows["MP1"].finished, rows["MP1"].rate) == (0, None)
    assert "WH" not in rows
    assert data.on_time == tuple(rows.values()) and data.today == busy.today
    assert data.open_work.total == 5
