"""The dashboard: the counts that matter, at a glance.

Three figures (open work orders, late ones, items below their reorder point), a table of open
work orders with sites as rows and states as columns, and the two lists behind the worrying
figures: late work orders, and stock below its reorder point per site.

Above them, on the first tab, five charts (``views.charts``): work in progress per site, late
orders per site, output per week, stock value per site, on-time rate per producer.

The figures are SQL aggregates (``queries.dashboard``, ``queries.dashboard_charts``) computed on
the task runner's worker, so opening the window on a large database never waits on them; the
lists are paged models. Double-clicking a cell or a late order, or clicking a bar (Enter on a
focused chart), asks by signal for the list behind it; ``gui.areas.connect_areas`` opens it.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date

from PySide6.QtCore import (
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from dmdesk.gui.context import GuiContext
from dmdesk.gui.models.open_work import SITE_ROLE, STATE_ROLE, OpenWorkModel
from dmdesk.gui.models.scoped import DeferredModel, ScopedModel
from dmdesk.gui.ops import run_op
from dmdesk.gui.palette import FIELD_ERROR_STYLE
from dmdesk.gui.views.area import Area
from dmdesk.gui.views.charts.network_charts import NetworkCharts
from dmdesk.gui.views.detail_pane import heading_font
from dmdesk.gui.widgets.tables import small_table
from dmdesk.queries import dashboard as queries
from dmdesk.queries.dashboard import Dashboard
from dmdesk.queries.dashboard_charts import ChartData, chart_data
from dmdesk.services.changes import PRODUCTS, SITES, STOCK, WORK_ORDERS

Index = QModelIndex | QPersistentModelIndex


class Figure(QFrame):
    """A big number with a caption under it."""

    def __init__(self, caption: str, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.number = QLabel("–", self)
        self.number.setObjectName(name)
        self.number.setFont(heading_font(self, 2.2))
        self.caption = QLabel(caption, self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 8, 16, 8)
        layout.addWidget(self.number)
        layout.addWidget(self.caption)

    def set_value(self, value: int, alarming: bool = False) -> None:
        self.number.setText(f"{value:,}")
        self.number.setStyleSheet(FIELD_ERROR_STYLE if alarming and value else "")


def section_title(text: str, parent: QWidget) -> QLabel:
    label = QLabel(text, parent)
    label.setFont(heading_font(parent, 1.1))
    return label


class DashboardArea(Area):
    loaded = Signal()  # the figures on screen are fresh
    charts_painted = Signal()  # and every chart has been painted with them
    open_work_requested = Signal(object, object)  # site id or None, state or None
    work_order_requested = Signal(object)  # work order id
    late_requested = Signal(object)  # site id: its late work orders
    output_requested = Signal(object, object)  # work orders completed from day to day (excl.)
    stock_requested = Signal(object)  # site id: its stock
    producer_requested = Signal(object)  # site id: its page, history of finished work
    SHOWS = WORK_ORDERS | STOCK | SITES | PRODUCTS

    def __init__(self, gctx: GuiContext, parent: QWidget | None = None, *,
                 today: Callable[[], date] = date.today) -> None:
        super().__init__(parent)
        self.gctx = gctx
        self.title = self.tr("Dashboard")
        self.today = today
        self.data: Dashboard | None = None
        self._generation = 0
        self.open_work = OpenWorkModel(self)
        self.late = ScopedModel(gctx.db, queries.LATE_WORK_ORDERS, "late_on", self)
        self.below = DeferredModel(gctx.db, queries.BELOW_REORDER_POINT, self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 8, 12, 8)
        layout.addLayout(self._header())
        layout.addLayout(self._figures())
        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("dashboard_tabs")
        self.tabs.addTab(self._charts(), self.tr("&Charts"))
        self.tabs.addTab(self._body(), self.tr("&Lists"))
        layout.addWidget(self.tabs, 1)
        self.follow_changes(gctx.events)

    # --- layout --------------------------------------------------------------------------------

    def _header(self) -> QHBoxLayout:
        title = QLabel(self.tr("Dashboard"), self)
        title.setFont(heading_font(self, 1.5))
        self.as_of = QLabel(self)
        self.as_of.setObjectName("as_of")
        refresh = QPushButton(self.tr("Refresh"), self)
        refresh.setToolTip(self.tr("Count again (F5)"))
        refresh.clicked.connect(self.refresh)
        row = QHBoxLayout()
        row.addWidget(title)
        row.addSpacing(12)
        row.addWidget(self.as_of, 1, Qt.AlignmentFlag.AlignBottom)
        row.addWidget(refresh)
        return row

    def _figures(self) -> QHBoxLayout:
        self.open_figure = Figure(self.tr("open work orders"), "open_total", self)
        self.late_figure = Figure(self.tr("late work orders (due before today, not done)"),
                                  "late_total", self)
        self.below_figure = Figure(self.tr("items below their reorder point"), "below_total",
                                   self)
        row = QHBoxLayout()
        for figure in (self.open_figure, self.late_figure, self.below_figure):
            row.addWidget(figure, 1)
        return row

    def _charts(self) -> NetworkCharts:
        self.charts = NetworkCharts(self)
        self.charts.open_work_requested.connect(self.open_work_requested)
        self.charts.late_requested.connect(self.late_requested)
        self.charts.output_requested.connect(self.output_requested)
        self.charts.stock_requested.connect(self.stock_requested)
        self.charts.producer_requested.connect(self.producer_requested)
        self.charts.all_painted.connect(self.charts_painted)
        return self.charts

    def _body(self) -> QWidget:
        self.matrix = QTableView(self)
        self.matrix.setObjectName("open_work_table")
        self.matrix.setModel(self.open_work)
        self.matrix.verticalHeader().hide()
        self.matrix.verticalHeader().setDefaultSectionSize(24)
        self.matrix.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.matrix.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        header = self.matrix.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        self.matrix.doubleClicked.connect(self._cell_opened)
        self.late_table = small_table(self.late, self, "late_table")
        self.late_table.doubleClicked.connect(self._late_opened)
        self.below_table = small_table(self.below, self, "below_table")
        self.late_title = section_title("", self)
        self.below_title = section_title("", self)
        lists = QSplitter(Qt.Orientation.Horizontal, self)
        lists.addWidget(self._titled(self.late_title, self.late_table))
        lists.addWidget(self._titled(self.below_title, self.below_table))
        body = QWidget(self)
        layout = QVBoxLayout(body)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self._titled(section_title(
            self.tr("Open work orders by site and state"), self), self.matrix))
        layout.addWidget(lists, 1)
        return body

    def _titled(self, title: QLabel, table: QTableView) -> QWidget:
        box = QWidget(self)
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 8, 0, 0)
        layout.addWidget(title)
        layout.addWidget(table, 1)
        return box

    # --- loading -----------------------------------------------------------------------------

    def refresh(self) -> None:
        """Count again on the worker; the figures on screen change when the counts are in."""
        self._generation += 1
        generation, today, db = self._generation, self.today(), self.gctx.db
        self.as_of.setText(self.tr("counting…"))

        def count(_progress: object) -> tuple[Dashboard, ChartData]:  # on the worker thread
            with db.read_session() as session:
                figures = queries.dashboard(session, today)
                return figures, chart_data(session, today, figures.open_work)

        run_op(self.gctx.runner, count, what="counting the dashboard", parent=self,
               on_done=lambda data: self._show(generation, *data), report=self._failed,
               unexpected=self.tr("could not count: {0}"))

    def _show(self, generation: int, data: Dashboard, charts: ChartData) -> None:
        if generation != self._generation:
            return  # a newer count is on its way
        self.data = data
        self.charts.set_data(charts)
        self.open_work.set_work(data.open_work)
        self._fit_matrix()
        self.open_figure.set_value(data.open_work.total)
        self.late_figure.set_value(data.late, alarming=True)
        self.below_figure.set_value(data.below_reorder, alarming=True)
        self.late.set_scope(data.today)
        self.below.start()
        self.late_title.setText(self.tr("Late work orders ({0})").format(data.late))
        self.below_title.setText(self.tr("Below reorder point ({0})").format(
            data.below_reorder))
        self.as_of.setText(self.tr("as of {0}").format(data.today.isoformat()))
        self.loaded.emit()

    def _fit_matrix(self) -> None:
        """As tall as its rows (the lists below get the rest), scrolling past 12 sites."""
        rows = self.matrix.verticalHeader()
        visible = min(self.open_work.rowCount(), 12)
        height = (self.matrix.horizontalHeader().height() + 2 * self.matrix.frameWidth()
                  + sum(rows.sectionSize(r) for r in range(visible)))
        self.matrix.setMaximumHeight(height)

    def _failed(self, _error: BaseException, message: str) -> None:
        self.as_of.setText(message)
        self.gctx.notify(self.tr("The dashboard could not be counted: {0}").format(message))

    # --- going further ---------------------------------------------------------------------------

    def _cell_opened(self, index: QModelIndex) -> None:
        site: uuid.UUID | None = index.data(SITE_ROLE)
        state: str | None = index.data(STATE_ROLE)
        self.open_work_requested.emit(site, state)

    def _late_opened(self, index: QModelIndex) -> None:
        work_order = self.late.row_id(index.row())
        if work_order is not None:
            self.work_order_requested.emit(work_order)
