"""A bar chart (QtCharts) that a person can use with the mouse or the keyboard.

Tab reaches it (a highlighted frame shows the focus); the arrow keys move the current bar (and,
in a stacked chart, the current part of it), Home and End jump to the ends, Enter or Space
opens what is behind the current bar; a click on a bar does the same. The current bar is drawn
in the selection colour and its figures are in a tooltip and in the accessible description.

Horizontal charts list their categories from the top, in the order given.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from PySide6.QtCharts import (
    QAbstractBarSeries,
    QBarCategoryAxis,
    QBarSeries,
    QBarSet,
    QChart,
    QChartView,
    QHorizontalBarSeries,
    QHorizontalStackedBarSeries,
    QStackedBarSeries,
    QValueAxis,
)
from PySide6.QtCore import QMargins, QPointF, Qt, Signal
from PySide6.QtGui import QColor, QFocusEvent, QFont, QKeyEvent, QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import QToolTip, QWidget

T = TypeVar("T")
ENTER_KEYS = frozenset({Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space})
SELECTED = "#f59e0b"


@dataclass(frozen=True)
class BarSet:
    label: str
    values: Sequence[float]
    colour: str


@dataclass(frozen=True)
class Bars:
    """What a chart shows: category labels, one or more sets, and a text per category (and
    per set) for tooltips."""

    categories: Sequence[str]
    sets: Sequence[BarSet]
    tips: Sequence[str] = ()
    axis_max: float | None = None  # a fixed end of the value axis (100 for percentages)
    axis_title: str = ""
    whole: bool = True  # values are whole numbers (counts): ticks never fall between them
    value_labels: bool = False  # each bar's value at its end
    part_tips: Sequence[Sequence[str]] = field(default_factory=tuple)  # [set][category]


def nice_step(top: float, *, whole: bool) -> float:
    """A tick interval of 1, 2 or 5 times a power of ten giving at most five steps to ``top``
    (at least 1 on an axis of whole numbers, so it never reads 0, 0, 1, 1). Never tiny: Qt
    draws every tick, and an empty chart's axis must not ask for billions of them."""
    raw = max(top, 1.0) / 5  # an empty chart still gets an axis of a few ticks
    power = 10 ** math.floor(math.log10(raw))
    step = next(f * power for f in (1, 2, 5, 10) if f * power >= raw)
    return float(max(step, 1.0) if whole else step)


