"""The dashboard's five charts and what each bar opens.

Work in progress per site (stacked by state), late work orders per site, output per week,
stock value per site and on-time rate per producer. Each category label carries its figure, so
the chart reads without hovering; the tooltips give the exact numbers.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal

from PySide6.QtCore import QCoreApplication, Signal, SignalInstance
from PySide6.QtWidgets import QGridLayout, QWidget

from dmdesk.domain.quantity import format_quantity
from dmdesk.gui.formatting import enum_label
from dmdesk.gui.palette import ERROR_RED, UNKNOWN_STATE, WORK_ORDER_STATE
from dmdesk.gui.views.charts.bar_chart import BarChart, Bars, BarSet
from dmdesk.queries.dashboard_charts import ChartData

OUTPUT, VALUE, ON_TIME = "#15803d", "#0f766e", "#1d4ed8"


def tr(text: str) -> str:
    return QCoreApplication.translate("charts", text)


def money_scale(top: Decimal) -> tuple[Decimal, str]:
    """Divide money by this to keep the axis short, and say so in its title."""
    if top >= 10**6:
        return Decimal(10**6), tr("millions")
    if top >= 10**4:
        return Decimal(1000), tr("thousands")
    return Decimal(1), ""


def short(value: Decimal, scale: Decimal) -> str:
    scaled = value / scale
    return f"{scaled:,.1f}" if scale > 1 else f"{scaled:,.0f}"


def open_work_bars(data: ChartData) -> Bars:
    work = data.open_work
    sites = work.sites
    sets = [BarSet(enum_label(state), [site.count(state) for site in sites],
                   WORK_ORDER_STATE.get(state, UNKNOWN_STATE)) for state in work.states]
    tips = [tr("{0} — {1}: {2} open ({3})").format(
        s.code, s.name, s.total,
        ", ".join(f"{s.count(state)} {enum_label(state)}" for state in work.states
                  if s.count(state)) or tr("none")) for s in sites]
    parts = [[tr("{0}: {1} {2}").format(s.code, s.count(state), enum_label(state))
              for s in sites] for state in work.states]
    return Bars([f"{s.code}  {s.total}" for s in sites], sets, tips,
                axis_title=tr("open work orders"), part_tips=parts)


def late_bars(data: ChartData) -> Bars:
    rows = data.late
    return Bars([f"{r.code}  {r.value}" for r in rows],
                [BarSet(tr("late"), [float(r.value) for r in rows], ERROR_RED)],
                [tr("{0} — {1}: {2} late work orders").format(r.code, r.name, r.value)
                 for r in rows], axis_title=tr("due before today, not done"))


def output_bars(data: ChartData) -> Bars:
    weeks = data.output
    labels = [f"{w.monday:%m-%d}" for w in weeks]  # the Monday starting it, as ISO reads
    tips = [tr("Week of {0}: {1} made (good) in {2} work orders").format(
        w.monday.isoformat(), format_quantity(w.quantity), w.orders) for w in weeks]
    return Bars(labels, [BarSet(tr("made"), [float(w.quantity) for w in weeks], OUTPUT)], tips,
                axis_title=tr("good quantity completed"), value_labels=True)


def stock_value_bars(data: ChartData) -> Bars:
    rows = data.stock_value
    scale, unit = money_scale(max((r.value for r in rows), default=Decimal(0)))
    title = tr("standard cost, {0}").format(unit) if unit else tr("standard cost")
    return Bars([f"{r.code}  {short(r.value, scale)}" for r in rows],
                [BarSet(tr("value"), [float(r.value / scale) for r in rows], VALUE)],
                [tr("{0} — {1}: stock worth {2:,.2f} at standard cost").format(
                    r.code, r.name, r.value) for r in rows],
                axis_title=title, whole=False)


def on_time_bars(data: ChartData) -> Bars:
    rows = data.on_time

    def label(rate: Decimal | None) -> str:
        return "—" if rate is None else f"{rate * 100:.0f} %"

    tips = [tr("{0} — {1}: {2} on time ({3} of {4} finished)").format(
        r.code, r.name, label(r.rate), r.on_time, r.finished) if r.finished else
        tr("{0} — {1}: no finished work orders yet").format(r.code, r.name) for r in rows]
    return Bars([f"{r.code}  {label(r.rate)}" for r in rows],
                [BarSet(tr("on time"), [float((r.rate or 0) * 100) for r in rows], ON_TIME)],
                tips, axis_max=100, axis_title=tr("% finished on time"))


class NetworkCharts(QWidget):
    """The five charts in a grid; each bar asks (by signal) for the list behind it."""

    open_work_requested = Signal(object, object)  # site id or None, state or None
    late_requested = Signal(object)  # site id
    output_requested = Signal(object, object)  # first day of the week, the day after it
    stock_requested = Signal(object)  # site id
    producer_requested = Signal(object)  # site id
    all_painted = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.data: ChartData | None = None
        self.wip = BarChart(tr("Work in progress per site"), "wip_chart", self,
                            horizontal=True, stacked=True)
        self.late = BarChart(tr("Late work orders per site"), "late_chart", self,
                             horizontal=True)
        self.on_time = BarChart(tr("On-time rate per producer"), "on_time_chart", self,
                                horizontal=True)
        self.output = BarChart(tr("Output per week (last 12 weeks)"), "output_chart", self)
        self.stock_value = BarChart(tr("Stock value per site"), "stock_value_chart", self,
                                    horizontal=True)
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setSpacing(6)
        for chart, row, column, span in ((self.wip, 0, 0, 1), (self.late, 0, 1, 1),
                                         (self.on_time, 0, 2, 1), (self.output, 1, 0, 2),
                                         (self.stock_value, 1, 2, 1)):
            grid.addWidget(chart, row, column, 1, span)
            chart.painted.connect(lambda c=chart: self._painted(c))
        self._unpainted: set[BarChart] = set()
        self.wip.activated.connect(self._wip_opened)
        self.late.activated.connect(lambda i, _p: self._site_opened(
            self.late_requested, [r.site_id for r in self._rows().late], i))
        self.stock_value.activated.connect(lambda i, _p: self._site_opened(
            self.stock_requested, [r.site_id for r in self._rows().stock_value], i))
        self.on_time.activated.connect(lambda i, _p: self._site_opened(
            self.producer_requested, [r.site_id for r in self._rows().on_time], i))
        self.output.activated.connect(self._week_opened)

    @property
    def charts(self) -> tuple[BarChart, ...]:
        return (self.wip, self.late, self.on_time, self.output, self.stock_value)

    def set_data(self, data: ChartData) -> None:
        self.data = data
        self._unpainted = set(self.charts)
        for chart, bars in ((self.wip, open_work_bars(data)), (self.late, late_bars(data)),
                            (self.on_time, on_time_bars(data)), (self.output, output_bars(data)),
                            (self.stock_value, stock_value_bars(data))):
            chart.set_bars(bars)

    def _painted(self, chart: BarChart) -> None:
        if chart in self._unpainted:
            self._unpainted.discard(chart)
            if not self._unpainted:
                self.all_painted.emit()

    def _rows(self) -> ChartData:
        assert self.data is not None
        return self.data

    def _wip_opened(self, index: int, part: int) -> None:
        sites = self._rows().open_work.sites
        if 0 <= index < len(sites):
            states = self._rows().open_work.states
            self.open_work_requested.emit(sites[index].site_id,
                                          states[part] if 0 <= part < len(states) else None)

    @staticmethod
    def _site_opened(signal: SignalInstance, site_ids: Sequence[uuid.UUID], index: int) -> None:
        if 0 <= index < len(site_ids):
            signal.emit(site_ids[index])

    def _week_opened(self, index: int, _part: int) -> None:
        weeks = self._rows().output
        if 0 <= index < len(weeks):
            monday: date = weeks[index].monday
            self.output_requested.emit(monday, monday + timedelta(days=7))

