"""The dashboard's charts in the real main window over a real database: the bars show the
figures SQL gives; a click on a bar, or Tab to a chart and Enter, opens the list behind it, and
that list holds exactly the rows the bar counted."""

from __future__ import annotations

import uuid
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from PySide6.QtCharts import QValueAxis
from PySide6.QtCore import QPointF, Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from sqlalchemy import text

from dmdesk.gui.areas import build_areas, connect_areas
from dmdesk.gui.context import GuiContext
from dmdesk.gui.main_window import MainWindow
from dmdesk.gui.views.charts.bar_chart import BarChart, nice_step
from dmdesk.gui.views.dashboard import DashboardArea
from dmdesk.gui.views.detail_widgets import LATE
from dmdesk.gui.views.sites import SitesArea
from dmdesk.gui.views.stock import StockArea
from dmdesk.gui.views.work_orders import WorkOrdersArea
from dmdesk.queries.dashboard_charts import week_start
from tests.gui.support import WAIT_MS, showing
from tests.integration.test_dashboard_queries import Busy, sql_open_by_site


class Env:
    def __init__(self, window: MainWindow, gctx: GuiContext, busy: Busy) -> None:
        self.window, self.gctx, self.busy = window, gctx, busy
        self.dashboard = self._area(DashboardArea)
        self.work = self._area(WorkOrdersArea)
        self.stock = self._area(StockArea)
        self.sites = self._area(SitesArea)

    def _area(self, kind: type) -> object:
        return next(a for a in self.window.areas if isinstance(a, kind))

    def sql(self, query: str, **params: object) -> list[tuple[object, ...]]:
        with self.gctx.db.read_session() as session:
            return [tuple(r) for r in session.execute(text(query), params).all()]


@pytest.fixture
def env(qtbot: QtBot, gctx: GuiContext, busy: Busy) -> Env:
    window = MainWindow("dmdesk — charts", build_areas(gctx), gctx.undo)
    connect_areas(window)
    qtbot.addWidget(window)
    window.resize(1280, 800)
    environment = Env(window, gctx, busy)
    with qtbot.waitSignal(environment.dashboard.charts_painted, timeout=WAIT_MS):  # type: ignore[attr-defined]
        window.show()
    return environment


def bars(chart: BarChart) -> dict[str, list[float]]:
    """Set label -> values in the order the chart was given its categories."""
    return {s.label: [float(v) for v in s.values] for s in chart.bars.sets}


def click_bar(qtbot: QtBot, chart: BarChart, category: int, part: int = 0) -> None:
    """Click the middle of a bar (of one part of a stacked bar) where Qt drew it."""
    series = chart.series
    assert series is not None
    values = [float(s.values[category]) for s in chart.bars.sets]
    middle = sum(values[:part]) + values[part] / 2 if chart.stacked else values[0] / 2
    spot = chart.chart().mapToPosition(QPointF(middle, chart._position(category)), series)
    qtbot.mouseClick(chart.viewport(), Qt.MouseButton.LeftButton,
                     pos=chart.mapFromScene(spot))


def listed(area: WorkOrdersArea) -> set[str]:
    model = area.list.model
    while model.canFetchMore():
        model.fetchMore()
    return {model.row_values(r)["number"] for r in range(model.rowCount())}


def test_bars_show_the_sql_figures(env: Env) -> None:
    charts = env.dashboard.charts  # type: ignore[attr-defined]
    open_by_site = sql_open_by_site(env.gctx.db)
    wip = bars(charts.wip)
    assert charts.wip.bars.categories == ["HQ  3", "MP1  2"]
    for state, label in (("draft", "draft"), ("released", "released"),
                         ("in_progress", "in progress"), ("on_hold", "on hold")):
        assert wip[label] == [open_by_site.get((code, state), 0) for code in ("HQ", "MP1")]
    assert bars(charts.late) == {"late": [0.0, 1.0]}
    assert charts.late.bars.categories == ["HQ  0", "MP1  1"]
    assert bars(charts.on_time) == {"on time": [50.0, 0.0]}
    assert charts.on_time.bars.categories == ["HQ  50 %", "MP1  —"]
    output = bars(charts.output)["made"]
    assert len(output) == 12 and output[-1] == 5.0 and sum(output) == 5.0
    [(hq_value,)] = env.sql(
        "SELECT SUM(b.on_hand * p.standard_cost) FROM stock_balance b JOIN location l "
        "ON l.id = b.location_id JOIN site s ON s.id = l.site_id JOIN product p "
        "ON p.id = b.product_id WHERE s.code = 'HQ'")
    values = dict(zip(["HQ", "MP1", "WH"], bars(charts.stock_value)["value"], strict=True))
    assert Decimal(str(values["HQ"])) == Decimal(int(hq_value)) / 10**7  # type: ignore[call-overload]
    assert charts.stock_value.bars.tips[1] == (
        "MP1 — CNC shop: stock worth 222.50 at standard cost")