class BarChart(QChartView):
    activated = Signal(int, int)  # category index, set index (-1: the whole category)
    painted = Signal()  # the first paint after new bars were set

    def __init__(self, title: str, name: str, parent: QWidget | None = None, *,
                 horizontal: bool = False, stacked: bool = False) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.horizontal, self.stacked = horizontal, stacked
        self.bars = Bars((), ())
        self.current, self.part = 0, -1
        self._paint_due = False
        self.series: QAbstractBarSeries | None = None
        chart = QChart()
        chart.setTitle(title)
        chart.setAnimationOptions(QChart.AnimationOption.NoAnimation)
        chart.setBackgroundVisible(False)
        chart.setMargins(QMargins(4, 4, 4, 4))
        chart.legend().setVisible(stacked)
        chart.legend().setAlignment(Qt.AlignmentFlag.AlignTop)
        legend_font = chart.legend().font()
        legend_font.setPointSizeF(self.font().pointSizeF() * 0.85)
        chart.legend().setFont(legend_font)
        self.setChart(chart)
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setAccessibleName(title)
        self.setStyleSheet("QChartView { border: 2px solid transparent; border-radius: 4px; }"
                           "QChartView:focus { border: 2px solid palette(highlight); }")
        self.setMinimumSize(260, 190)
        self._apply_palette()

    # --- data ------------------------------------------------------------------------------

    def set_bars(self, bars: Bars) -> None:
        self.bars = bars
        chart = self.chart()
        chart.removeAllSeries()
        for axis in chart.axes():
            chart.removeAxis(axis)
        self.series = self._series()
        for index, spec in enumerate(bars.sets):
            bar_set = QBarSet(spec.label)
            bar_set.append([float(v) for v in self._ordered(spec.values)])
            bar_set.setColor(QColor(spec.colour))
            bar_set.setBorderColor(QColor(spec.colour))
            bar_set.setSelectedColor(QColor(SELECTED))
            bar_set.setProperty("set_index", index)
            bar_set.setLabelColor(self.palette().color(QPalette.ColorRole.WindowText))
            self.series.append(bar_set)
        self.series.setLabelsVisible(bars.value_labels)
        self.series.setLabelsPosition(QAbstractBarSeries.LabelsPosition.LabelsOutsideEnd)
        self.series.setLabelsFormat("@value")
        chart.addSeries(self.series)
        self._add_axes()
        self.series.clicked.connect(self._clicked)
        self.series.hovered.connect(self._hovered)
        self.current = min(self.current, max(len(bars.categories) - 1, 0))
        self._highlight()
        self._paint_due = True
        self.viewport().update()

    def _series(self) -> QAbstractBarSeries:
        kinds: dict[tuple[bool, bool], type[QAbstractBarSeries]] = {
            (False, False): QBarSeries, (False, True): QStackedBarSeries,
            (True, False): QHorizontalBarSeries, (True, True): QHorizontalStackedBarSeries}
        series = kinds[(self.horizontal, self.stacked)]()
        series.setBarWidth(0.7)
        return series

    def _add_axes(self) -> None:
        assert self.series is not None
        chart, text = self.chart(), self.palette().color(QPalette.ColorRole.WindowText)
        categories = QBarCategoryAxis()
        categories.append(list(self._ordered(self.bars.categories)))
        values = QValueAxis()
        top = max((self._total(i) for i in range(len(self.bars.categories))), default=0.0)
        step = nice_step(self.bars.axis_max or top, whole=self.bars.whole)
        values.setRange(0, self.bars.axis_max or step * math.ceil(max(top * 1.05, 1) / step))
        values.setTickType(QValueAxis.TickType.TicksDynamic)
        values.setTickAnchor(0)
        values.setTickInterval(step)
        values.setLabelFormat("%.0f" if step >= 1 else "%.1f")
        values.setTitleText(self.bars.axis_title)
        small = QFont(self.font())
        small.setPointSizeF(self.font().pointSizeF() * 0.9)  # ten sites fit a short chart
        for axis in (categories, values):
            axis.setLabelsFont(small)
            axis.setLabelsBrush(text)
            axis.setTitleBrush(text)
            axis.setGridLineVisible(axis is values)
        category_side, value_side = ((Qt.AlignmentFlag.AlignLeft, Qt.AlignmentFlag.AlignBottom)
                                     if self.horizontal else
                                     (Qt.AlignmentFlag.AlignBottom, Qt.AlignmentFlag.AlignLeft))
        chart.addAxis(categories, category_side)
        chart.addAxis(values, value_side)
        self.series.attachAxis(categories)
        self.series.attachAxis(values)

    def _ordered(self, items: Sequence[T]) -> list[T]:
        # Qt draws a horizontal chart's first category at the bottom; people read from the top.
        return list(reversed(items)) if self.horizontal else list(items)

    def _position(self, category: int) -> int:
        """The index Qt uses for our ``category`` (and back: the mapping is its own inverse)."""
        return len(self.bars.categories) - 1 - category if self.horizontal else category

    def _total(self, category: int) -> float:
        values = [float(s.values[category]) for s in self.bars.sets]
        return sum(values) if self.stacked else max(values, default=0.0)

    # --- look --------------------------------------------------------------------------------

    def _apply_palette(self) -> None:
        colour = self.palette().color(QPalette.ColorRole.WindowText)
        self.chart().setTitleBrush(colour)
        self.chart().legend().setLabelColor(colour)
        font = self.chart().titleFont()
        font.setBold(True)
        font.setPointSizeF(self.font().pointSizeF() * 1.1)
        self.chart().setTitleFont(font)

    def _highlight(self) -> None:
        if self.series is None:
            return
        for index, bar_set in enumerate(self.series.barSets()):
            bar_set.deselectAllBars()
            if self.hasFocus() and self.bars.categories and self.part in (-1, index):
                bar_set.selectBar(self._position(self.current))

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802
        super().paintEvent(event)
        if self._paint_due and self.bars.sets:
            self._paint_due = False
            self.painted.emit()

    # --- reading and opening -------------------------------------------------------------------

    def current_text(self) -> str:
        if not self.bars.categories:
            return ""
        if 0 <= self.part < len(self.bars.part_tips):
            return self.bars.part_tips[self.part][self.current]
        return self.bars.tips[self.current] if self.bars.tips else ""

    def _clicked(self, position: int, bar_set: QBarSet) -> None:
        self.setFocus(Qt.FocusReason.MouseFocusReason)
        self.current = self._position(position)
        self.part = int(bar_set.property("set_index")) if self.stacked else -1
        self._highlight()
        self.activated.emit(self.current, self.part)

    def _hovered(self, status: bool, position: int, bar_set: QBarSet) -> None:
        if not status:
            QToolTip.hideText()
            return
        category = self._position(position)
        part = int(bar_set.property("set_index")) if self.stacked else -1
        tips = self.bars.part_tips[part] if 0 <= part < len(self.bars.part_tips) else \
            self.bars.tips
        if tips:
            self.setToolTip(tips[category])

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        count = len(self.bars.categories)
        key = event.key()
        if not count:
            super().keyPressEvent(event)
            return
        step_keys = ((Qt.Key.Key_Up, Qt.Key.Key_Down) if self.horizontal
                     else (Qt.Key.Key_Left, Qt.Key.Key_Right))
        part_keys = ((Qt.Key.Key_Left, Qt.Key.Key_Right) if self.horizontal
                     else (Qt.Key.Key_Down, Qt.Key.Key_Up))
        if key in ENTER_KEYS:
            self.activated.emit(self.current, self.part)
        elif key in step_keys:
            self.current = max(0, min(count - 1, self.current + (1 if key == step_keys[1]
                                                                  else -1)))
        elif key in part_keys and self.stacked:
            last = len(self.bars.sets) - 1
            self.part = max(-1, min(last, self.part + (1 if key == part_keys[1] else -1)))
        elif key in (Qt.Key.Key_Home, Qt.Key.Key_End):
            self.current = 0 if key == Qt.Key.Key_Home else count - 1
        else:
            super().keyPressEvent(event)
            return
        self._moved()

    def _moved(self) -> None:
        self._highlight()
        text = self.current_text()
        self.setAccessibleDescription(text)
        if text and self.series is not None:
            value = self._total(self.current) / 2
            point = (QPointF(value, self._position(self.current)) if self.horizontal
                     else QPointF(self._position(self.current), value))
            spot = self.chart().mapToPosition(point, self.series)
            QToolTip.showText(self.mapToGlobal(self.mapFromScene(spot)), text, self)

    def focusInEvent(self, event: QFocusEvent) -> None:  # noqa: N802
        super().focusInEvent(event)
        self._highlight()
        self.setAccessibleDescription(self.current_text())

    def focusOutEvent(self, event: QFocusEvent) -> None:  # noqa: N802
        super().focusOutEvent(event)
        self._highlight()
