"""The dashboard over a real database: every figure on screen equals SQL written in the test
(tests.integration.test_dashboard_queries) on a network with work orders in every state, one
late order and one item below its reorder point; it follows changes; its models are sound."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from pathlib import Path

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import QAbstractItemView
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from dmdesk.gui.main_window import MainWindow
from dmdesk.gui.models.open_work import COUNT_ROLE, SITE_ROLE, STATE_ROLE
from dmdesk.gui.views.contacts import ContactsArea
from dmdesk.gui.views.dashboard import DashboardArea
from dmdesk.gui.views.sites import SitesArea
from dmdesk.services import products, sites, stock, work_orders
from dmdesk.services.changes import Changes, recording
from tests.gui.support import WAIT_MS, BusyEnv, assert_screenshot, showing
from tests.integration.test_dashboard_queries import (
    sql_below_reorder,
    sql_late,
    sql_open_by_site,
)

STATES = ["draft", "released", "in_progress", "on_hold"]


def shown(qtbot: QtBot, busy_env: BusyEnv, **kwargs: object) -> DashboardArea:
    area = DashboardArea(busy_env.gctx, **kwargs)  # type: ignore[arg-type]
    showing(qtbot, area, (1200, 760))
    with qtbot.waitSignal(area.loaded, timeout=WAIT_MS):
        area.refresh()
    return area


def table_on_screen(area: DashboardArea) -> dict[tuple[str, str], int]:
    """(site code, state) -> the count in the table's cell, for every non-zero cell."""
    model, cells = area.open_work, {}
    assert area.data is not None
    for row, site in enumerate(area.data.open_work.sites):
        assert model.data(model.index(row, 0)).startswith(f"{site.code} — ")
        for column, state in enumerate(STATES, start=1):
            number = model.data(model.index(row, column), COUNT_ROLE)
            assert model.data(model.index(row, column)) == str(number)
            if number:
                cells[(site.code, state)] = number
    return cells


def late_on_screen(area: DashboardArea) -> list[str]:
    return [area.late.row_values(r)["number"] for r in range(area.late.rowCount())]


def below_on_screen(area: DashboardArea) -> dict[tuple[str, str], tuple[Decimal, Decimal]]:
    rows = (area.below.row_values(r) for r in range(area.below.rowCount()))
    return {(r["site"], r["product"]): (r["on_hand"], r["minimum"]) for r in rows}


def test_figures_equal_independent_sql(qtbot: QtBot, busy_env: BusyEnv) -> None:
    area = shown(qtbot, busy_env)
    db, today = busy_env.gctx.db, busy_env.busy.today
    expected = sql_open_by_site(db)
    assert table_on_screen(area) == expected
    model = area.open_work
    headers = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(6)]
    assert headers == ["Site", "Draft", "Released", "In progress", "On hold", "Total"]
    totals = model.rowCount() - 1
    assert model.data(model.index(totals, 0)) == "All sites"
    for column, state in enumerate(STATES, start=1):
        assert model.data(model.index(totals, column), COUNT_ROLE) == sum(
            n for (_code, s), n in expected.items() if s == state)
    assert model.data(model.index(totals, 5), COUNT_ROLE) == sum(expected.values()) == 5
    assert area.open_figure.number.text() == "5"
    assert late_on_screen(area) == sql_late(db, today) and len(late_on_screen(area)) == 1
    assert area.late_figure.number.text() == "1"
    assert area.late_title.text() == "Late work orders (1)"
    assert below_on_screen(area) == sql_below_reorder(db) and len(below_on_screen(area)) == 1
    assert area.below_figure.number.text() == "1"
    assert area.as_of.text() == f"as of {today.isoformat()}"


