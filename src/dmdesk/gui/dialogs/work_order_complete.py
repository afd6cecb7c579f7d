"""Complete a work order: how many good units go into stock.

Completing consumes the components and outputs the product in one transaction. If the making
site is short, the service refuses; this dialog then lists the shortages in an
``OverrideDialog`` and completes only when the user gives a reason.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from PySide6.QtWidgets import QLabel, QWidget

from dmdesk.domain.errors import InsufficientStockError
from dmdesk.domain.quantity import format_quantity, quantity, whole_number_required
from dmdesk.gui.dialogs.form import FormDialog, line_edit, right_aligned
from dmdesk.gui.dialogs.work_order_reason import OverrideDialog
from dmdesk.gui.palette import FIELD_ERROR_STYLE
from dmdesk.gui.tasks import TaskRunner
from dmdesk.queries.orders import WorkOrderDetail
from dmdesk.services import work_orders
from dmdesk.services.context import ServiceContext


def default_output(detail: WorkOrderDetail) -> Decimal | None:
    """What completing puts into stock unless told otherwise: the good quantity reported on
    the last operation, else the order quantity; None when every unit was scrapped."""
    if detail.operations and detail.good_qty > 0:
        return detail.good_qty
    if detail.operations and detail.scrap_qty > 0:
        return None
    return detail.quantity


class CompleteDialog(FormDialog):
    def __init__(self, detail: WorkOrderDetail, services: ServiceContext, runner: TaskRunner,
                 whole_only: bool = False, parent: QWidget | None = None) -> None:
        super().__init__(self.tr("Complete {0}").format(detail.number), runner, parent)
        self.setObjectName("complete_dialog")
        self.detail = detail
        self.services = services
        self.whole_only = whole_only
        self.override: OverrideDialog | None = None
        self._good = Decimal(0)
        self._explain()
        output = default_output(detail)
        self.good = right_aligned(line_edit(format_quantity(output) if output else ""))
        self.add_field("good", self.tr("Good quantity into stock ({0})").format(detail.unit),
                       self.good, self._good_quantity)
        self.resize(500, self.sizeHint().height())

    def _explain(self) -> None:
        text = QLabel(self.tr("Completing {0} consumes its components at {1} and puts the good "
                              "quantity of {2} into stock there. It cannot be undone.").format(
            self.detail.number, self.detail.site_code, self.detail.sku), self)
        text.setWordWrap(True)
        self.form.addRow(text)
        if self.detail.short:
            listed = ", ".join(f"{row.sku} {format_quantity(row.shortage)} {row.unit}"
                               for row in self.detail.short)
            warning = QLabel(self.tr("Short at {0}: {1}.").format(self.detail.site_code,
                                                                  listed), self)
            warning.setObjectName("short_warning")
            warning.setWordWrap(True)
            warning.setStyleSheet(FIELD_ERROR_STYLE)
            self.form.addRow(warning)

    def _good_quantity(self, text: Any) -> Decimal:
        what = self.tr("Good quantity")
        amount = quantity(text, what=what, field="good")
        if self.whole_only:
            whole_number_required(amount, self.detail.unit, what=what)
        return amount

    def values(self) -> dict[str, Any]:
        values = super().values()
        self._good = values["good"]
        return values

    def submit(self, values: dict[str, Any]) -> str:
        return work_orders.complete(self.services, self.detail.id, good_qty=values["good"])

    def show_error(self, error: BaseException, message: str | None = None) -> None:
        super().show_error(error, message)
        if isinstance(error, InsufficientStockError):
            self._ask_override(error)

    def _ask_override(self, error: InsufficientStockError) -> None:
        wo_id, good, services = self.detail.id, self._good, self.services
        self.override = OverrideDialog(
            self.tr("Complete {0} short of stock?").format(self.detail.number),
            self.tr("{0} does not have enough of these components to complete {1}:").format(
                self.detail.site_code, self.detail.number),
            error, self.runner,
            lambda reason: work_orders.complete(services, wo_id, good_qty=good,
                                               override_reason=reason),
            self.tr("Complete anyway"), self)
        self.override.accepted.connect(lambda: self._done(self.override_result()))
        self.override.open()

    def override_result(self) -> Any:
        return self.override.result_value if self.override is not None else None
