"""Report progress on one operation of a work order in progress: good and scrap quantities.

Checked as the user types: a number, not negative, at most three decimals, whole for counted
units, and no more than the operation may still handle (the order quantity for the first
operation, the previous operation's good output after that: the service's own rule, so the
form rarely has to show a refusal; when it does, it shows it next to the field).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from PySide6.QtWidgets import QCheckBox, QLabel, QWidget

from dmdesk.domain.errors import ValidationError
from dmdesk.domain.quantity import format_quantity, quantity, whole_number_required
from dmdesk.gui.dialogs.form import Field, FormDialog, combo, line_edit, right_aligned
from dmdesk.gui.tasks import TaskRunner
from dmdesk.queries.orders import WorkOrderDetail
from dmdesk.services import work_orders
from dmdesk.services.context import ServiceContext

ZERO = Decimal(0)


class ReportProgressDialog(FormDialog):
    def __init__(self, detail: WorkOrderDetail, services: ServiceContext, runner: TaskRunner,
                 whole_only: bool = False, parent: QWidget | None = None) -> None:
        super().__init__(self.tr("Report progress on {0}").format(detail.number), runner,
                         parent)
        self.setObjectName("report_progress")
        self.detail = detail
        self.services = services
        self.whole_only = whole_only
        heading = QLabel(self.tr("{0}: {1} {2} of {3} at {4}").format(
            detail.number, format_quantity(detail.quantity), detail.unit, detail.sku,
            detail.site_code), self)
        self.form.addRow(heading)
        self.operation = combo(self._operation_items(), self._first_open_operation())
        self.finished_box = QCheckBox(self.tr("This operation is finished"), self)
        self.allowance = QLabel(self)
        self.allowance.setObjectName("allowance")
        self.good = right_aligned(line_edit(placeholder="0"))
        self.scrap = right_aligned(line_edit(placeholder="0"))
        self.add_field("sequence", self.tr("Operation"), self.operation, self._sequence)
        self.form.addRow("", self.allowance)
        self.add_field("good", self.tr("Good"), self.good, self._good)
        self.add_field("scrap", self.tr("Scrap"), self.scrap, self._scrap)
        self.form.addRow("", self.finished_box)
        self.operation.currentIndexChanged.connect(self._show_allowance)
        self.finished_box.toggled.connect(lambda _on: self.revalidate())
        self._show_allowance()
        self.revalidate()
        self.resize(460, self.sizeHint().height())

    def _operation_items(self) -> list[tuple[str, Any]]:
        return [(self.tr("{0} {1} (good {2}, scrap {3})").format(
                    op.sequence, op.name, format_quantity(op.good), format_quantity(op.scrap)),
                 op.sequence) for op in self.detail.operations]

    def _first_open_operation(self) -> int | None:
        for op in self.detail.operations:
            if op.finished_at is None and self.detail.reportable(op.sequence) > 0:
                return op.sequence
        return None

    def _allowed(self) -> Decimal:
        sequence = self.operation.currentData()
        return self.detail.reportable(sequence) if isinstance(sequence, int) else ZERO

    def _show_allowance(self) -> None:
        self.allowance.setText(self.tr("Up to {0} {1} more (good plus scrap) on this "
                                       "operation.").format(format_quantity(self._allowed()),
                                                            self.detail.unit))

    # --- validators --------------------------------------------------------------------------

    def _sequence(self, value: Any) -> int:
        if not isinstance(value, int):
            raise ValidationError(self.tr("This product has no operations to report on."),
                                  field="sequence")
        return value

    def _amount(self, text: Any, what: str, field: str) -> Decimal:
        raw = str(text or "").strip() or "0"
        amount = quantity(raw, what=what, field=field, allow_zero=True)
        if self.whole_only:
            whole_number_required(amount, self.detail.unit, what=what)
        return amount

    def _good(self, text: Any) -> Decimal:
        good = self._amount(text, self.tr("Good"), "good")
        allowed = self._allowed()
        if good > allowed:
            raise ValidationError(self.tr("{0} is more than this operation may still report "
                                          "({1} {2}).").format(format_quantity(good),
                                                               format_quantity(allowed),
                                                               self.detail.unit),
                                  field="good")
        return good

    def _scrap(self, text: Any) -> Decimal:
        scrap = self._amount(text, self.tr("Scrap"), "scrap")
        try:
            good = self._good(self.good.text())
        except ValidationError:
            return scrap  # the good field shows its own error
        if good + scrap > self._allowed():
            raise ValidationError(self.tr("Good plus scrap is {0}, more than this operation "
                                          "may still report ({1} {2}).").format(
                format_quantity(good + scrap), format_quantity(self._allowed()),
                self.detail.unit), field="scrap")
        if good + scrap == 0 and not self.finished_box.isChecked():
            raise ValidationError(self.tr("Report a good or a scrap quantity."), field="scrap")
        return scrap

    def _touched(self, field: Field) -> bool:
        # The scrap field speaks for the pair ("report a good or a scrap quantity") as soon as
        # either has been typed in.
        if field.name == "scrap":
            return bool(self.good.text().strip() or self.scrap.text().strip())
        return super()._touched(field)

    def values(self) -> dict[str, Any]:
        values = super().values()
        values["finished"] = self.finished_box.isChecked()
        return values

    def submit(self, values: dict[str, Any]) -> None:
        work_orders.report_progress(self.services, self.detail.id, values["sequence"],
                                   good=values["good"], scrap=values["scrap"],
                                   finished=values["finished"])