def test_the_dashboard_follows_changes(qtbot: QtBot, busy_env: BusyEnv) -> None:
    area = shown(qtbot, busy_env)
    services, net = busy_env.gctx.services, busy_env.busy.net
    with recording() as written:  # behind the area's back, then told as an operation would
        work_orders.cancel(services, busy_env.busy.late, reason="too late now")
        stock.receive(services, net.screw, net.hq_stock, 1000)
        products.set_reorder_point(services, net.steel, net.mp, 60)  # MP1: 50 less, below
    with qtbot.waitSignal(area.loaded, timeout=WAIT_MS):
        busy_env.gctx.events.changed.emit(Changes(frozenset(written)))
    assert table_on_screen(area) == sql_open_by_site(busy_env.gctx.db)
    assert ("MP1", "released") not in table_on_screen(area)
    assert late_on_screen(area) == [] and area.late_figure.number.text() == "0"
    assert list(below_on_screen(area)) == [("MP1", "STEEL")]
    assert below_on_screen(area) == sql_below_reorder(busy_env.gctx.db)
    with recording() as written:
        sites.set_site_archived(services, net.mp)
    with qtbot.waitSignal(area.loaded, timeout=WAIT_MS):
        busy_env.gctx.events.changed.emit(Changes(frozenset(written)))
    assert below_on_screen(area) == {} and area.below_figure.number.text() == "0"


def test_late_counts_from_the_day_it_is_given(qtbot: QtBot, busy_env: BusyEnv) -> None:
    tomorrow = busy_env.busy.today + timedelta(days=1)
    area = shown(qtbot, busy_env, today=lambda: tomorrow)
    assert late_on_screen(area) == sql_late(busy_env.gctx.db, tomorrow)
    assert area.late_figure.number.text() == "2"


def double_click(qtbot: QtBot, view: QAbstractItemView, index: QModelIndex) -> None:
    position = view.visualRect(index).center()
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=position)
    qtbot.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=position)


def test_double_clicks_ask_for_the_work_orders(qtbot: QtBot, busy_env: BusyEnv) -> None:
    area = shown(qtbot, busy_env)
    area.tabs.setCurrentIndex(1)  # the lists
    assert area.data is not None
    mp_row = [s.code for s in area.data.open_work.sites].index("MP1")
    cell = area.open_work.index(mp_row, STATES.index("released") + 1)
    assert (cell.data(SITE_ROLE), cell.data(STATE_ROLE)) == (busy_env.busy.net.mp, "released")
    with qtbot.waitSignal(area.open_work_requested, timeout=WAIT_MS) as asked:
        double_click(qtbot, area.matrix, cell)
    assert asked.args == [busy_env.busy.net.mp, "released"]
    row = area.late.index(0, 0)
    with qtbot.waitSignal(area.work_order_requested, timeout=WAIT_MS) as asked:
        double_click(qtbot, area.late_table, row)
    assert asked.args == [busy_env.busy.late]


def test_models_pass_the_model_tester(qtbot: QtBot, qtmodeltester: ModelTester,
                                      busy_env: BusyEnv) -> None:
    area = shown(qtbot, busy_env)
    for model in (area.open_work, area.late, area.below):
        assert model.rowCount() > 0
        qtmodeltester.check(model)


def test_screenshot(qtbot: QtBot, busy_env: BusyEnv, screenshots: Path) -> None:
    gctx, busy = busy_env.gctx, busy_env.busy
    services, net, today = gctx.services, busy.net, busy.today
    porto = sites.create_site(services, code="PRT", name="3D print farm Porto",
                              kind="micro_producer", capabilities="3d-print")
    for days in (4, 9, 15):
        work_orders.create_work_order(services, net.frame, 3, porto, today + timedelta(days=days))
    late = work_orders.create_work_order(services, net.chair, 1, net.hq, today - timedelta(days=6))
    work_orders.release(services, late.id, override_reason="fabric on its way")
    products.set_reorder_point(services, net.steel, net.mp, 60, 100)
    dashboard = DashboardArea(gctx)
    window = MainWindow("dmdesk — dashboard",
                        [dashboard, SitesArea(gctx), ContactsArea(gctx)], gctx.undo)
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()  # shows the first area, which counts on the worker
    qtbot.waitUntil(lambda: dashboard.data is not None, timeout=WAIT_MS)
    assert dashboard.late_figure.number.text() == "2"
    qtbot.wait(50)
    assert_screenshot(window, screenshots / "dashboard.png")
