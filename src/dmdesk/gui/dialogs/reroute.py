"""Take a site offline (or pause it) and move its open work orders to other sites.

The proposal (queries.rerouting.propose_reroute: the best other site for each open work order
and the reserved stock that must follow it) is computed on the worker. The owner ticks the
moves to make (all by default; orders nobody else can make cannot be ticked, and say why), may
pick another candidate site per order, and applies: the site's status changes first, then each
order moves in its own transaction (services.rerouting), with progress and Cancel between
orders. What moved, what was refused and why, and the transfers made are listed at the end.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from dmdesk.domain.errors import DomainError
from dmdesk.domain.kinds import SiteStatus
from dmdesk.gui.context import GuiContext
from dmdesk.gui.formatting import enum_label
from dmdesk.gui.models.reroute import SITE, MovesModel, SiteDelegate
from dmdesk.gui.ops import run_op
from dmdesk.gui.palette import ERROR_STYLE, FIELD_ERROR_STYLE
from dmdesk.gui.tasks import Progress, TaskCancelledError
from dmdesk.queries.rerouting import RerouteProposal, propose_reroute
from dmdesk.services import rerouting
from dmdesk.services.rerouting import MovedWorkOrder, RerouteResult


@dataclass(frozen=True)
class Plan:
    site_id: uuid.UUID
    status: str
    reason: str
    moves: tuple[tuple[uuid.UUID, uuid.UUID], ...]  # (work order, to site)


def apply_plan(gctx: GuiContext, plan: Plan, progress: Progress) -> RerouteResult:
    """On the worker: mark the site, then move each order in its own transaction (as
    services.rerouting.apply_reroute does), reporting after each and stopping on Cancel."""
    code = rerouting.set_site_status(gctx.services, plan.site_id, plan.status)
    moved: list[MovedWorkOrder] = []
    failed: list[tuple[str, str]] = []
    total = len(plan.moves)
    for done, (order_id, to_site) in enumerate(plan.moves):
        try:
            progress.report(done, total, f"Moving work order {done + 1} of {total}…")
        except TaskCancelledError:
            break  # what moved stays moved: each move is its own transaction
        try:
            moved.append(rerouting.reroute_work_order(gctx.services, order_id, to_site,
                                                      reason=plan.reason,
                                                      from_site_id=plan.site_id))
        except DomainError as error:
            failed.append((str(order_id), error.message))
    return RerouteResult(code, plan.status, tuple(moved), tuple(failed))


class RerouteDialog(QDialog):
    proposal_loaded = Signal()
    applied = Signal(object)  # RerouteResult

    def __init__(self, gctx: GuiContext, site_id: uuid.UUID, parent: QWidget | None = None,
                 *, today: date | None = None, status: str = SiteStatus.OFFLINE.value) -> None:
        super().__init__(parent)
        self.setObjectName("reroute_dialog")
        self.gctx, self.site_id, self.today = gctx, site_id, today
        self.proposal: RerouteProposal | None = None
        self.outcome: RerouteResult | None = None
        self.setWindowTitle(self.tr("Take a site offline"))
        self.resize(1100, 560)
        self.intro = QLabel(self.tr("Looking for other sites for the open work orders…"), self)
        self.intro.setWordWrap(True)
        self.intro.setObjectName("reroute_intro")
        self.table = self._table()
        self.message = QLabel(self)
        self.message.setObjectName("reroute_message")
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message.hide()
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addLayout(self._options(status))
        layout.addLayout(self._selection_buttons())
        layout.addWidget(self.table, 1)
        layout.addWidget(self.message)
        layout.addWidget(self._buttons())
        self._load()

    # --- layout ----------------------------------------------------------------------------------

    def _table(self) -> QTableView:
        self.model = MovesModel(self)
        table = QTableView(self)
        table.setObjectName("reroute_moves")
        table.setModel(self.model)
        table.setItemDelegateForColumn(SITE, SiteDelegate(table))
        table.verticalHeader().hide()
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setEditTriggers(QAbstractItemView.EditTrigger.AllEditTriggers)
        table.setWordWrap(False)
        table.verticalHeader().setDefaultSectionSize(26)
        header = table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        # Fixed widths (never fitted to thousands of rows); the long texts are one line,
        # elided, whole in their tooltips.
        for column, width in enumerate((44, 110, 110, 60, 80, 80, 290, 250, 200)):
            header.resizeSection(column, width)
        header.setStretchLastSection(True)
        self.model.dataChanged.connect(lambda *_args: self._update_ok())
        self.model.modelReset.connect(self._update_ok)
        return table

    def _options(self, status: str) -> QFormLayout:
        self.status = QComboBox(self)
        self.status.setObjectName("reroute_status")
        for value in (SiteStatus.OFFLINE.value, SiteStatus.PAUSED.value):
            self.status.addItem(enum_label(value), value)
        self.status.setCurrentIndex(self.status.findData(status))
        self.reason = QLineEdit(self)
        self.reason.setObjectName("reroute_reason")
        self.reason.setPlaceholderText(self.tr("e.g. machine broken until March (kept in the "
                                               "history of each order)"))
        form = QFormLayout()
        form.addRow(self.tr("Mark the site"), self.status)
        form.addRow(self.tr("Reason"), self.reason)
        return form

    def _selection_buttons(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.select_all = QPushButton(self.tr("Select &all"), self)
        self.select_all.clicked.connect(lambda: self.set_all_checked(True))
        self.select_none = QPushButton(self.tr("Select &none"), self)
        self.select_none.clicked.connect(lambda: self.set_all_checked(False))
        row.addWidget(self.select_all)
        row.addWidget(self.select_none)
        row.addStretch(1)
        return row

    def _buttons(self) -> QDialogButtonBox:
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, self)
        self.apply_button = self.buttons.addButton(self.tr("Apply"),
                                                   QDialogButtonBox.ButtonRole.AcceptRole)
        self.apply_button.setObjectName("reroute_apply")
        self.apply_button.setEnabled(False)
        self.apply_button.clicked.connect(self.apply)
        self.buttons.rejected.connect(self.reject)
        return self.buttons

    # --- the proposal ---------------------------------------------------------------------------

    def _load(self) -> None:
        db, site_id, today = self.gctx.db, self.site_id, self.today
        step = self.tr("Finding another site for work order {0} of {1}")

        def propose(progress: Progress) -> RerouteProposal:
            def report(done: int, total: int, _text: str) -> None:
                progress.report(done, total, step.format(done + 1, total))

            with db.read_session() as session:
                return propose_reroute(session, site_id, today, progress=report)

        # Cancelling the search closes this dialog: there is nothing to choose from.
        self.loading = run_op(self.gctx.runner, propose, what="proposing reroutes",
                              parent=self, on_done=self._show_proposal, report=self._failed,
                              on_cancel=self.reject, unexpected=self._cannot_propose(),
                              long=self.tr("Looking for other sites"))

    def _cannot_propose(self) -> str:
        return self.tr("Could not propose the moves: {0}")

    def _show_proposal(self, proposal: RerouteProposal) -> None:
        self.proposal = proposal
        self.setWindowTitle(self.tr("Take {0} offline").format(proposal.site_code))
        movable, total = len(proposal.movable), len(proposal.moves)
        if total == 0:
            self.intro.setText(self.tr("{0} — {1} has no open work orders: marking it only "
                                       "changes its status.").format(proposal.site_code,
                                                                     proposal.site_name))
        else:
            self.intro.setText(self.tr(
                "{0} — {1} has {2} open work orders; {3} can move to another site. Tick the "
                "moves to make; each moves in its own transaction, its progress is kept, and "
                "the stock reserved for it follows on a transfer.").format(
                proposal.site_code, proposal.site_name, total, movable))
        self.model.set_moves(list(proposal.moves))
        self.proposal_loaded.emit()

    def _failed(self, error: BaseException, message: str) -> None:
        if isinstance(error, DomainError):  # an unexpected one came in the template already
            message = self._cannot_propose().format(message)
        self.intro.setText(message)
        self.intro.setStyleSheet(ERROR_STYLE)

    # --- choosing -------------------------------------------------------------------------------

    def set_all_checked(self, checked: bool) -> None:
        self.model.set_all(checked)

    def chosen(self) -> tuple[tuple[uuid.UUID, uuid.UUID], ...]:
        """(work order, site) for every ticked row."""
        return self.model.chosen()

    def _update_ok(self) -> None:
        count = len(self.chosen())
        label = (self.tr("Mark {0} and move {1} work orders").format(
            self.status.currentText(), count) if count else
            self.tr("Mark {0}, move nothing").format(self.status.currentText()))
        self.apply_button.setText(label)
        self.apply_button.setEnabled(self.proposal is not None and self.outcome is None)

    # --- applying -------------------------------------------------------------------------------

    def apply(self) -> None:
        if self.proposal is None or self.outcome is not None:
            return
        plan = Plan(self.site_id, str(self.status.currentData()), self.reason.text().strip(),
                    self.chosen())
        gctx = self.gctx
        # The area that opened the dialog reloads itself when it hears it applied.
        run_op(gctx.runner, lambda progress: apply_plan(gctx, plan, progress),
               what="taking a site offline", parent=self, initiator=self.parent(),
               controls=[self.apply_button, self.table], on_done=self._applied,
               report=self._apply_failed, long=self.tr("Moving work orders"))

    def _applied(self, result: RerouteResult) -> None:
        self.outcome = result
        self.apply_button.setEnabled(False)  # done: nothing more to apply here
        self.table.setEnabled(False)
        numbers = {str(move.work_order_id): move.number for move in
                   (self.proposal.moves if self.proposal else ())}
        lines = [self.tr("{0} is now {1}.").format(result.site_code, enum_label(result.status))]
        for moved in result.moved:
            lines.append(self.tr("{0}: {1} → {2}{3}. {4}").format(
                moved.number, moved.from_site, moved.to_site,
                self.tr(" on {0}").format(", ".join(moved.transfers)) if moved.transfers
                else "", " ".join(moved.messages)).strip())
        for order, why in result.failed:
            lines.append(self.tr("{0} stayed: {1}").format(
                numbers.get(order, order), why))
        self.message.setText("\n".join(lines))
        self.message.setStyleSheet(FIELD_ERROR_STYLE if result.failed else "")
        self.message.show()
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("Close"))
        self.applied.emit(result)

    def _apply_failed(self, _error: BaseException, message: str) -> None:
        self.message.setText(message)
        self.message.setStyleSheet(ERROR_STYLE)
        self.message.show()

