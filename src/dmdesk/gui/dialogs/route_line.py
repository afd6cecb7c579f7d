"""Route a customer order line: the sites that could serve what is still open of it, best
first, each with its reasons and the parts of its score; one button does what the chosen
candidate proposes for that open quantity ("Ship 3 pcs from X" creates the transfer, "Make 3 pcs
at Y" the work order and the transfers of the components Y lacks). What is already planned is
said above the sites; a fully planned line offers none. The ranking (queries.routing) and the
action (services.routing) run on the worker; a refusal (the stock or the site changed
meanwhile, or another window planned the line) is shown in the dialog.
"""

from __future__ import annotations

import uuid
from datetime import date

from PySide6.QtCore import QCoreApplication, QItemSelection, Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QListWidget,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from dmdesk.domain.errors import DomainError
from dmdesk.domain.quantity import format_quantity
from dmdesk.gui.context import GuiContext
from dmdesk.gui.ops import run_op
from dmdesk.gui.palette import ERROR_RED, ERROR_STYLE, FIELD_ERROR_STYLE
from dmdesk.gui.tasks import Progress
from dmdesk.queries.routing import Candidate, LineRouting, route_line
from dmdesk.services.routing import RouteResult, apply_route

COLUMNS = ("Site", "How", "Score", "Ready", "Distance", "Load")


def action_label(candidate: Candidate, routing: LineRouting) -> str:
    """'Ship 3 pcs from MP1': the button says how much it plans (what is open of the line)."""
    text = "Ship {0} from {1}" if candidate.action == "ship" else "Make {0} at {1}"
    amount = f"{format_quantity(routing.open)} {routing.unit}"
    return QCoreApplication.translate("RouteDialog", text).format(amount, candidate.site_code)


