"""Dialogs that ask why: going ahead although components are short, cancelling an order.

``OverrideDialog`` lists what the service said is short and runs the action again with the
user's reason (which the service keeps on the work order and its stock moves). An empty reason
keeps OK disabled: cancelling the dialog leaves the order as it was.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

from dmdesk.domain.errors import InsufficientStockError, Shortage, ValidationError
from dmdesk.domain.quantity import format_quantity
from dmdesk.gui.dialogs.form import FormDialog, line_edit
from dmdesk.gui.tasks import TaskRunner

Action = Callable[[str], Any]  # runs on the worker with the reason the user gave


class OverrideDialog(FormDialog):
    """The components are short: show them; go ahead only with a reason."""

    def __init__(self, title: str, intro: str, error: InsufficientStockError,
                 runner: TaskRunner, go: Action, go_label: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(title, runner, parent)
        self._go = go
        self.setObjectName("override_dialog")
        text = QLabel(intro, self)
        text.setWordWrap(True)
        self.form.addRow(text)
        self.shortages = self._shortage_table(error.shortages)
        self.form.addRow(self.shortages)
        note = QLabel(self.tr("Going ahead records your reason on the work order and on its "
                              "stock moves."), self)
        note.setWordWrap(True)
        self.form.addRow(note)
        self.reason = self.add_field("reason", self.tr("Reason"), line_edit(
            placeholder=self.tr("e.g. steel arrives tomorrow morning")), self._reason)
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        if ok is not None:
            ok.setText(go_label)
        self.resize(520, self.sizeHint().height())

    def _shortage_table(self, rows: list[Shortage]) -> QTableWidget:
        table = QTableWidget(len(rows), 4, self)
        table.setObjectName("shortages")
        table.setHorizontalHeaderLabels([self.tr("Component"), self.tr("Needed"),
                                         self.tr("Available"), self.tr("Missing")])
        for row, short in enumerate(rows):
            for column, value in enumerate((short.sku, format_quantity(short.required),
                                            format_quantity(short.available),
                                            format_quantity(short.missing))):
                item = QTableWidgetItem(value)
                if column:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight
                                          | Qt.AlignmentFlag.AlignVCenter)
                table.setItem(row, column, item)
        table.verticalHeader().hide()
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        table.setMaximumHeight(32 + 26 * min(max(len(rows), 1), 6))
        return table

    def _reason(self, text: Any) -> str:
        reason = str(text or "").strip()
        if not reason:
            raise ValidationError(self.tr("Give a reason, or cancel to leave the order as it "
                                          "is."), field="reason")
        return reason

    def submit(self, values: dict[str, Any]) -> Any:
        return self._go(values["reason"])


class CancelDialog(FormDialog):
    """Confirm cancelling a work order; the reason is optional and goes into the audit log."""

    def __init__(self, number: str, runner: TaskRunner, go: Action,
                 parent: QWidget | None = None) -> None:
        super().__init__(self.tr("Cancel {0}").format(number), runner, parent)
        self._go = go
        self.setObjectName("cancel_dialog")
        text = QLabel(self.tr("Cancel work order {0}? Its reserved components are released; "
                              "progress already reported is kept. A cancelled order cannot be "
                              "reopened.").format(number), self)
        text.setWordWrap(True)
        self.form.addRow(text)
        self.reason = self.add_field("reason", self.tr("Reason (optional)"), line_edit(),
                                     lambda v: str(v or "").strip())
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        cancel = self.buttons.button(QDialogButtonBox.StandardButton.Cancel)
        if ok is not None and cancel is not None:
            ok.setText(self.tr("Cancel work order"))
            cancel.setText(self.tr("Keep it"))
        self.resize(460, self.sizeHint().height())

    def submit(self, values: dict[str, Any]) -> Any:
        return self._go(values["reason"])
