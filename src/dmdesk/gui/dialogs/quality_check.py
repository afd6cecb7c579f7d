"""Record a quality check on a work order (or one of its operations): a name, a target with its
tolerance, and the measured value. The form says as you type whether the value is within
tolerance; the service (services.quality.record_check) decides and stores it."""

from __future__ import annotations

import uuid
from decimal import Decimal, InvalidOperation
from typing import Any

from PySide6.QtWidgets import QLabel, QWidget

from dmdesk.domain.errors import ValidationError
from dmdesk.domain.quantity import format_quantity
from dmdesk.gui.dialogs.form import FormDialog, combo, line_edit, right_aligned
from dmdesk.gui.palette import FIELD_ERROR_STYLE
from dmdesk.gui.tasks import TaskRunner
from dmdesk.services.context import ServiceContext
from dmdesk.services.quality import CheckResult, record_check, within_tolerance


def number(what: str, field: str, *, negative: bool = True) -> Any:
    def check(raw: Any) -> Decimal:
        text = str(raw).strip().replace(",", ".")
        if not text:
            raise ValidationError(f"{what} is required.", field=field)
        try:
            value = Decimal(text)
        except InvalidOperation:
            raise ValidationError(f"{what}: {raw!r} is not a number.", field=field) from None
        if not value.is_finite() or (value < 0 and not negative):
            raise ValidationError(f"{what} cannot be negative.", field=field)
        return value
    return check


def required(what: str, field: str) -> Any:
    def check(raw: Any) -> str:
        if not str(raw).strip():
            raise ValidationError(f"{what} is required.", field=field)
        return str(raw).strip()
    return check


class QualityCheckDialog(FormDialog):
    def __init__(self, services: ServiceContext, runner: TaskRunner, work_order_id: uuid.UUID,
                 number_text: str, operations: list[tuple[int, str]],
                 parent: QWidget | None = None) -> None:
        super().__init__(self.tr("Quality check on {0}").format(number_text), runner, parent)
        self.setObjectName("quality_check_dialog")
        self.services, self.work_order_id = services, work_order_id
        self.add_field("name", self.tr("Check"), line_edit(
            placeholder=self.tr("e.g. seat height")), required(self.tr("The check's name"),
                                                               "name"))
        self.add_field("operation", self.tr("Operation"), combo(
            [(self.tr("the whole order"), None)]
            + [(f"{seq} {name}", seq) for seq, name in operations]))
        self.add_field("unit", self.tr("Unit"), line_edit(placeholder=self.tr("e.g. mm")))
        self.add_field("target", self.tr("Target"), right_aligned(line_edit()),
                       number(self.tr("Target"), "target"))
        self.add_field("tolerance", self.tr("Tolerance (±)"), right_aligned(line_edit()),
                       number(self.tr("Tolerance"), "tolerance", negative=False))
        self.add_field("measured", self.tr("Measured"), right_aligned(line_edit()),
                       number(self.tr("Measured value"), "measured"))
        self.verdict = QLabel(self)
        self.verdict.setObjectName("check_verdict")
        self.form.addRow("", self.verdict)
        for name in ("target", "tolerance", "measured"):
            self.fields[name].widget.textChanged.connect(  # type: ignore[attr-defined]
                lambda _text: self._judge())

    def _judge(self) -> None:
        """Within tolerance or not, as the user types (the service decides on OK)."""
        try:
            values = {n: self.fields[n].validate(self.fields[n].widget.text())  # type: ignore[attr-defined]
                      for n in ("target", "tolerance", "measured")}
        except ValidationError:
            self.verdict.clear()
            return
        inside = within_tolerance(values["target"], values["tolerance"], values["measured"])
        off = values["measured"] - values["target"]
        sign = "+" if off >= 0 else "−"
        self.verdict.setText(self.tr("within tolerance ({0}{1})").format(
            sign, format_quantity(abs(off)))
                             if inside else
                             self.tr("OUT OF TOLERANCE by {0}").format(
                                 format_quantity(abs(off) - values["tolerance"])))
        self.verdict.setStyleSheet("" if inside else FIELD_ERROR_STYLE + " font-weight: 600;")

    def submit(self, values: dict[str, Any]) -> CheckResult:
        return record_check(self.services, self.work_order_id, values["name"], values["target"],
                            values["tolerance"], values["measured"],
                            operation_sequence=values["operation"], unit=values["unit"])
