"""Capacity per week and late flags; scorecards from finished work; quality checks."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from dmdesk.db.database import Database
from dmdesk.domain.errors import NotFoundError, ValidationError
from dmdesk.queries.capacity import capacity_plan, late_work_orders
from dmdesk.queries.scorecards import scorecard, site_scorecards, work_order_checks
from dmdesk.services import sites, stock, work_orders
from dmdesk.services.context import ServiceContext
from dmdesk.services.quality import record_check
from tests.integration.network_geo import GeoNetwork, build_geo_network
from tests.integration.support import db_fingerprint

MONDAY = date(2030, 1, 7)


@pytest.fixture
def geo(ctx: ServiceContext) -> GeoNetwork:
    return build_geo_network(ctx)


def test_planned_minutes_per_week_and_late_flags(ctx: ServiceContext, geo: GeoNetwork) -> None:
    net = geo.net
    # A chair takes 20 + 35 minutes; HQ has 40 h (2400 min) a week, 342.9 min a day.
    overdue = work_orders.create_work_order(ctx, net.chair, 1, net.hq, MONDAY - timedelta(2))
    fine = work_orders.create_work_order(ctx, net.chair, 10, net.hq, MONDAY + timedelta(3))
    late = work_orders.create_work_order(ctx, net.chair, 50, net.hq, MONDAY + timedelta(7))
    stranded = work_orders.create_work_order(ctx, net.chair, 1, geo.mp2, MONDAY + timedelta(20))
    sites.update_site(ctx, geo.mp2, status="offline")
    with ctx.db.read_session() as session:
        plan = {s.code: s for s in capacity_plan(session, weeks=3, today=MONDAY)}
        flagged = late_work_orders(session, today=MONDAY)
    assert set(plan) == {"HQ", "MP1", "MP2"}  # making sites only
    hq = plan["HQ"]
    assert [w.week_start for w in hq.weeks] == [MONDAY, MONDAY + timedelta(7),
                                               MONDAY + timedelta(14)]
    assert [w.planned_minutes for w in hq.weeks] == [Decimal(605), Decimal(2750), Decimal(0)]
    assert hq.weeks[1].capacity_minutes == 2400 and hq.weeks[1].overloaded
    assert hq.weeks[0].share == pytest.approx(605 / 2400)
    assert hq.backlog_minutes == 3355
    risks = {r.number: r for r in hq.at_risk}
    assert set(risks) == {overdue.number, late.number}
    assert fine.number not in risks
    assert risks[overdue.number].reason == f"Overdue: it was due {MONDAY - timedelta(2)}."
    # 3355 min of work at 342.86 min a day: day 10, three days after the due date.
    assert risks[late.number].expected_finish == MONDAY + timedelta(10)
    assert "55.9 h of work are queued at HQ" in risks[late.number].reason
    assert plan["MP2"].at_risk[0].number == stranded.number
    assert "MP2 is offline" in plan["MP2"].at_risk[0].reason
    assert [r.number for r in flagged] == [overdue.number, late.number, stranded.number]


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2030, 1, 7, 9, 0, tzinfo=UTC)

    def at_day(self, day: int) -> None:
        self.now = datetime(2030, 1, 7, 9, 0, tzinfo=UTC) + timedelta(days=day)


def _finish(ctx: ServiceContext, clock: Clock, geo: GeoNetwork, due_day: int, done_day: int,
            scrap: int = 0) -> work_orders.CreatedWorkOrder:
    net = geo.net
    clock.at_day(0)
    order = work_orders.create_work_order(ctx, net.chair, 2, net.hq,
                                         MONDAY + timedelta(due_day))
    work_orders.release(ctx, order.id)
    work_orders.start(ctx, order.id)
    work_orders.report_progress(ctx, order.id, 10, good=2 - scrap, scrap=scrap, finished=True)
    work_orders.report_progress(ctx, order.id, 20, good=2 - scrap, finished=True)
    clock.at_day(done_day)
    work_orders.complete(ctx, order.id)
    return order


def test_scorecard_from_finished_orders_and_failed_checks(db: Database, geo: GeoNetwork,
                                                          ctx: ServiceContext) -> None:
    net = geo.net
    for product, qty in ((net.frame, 4), (net.fabric, 3), (net.screw, 16)):
        stock.receive(ctx, product, net.hq_stock, qty, lot_code="L1" if product == net.fabric
                      else None)
    clock = Clock()
    timed = ServiceContext(db, actor="tester", clock=lambda: clock.now)
    on_time = _finish(timed, clock, geo, due_day=5, done_day=3)
    late = _finish(timed, clock, geo, due_day=5, done_day=8, scrap=1)
    ok = record_check(timed, on_time.id, "Seat height", "450", "5", "452", unit="mm",
                      operation_sequence=20)
    bad = record_check(timed, late.id, "Seat height", "450", "5", "441.5", unit="mm")
    assert ok.passed and not bad.passed and bad.deviation == Decimal("-8.5")
    assert bad.message == ("Seat height on " + late.number
                           + ": 441.5 mm against 450 ± 5: OUT OF TOLERANCE.")
    with db.read_session() as session:
        card = scorecard(session, net.hq)
        others = site_scorecards(session)
        checks = work_order_checks(session, late.id)
    assert (card.finished, card.on_time, card.good, card.scrap) == (2, 1, Decimal(3),
                                                                    Decimal(1))
    assert card.on_time_rate == 0.5 and card.scrap_rate == 0.25
    assert (card.checks, card.failed_checks, card.failed_check_rate) == (2, 1, 0.5)
    assert card.average_lead_days == pytest.approx(5.5)
    assert card.record_score == pytest.approx(0.5 * 0.75 * 0.5)
    assert "50% on time, 25.0% scrap over 2 finished orders" in card.summary()
    assert others[geo.mp2].finished == 0 and others[geo.mp2].record_score == 0.75
    assert [(c.name, c.passed, c.measured) for c in checks] == [("Seat height", False,
                                                                 Decimal("441.5"))]


def test_bad_checks_are_refused_and_write_nothing(ctx: ServiceContext, geo: GeoNetwork) -> None:
    draft = work_orders.create_work_order(ctx, geo.net.chair, 1, geo.net.hq, MONDAY)
    before = db_fingerprint(ctx.db)
    with pytest.raises(ValidationError, match="Tolerance must not be negative"):
        record_check(ctx, draft.id, "Width", 10, -1, 10)
    with pytest.raises(ValidationError, match="name is required"):
        record_check(ctx, draft.id, " ", 10, 1, 10)
    with pytest.raises(Exception, match="draft: checks are recorded"):
        record_check(ctx, draft.id, "Width", 10, 1, 10)
    with pytest.raises(NotFoundError, match="Unknown work order"):
        record_check(ctx, geo.net.hq, "Width", 10, 1, 10)
    assert db_fingerprint(ctx.db) == before