class RouteDialog(QDialog):
    loaded = Signal()
    routed = Signal(object)  # RouteResult

    def __init__(self, gctx: GuiContext, line_id: uuid.UUID, parent: QWidget | None = None,
                 *, today: date | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("route_dialog")
        self.gctx, self.line_id, self.today = gctx, line_id, today
        self.routing: LineRouting | None = None
        self.outcome: RouteResult | None = None
        self.setWindowTitle(self.tr("Route an order line"))
        self.resize(980, 560)
        self.heading = QLabel(self.tr("Ranking the sites…"), self)
        self.heading.setObjectName("route_heading")
        self.heading.setWordWrap(True)
        self.notes = QLabel(self)
        self.notes.setObjectName("route_notes")
        self.notes.setWordWrap(True)
        self.notes.hide()
        self.message = QLabel(self)
        self.message.setObjectName("route_message")
        self.message.setWordWrap(True)
        self.message.hide()
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.notes)
        self.body = self._body()
        layout.addWidget(self.body, 1)
        layout.addWidget(self.message)
        layout.addWidget(self._buttons())
        self._load()

    def _body(self) -> QSplitter:
        self.table = QTableWidget(0, len(COLUMNS), self)
        self.table.setObjectName("route_candidates")
        self.table.setHorizontalHeaderLabels([self.tr(c) for c in COLUMNS])
        self.table.verticalHeader().hide()
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.selectionModel().selectionChanged.connect(self._selected)
        self.table.doubleClicked.connect(lambda _i: self.apply())
        self.reasons = QListWidget(self)
        self.reasons.setObjectName("route_reasons")
        self.reasons.setWordWrap(True)
        self.parts = QTableWidget(0, 4, self)
        self.parts.setObjectName("route_score_parts")
        self.parts.setHorizontalHeaderLabels([self.tr("Part"), self.tr("Value"),
                                              self.tr("Weight"), self.tr("Why")])
        self.parts.verticalHeader().hide()
        self.parts.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.parts.horizontalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.ResizeToContents)
        self.parts.horizontalHeader().setStretchLastSection(True)
        side = QWidget(self)
        box = QVBoxLayout(side)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(QLabel(self.tr("Why this site"), side))
        box.addWidget(self.reasons, 3)
        box.addWidget(QLabel(self.tr("Parts of the score"), side))
        box.addWidget(self.parts, 2)
        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.addWidget(self.table)
        splitter.addWidget(side)
        splitter.setSizes([590, 370])
        return splitter

    def _buttons(self) -> QDialogButtonBox:
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        self.go = self.buttons.addButton(self.tr("Choose a site"),
                                         QDialogButtonBox.ButtonRole.ActionRole)
        self.go.setObjectName("route_apply")
        self.go.setEnabled(False)
        self.go.clicked.connect(self.apply)
        self.buttons.rejected.connect(self.reject)
        return self.buttons

    # --- ranking --------------------------------------------------------------------------------

    def _load(self) -> None:
        db, line_id, today = self.gctx.db, self.line_id, self.today

        def rank(_progress: Progress) -> LineRouting:
            with db.read_session() as session:
                return route_line(session, line_id, today)

        run_op(self.gctx.runner, rank, what="ranking the sites for a line", parent=self,
               on_done=self._show, report=self._failed, long=self.tr("Ranking the sites"),
               unexpected=self._cannot_rank())

    def _cannot_rank(self) -> str:
        return self.tr("Could not rank the sites: {0}")

    def _show(self, routing: LineRouting) -> None:
        self.routing = routing
        self.setWindowTitle(self.tr("Route {0} line {1}").format(routing.order_number,
                                                                 routing.line_no))
        self.heading.setText(self.tr(
            "{0} line {1}: {2} {3} {4} ({5}) for {6}, due {7}.").format(
            routing.order_number, routing.line_no, format_quantity(routing.quantity),
            routing.unit, routing.sku, routing.product_name, routing.customer,
            routing.due_date.isoformat()))
        notes = list(routing.notes) + ([routing.why_none] if routing.why_none else [])
        self.notes.setText("\n".join(notes))
        # Fully planned is an answer, not a fault; planned beyond the order (two sites planned
        # it offline at once) is one someone must settle by cancelling a work order.
        alarming = (bool(routing.why_none) and not routing.fully_planned) or routing.plan.over > 0
        self.notes.setStyleSheet(FIELD_ERROR_STYLE if alarming else "")
        self.notes.setVisible(bool(notes))
        if routing.fully_planned:  # no sites to weigh: say so and offer nothing to click
            self.body.hide()
            self.go.hide()
            self.resize(self.width(), self.minimumSizeHint().height())
        self.table.setRowCount(len(routing.candidates))
        for row, candidate in enumerate(routing.candidates):
            self._fill(row, candidate)
        if routing.candidates:
            self.table.selectRow(0)
            self.table.setFocus()
        self.loaded.emit()

    def _fill(self, row: int, c: Candidate) -> None:
        how = self.tr("ship from stock") if c.action == "ship" else self.tr("make")
        load = "" if c.load_share is None else f"{c.load_share:.0%}"
        distance = "—" if c.distance_km is None else f"{c.distance_km:,.0f} km"
        ready = c.ready_date.isoformat() + (self.tr(" (late)") if c.late else "")
        for column, text in enumerate((f"{c.site_code} — {c.site_name}", how,
                                       f"{c.score:.0f}", ready, distance, load)):
            item = QTableWidgetItem(text)
            if column >= 2:
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            if c.late and column == 3:
                item.setForeground(QColor(ERROR_RED))
            item.setToolTip("\n".join(c.reasons))
            self.table.setItem(row, column, item)

    def selected(self) -> Candidate | None:
        rows = self.table.selectionModel().selectedRows()
        if self.routing is None or not rows:
            return None
        return self.routing.candidates[rows[0].row()]

    def _selected(self, *_args: QItemSelection) -> None:
        candidate = self.selected()
        self.reasons.clear()
        self.parts.setRowCount(0)
        if candidate is None:
            self.go.setEnabled(False)
            self.go.setText(self.tr("Choose a site"))
            return
        self.reasons.addItems(list(candidate.reasons))
        self.parts.setRowCount(len(candidate.parts))
        for row, part in enumerate(candidate.parts):
            for column, text in enumerate((part.name, f"{part.value:.2f}",
                                           f"{part.weight:.2f}", part.detail)):
                self.parts.setItem(row, column, QTableWidgetItem(text))
        assert self.routing is not None  # a candidate is selected
        self.go.setText(action_label(candidate, self.routing))
        self.go.setEnabled(self.outcome is None)

    def _failed(self, error: BaseException, message: str) -> None:
        if isinstance(error, DomainError):  # an unexpected one came in the template already
            message = self._cannot_rank().format(message)
        self.heading.setText(message)
        self.heading.setStyleSheet(ERROR_STYLE)

    # --- acting ---------------------------------------------------------------------------------

    def apply(self) -> None:
        candidate, routing = self.selected(), self.routing
        if candidate is None or routing is None or self.outcome is not None:
            return
        services, line_id = self.gctx.services, self.line_id

        def act(_progress: Progress) -> RouteResult:
            return apply_route(services, line_id, candidate.site_id, candidate.action)

        # The area that opened the dialog reloads itself when it hears it routed.
        run_op(self.gctx.runner, act, what="routing a customer order line", parent=self,
               initiator=self.parent(), controls=[self.go], on_done=self._done,
               report=self._refused, long=action_label(candidate, routing))

    def _done(self, result: RouteResult) -> None:
        self.outcome = result
        self.go.setEnabled(False)  # done: the line is routed, nothing more to do here
        self.message.setText("\n".join(result.messages))
        self.message.setStyleSheet("")
        self.message.show()
        self.table.setEnabled(False)
        self.routed.emit(result)

    def _refused(self, _error: BaseException, message: str) -> None:
        self.message.setText(message)
        self.message.setStyleSheet(ERROR_STYLE)
        self.message.show()
