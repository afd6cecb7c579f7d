"""Stock: on hand / reserved / available by site, location and lot; the move history; transfers
waiting to be received; and the dialogs that move stock."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QHBoxLayout,
    QMessageBox,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from dmdesk.domain.kinds import TransferState
from dmdesk.gui.context import GuiContext
from dmdesk.gui.dialogs.rename_lot import RenameLotDialog
from dmdesk.gui.dialogs.stock_dialogs import (
    AdjustDialog,
    CountDialog,
    ReceiveDialog,
    TakeDialog,
    TransferDialog,
)
from dmdesk.gui.ops import run_op
from dmdesk.gui.views.area import Area
from dmdesk.gui.views.list_area import ListArea
from dmdesk.queries import lists, network
from dmdesk.queries.stock import balance_place
from dmdesk.services import stock
from dmdesk.services.changes import STOCK


class StockArea(Area):
    trace_requested = Signal(str)  # a lot, as "SKU/CODE", to trace backward and forward
    title = "Stock"
    SHOWS = STOCK

    def __init__(self, gctx: GuiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.gctx = gctx
        self.title = self.tr("Stock")
        self.on_hand = ListArea(gctx.db, lists.ON_HAND, self, gctx=gctx,
                                title=self.tr("Stock on hand"))
        self.moves = ListArea(gctx.db, lists.MOVES, self, gctx=gctx,
                              title=self.tr("Stock moves"))
        self.moves.model.descending = True
        self.moves.model.refresh()
        self.transit = ListArea(gctx.db, lists.TRANSFERS, self, gctx=gctx,
                                 title=self.tr("Transfers in transit"))
        self.transit.model.set_filter("state", TransferState.SHIPPED.value)
        self.site_filter = self._site_combo()
        self.on_hand.toolbar.addWidget(self.site_filter)
        self.trace_button = self._lot_button(
            "trace_lot", self.tr("Trace lot…"),
            self.tr("What the selected lot is made of and where it went"),
            self.trace_selected_lot)
        self.rename_lot_button = self._lot_button(
            "rename_lot", self.tr("Rename lot…"),
            self.tr("Give the selected lot another code (two sites made the same one, say)"),
            self.rename_selected_lot)
        self.on_hand.opened.connect(lambda _id: self.show_history_of_selection())
        self.tabs = QTabWidget(self)
        self.tabs.addTab(self.on_hand, self.tr("On hand"))
        self.tabs.addTab(self.moves, self.tr("Move history"))
        self.tabs.addTab(self.transit, self.tr("In transit"))
        self.receive_transfer_button = QPushButton(self.tr("Receive at destination"))
        self.receive_transfer_button.clicked.connect(self.receive_selected_transfer)
        self.transit.toolbar.addWidget(self.receive_transfer_button)
        self.show_all_moves = QPushButton(self.tr("All moves"))
        self.show_all_moves.clicked.connect(self.clear_history_filter)
        self.moves.toolbar.addWidget(self.show_all_moves)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(self._action_bar())
        layout.addWidget(self.tabs, 1)
        self.follow_changes(gctx.events)

    def _lot_button(self, name: str, label: str, tip: str,
                    slot: Callable[[], object]) -> QPushButton:
        """A button of the On hand toolbar that acts on the selected row's lot."""
        button = QPushButton(label, self)
        button.setObjectName(name)
        button.setToolTip(tip)
        button.clicked.connect(slot)
        self.on_hand.toolbar.addWidget(button)
        return button

    def _site_combo(self) -> QComboBox:
        box = QComboBox(self)
        box.setObjectName("site_filter")
        box.addItem(self.tr("All sites"), None)
        with self.gctx.db.read_session() as session:
            for site in network.site_choices(session):
                box.addItem(site.label, site.id)
        box.currentIndexChanged.connect(
            lambda _i: self.on_hand.model.set_filter("site_id", box.currentData()))
        return box

    def _action_bar(self) -> QHBoxLayout:
        bar = QHBoxLayout()
        bar.setContentsMargins(6, 6, 6, 0)
        actions: list[tuple[str, str, Callable[[], QDialog]]] = [
            ("receive", self.tr("Receive…"), lambda: ReceiveDialog(self.gctx, self)),
            ("issue", self.tr("Issue…"), lambda: TakeDialog(self.gctx, parent=self)),
            ("scrap", self.tr("Scrap…"), lambda: TakeDialog(self.gctx, scrap=True, parent=self)),
            ("transfer", self.tr("Transfer…"), lambda: TransferDialog(self.gctx, self)),
            ("adjust", self.tr("Adjust…"), lambda: AdjustDialog(self.gctx, self)),
            ("count", self.tr("Count…"), lambda: CountDialog(self.gctx, self)),
        ]
        self.action_buttons: dict[str, QPushButton] = {}
        for name, label, make in actions:
            button = QPushButton(label, self)
            button.setObjectName(f"action_{name}")
            button.clicked.connect(lambda _=False, f=make: self.open_dialog(f))
            bar.addWidget(button)
            self.action_buttons[name] = button
        bar.addStretch(1)
        return bar

    def open_dialog(self, make: Callable[[], QDialog]) -> QDialog:
        dialog = make()
        dialog.setModal(True)
        dialog.accepted.connect(self.refresh)
        dialog.show()
        return dialog

    def create_new(self) -> None:
        self.open_dialog(lambda: ReceiveDialog(self.gctx, self))

    def show_history_of_selection(self) -> None:
        values = self.on_hand.current_values()
        if values is None:
            return
        # A balance row is keyed by product, location and lot; show the moves of the first two.
        with self.gctx.db.read_session() as session:
            place = balance_place(session, values["product"], values["site"],
                                  values["location"])
        self.moves.model.filters = {"product_id": place.product_id,
                                    "location_id": place.location_id}
        self.moves.model.refresh()
        self.tabs.setCurrentWidget(self.moves)

    def trace_selected_lot(self) -> None:
        values = self.on_hand.current_values()
        lot = values.get("lot") if values else None
        self.trace_requested.emit(f"{values['product']}/{lot}" if values and lot else "")

    def rename_selected_lot(self) -> QDialog | None:
        values = self.on_hand.current_values()
        if not values or not values.get("lot"):
            QMessageBox.information(self, self.title,
                                    self.tr("Select a row with a lot to rename it."))
            return None
        return self.open_dialog(
            lambda: RenameLotDialog(self.gctx, values["product"], values["lot"], self))

    def clear_history_filter(self) -> None:
        self.moves.model.filters = {}
        self.moves.model.refresh()

    def receive_selected_transfer(self) -> None:
        transfer_id = self.transit.current_id()
        if not isinstance(transfer_id, uuid.UUID):
            QMessageBox.information(self, self.title, self.tr("Select a transfer to receive."))
            return
        # Not the initiator: the area reloads from the notice like the others showing stock.
        run_op(self.gctx.runner,
               lambda _p: stock.receive_transfer(self.gctx.services, transfer_id),
               what="receiving a transfer", parent=self, title=self.title,
               controls=[self.receive_transfer_button], on_done=self._transfer_received)

    def _transfer_received(self, result: stock.MoveResult) -> None:
        self.gctx.notify(self.tr("Received {0}.").format(result.reference))

    def refresh(self) -> None:
        for view in (self.on_hand, self.moves, self.transit):
            view.refresh()

    def focus_search(self) -> None:
        current = self.tabs.currentWidget()
        if isinstance(current, ListArea):
            current.focus_search()
