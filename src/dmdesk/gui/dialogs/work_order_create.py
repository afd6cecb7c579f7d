"""Create a work order: product (by SKU), quantity, making site, due date, priority and,
optionally, the customer order line it serves.

The product and line fields search the database as the user types (a completer fed by a small
query, so a catalogue of twenty thousand products costs nothing to open). Opened for a customer
order line, the form comes prefilled with the line's product, what is not yet planned of its
quantity (db/line_plan.py), and its order's due date; it says what is already planned, and a
quantity beyond what is left is wrong next to the field (the service refuses it too).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from PySide6.QtCore import QStringListModel, Qt
from PySide6.QtWidgets import (
    QCompleter,
    QDateEdit,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QWidget,
)

from dmdesk.domain.errors import ValidationError
from dmdesk.domain.kinds import ProductKind, SiteKind
from dmdesk.domain.quantity import format_quantity, quantity, whole_number_required
from dmdesk.gui.context import GuiContext
from dmdesk.gui.dialogs.form import FormDialog, combo, line_edit, open_create_form, right_aligned
from dmdesk.gui.formatting import to_qdate
from dmdesk.queries import orders
from dmdesk.queries.lookup import ProductChoice, product_by_sku
from dmdesk.queries.orders import OpenLine, SiteChoice
from dmdesk.services import work_orders
from dmdesk.services.work_orders import CreatedWorkOrder

SEARCH_LIMIT = 30
DEFAULT_LEAD_DAYS = 14
SEPARATOR = " — "


def attach_search(edit: QLineEdit, lookup: Callable[[str], list[str]]) -> QCompleter:
    """Give ``edit`` a completer whose entries ``lookup`` finds for what was typed."""
    model = QStringListModel(edit)
    completer = QCompleter(model, edit)
    completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
    completer.setFilterMode(Qt.MatchFlag.MatchContains)
    completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
    edit.setCompleter(completer)

    def update(text: str) -> None:
        model.setStringList(lookup(text) if text.strip() else [])
        if text.strip():
            completer.complete()

    edit.textEdited.connect(update)
    return completer




def first_word(text: Any) -> str:
    """'FRAME — Chair frame' -> 'FRAME': what a completion entry starts with."""
    return str(text or "").split(SEPARATOR)[0].strip()


def qty_unit(amount: Decimal, unit: str) -> str:
    return f"{format_quantity(amount)} {unit}"


def line_ref(line: OpenLine) -> str:
    return f"{line.order_number}/{line.line_no}"


def line_label(line: OpenLine) -> str:
    return (f"{line_ref(line)}{SEPARATOR}{line.sku} × {format_quantity(line.quantity)} "
            f"({line.customer_name}, {line.due_date.isoformat()})")


def priority_items(tr: Callable[[str], str]) -> list[tuple[str, Any]]:
    return [(tr("1 (most urgent)"), 1), ("2", 2), (tr("3 (normal)"), 3), ("4", 4),
            (tr("5 (least urgent)"), 5)]


class WorkOrderCreateDialog(FormDialog):
    def __init__(self, gctx: GuiContext, parent: QWidget | None = None) -> None:
        super().__init__(self.tr("New work order"), gctx.runner, parent)
        self.gctx = gctx
        self.setObjectName("work_order_create")
        self._products: dict[str, ProductChoice | None] = {}
        self._lines: dict[tuple[str, int], OpenLine | None] = {}
        with gctx.db.read_session() as session:
            self.sites = orders.site_choices(session, active_only=True)
        self.product_hint = QLabel(self)
        self.product_hint.setObjectName("product_hint")
        self._add_fields()
        self.resize(540, self.sizeHint().height())
        if not self.sites:
            self.banner.setText(self.tr("No workshop or micro-producer is active: add one or "
                                        "set one active under Sites & producers first."))
            self.banner.show()

    # --- fields -----------------------------------------------------------------------------

    def _add_fields(self) -> None:
        self.product = line_edit(placeholder=self.tr("type a SKU or part of a name"))
        self.add_field("product", self.tr("Product (SKU)"), self.product, self._product)
        attach_search(self.product, self._find_products)
        self.product.textChanged.connect(self._show_product_hint)
        self.form.addRow("", self.product_hint)
        self.quantity = right_aligned(line_edit())
        self.add_field("quantity", self.tr("Quantity"), self.quantity, self._quantity)
        self.site = combo([(self._site_label(s), s.id) for s in self.sites])
        self.add_field("site", self.tr("Making site"), self.site, self._site)
        self.due = self._date_edit()
        self.add_field("due_date", self.tr("Due date"), self.due)
        self.priority = combo(priority_items(self.tr), 3)
        self.add_field("priority", self.tr("Priority"), self.priority)
        self.line = line_edit(placeholder=self.tr("optional: an order number, customer or SKU"))
        self.add_field("line", self.tr("Customer order line"), self.line, self._line)
        attach_search(self.line, self._find_lines).activated.connect(self._line_picked)
        self.line_plan = QLabel(self)
        self.line_plan.setObjectName("line_plan")
        self.line_plan.setWordWrap(True)
        self.form.addRow("", self.line_plan)
        self.line.textChanged.connect(self._show_line_plan)
        self.notes = QPlainTextEdit()
        self.notes.setMaximumHeight(60)
        self.add_field("notes", self.tr("Notes"), self.notes, lambda v: str(v or "").strip())

    def _date_edit(self) -> QDateEdit:
        edit = QDateEdit(to_qdate(date.today() + timedelta(days=DEFAULT_LEAD_DAYS)))
        edit.setCalendarPopup(True)
        edit.setDisplayFormat("yyyy-MM-dd")
        return edit

    def _site_label(self, site: SiteChoice) -> str:
        kind = (self.tr("own workshop") if site.kind == SiteKind.OWN_WORKSHOP
                else self.tr("micro-producer"))
        return f"{site.code}{SEPARATOR}{site.name} ({kind})"

    # --- searching ------------------------------------------------------------------------------

    def _find_products(self, text: str) -> list[str]:
        with self.gctx.db.read_session() as session:
            found = orders.search_products(session, first_word(text), makeable_only=True,
                                           limit=SEARCH_LIMIT)
        return [p.label for p in found]

    def _find_lines(self, text: str) -> list[str]:
        with self.gctx.db.read_session() as session:
            found = orders.open_order_lines(session, first_word(text), limit=SEARCH_LIMIT)
        return [line_label(line) for line in found]

    def _lookup_product(self, sku: str) -> ProductChoice | None:
        if sku not in self._products:
            with self.gctx.db.read_session() as session:
                self._products[sku] = product_by_sku(session, sku)
        return self._products[sku]

    # --- validators ------------------------------------------------------------------------------

    def _product(self, text: Any) -> ProductChoice:
        sku = first_word(text)
        if not sku:
            raise ValidationError(self.tr("Give the SKU of the product to make."),
                                  field="product")
        product = self._lookup_product(sku)
        if product is None:
            raise ValidationError(self.tr("No product has the SKU '{0}'.").format(sku),
                                  field="product")
        if product.archived:
            raise ValidationError(self.tr("{0} is archived.").format(product.sku),
                                  field="product")
        if product.kind == ProductKind.RAW_MATERIAL:
            raise ValidationError(self.tr("{0} is a raw material: it is bought, not made.")
                                  .format(product.sku), field="product")
        return product

    def _product_or_none(self) -> ProductChoice | None:
        try:
            return self._product(self.product.text())
        except ValidationError:
            return None

    def _quantity(self, text: Any) -> Any:
        amount = quantity(text, what=self.tr("Quantity"), field="quantity")
        product = self._product_or_none()
        if product is not None and product.whole_only:
            whole_number_required(amount, product.unit, what=self.tr("Quantity"))
        line = self._line_or_none()
        if line is not None and amount > line.plan.open:
            raise ValidationError(self.tr("{0} has {1} left to plan ({2}).").format(
                line_ref(line), qty_unit(line.plan.open, line.plan.unit), line.plan.summary()),
                field="quantity")
        return amount

    def _site(self, site_id: Any) -> uuid.UUID:
        if not isinstance(site_id, uuid.UUID):
            raise ValidationError(self.tr("Choose the site that makes it."), field="site")
        return site_id

    def _line(self, text: Any) -> OpenLine | None:
        ref = first_word(text).split(" ")[0]
        if not ref:
            return None
        number, _slash, line_no = ref.rpartition("/")
        if not number or not line_no.isdigit():
            raise ValidationError(self.tr("Write the line as ORDER/LINE, e.g. HQ-CO-00012/1, "
                                          "or pick one from the list."), field="line")
        key = (number.upper(), int(line_no))
        if key not in self._lines:
            with self.gctx.db.read_session() as session:
                self._lines[key] = orders.order_line_by_ref(session, number, int(line_no))
        line = self._lines[key]
        if line is None:
            raise ValidationError(self.tr("No customer order line {0}.").format(ref),
                                  field="line")
        return line

    def _line_or_none(self) -> OpenLine | None:
        edit = getattr(self, "line", None)  # the quantity is checked before the line is added
        if edit is None:
            return None
        try:
            return self._line(edit.text())
        except ValidationError:
            return None

    def _show_line_plan(self, _text: str = "") -> None:
        """What is already planned for the chosen line, so the user plans only the rest."""
        line = self._line_or_none()
        if line is None:
            self.line_plan.setText("")
        elif line.plan.open <= 0:
            self.line_plan.setText(self.tr("Nothing left to plan: {0}.").format(
                line.plan.summary()))
        else:
            self.line_plan.setText(self.tr("{0}; {1} left to plan.").format(
                line.plan.summary(), qty_unit(line.plan.open, line.plan.unit)))

    def _show_product_hint(self, text: str) -> None:
        product = self._product_or_none()
        self.product_hint.setText(
            f"{product.name} ({self.tr('unit: {0}').format(product.unit)})" if product else "")

    # --- prefilling ------------------------------------------------------------------------------

    def set_line(self, line_id: uuid.UUID) -> None:
        """Fill the form from a customer order line: product, quantity, due date, the line."""
        with self.gctx.db.read_session() as session:
            line = orders.order_line(session, line_id)
        self._fill_from_line(line)

    def _line_picked(self, text: str) -> None:
        line = self._line(text)
        if line is not None and not self.product.text().strip():
            self._fill_from_line(line)

    def _fill_from_line(self, line: OpenLine) -> None:
        self.line.setText(line_label(line))
        self.product.setText(line.sku)
        self.quantity.setText(format_quantity(line.plan.open))  # only what is left to plan
        self.due.setDate(to_qdate(line.due_date))

    # --- submitting ------------------------------------------------------------------------------

    def submit(self, values: dict[str, Any]) -> CreatedWorkOrder:
        line: OpenLine | None = values["line"]
        return work_orders.create_work_order(
            self.gctx.services, values["product"].id, values["quantity"], values["site"],
            values["due_date"], priority=values["priority"],
            customer_order_line_id=line.id if line else None, notes=values["notes"])


def open_create_work_order(gctx: GuiContext, parent: QWidget | None = None, *,
                           line_id: uuid.UUID | None = None,
                           on_created: Callable[[CreatedWorkOrder], None] | None = None
                           ) -> WorkOrderCreateDialog:
    """Open the form (window-modal, not blocking); on success say so and call
    ``on_created`` (the form's operation announced the change)."""
    dialog = WorkOrderCreateDialog(gctx, parent)
    if line_id is not None:
        dialog.set_line(line_id)
    open_create_form(
        dialog, gctx.notify,
        lambda result: dialog.tr("Created work order {0}.").format(result.number), on_created)
    return dialog
