"""The Work orders area: a list filtered by site and state, and a detail pane with the order's
materials (and shortages at the making site), its operations, and the actions its state allows.

Every action runs its service on the task runner. A refusal (an illegal transition from a stale
button, a validation error) comes back as a message in the detail pane, never a traceback;
short stock on release or completion opens a dialog that lists the shortages and goes ahead
only with a reason.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from PySide6.QtCore import (
    Qt,
)
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QGridLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from dmdesk.domain.errors import InsufficientStockError, NotFoundError
from dmdesk.domain.quantity import format_quantity
from dmdesk.domain.work_order_states import OPEN_STATES, WOAction, WOState, allowed_actions
from dmdesk.gui.context import GuiContext
from dmdesk.gui.dialogs.form import dispose_when_idle, select_data
from dmdesk.gui.dialogs.quality_check import QualityCheckDialog
from dmdesk.gui.dialogs.work_order_complete import CompleteDialog
from dmdesk.gui.dialogs.work_order_create import open_create_work_order
from dmdesk.gui.dialogs.work_order_progress import ReportProgressDialog
from dmdesk.gui.dialogs.work_order_reason import CancelDialog, OverrideDialog
from dmdesk.gui.formatting import display
from dmdesk.gui.models.rows import DetailRow, RowsModel
from dmdesk.gui.ops import Report, run_op
from dmdesk.gui.palette import ERROR_STYLE, FIELD_ERROR_STYLE
from dmdesk.gui.views.detail_pane import content_page, stacked_pages
from dmdesk.gui.views.detail_widgets import (
    LATE,
    LIST_WIDTHS,
    OPEN,
    WORK_ORDER_LIST,
    caption,
    detail_table,
    number_and_badge,
    qty_text,
    state_badge_style,
    state_label,
)
from dmdesk.gui.views.order_area import OrderArea
from dmdesk.gui.views.producer_send import ProducerSending
from dmdesk.gui.views.quality_checks import QualityChecksBox
from dmdesk.gui.views.work_order_printing import JobSheetActions
from dmdesk.gui.widgets.facts import FactGrid
from dmdesk.queries import orders
from dmdesk.queries.orders import MaterialRow, OperationRow, WorkOrderDetail
from dmdesk.queries.scorecards import CheckRow, work_order_checks
from dmdesk.services import work_orders
from dmdesk.services.changes import (
    CUSTOMER_ORDERS,
    PRODUCTS,
    QUALITY_CHECKS,
    SITES,
    STOCK,
    WORK_ORDERS,
)
from dmdesk.services.context import ServiceContext
from dmdesk.services.quality import CheckResult


class WorkOrderDetailPane(QWidget):
    """One work order: header, actions, facts, materials and operations."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("work_order_detail")
        self.detail: WorkOrderDetail | None = None
        self.stack, self.placeholder = stacked_pages(self, self.tr(
            "Select a work order to see its materials, operations and what can be done with "
            "it."), self._content)

    def _content(self) -> QWidget:
        page, layout = content_page(self)
        self.number, self.state, header = number_and_badge(page, "wo_number", "wo_state")
        layout.addLayout(header)
        layout.addLayout(self._action_buttons(page))
        # Why the actions are not offered here: another side of the network holds the order.
        self.holder_note = QLabel(page)
        self.holder_note.setObjectName("wo_holder_note")
        self.holder_note.setWordWrap(True)
        self.holder_note.hide()
        layout.addWidget(self.holder_note)
        # A split reroute moved the order on: where it went and where its progress stood.
        self.moved_note = QLabel(page)
        self.moved_note.setObjectName("wo_moved_note")
        self.moved_note.setWordWrap(True)
        self.moved_note.hide()
        layout.addWidget(self.moved_note)
        self.message = QLabel(page)
        self.message.setObjectName("wo_message")
        self.message.setWordWrap(True)
        self.message.setStyleSheet(ERROR_STYLE)
        self.message.hide()
        layout.addWidget(self.message)
        layout.addWidget(self._info(page))
        layout.addLayout(self._materials(page), 3)
        layout.addLayout(self._operations(page), 2)
        self.checks = QualityChecksBox(page)
        layout.addWidget(self.checks, 2)
        return page

    def _action_buttons(self, page: QWidget) -> QGridLayout:
        labels = {
            WOAction.RELEASE: self.tr("&Release"), WOAction.START: self.tr("&Start"),
            WOAction.REPORT: self.tr("Report &progress…"),
            WOAction.COMPLETE: self.tr("&Complete…"), WOAction.HOLD: self.tr("&Hold"),
            WOAction.RESUME: self.tr("Res&ume"), WOAction.CANCEL: self.tr("Ca&ncel…"),
        }
        tips = {
            WOAction.RELEASE: self.tr("Pin the BOM and design file and reserve the components "
                                      "at the making site"),
            WOAction.START: self.tr("Mark the order as being worked on"),
            WOAction.REPORT: self.tr("Record good and scrap quantities on an operation"),
            WOAction.COMPLETE: self.tr("Consume the components and put the product into stock"),
            WOAction.HOLD: self.tr("Pause the order; its reservations are kept"),
            WOAction.RESUME: self.tr("Continue where the order was held"),
            WOAction.CANCEL: self.tr("Cancel the order and release its reservations"),
        }
        self.tips = tips
        grid = QGridLayout()
        grid.setSpacing(4)
        self.buttons: dict[WOAction, QPushButton] = {}
        for number, action in enumerate(WOAction):
            button = QPushButton(labels[action], page)
            button.setObjectName(f"action_{action.value}")
            button.setToolTip(tips[action])
            grid.addWidget(button, number // 4, number % 4)
            self.buttons[action] = button
        return grid

    def _info(self, page: QWidget) -> FactGrid:
        self.info = FactGrid(page, pairs_per_row=2)
        for name, label, row, column, span in (
                ("product", self.tr("Product"), 0, 0, 2),
                ("quantity", self.tr("Quantity"), 1, 0, 1), ("site", self.tr("Site"), 1, 1, 1),
                ("due", self.tr("Due"), 2, 0, 1), ("priority", self.tr("Priority"), 2, 1, 1),
                ("progress", self.tr("Progress"), 3, 0, 1), ("bom", self.tr("BOM"), 3, 1, 1),
                ("customer_order", self.tr("Customer order"), 4, 0, 2),
                ("design", self.tr("Design file"), 5, 0, 2),
                ("dates", self.tr("Dates"), 6, 0, 2),
                ("override", self.tr("Override reason"), 7, 0, 2),
                ("notes", self.tr("Notes"), 8, 0, 2)):
            self.info.add(name, label, row, column, span)
        return self.info

    def _materials(self, page: QWidget) -> QVBoxLayout:
        self.materials_caption = caption(self.tr("Materials"), page)
        self.materials_note = QLabel(page)
        self.materials_note.setObjectName("materials_note")
        self.materials_note.setWordWrap(True)
        self.shortage_summary = QLabel(page)
        self.shortage_summary.setObjectName("shortage_summary")
        self.shortage_summary.setWordWrap(True)
        self.shortage_summary.setStyleSheet(FIELD_ERROR_STYLE)
        self.materials_model = RowsModel(
            [self.tr("Component"), self.tr("Required"), self.tr("Reserved"),
             self.tr("Consumed"), self.tr("Available"), self.tr("Short")],
            right=range(1, 6), parent=self, tips=[
                "", self.tr("Needed for the order quantity, scrap allowance included"),
                self.tr("Set aside for this order at the making site"),
                self.tr("Taken from stock when the order was completed"),
                self.tr("On hand at the making site less everything reserved there"),
                self.tr("Still needed and neither reserved nor available")])
        self.materials_table = detail_table(self.materials_model, page)
        self.materials_table.setObjectName("materials")
        box = QVBoxLayout()
        box.addWidget(self.materials_caption)
        box.addWidget(self.materials_note)
        box.addWidget(self.shortage_summary)
        box.addWidget(self.materials_table, 1)
        return box

    def _operations(self, page: QWidget) -> QVBoxLayout:
        self.operations_model = RowsModel(
            [self.tr("Seq."), self.tr("Operation"), self.tr("Capability"), self.tr("Good"),
             self.tr("Scrap"), self.tr("To report"), self.tr("Status")],
            right=(0, 3, 4, 5), parent=self)
        self.operations_table = detail_table(self.operations_model, page, stretch=1)
        self.operations_table.setObjectName("operations")
        box = QVBoxLayout()
        box.addWidget(caption(self.tr("Operations"), page))
        box.addWidget(self.operations_table, 1)
        return box

    # --- showing an order ------------------------------------------------------------------------

    def show_detail(self, detail: WorkOrderDetail | None,
                    checks: list[CheckRow] | None = None) -> None:
        if detail is None or self.detail is None or detail.id != self.detail.id:
            self.clear_message()
        self.detail = detail
        if detail is None:
            self.stack.setCurrentIndex(0)
            return
        self.stack.setCurrentIndex(1)
        self.number.setText(detail.number)
        self.state.setText(state_label(detail.state))
        self.state.setStyleSheet(state_badge_style(detail.state))
        self._fill_info(detail)
        self._fill_materials(detail)
        self.operations_model.set_rows([self._operation_row(detail, op)
                                        for op in detail.operations])
        self.checks.set_checks(checks or [])
        self.set_busy(False)

    def _fill_info(self, d: WorkOrderDetail) -> None:
        info = self.info
        info.set("product", f"{d.sku} — {d.product_name}")
        info.set("quantity", qty_text(d.quantity, d.unit))
        info.set("site", f"{d.site_code} — {d.site_name}")
        info.set("due", d.due_date.isoformat())
        info.set("priority", str(d.priority))
        info.set("customer_order", self._customer_order_text(d))
        info.set("progress", self.tr("{0} good, {1} scrapped").format(
            format_quantity(d.good_qty), format_quantity(d.scrap_qty)),
            self.tr("Good units out of the last operation; scrap over all operations"))
        info.set("dates", self._dates_text(d), hide_empty=True)
        info.set("bom", d.bom_hash[:8] if d.bom_hash else self.tr("pinned when released"),
                 d.bom_hash or "")
        info.set("design", self._design_text(d), d.design_sha256 or "")
        info.set("override", d.override_reason, hide_empty=True)
        info.set("notes", d.notes, hide_empty=True)

    def _customer_order_text(self, d: WorkOrderDetail) -> str:
        if d.customer_order_number is None:
            return self.tr("none (made for stock)")
        return self.tr("{0} line {1} — {2}").format(d.customer_order_number,
                                                    d.customer_order_line_no, d.customer_name)

    def _dates_text(self, d: WorkOrderDetail) -> str:
        parts = [self.tr("{0} {1}").format(word, display(when, "datetime"))
                 for word, when in ((self.tr("released"), d.released_at),
                                    (self.tr("started"), d.started_at),
                                    (self.tr("completed"), d.completed_at)) if when]
        return " · ".join(parts)

    def _design_text(self, d: WorkOrderDetail) -> str:
        if d.design_name is None:
            return self.tr("none")
        text = self.tr("{0} v{1} ({2})").format(d.design_name, d.design_version,
                                                (d.design_sha256 or "")[:8])
        return text if d.design_pinned else self.tr("{0}, pinned when released").format(text)

    def _fill_materials(self, d: WorkOrderDetail) -> None:
        self.materials_note.setText(
            self.tr("Reserved at {0} when released (BOM {1}).").format(
                d.site_code, (d.bom_hash or "")[:8]) if d.materials_pinned else
            self.tr("From the current bill of materials: nothing is reserved until the order "
                    "is released."))
        short = d.short
        self.shortage_summary.setText(self.tr("Short at {0}: {1}.").format(
            d.site_code, ", ".join(f"{r.sku} {qty_text(r.shortage, r.unit)}" for r in short))
            if short else "")
        self.shortage_summary.setVisible(bool(short))
        reservations: dict[str, list[str]] = {}
        for res in d.reservations:
            where = f"{res.location} {res.lot}" if res.lot else res.location
            reservations.setdefault(res.sku, []).append(
                self.tr("{0} reserved at {1}").format(format_quantity(res.quantity), where))
        self.materials_model.set_rows([self._material_row(row, reservations.get(row.sku, []))
                                       for row in d.materials])

    def _material_row(self, row: MaterialRow, reserved_at: list[str]) -> DetailRow:
        cells = (row.sku, qty_text(row.required, row.unit), qty_text(row.reserved, row.unit),
                 qty_text(row.consumed, row.unit), qty_text(row.available, row.unit),
                 qty_text(row.shortage, row.unit) if row.shortage > 0 else "")
        tooltip = "\n".join([f"{row.sku} — {row.name}", *reserved_at])
        return DetailRow(cells, row.product_id, tooltip,
                         frozenset({0, 5}) if row.shortage > 0 else frozenset())

    def _operation_row(self, d: WorkOrderDetail, op: OperationRow) -> DetailRow:
        status = (self.tr("finished") if op.finished_at else
                  self.tr("started") if op.started_at else "")
        cells = (str(op.sequence), op.name, op.capability, qty_text(op.good),
                 qty_text(op.scrap), qty_text(d.reportable(op.sequence)), status)
        tooltip = self.tr("Setup {0} min, run {1} min per unit").format(
            format_quantity(op.setup_minutes), format_quantity(op.run_minutes))
        return DetailRow(cells, op.sequence, tooltip)

    # --- actions and messages ----------------------------------------------------------------

    def set_busy(self, busy: bool) -> None:
        """Enable exactly the actions the order's state allows (none while one is running)."""
        allowed = set(allowed_actions(self.detail.state)) if self.detail else set()
        moved = self._moved_text(self.detail) if self.detail else ""
        # A moved order is read-only here: its holder settles it when it syncs
        # (services/reroute_settle.py), nobody acts on it by hand.
        refusal = moved or (self.detail.act_refusal if self.detail else "")
        for action, button in self.buttons.items():
            button.setEnabled(not busy and not refusal and action in allowed
                              and self._possible(action))
            button.setToolTip(refusal or self.tips[action])
        self.holder_note.setText("" if moved else refusal)
        self.holder_note.setVisible(bool(refusal) and not moved)
        self.moved_note.setText(moved)
        self.moved_note.setVisible(bool(moved))
        # Checks are recorded on work being made or made (not drafts, not cancelled orders).
        self.checks.add_button.setEnabled(not busy and self.detail is not None and
                                          self.detail.state not in (WOState.DRAFT,
                                                                    WOState.CANCELLED))

    def _moved_text(self, d: WorkOrderDetail) -> str:
        if not d.moved_to_number:
            return ""
        rest = (self.tr(", which makes the remaining {0}").format(
            qty_text(d.moved_to_quantity, d.unit)) if d.moved_to_quantity is not None else "")
        return self.tr("Moved to {0}: {1}{2}. Progress here stood at {3} good, {4} scrapped "
                       "({5}); read-only.").format(
            d.moved_to_site, d.moved_to_number, rest, format_quantity(d.good_qty),
            format_quantity(d.scrap_qty), state_label(d.state))

    def _possible(self, action: WOAction) -> bool:
        # Reporting needs an operation to report on.
        return action != WOAction.REPORT or bool(self.detail and self.detail.operations)

    def show_message(self, text: str) -> None:
        self.message.setText(text)
        self.message.show()

    def clear_message(self) -> None:
        self.message.clear()
        self.message.hide()


# --- the area ----------------------------------------------------------------------------------


class WorkOrdersArea(OrderArea[WorkOrderDetail]):
    title = "Work orders"
    SHOWS = WORK_ORDERS | STOCK | PRODUCTS | SITES | CUSTOMER_ORDERS | QUALITY_CHECKS

    def __init__(self, gctx: GuiContext, parent: QWidget | None = None) -> None:
        super().__init__(gctx, parent)
        self.title = self.tr("Work orders")
        self.today: Callable[[], date] = date.today
        self.completed: tuple[date, date] | None = None  # a week the dashboard opened
        self._make_list(WORK_ORDER_LIST, self.tr("Work orders"))
        self.detail = WorkOrderDetailPane(self)
        self._lay_out(self.detail, LIST_WIDTHS, 470)
        self._add_toolbar()
        self.job_sheets = JobSheetActions(
            gctx, self, self.list, lambda: self.current.number if self.current else None)
        self.list.toolbar.insertWidget(self.list.toolbar.indexOf(self.new_button),
                                       self.job_sheets.button)
        self.job_sheets.printing.failed.connect(self.detail.show_message)
        self.sending = ProducerSending(gctx, self, self.list, self.job_sheets.numbers)
        self.list.toolbar.insertWidget(self.list.toolbar.indexOf(self.new_button),
                                       self.sending.button)
        self.sending.failed.connect(self.detail.show_message)
        for action, button in self.detail.buttons.items():
            button.clicked.connect(lambda _=False, a=action: self._act(a))
        self.detail.checks.add_button.clicked.connect(self.add_check)
        self.list.selection_changed.connect(self._selected)
        self.list.opened.connect(self._selected)
        self.follow_changes(gctx.events)
        self._fill_site_filter()
        self._apply_filters()

    def _add_toolbar(self) -> None:
        self.site_filter = QComboBox(self)
        self.site_filter.setObjectName("site_filter")
        self.site_filter.setToolTip(self.tr("Show the work orders of one site"))
        self.state_filter = QComboBox(self)
        self.state_filter.setObjectName("state_filter")
        self.state_filter.setToolTip(self.tr("Show the work orders in one state"))
        self.state_filter.addItem(self.tr("Open"), OPEN)
        self.state_filter.addItem(self.tr("Late"), LATE)
        self.state_filter.setItemData(1, self.tr("Open and due before today"),
                                      Qt.ItemDataRole.ToolTipRole)
        self.state_filter.addItem(self.tr("All states"), None)
        for state in WOState:
            self.state_filter.addItem(state_label(state), state.value)
        self.new_button = QPushButton(self.tr("New work order…"), self)
        self.new_button.setObjectName("new_work_order")
        self.new_button.setToolTip(self.tr("Create a work order (Ctrl+N)"))
        self.new_button.clicked.connect(self.create_new)
        self.period = QPushButton(self)
        self.period.setObjectName("completed_period")
        self.period.setToolTip(self.tr("Show every completion date again"))
        self.period.clicked.connect(lambda: self.set_completed(None))
        self.period.hide()
        for widget in (self.period, self.site_filter, self.state_filter, self.new_button):
            self.list.toolbar.addWidget(widget)
        self.site_filter.currentIndexChanged.connect(lambda _i: self._apply_filters())
        self.state_filter.currentIndexChanged.connect(lambda _i: self._apply_filters())

    def _fill_site_filter(self) -> None:
        keep = self.site_filter.currentData()
        with self.gctx.db.read_session() as session:
            choices = orders.site_choices(session)
        self.site_filter.blockSignals(True)
        self.site_filter.clear()
        self.site_filter.addItem(self.tr("All sites"), None)
        for site in choices:
            self.site_filter.addItem(f"{site.code} — {site.name}", site.id)
            if site.id == keep:
                self.site_filter.setCurrentIndex(self.site_filter.count() - 1)
        self.site_filter.blockSignals(False)

    def set_filters(self, *, site_id: uuid.UUID | None = None, state: str | None = OPEN) -> None:
        """Choose the site and state filters (None: all)."""
        for box, value in ((self.site_filter, site_id), (self.state_filter, state)):
            select_data(box, value)

    def set_completed(self, period: tuple[date, date] | None) -> None:
        """Show only the orders completed from ``period[0]`` to before ``period[1]``."""
        self.completed = period
        if period is not None:
            self.period.setText(self.tr("Completed {0} – {1}  ✕").format(
                period[0].isoformat(), (period[1] - timedelta(days=1)).isoformat()))
        self.period.setVisible(period is not None)
        self._apply_filters()

    def _apply_filters(self) -> None:
        state = self.state_filter.currentData()
        states = (sorted(s.value for s in OPEN_STATES) if state in (OPEN, LATE)
                  else [state] if state else None)
        first, end = self.completed or (None, None)
        filters = {"site_id": self.site_filter.currentData(), "states": states,
                   "due_before": self.today() if state == LATE else None,
                   "completed_from": first, "completed_before": end}
        self.list.model.filters = {k: v for k, v in filters.items() if v is not None}
        self.list.refresh()

    # --- Area ---------------------------------------------------------------------------------

    def refresh(self) -> None:
        self._fill_site_filter()
        super().refresh()

    def create_new(self) -> None:
        self.dialog = open_create_work_order(self.gctx, self, on_created=self._created)

    def create_for_line(self, line_id: uuid.UUID) -> QDialog:
        """Open the create form prefilled from a customer order line."""
        self.dialog = open_create_work_order(self.gctx, self, line_id=line_id,
                                             on_created=self._created)
        return self.dialog

    # --- showing --------------------------------------------------------------------------------

    def show_work_order(self, wo_id: uuid.UUID) -> None:
        try:
            with self.gctx.db.read_session() as session:
                self.current = orders.work_order_detail(session, wo_id)
                checks = work_order_checks(session, wo_id)
        except NotFoundError:
            self.current, checks = None, []
        self.detail.show_detail(self.current, checks)

    _show = show_work_order

    # --- actions -------------------------------------------------------------------------------

    def _act(self, action: WOAction) -> None:
        if self.current is None:
            return
        handlers: dict[WOAction, Callable[[WorkOrderDetail], None]] = {
            WOAction.RELEASE: self._release, WOAction.START: self._start,
            WOAction.REPORT: self._report, WOAction.COMPLETE: self._complete,
            WOAction.HOLD: self._hold, WOAction.RESUME: self._resume,
            WOAction.CANCEL: self._cancel,
        }
        handlers[action](self.current)

    def _write(self, d: WorkOrderDetail, call: Callable[[ServiceContext, uuid.UUID], Any],
               message: str, report: Report | None = None) -> None:
        services = self.gctx.services
        self.detail.set_busy(True)
        run_op(self.gctx.runner, lambda _p: call(services, d.id), what="a work order action",
               parent=self, initiator=self, on_done=lambda _r: self._written(message),
               report=report or self._refused)

    def _release(self, d: WorkOrderDetail) -> None:
        self._write(d, work_orders.release,
                    self.tr("Released {0}: components reserved at {1}.").format(
                        d.number, d.site_code),
                    report=lambda error, message: self._release_refused(d, error, message))

    def _release_refused(self, d: WorkOrderDetail, error: BaseException, message: str) -> None:
        if not isinstance(error, InsufficientStockError):
            self._refused(error, message)
            return
        services = self.gctx.services
        dialog = OverrideDialog(
            self.tr("Release {0} short of stock?").format(d.number),
            self.tr("{0} does not have enough of these components for {1}. Releasing anyway "
                    "reserves what there is.").format(d.site_code, d.number),
            error, self.gctx.runner,
            lambda reason: work_orders.release(services, d.id, override_reason=reason),
            self.tr("Release anyway"), self)
        self._open(dialog, self.tr("Released {0} short of stock; the reason is kept on the "
                                   "order.").format(d.number))

    def _start(self, d: WorkOrderDetail) -> None:
        self._write(d, work_orders.start, self.tr("Started {0}.").format(d.number))

    def _hold(self, d: WorkOrderDetail) -> None:
        self._write(d, work_orders.hold, self.tr("Put {0} on hold.").format(d.number))

    def _resume(self, d: WorkOrderDetail) -> None:
        self._write(d, work_orders.resume, self.tr("Resumed {0}.").format(d.number))

    def _report(self, d: WorkOrderDetail) -> None:
        self._open(ReportProgressDialog(d, self.gctx.services, self.gctx.runner, d.whole_only,
                                        self),
                   self.tr("Recorded progress on {0}.").format(d.number))

    def _complete(self, d: WorkOrderDetail) -> None:
        self._open(CompleteDialog(d, self.gctx.services, self.gctx.runner, d.whole_only, self),
                   self.tr("Completed {0}: components consumed, {1} put into stock at {2}.")
                   .format(d.number, d.sku, d.site_code))

    def _cancel(self, d: WorkOrderDetail) -> None:
        services = self.gctx.services
        self._open(CancelDialog(d.number, self.gctx.runner,
                                lambda reason: work_orders.cancel(services, d.id, reason), self),
                   self.tr("Cancelled {0}.").format(d.number))

    def add_check(self) -> None:
        d = self.current
        if d is None:
            return
        dialog = QualityCheckDialog(self.gctx.services, self.gctx.runner, d.id, d.number,
                                    [(op.sequence, op.name) for op in d.operations], self)
        self.dialog = dialog
        self.detail.set_busy(True)
        dialog.accepted.connect(lambda: self._check_recorded(dialog.result_value))
        dialog.finished.connect(lambda _result: self._closed(dialog))
        dialog.open()

    def _check_recorded(self, result: CheckResult) -> None:
        if self.current is not None:
            self.show_work_order(self.current.id)
        self.gctx.notify(result.message)

    def _open(self, dialog: QDialog, message: str) -> None:
        self.dialog = dialog
        self.detail.set_busy(True)
        dialog.accepted.connect(lambda: self._written(message))
        dialog.finished.connect(lambda _result: self._closed(dialog))
        dialog.open()

    def _closed(self, dialog: QDialog) -> None:
        self.detail.set_busy(False)
        if self.dialog is dialog:
            self.dialog = None
        dispose_when_idle(dialog, self.gctx.runner)

    def _written(self, message: str) -> None:
        self.detail.clear_message()
        self.refresh()
        self.gctx.notify(message)

    def _refused(self, _error: BaseException, message: str) -> None:
        self.refresh()  # the order may have changed under a stale button
        self.detail.set_busy(False)
        self.detail.show_message(message)
        self.gctx.notify(message)