def test_clicking_a_bar_opens_the_list_behind_it(qtbot: QtBot, env: Env) -> None:
    charts, work = env.dashboard.charts, env.work  # type: ignore[attr-defined]
    assert isinstance(work, WorkOrdersArea)
    click_bar(qtbot, charts.late, 1)  # MP1's late orders
    assert env.window.current_area() is work
    assert work.site_filter.currentData() == env.busy.net.mp
    assert work.state_filter.currentData() == LATE
    late_at_mp = {n for (n,) in env.sql(
        "SELECT number FROM work_order w JOIN site s ON s.id = w.site_id WHERE s.code = 'MP1' "
        "AND due_date < :today AND state NOT IN ('done', 'cancelled')",
        today=env.busy.today.isoformat())}
    assert listed(work) == late_at_mp and len(late_at_mp) == 1

    env.window.show_area(env.dashboard.title)  # type: ignore[attr-defined]
    click_bar(qtbot, charts.wip, 0, part=0)  # HQ, draft
    assert (work.site_filter.currentData(), work.state_filter.currentData()) == (
        env.busy.net.hq, "draft")
    assert listed(work) == {n for (n,) in env.sql(
        "SELECT number FROM work_order w JOIN site s ON s.id = w.site_id "
        "WHERE s.code = 'HQ' AND state = 'draft'")}


def test_tab_reaches_every_chart_and_enter_opens(qtbot: QtBot, env: Env) -> None:
    dashboard = env.dashboard
    charts = dashboard.charts  # type: ignore[attr-defined]
    env.window.activateWindow()
    env.window.nav.setFocus()
    reached: list[BarChart] = []
    for _ in range(30):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        focused = QApplication.focusWidget()
        if isinstance(focused, BarChart) and focused not in reached:
            reached.append(focused)
    assert set(reached) == set(charts.charts)

    charts.stock_value.setFocus()
    qtbot.keyClick(charts.stock_value, Qt.Key.Key_Down)  # HQ -> MP1
    assert charts.stock_value.current == 1
    assert "MP1" in charts.stock_value.accessibleDescription()
    qtbot.keyClick(charts.stock_value, Qt.Key.Key_Return)
    stock = env.stock
    assert isinstance(stock, StockArea) and env.window.current_area() is stock
    assert stock.site_filter.currentData() == env.busy.net.mp
    sites_on_hand = {stock.on_hand.model.row_values(r)["site"]
                     for r in range(stock.on_hand.model.rowCount())}
    assert sites_on_hand == {"MP1"}

    env.window.show_area(dashboard.title)  # type: ignore[attr-defined]
    charts.output.setFocus()
    qtbot.keyClick(charts.output, Qt.Key.Key_End)  # this week
    qtbot.keyClick(charts.output, Qt.Key.Key_Enter)
    work = env.work
    assert isinstance(work, WorkOrdersArea) and env.window.current_area() is work
    monday = week_start(env.busy.today)
    assert work.completed == (monday, monday + timedelta(days=7))
    assert work.period.isVisible() and work.state_filter.currentData() == "done"
    assert listed(work) == {n for (n,) in env.sql(
        "SELECT number FROM work_order WHERE state = 'done' AND date(completed_at) >= :m",
        m=monday.isoformat())} and len(listed(work)) == 2
    qtbot.mouseClick(work.period, Qt.MouseButton.LeftButton)  # the ✕ shows every date again
    assert work.completed is None and not work.period.isVisible()

    env.window.show_area(dashboard.title)  # type: ignore[attr-defined]
    charts.on_time.setFocus()
    qtbot.keyClick(charts.on_time, Qt.Key.Key_Space)  # HQ
    sites = env.sites
    assert isinstance(sites, SitesArea) and env.window.current_area() is sites
    assert sites.list.current_id() == env.busy.net.hq
    assert sites.detail.tabs.currentIndex() == 3  # its finished work


def test_screenshot(qtbot: QtBot, env: Env, screenshots: Path) -> None:
    charts = env.dashboard.charts  # type: ignore[attr-defined]
    charts.late.setFocus()
    qtbot.keyClick(charts.late, Qt.Key.Key_Down)
    qtbot.wait(50)
    assert env.window.grab().save(str(screenshots / "dashboard-charts-small-network.png"))
    assert isinstance(env.busy.late, uuid.UUID)


def test_axis_steps_stay_few_and_whole() -> None:
    assert nice_step(0, whole=True) == 1 and nice_step(3, whole=True) == 1
    assert nice_step(0, whole=False) == pytest.approx(0.2)
    assert nice_step(2065, whole=True) == 500
    assert nice_step(457.5, whole=False) == 100


def test_an_empty_database_draws_every_chart(qtbot: QtBot, gctx: GuiContext) -> None:
    """No sites, no orders, no stock: each chart paints with an axis of a few ticks (an axis
    asking Qt for billions of ticks once froze the window)."""
    area = showing(qtbot, DashboardArea(gctx), (1200, 760))
    with qtbot.waitSignal(area.charts_painted, timeout=WAIT_MS):
        area.refresh()
    for chart in area.charts.charts:
        [axis] = [a for a in chart.chart().axes() if isinstance(a, QValueAxis)]
        assert (axis.max() - axis.min()) / axis.tickInterval() <= 10
    assert area.charts.output.bars.sets[0].values == [0.0] * 12
