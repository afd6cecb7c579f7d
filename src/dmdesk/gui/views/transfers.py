"""Transfers of one site (producer mode): materials coming in, to receive when they arrive, and
goods going back, shipped with the Transfer dialog. Receiving runs on the worker, as the Stock
area's "Receive at destination" does."""

from __future__ import annotations

import uuid

from PySide6.QtWidgets import QComboBox, QHBoxLayout, QMessageBox, QPushButton, QVBoxLayout, QWidget

from dmdesk.domain.kinds import TransferState
from dmdesk.gui.context import GuiContext
from dmdesk.gui.dialogs.stock_dialogs import TransferDialog
from dmdesk.gui.ops import run_op
from dmdesk.gui.views.area import Area
from dmdesk.gui.views.list_area import ListArea
from dmdesk.queries.producer_mode import SITE_TRANSFERS, ProducerScope
from dmdesk.services import stock
from dmdesk.services.changes import STOCK

# Matches no site: the list of a producer whose own site row has not arrived yet is empty.
NO_SITE = uuid.UUID(int=0)


class TransfersArea(Area):
    title = "Transfers"
    SHOWS = STOCK

    def __init__(self, gctx: GuiContext, scope: ProducerScope,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.gctx = gctx
        self.scope = scope
        self.title = self.tr("Transfers")
        self.list = ListArea(gctx.db, SITE_TRANSFERS, self, gctx=gctx,
                             title=self.tr("Transfers of {0}").format(scope.site_code))
        self.list.model.set_filter("site_id", scope.site_id or NO_SITE)
        self.state_filter = QComboBox(self)
        self.state_filter.setObjectName("transfer_state_filter")
        self.state_filter.addItem(self.tr("In transit"), TransferState.SHIPPED.value)
        self.state_filter.addItem(self.tr("All"), None)
        self.state_filter.currentIndexChanged.connect(
            lambda _i: self.list.model.set_filter("state", self.state_filter.currentData()))
        self.list.model.set_filter("state", TransferState.SHIPPED.value)
        self.list.toolbar.addWidget(self.state_filter)
        self.receive_button = self._button("receive_transfer", self.tr("Receive here"),
                                           self.tr("Book the selected transfer as arrived at "
                                                   "{0}").format(scope.site_code))
        self.receive_button.clicked.connect(self.receive_selected)
        self.ship_button = self._button("ship_back", self.tr("Ship goods…"),
                                        self.tr("Send stock from {0} to another site "
                                                "(finished goods back, say)"
                                                ).format(scope.site_code))
        self.ship_button.clicked.connect(self.create_new)
        bar = QHBoxLayout()
        bar.setContentsMargins(6, 6, 6, 0)
        bar.addWidget(self.receive_button)
        bar.addWidget(self.ship_button)
        bar.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(bar)
        layout.addWidget(self.list, 1)
        self.follow_changes(gctx.events)

    def _button(self, name: str, text: str, tip: str) -> QPushButton:
        button = QPushButton(text, self)
        button.setObjectName(name)
        button.setToolTip(tip)
        return button

    def create_new(self) -> None:
        dialog = TransferDialog(self.gctx, self)
        dialog.setModal(True)
        dialog.accepted.connect(self.refresh)
        dialog.show()

    def receive_selected(self) -> None:
        values = self.list.current_values()
        transfer_id = self.list.current_id()
        if values is None or not isinstance(transfer_id, uuid.UUID):
            QMessageBox.information(self, self.title, self.tr("Select a transfer to receive."))
            return
        if values.get("to_site") != self.scope.site_code:
            QMessageBox.information(self, self.title, self.tr(
                "{0} goes to {1}: only transfers to {2} are received here.").format(
                    values["number"], values.get("to_site") or self.tr("a site not shared"),
                    self.scope.site_code))
            return
        # Not the initiator: the area reloads from the notice like the others showing stock.
        run_op(self.gctx.runner,
               lambda _p: stock.receive_transfer(self.gctx.services, transfer_id),
               what="receiving a transfer", parent=self, title=self.title,
               controls=[self.receive_button], on_done=self._received)

    def _received(self, result: stock.MoveResult) -> None:
        self.gctx.notify(self.tr("Received {0}.").format(result.reference))

    def refresh(self) -> None:
        self.list.refresh()

    def focus_search(self) -> None:
        self.list.focus_search()
