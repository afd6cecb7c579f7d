"""Rename a lot: the code of one product's lot, checked as the user types (1 to 60 characters,
not the code it has, not a code another lot of the product has).

Renaming is how two sites that made a lot with the same code while offline are told apart:
the Sync area's alert names the code, and the other site's lot waits until one is renamed.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QLabel, QWidget

from dmdesk.domain.errors import DuplicateError, ValidationError
from dmdesk.gui.context import GuiContext
from dmdesk.gui.dialogs.form import FormDialog, line_edit
from dmdesk.queries.lookup import lot_code_taken
from dmdesk.services import lots


class RenameLotDialog(FormDialog):
    def __init__(self, gctx: GuiContext, sku: str, code: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(self.tr("Rename lot"), gctx.runner, parent)
        self.setObjectName("rename_lot_dialog")
        self.initiator = None  # the areas showing stock, its opener too, reload from the notice
        self.gctx = gctx
        self.sku = sku
        self.code = code
        self.form.addRow(self.tr("Product"), QLabel(sku, self))
        self.form.addRow(self.tr("Lot"), QLabel(code, self))
        edit = line_edit(code, self.tr("the lot's new code"))
        self.add_field("new_code", self.tr("New code"), edit, self._new_code)
        edit.selectAll()

    def _new_code(self, text: Any) -> str:
        code = lots.clean_lot_code(str(text or ""))
        if code == self.code:
            raise ValidationError(self.tr("Type the lot's new code."), field="new_code")
        with self.gctx.db.read_session() as session:
            taken = lot_code_taken(session, self.sku, code)
        if taken:
            raise DuplicateError(self.tr("{0} already has a lot '{1}'.").format(self.sku, code),
                                 field="new_code")
        return code

    def submit(self, values: dict[str, Any]) -> lots.LotRenamed:
        return lots.rename_lot_by_code(self.gctx.services, self.sku, self.code,
                                       values["new_code"])

    def _done(self, result: Any) -> None:
        if isinstance(result, lots.LotRenamed):
            self.gctx.notify(self.tr("Renamed lot {0} of {1} to {2}.").format(
                result.old_code, result.sku, result.new_code))
        super()._done(result)
