"""The Customer orders area: a list filtered by state, and a detail pane with the order's lines
and the work orders serving each line; "Create work order…" plans the selected line."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import replace

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QItemSelection
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from dmdesk.domain.errors import NotFoundError
from dmdesk.domain.kinds import CustomerOrderState
from dmdesk.domain.work_order_states import WOState
from dmdesk.gui.context import GuiContext
from dmdesk.gui.dialogs.customer_order_create import open_create_customer_order
from dmdesk.gui.dialogs.form import dispose_when_idle
from dmdesk.gui.dialogs.route_line import RouteDialog
from dmdesk.gui.dialogs.work_order_create import open_create_work_order
from dmdesk.gui.formatting import display
from dmdesk.gui.models.rows import DetailRow, RowsModel
from dmdesk.gui.palette import CUSTOMER_ORDER_STATE
from dmdesk.gui.views.detail_pane import content_page, stacked_pages
from dmdesk.gui.views.detail_widgets import (
    badge_style,
    caption,
    detail_table,
    number_and_badge,
    qty_text,
    state_label,
)
from dmdesk.gui.views.order_area import OrderArea
from dmdesk.gui.widgets.facts import FactGrid
from dmdesk.queries import lists, orders
from dmdesk.queries.line_routes import LineRoute, line_routes
from dmdesk.queries.orders import CustomerOrderDetail, CustomerOrderLineRow
from dmdesk.services.changes import CONTACTS, CUSTOMER_ORDERS, PRODUCTS, WORK_ORDERS
from dmdesk.services.routing import RouteResult
from dmdesk.services.work_orders import CreatedWorkOrder

# Columns the list shows and their widths; "ship to" is in the detail pane, which needs the room.
LIST_WIDTHS = {"number": 105, "customer": 170, "due_date": 85, "state": 75}
CUSTOMER_ORDER_LIST = replace(lists.CUSTOMER_ORDERS, columns=tuple(
    replace(c, kind="enum") if c.key == "state" else c for c in lists.CUSTOMER_ORDERS.columns))

_STATE_NAMES = {
    CustomerOrderState.OPEN: str(QT_TRANSLATE_NOOP("CustomerOrders", "open")),
    CustomerOrderState.FULFILLED: str(QT_TRANSLATE_NOOP("CustomerOrders", "fulfilled")),
    CustomerOrderState.CANCELLED: str(QT_TRANSLATE_NOOP("CustomerOrders", "cancelled")),
}


def order_state_label(state: str) -> str:
    return QCoreApplication.translate("CustomerOrders",
                                      _STATE_NAMES[CustomerOrderState(state)])


class CustomerOrderDetailPane(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("customer_order_detail")
        self.detail: CustomerOrderDetail | None = None
        self.routes: Mapping[uuid.UUID, LineRoute] = {}
        self.stack, _placeholder = stacked_pages(self, self.tr(
            "Select a customer order to see its lines and the work orders that serve them."),
            self._content)

    def _content(self) -> QWidget:
        page, layout = content_page(self)
        self.number, self.state, header = number_and_badge(page, "co_number", "co_state")
        layout.addLayout(header)
        layout.addWidget(self._info(page))
        layout.addLayout(self._lines(page), 1)
        return page

    def _info(self, page: QWidget) -> FactGrid:
        self.info = FactGrid(page, pairs_per_row=2)
        for name, label, row, column, span in (
                ("customer", self.tr("Customer"), 0, 0, 2),
                ("due", self.tr("Due"), 1, 0, 1), ("total", self.tr("Total"), 1, 1, 1),
                ("ship_to", self.tr("Ship to"), 2, 0, 2),
                ("created", self.tr("Created"), 3, 0, 2),
                ("notes", self.tr("Notes"), 4, 0, 2)):
            self.info.add(name, label, row, column, span)
        return self.info

    def _lines(self, page: QWidget) -> QVBoxLayout:
        self.lines_model = RowsModel(
            [self.tr("Line"), self.tr("Product"), self.tr("Quantity"), self.tr("Unit price"),
             self.tr("Total"), self.tr("Planned"), self.tr("Routed"), self.tr("Work orders")],
            right=(0, 2, 3, 4, 5), parent=self)
        self.lines_table = detail_table(self.lines_model, page, stretch=7)
        self.lines_table.setObjectName("order_lines")
        self.lines_table.setWordWrap(True)
        self.create_wo = QPushButton(self.tr("Create &work order…"), page)
        self.create_wo.setObjectName("create_work_order")
        self.create_wo.setToolTip(self.tr("Plan the selected line: a work order for its "
                                          "product, quantity and due date"))
        self.create_wo.setEnabled(False)
        self.route = QPushButton(self.tr("&Route…"), page)
        self.route.setObjectName("route_line")
        self.route.setToolTip(self.tr("Rank the sites that could serve the selected line and "
                                      "ship it from stock or make it there"))
        self.route.setEnabled(False)
        self.hint = QLabel(page)
        self.hint.setObjectName("lines_hint")
        self.hint.setWordWrap(True)
        buttons = QHBoxLayout()
        buttons.addWidget(self.route)
        buttons.addWidget(self.create_wo)
        buttons.addWidget(self.hint, 1)
        box = QVBoxLayout()
        box.addWidget(caption(self.tr("Lines"), page))
        box.addWidget(self.lines_table, 1)
        box.addLayout(buttons)
        self.lines_table.selectionModel().selectionChanged.connect(self._line_selected)
        return box

    def show_detail(self, detail: CustomerOrderDetail | None,
                    routes: Mapping[uuid.UUID, LineRoute] | None = None) -> None:
        self.detail = detail
        self.routes = routes or {}
        if detail is None:
            self.stack.setCurrentIndex(0)
            return
        self.stack.setCurrentIndex(1)
        self.number.setText(detail.number)
        self.state.setText(order_state_label(detail.state))
        self.state.setStyleSheet(badge_style(CUSTOMER_ORDER_STATE[detail.state]))
        info = self.info
        info.set("customer", detail.customer_name)
        info.set("due", detail.due_date.isoformat())
        info.set("total", display(detail.total, "money"))
        info.set("ship_to", detail.ship_to or self.tr("(not given)"))
        info.set("created", display(detail.created_at, "datetime"))
        info.set("notes", detail.notes, hide_empty=True)
        self.lines_model.set_rows([self._line_row(line) for line in detail.lines])
        self.lines_table.resizeRowsToContents()
        self._line_selected()

    def _line_row(self, line: CustomerOrderLineRow) -> DetailRow:
        serving = "\n".join(self.tr("{0} ({1})").format(wo.number, state_label(wo.state))
                            for wo in line.work_orders)
        cells = (str(line.line_no), line.sku, qty_text(line.quantity, line.unit),
                 display(line.unit_price, "money"), display(line.total, "money"),
                 self._planned_text(line), self._routed_text(line),
                 serving or self.tr("none yet"))
        tooltip = "\n".join([f"{line.sku} — {line.name}", *(
            self.tr("{0}: {1} at {2}, {3}; good {4}").format(
                wo.number, qty_text(wo.quantity, line.unit), wo.site_code,
                state_label(wo.state), qty_text(wo.good_qty))
            for wo in line.work_orders)])
        unplanned = line.unplanned > 0 and not any(
            wo.state == WOState.DONE for wo in line.work_orders)
        warn = unplanned or line.plan.over > 0
        return DetailRow(cells, line.id, tooltip, frozenset({5}) if warn else frozenset())

    def _planned_text(self, line: CustomerOrderLineRow) -> str:
        """'2 of 3' (transfers and work orders, db/line_plan.py); a surplus two sites planned
        offline at once is said, so someone cancels one."""
        text = self.tr("{0} of {1}").format(qty_text(line.planned), qty_text(line.quantity))
        if line.plan.over > 0:
            text += "\n" + self.tr("{0} over").format(qty_text(line.plan.over, line.unit))
        return text

    def _routed_text(self, line: CustomerOrderLineRow) -> str:
        """Where the line is served: the routing decision, else the sites of its work orders."""
        route = self.routes.get(line.id)
        if route is not None:
            how = (self.tr("ship from {0}") if route.how == "ship"
                   else self.tr("make at {0}")).format(route.site_code)
            return f"{how} ({', '.join(route.documents)})" if route.documents else how
        sites = sorted({wo.site_code for wo in line.work_orders if wo.state != WOState.CANCELLED})
        return self.tr("make at {0}").format(", ".join(sites)) if sites else self.tr("not yet")

    def selected_line(self) -> CustomerOrderLineRow | None:
        if self.detail is None:
            return None
        rows = self.lines_table.selectionModel().selectedRows()
        key = self.lines_model.key(rows[0].row()) if rows else None
        return next((line for line in self.detail.lines if line.id == key), None)

    def select_line(self, line_id: uuid.UUID) -> bool:
        for row in range(self.lines_model.rowCount()):
            if self.lines_model.key(row) == line_id:
                self.lines_table.selectRow(row)
                return True
        return False

    def _line_selected(self, *_args: QItemSelection) -> None:
        line = self.selected_line()
        is_open = self.detail is not None and self.detail.state == CustomerOrderState.OPEN
        self.create_wo.setEnabled(line is not None and is_open)
        self.route.setEnabled(line is not None and is_open)
        if self.detail is not None and not is_open:
            self.hint.setText(self.tr("The order is {0}: no new work orders.").format(
                order_state_label(self.detail.state)))
        elif line is None:
            self.hint.setText(self.tr("Select a line to plan a work order for it."))
        else:
            self.hint.setText(self.tr("Line {0}: {1}.").format(line.line_no,
                                                                line.plan.summary()))


class CustomerOrdersArea(OrderArea[CustomerOrderDetail]):
    title = "Customer orders"
    SHOWS = CUSTOMER_ORDERS | WORK_ORDERS | CONTACTS | PRODUCTS

    def __init__(self, gctx: GuiContext, parent: QWidget | None = None) -> None:
        super().__init__(gctx, parent)
        self.title = self.tr("Customer orders")
        self._make_list(CUSTOMER_ORDER_LIST, self.tr("Customer orders"))
        self.detail = CustomerOrderDetailPane(self)
        self._lay_out(self.detail, LIST_WIDTHS, 560)
        self._add_toolbar()
        self.list.selection_changed.connect(self._selected)
        self.list.opened.connect(self._selected)
        self.detail.create_wo.clicked.connect(self.create_work_order)
        self.detail.route.clicked.connect(self.route_line)
        self.follow_changes(gctx.events)
        self._apply_filter()

    def _add_toolbar(self) -> None:
        self.state_filter = QComboBox(self)
        self.state_filter.setObjectName("state_filter")
        self.state_filter.addItem(self.tr("Open"), CustomerOrderState.OPEN.value)
        self.state_filter.addItem(self.tr("All states"), None)
        for state in (CustomerOrderState.FULFILLED, CustomerOrderState.CANCELLED):
            self.state_filter.addItem(order_state_label(state), state.value)
        self.state_filter.currentIndexChanged.connect(lambda _i: self._apply_filter())
        self.new_button = QPushButton(self.tr("New customer order…"), self)
        self.new_button.setObjectName("new_customer_order")
        self.new_button.setToolTip(self.tr("Create a customer order (Ctrl+N)"))
        self.new_button.clicked.connect(self.create_new)
        self.list.toolbar.addWidget(self.state_filter)
        self.list.toolbar.addWidget(self.new_button)

    def _apply_filter(self) -> None:
        state = self.state_filter.currentData()
        self.list.model.filters = {"state": state} if state else {}
        self.list.refresh()

    # --- Area ---------------------------------------------------------------------------------

    def create_new(self) -> None:
        self.dialog = open_create_customer_order(self.gctx, self, on_created=self._created)

    def create_work_order(self) -> None:
        """Plan the selected line: the work order form, prefilled from the line."""
        line = self.detail.selected_line()
        if line is None:
            return
        self.dialog = open_create_work_order(
            self.gctx, self, line_id=line.id,
            on_created=lambda created: self._work_order_created(line.id, created))

    def route_line(self) -> RouteDialog | None:
        """Rank the sites for the selected line; the dialog's action ships or makes it."""
        line = self.detail.selected_line()
        if line is None:
            return None
        dialog = RouteDialog(self.gctx, line.id, self)
        self.dialog = dialog
        dialog.routed.connect(lambda result: self._routed(line.id, result))
        dialog.finished.connect(lambda _r: dispose_when_idle(dialog, self.gctx.runner))
        dialog.open()
        return dialog

    def _routed(self, line_id: uuid.UUID, result: RouteResult) -> None:
        if self.current is not None:
            self.show_order(self.current.id)
            self.detail.select_line(line_id)
        self.gctx.notify(" ".join(result.messages))

    # --- showing -------------------------------------------------------------------------------

    def show_order(self, order_id: uuid.UUID) -> None:
        keep = self.detail.selected_line()
        try:
            with self.gctx.db.read_session() as session:
                self.current = orders.customer_order_detail(session, order_id)
                routes = line_routes(session, [line.id for line in self.current.lines])
        except NotFoundError:
            self.current, routes = None, {}
        self.detail.show_detail(self.current, routes)
        if keep is not None:
            self.detail.select_line(keep.id)

    _show = show_order

    def _work_order_created(self, line_id: uuid.UUID, created: CreatedWorkOrder) -> None:
        if self.current is not None:
            self.show_order(self.current.id)
            self.detail.select_line(line_id)
