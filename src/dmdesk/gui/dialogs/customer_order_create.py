"""Create a customer order: customer, due date, where it ships, and its lines.

Lines go into a small table (SKU, quantity, unit price). The SKU cell searches the products as
the user types; a known SKU fills in the product's price and a quantity of 1 where those are
empty. Every line is checked as it is typed; the lines in error are marked and listed under
the table, and OK stays disabled until all are right.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDateEdit,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from dmdesk.domain.errors import DomainError, ValidationError
from dmdesk.domain.quantity import money, quantity, whole_number_required
from dmdesk.gui.context import GuiContext
from dmdesk.gui.dialogs.form import (
    FormDialog,
    combo,
    line_edit,
    open_create_form,
)
from dmdesk.gui.dialogs.work_order_create import (
    SEARCH_LIMIT,
    attach_search,
    first_word,
)
from dmdesk.gui.formatting import to_qdate
from dmdesk.gui.palette import ERROR_BACKGROUND, FIELD_ERROR_STYLE
from dmdesk.queries import orders
from dmdesk.queries.lookup import ProductChoice, product_by_sku
from dmdesk.queries.orders import CustomerChoice
from dmdesk.services import customer_orders
from dmdesk.services.customer_orders import CreatedOrder, OrderLineSpec

SKU, QUANTITY, PRICE = range(3)
DEFAULT_LEAD_DAYS = 21


class SkuDelegate(QStyledItemDelegate):
    """Edits the SKU cell with a line edit that searches the products as the user types."""

    def __init__(self, lookup: Callable[[str], list[str]], parent: QWidget) -> None:
        super().__init__(parent)
        self._lookup = lookup

    def createEditor(self, parent: QWidget, option: QStyleOptionViewItem,  # noqa: N802
                     index: QModelIndex | QPersistentModelIndex) -> QWidget:
        editor = QLineEdit(parent)
        attach_search(editor, self._lookup)
        return editor


class CustomerOrderCreateDialog(FormDialog):
    def __init__(self, gctx: GuiContext, parent: QWidget | None = None) -> None:
        super().__init__(self.tr("New customer order"), gctx.runner, parent)
        self.gctx = gctx
        self.setObjectName("customer_order_create")
        self._products: dict[str, ProductChoice | None] = {}
        with gctx.db.read_session() as session:
            self.customers: list[CustomerChoice] = orders.customer_choices(session)
        self.lines = self._lines_table()
        self.lines_error = QLabel(self)
        self.lines_error.setObjectName("error_lines")
        self.lines_error.setWordWrap(True)
        self.lines_error.setStyleSheet(FIELD_ERROR_STYLE)
        self.lines_error.hide()
        self._add_fields()
        self.add_line()
        self.resize(620, 520)
        if not self.customers:
            self.banner.setText(self.tr("There are no customers yet: add one under Contacts "
                                        "first."))
            self.banner.show()

    def _add_fields(self) -> None:
        self.customer = combo([(c.name, c.id) for c in self.customers])
        self.add_field("customer", self.tr("Customer"), self.customer, self._customer)
        self.due = QDateEdit(to_qdate(date.today() + timedelta(days=DEFAULT_LEAD_DAYS)))
        self.due.setCalendarPopup(True)
        self.due.setDisplayFormat("yyyy-MM-dd")
        self.add_field("due_date", self.tr("Due date"), self.due)
        self.ship_to = line_edit(placeholder=self.tr("the customer's address"))
        self.add_field("ship_to", self.tr("Ship to"), self.ship_to,
                       lambda v: str(v or "").strip())
        self.form.addRow(self.tr("Lines"), self._lines_box())

    def _lines_table(self) -> QTableWidget:
        table = QTableWidget(0, 3, self)
        table.setObjectName("lines")
        table.setHorizontalHeaderLabels([self.tr("Product (SKU)"), self.tr("Quantity"),
                                         self.tr("Unit price")])
        table.horizontalHeader().setSectionResizeMode(SKU, QHeaderView.ResizeMode.Stretch)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setItemDelegateForColumn(SKU, SkuDelegate(self._find_products, table))
        table.itemChanged.connect(self._line_changed)
        return table

    def _lines_box(self) -> QWidget:
        box = QWidget(self)
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.lines, 1)
        layout.addWidget(self.lines_error)
        buttons = QHBoxLayout()
        self.add_button = QPushButton(self.tr("Add line"), box)
        self.add_button.setObjectName("add_line")
        self.add_button.clicked.connect(self.add_line)
        self.remove_button = QPushButton(self.tr("Remove line"), box)
        self.remove_button.setObjectName("remove_line")
        self.remove_button.clicked.connect(self.remove_line)
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        return box

    # --- lines ---------------------------------------------------------------------------------

    def add_line(self, sku: str = "", qty: str = "", price: str = "") -> int:
        row = self.lines.rowCount()
        self.lines.blockSignals(True)
        self.lines.insertRow(row)
        for column, text in enumerate((sku, qty, price)):
            item = QTableWidgetItem(text)
            if column != SKU:
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight
                                      | Qt.AlignmentFlag.AlignVCenter)
            self.lines.setItem(row, column, item)
        self.lines.blockSignals(False)
        self._fill_defaults(row)
        self.revalidate()
        return row

    def remove_line(self) -> None:
        rows = sorted({index.row() for index in self.lines.selectedIndexes()}, reverse=True)
        for row in rows or [self.lines.currentRow()]:
            if row >= 0:
                self.lines.removeRow(row)
        self.revalidate()

    def cell(self, row: int, column: int) -> str:
        item = self.lines.item(row, column)
        return item.text().strip() if item is not None else ""

    def _set_cell(self, row: int, column: int, text: str) -> None:
        item = self.lines.item(row, column)
        if item is not None and item.text() != text:
            item.setText(text)

    def _line_changed(self, item: QTableWidgetItem) -> None:
        self.lines.blockSignals(True)
        try:
            if item.column() == SKU:
                self._fill_defaults(item.row())
        finally:
            self.lines.blockSignals(False)
        self.revalidate()

    def _fill_defaults(self, row: int) -> None:
        """A known SKU: show the SKU alone, and fill an empty quantity and price."""
        product = self._lookup(first_word(self.cell(row, SKU)))
        if product is None:
            return
        self._set_cell(row, SKU, product.sku)
        sku_item = self.lines.item(row, SKU)
        if sku_item is not None:
            sku_item.setToolTip(f"{product.name} ({product.unit})")
        if not self.cell(row, QUANTITY):
            self._set_cell(row, QUANTITY, "1")
        if not self.cell(row, PRICE):
            self._set_cell(row, PRICE, f"{product.price:.2f}")

    def _find_products(self, text: str) -> list[str]:
        with self.gctx.db.read_session() as session:
            found = orders.search_products(session, first_word(text), limit=SEARCH_LIMIT)
        return [p.label for p in found]

    def _lookup(self, sku: str) -> ProductChoice | None:
        if not sku:
            return None
        if sku not in self._products:
            with self.gctx.db.read_session() as session:
                self._products[sku] = product_by_sku(session, sku)
        return self._products[sku]

    # --- checking --------------------------------------------------------------------------

    def _line(self, row: int) -> OrderLineSpec | None:
        """The row as a line; None if it is blank; ValidationError saying what is wrong."""
        sku, qty, price = (self.cell(row, c) for c in (SKU, QUANTITY, PRICE))
        if not (sku or qty or price):
            return None
        if not sku:
            raise ValidationError(self.tr("give the product's SKU."), field="lines")
        product = self._lookup(first_word(sku))
        if product is None:
            raise ValidationError(self.tr("no product has the SKU '{0}'.").format(sku),
                                  field="lines")
        if product.archived:
            raise ValidationError(self.tr("{0} is archived.").format(product.sku),
                                  field="lines")
        amount = quantity(qty, what=self.tr("Quantity"), field="lines")
        if product.whole_only:
            whole_number_required(amount, product.unit, what=self.tr("Quantity"))
        unit_price = money(price, what=self.tr("Unit price"), field="lines") if price else None
        return OrderLineSpec(product.id, amount, unit_price)

    def line_specs(self) -> list[OrderLineSpec]:
        specs, problems = self._check_lines()
        if problems:
            raise ValidationError(problems[0], field="lines")
        if not specs:
            raise ValidationError(self.tr("Add at least one line."), field="lines")
        return specs

    def _check_lines(self) -> tuple[list[OrderLineSpec], list[str]]:
        specs: list[OrderLineSpec] = []
        problems: list[str] = []
        for row in range(self.lines.rowCount()):
            try:
                spec = self._line(row)
            except DomainError as exc:
                problems.append(self.tr("Line {0}: {1}").format(row + 1, exc))
                self._mark_row(row, True)
                continue
            self._mark_row(row, False)
            if spec is not None:
                specs.append(spec)
        return specs, problems

    def _mark_row(self, row: int, bad: bool) -> None:
        self.lines.blockSignals(True)
        for column in range(self.lines.columnCount()):
            item = self.lines.item(row, column)
            if item is not None:
                item.setBackground(QBrush(QColor(ERROR_BACKGROUND)) if bad else QBrush())
        self.lines.blockSignals(False)

    def _customer(self, value: Any) -> uuid.UUID:
        if not isinstance(value, uuid.UUID):
            raise ValidationError(self.tr("Choose the customer."), field="customer")
        return value

    def revalidate(self) -> bool:
        fields_ok = super().revalidate()
        if not hasattr(self, "lines_error"):
            return fields_ok  # still building the form
        specs, problems = self._check_lines()
        self.lines_error.setText("\n".join(problems))
        self.lines_error.setVisible(bool(problems))
        ok = fields_ok and bool(specs) and not problems
        self.ok_button.setEnabled(ok)
        return ok

    def values(self) -> dict[str, Any]:
        values = super().values()
        values["lines"] = self.line_specs()
        return values

    def submit(self, values: dict[str, Any]) -> CreatedOrder:
        return customer_orders.create_customer_order(
            self.gctx.services, values["customer"], values["due_date"], values["lines"],
            ship_to=values["ship_to"])


def open_create_customer_order(gctx: GuiContext, parent: QWidget | None = None, *,
                               on_created: Callable[[CreatedOrder], None] | None = None
                               ) -> CustomerOrderCreateDialog:
    """Open the form (window-modal, not blocking); on success say so and call ``on_created``
    (the form's operation announced the change)."""
    dialog = CustomerOrderCreateDialog(gctx, parent)
    open_create_form(
        dialog, gctx.notify,
        lambda result: dialog.tr("Created customer order {0}.").format(result.number),
        on_created)
    return dialog
