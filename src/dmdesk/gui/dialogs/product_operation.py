"""An operation of a product's routing: sequence, name, capability, setup and run minutes."""

from __future__ import annotations

import uuid
from typing import Any

from PySide6.QtWidgets import QWidget

from dmdesk.domain.errors import ValidationError
from dmdesk.domain.kinds import CAPABILITIES
from dmdesk.domain.quantity import format_quantity
from dmdesk.gui.context import GuiContext
from dmdesk.gui.dialogs.form import FormDialog, combo, line_edit, right_aligned
from dmdesk.gui.dialogs.product_form import Validator, quantity_value, required_text, translate
from dmdesk.queries.products import OperationRow, ProductHeader
from dmdesk.services import products


def sequence_value(label: str) -> Validator:
    """A whole number from 1 to 100000; empty means "after the last one" (None)."""
    def check(value: Any) -> int | None:
        raw = str(value).strip()
        if not raw:
            return None
        if not raw.isdigit() or not 1 <= int(raw) <= 100_000:
            raise ValidationError(translate("{0} must be a whole number from 1 to 100000.")
                                  .format(label))
        return int(raw)
    return check


class OperationDialog(FormDialog):
    """Add an operation to ``product``, or (with ``operation``) edit one."""

    def __init__(self, gctx: GuiContext, product: ProductHeader,
                 operation: OperationRow | None = None, parent: QWidget | None = None) -> None:
        super().__init__("", gctx.runner, parent)
        self.setObjectName("operation_form")
        self.services = gctx.services
        self.product = product
        self.operation = operation
        self.setWindowTitle(self.tr("New operation of {0}").format(product.sku)
                            if operation is None
                            else self.tr("Operation {0} of {1}").format(operation.sequence,
                                                                        product.sku))
        self._add_fields(operation)
        self.setMinimumWidth(420)

    def _add_fields(self, op: OperationRow | None) -> None:
        sequence = self.tr("Sequence")
        self.add_field("sequence", sequence,
                       right_aligned(line_edit(str(op.sequence) if op else "",
                                               self.tr("after the last one"))),
                       sequence_value(sequence))
        name = self.tr("Operation")
        self.add_field("name", name, line_edit(op.name if op else ""),
                       required_text(name, 120))
        known = list(CAPABILITIES)
        if op and op.capability and op.capability not in known:
            known.append(op.capability)
        items = [(self.tr("(any site)"), ""), *((c, c) for c in known)]
        self.add_field("capability", self.tr("Capability"),
                       combo(items, op.capability if op else ""))
        for field, label, value in (("setup_minutes", self.tr("Setup minutes"),
                                     op.setup_minutes if op else None),
                                    ("run_minutes", self.tr("Run minutes per unit"),
                                     op.run_minutes if op else None)):
            edit = right_aligned(line_edit(format_quantity(value) if value is not None else "",
                                           "0"))
            self.add_field(field, label, edit, _minutes(label))

    def submit(self, values: dict[str, Any]) -> uuid.UUID:
        """On the worker: add or update the operation."""
        if values["sequence"] is None:
            del values["sequence"]
        if self.operation is None:
            return products.add_operation(self.services, self.product.id, **values)
        products.update_operation(self.services, self.operation.id, **values)
        return self.operation.id


def _minutes(label: str) -> Validator:
    check = quantity_value(label, allow_zero=True)
    return lambda value: check(str(value).strip() or "0")
