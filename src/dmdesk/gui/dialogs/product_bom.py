"""A BOM line: choose the component by SKU search (new line), set quantity and scrap.

The search box filters the component list as you type (in SQL, after a short pause); an exact
SKU comes first and is chosen. Refusals of the service (a cycle, a component already in the
BOM, an archived component) are shown next to the component.
"""

from __future__ import annotations

import uuid
from typing import Any

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QComboBox, QLabel, QLineEdit, QWidget

from dmdesk.domain.quantity import format_quantity
from dmdesk.gui.context import GuiContext
from dmdesk.gui.dialogs.form import FormDialog, line_edit, right_aligned
from dmdesk.gui.dialogs.product_form import chosen, kind_label, percent_value, quantity_value
from dmdesk.queries.products import BomNode, ProductHeader, find_products
from dmdesk.services import products

SEARCH_DELAY_MS = 150
CHOICES = 50


class BomLineDialog(FormDialog):
    """Add a line to ``parent_product``'s BOM, or (with ``line``) change one's quantities."""

    def __init__(self, gctx: GuiContext, parent_product: ProductHeader,
                 line: BomNode | None = None, parent: QWidget | None = None) -> None:
        super().__init__("", gctx.runner, parent)
        self.setObjectName("bom_line_form")
        self.gctx = gctx
        self.parent_product = parent_product
        self.line = line
        if line is None:
            self.setWindowTitle(self.tr("Add a component to {0}").format(parent_product.sku))
            self._add_component_chooser()
        else:
            self.setWindowTitle(self.tr("BOM line {0} in {1}").format(line.sku,
                                                                      parent_product.sku))
            component = QLabel(f"{line.sku} — {line.name} ({line.unit})", self)
            self.form.addRow(self.tr("Component"), component)
        self._add_quantities(line)
        self.setMinimumWidth(480)

    def _add_component_chooser(self) -> None:
        self.search = QLineEdit(self)
        self.search.setObjectName("component_search")
        self.search.setPlaceholderText(self.tr("Type a SKU or part of a name…"))
        self.search.setClearButtonEnabled(True)
        self.form.addRow(self.tr("Find"), self.search)
        self.component = QComboBox(self)
        self.component.setMinimumContentsLength(30)
        self.add_field("component", self.tr("Component"), self.component,
                       chosen(self.tr("Choose a component.")))
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(SEARCH_DELAY_MS)
        self._timer.timeout.connect(self.refresh_choices)
        self.search.textChanged.connect(lambda _text: self._timer.start())
        self.refresh_choices()

    def _add_quantities(self, line: BomNode | None) -> None:
        per = self.tr("Quantity per {0}").format(self.parent_product.sku)
        qty = right_aligned(line_edit(format_quantity(line.quantity) if line else "", "1"))
        self.add_field("quantity", per, qty, quantity_value(self.tr("Quantity")))
        scrap = right_aligned(line_edit(format_quantity(line.scrap_pct) if line else "", "0"))
        self.add_field("scrap_pct", self.tr("Scrap %"), scrap, percent_value(self.tr("Scrap")))

    def refresh_choices(self) -> None:
        """Fill the component list with the products matching the search box."""
        with self.gctx.db.read_session() as session:
            found = find_products(session, self.search.text(),
                                  exclude=self.parent_product.id, limit=CHOICES)
        self.component.clear()
        for choice in found:
            self.component.addItem(
                f"{choice.sku} — {choice.name} ({choice.unit}, {kind_label(choice.kind)})",
                choice.id)
        if not found:
            self.component.setPlaceholderText(self.tr("No product matches."))
        self.revalidate()

    def submit(self, values: dict[str, Any]) -> uuid.UUID:
        """On the worker: add the line, or change the line's quantities."""
        if self.line is None:
            return products.add_bom_line(self.gctx.services, self.parent_product.id,
                                         values["component"], values["quantity"],
                                         values["scrap_pct"])
        products.update_bom_line(self.gctx.services, self.line.line_id,
                                 quantity=values["quantity"], scrap_pct=values["scrap_pct"])
        return self.line.line_id
