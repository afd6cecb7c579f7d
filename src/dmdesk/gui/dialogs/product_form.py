"""The product form, for creating and editing: validated as you type, saved on the worker.

Also the words the Products area shows for product kinds ("raw material", not "raw_material"),
and the field validators the product dialogs share (they name fields as the user sees them).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QCheckBox, QLineEdit, QPlainTextEdit, QWidget

from dmdesk.domain.errors import ValidationError
from dmdesk.domain.kinds import ProductKind
from dmdesk.domain.quantity import money, percent, quantity
from dmdesk.gui.context import GuiContext
from dmdesk.gui.dialogs.form import Field, FormDialog, combo, line_edit, right_aligned
from dmdesk.queries.products import ProductHeader, units
from dmdesk.services import products

Validator = Callable[[Any], Any]


def translate(text: str) -> str:
    return QCoreApplication.translate("products", text)


def kind_label(kind: str) -> str:
    """What a person calls a product kind, translated."""
    labels = {
        ProductKind.RAW_MATERIAL.value: translate("raw material"),
        ProductKind.COMPONENT.value: translate("component"),
        ProductKind.FINISHED.value: translate("finished"),
    }
    return labels.get(kind, kind.replace("_", " "))


def kind_items() -> list[tuple[str, str]]:
    return [(kind_label(kind.value), kind.value) for kind in ProductKind]


def money_text(value: Decimal) -> str:
    """4.2500 -> '4.25', 0.3333 -> '0.3333': at least two places, no trailing zeros beyond."""
    normal = value.normalize()
    exponent = normal.as_tuple().exponent
    if isinstance(exponent, int) and exponent > -2:
        normal = normal.quantize(Decimal("0.01"))
    return f"{normal:f}"


# --- validators: raw widget value -> clean value, or a ValidationError saying what is wrong ---


def required_text(label: str, max_len: int) -> Validator:
    def check(value: Any) -> str:
        cleaned = str(value or "").strip()
        if not cleaned:
            raise ValidationError(translate("{0} is required.").format(label))
        if len(cleaned) > max_len:
            raise ValidationError(translate("{0} is too long ({1} characters; at most {2}).")
                                  .format(label, len(cleaned), max_len))
        return cleaned
    return check


def optional_text(label: str, max_len: int) -> Validator:
    def check(value: Any) -> str:
        cleaned = str(value or "").strip()
        return required_text(label, max_len)(cleaned) if cleaned else ""
    return check


def money_value(label: str) -> Validator:
    """An amount; an empty field means zero."""
    return lambda value: money(str(value).strip() or "0", what=label)


def quantity_value(label: str, *, allow_zero: bool = False) -> Validator:
    return lambda value: quantity(str(value).strip(), what=label, allow_zero=allow_zero)


def percent_value(label: str) -> Validator:
    """A percentage below 100; an empty field means zero."""
    return lambda value: percent(str(value).strip() or "0", what=label)


def chosen(message: str) -> Validator:
    """A combo box that must have something chosen."""
    def check(value: Any) -> Any:
        if value is None:
            raise ValidationError(message)
        return value
    return check


# --- the form ---------------------------------------------------------------------------------


class ProductFormDialog(FormDialog):
    """New product (``header`` None) or edit of an existing one."""

    def __init__(self, gctx: GuiContext, header: ProductHeader | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__("", gctx.runner, parent)
        self.setWindowTitle(self.tr("New product") if header is None
                            else self.tr("Edit product {0}").format(header.sku))
        self.setObjectName("product_form")
        self.services = gctx.services
        self.product_id: uuid.UUID | None = header.id if header else None
        with gctx.db.read_session() as session:
            unit_rows = units(session)
        self._edited: set[str] = set()
        self._add_fields(header, unit_rows)
        self._watch_edits()
        self.setMinimumWidth(460)

    def _watch_edits(self) -> None:
        """A field the user emptied says why it is wrong ("SKU is required."); one never typed
        in stays quiet (the form's rule for untouched fields)."""
        for field in self.fields.values():
            if isinstance(field.widget, QLineEdit):
                field.widget.textEdited.connect(
                    lambda _text, name=field.name: self._mark_edited(name))

    def _mark_edited(self, name: str) -> None:
        self._edited.add(name)
        self.revalidate()

    def _touched(self, field: Field) -> bool:
        return field.name in self._edited or super()._touched(field)

    def _add_fields(self, h: ProductHeader | None, unit_rows: list[tuple[str, str]]) -> None:
        sku, name = self.tr("SKU"), self.tr("Name")
        self.add_field("sku", sku, line_edit(h.sku if h else "", self.tr("e.g. CHAIR-OAK")),
                       required_text(sku, 40))
        self.add_field("name", name, line_edit(h.name if h else ""), required_text(name, 200))
        self.add_field("kind", self.tr("Kind"),
                       combo(kind_items(), h.kind if h else ProductKind.COMPONENT.value))
        unit_choices = [(f"{code} — {label}", code) for code, label in unit_rows]
        self.add_field("unit", self.tr("Unit"), combo(unit_choices, h.unit if h else "pcs"),
                       chosen(self.tr("Choose a unit.")))
        self._add_money("standard_cost", self.tr("Standard cost"), h.standard_cost if h else None)
        self._add_money("price", self.tr("Price"), h.price if h else None)
        self.lot_tracked = QCheckBox(self.tr("Tracked by lot (each receipt gets a lot code)"))
        self.lot_tracked.setObjectName("lot_tracked")
        self.lot_tracked.setChecked(bool(h and h.lot_tracked))
        self.form.addRow(self.tr("Lots"), self.lot_tracked)
        description = QPlainTextEdit(h.description if h else "")
        description.setMaximumHeight(90)
        self.add_field("description", self.tr("Description"), description,
                       optional_text(self.tr("Description"), 4000))

    def _add_money(self, name: str, label: str, value: Decimal | None) -> None:
        edit = right_aligned(line_edit(money_text(value) if value is not None else "", "0.00"))
        self.add_field(name, label, edit, money_value(label))

    def values(self) -> dict[str, Any]:
        return {**super().values(), "lot_tracked": self.lot_tracked.isChecked()}

    def submit(self, values: dict[str, Any]) -> uuid.UUID:
        """On the worker: create or update; the product's id comes back."""
        if self.product_id is None:
            return products.create_product(self.services, **values)
        products.update_product(self.services, self.product_id, **values)
        return self.product_id
