"""Receive, issue, scrap, adjust, count and transfer: small forms over the stock services.

Each validates as the user types (unknown SKU, not a number, too many decimals, a fraction of a
counted unit) and submits on the worker. When stock is short the service refuses; the dialog
then shows what is missing and an override-reason field, and goes ahead only with a reason.
"""

from __future__ import annotations

import uuid
from typing import Any

from PySide6.QtWidgets import QLabel, QLineEdit, QWidget

from dmdesk.domain.errors import InsufficientStockError, NotFoundError, ValidationError
from dmdesk.domain.quantity import quantity, whole_number_required
from dmdesk.gui.context import GuiContext
from dmdesk.gui.dialogs.form import FormDialog, combo, line_edit, right_aligned
from dmdesk.queries.lookup import (
    LocationRef,
    ProductChoice,
    lot_by_code,
    product_by_sku,
    stock_locations,
)
from dmdesk.services import stock
from dmdesk.services.stock import MoveResult


class StockDialog(FormDialog):
    """Shared fields: product by SKU, a location, a quantity, an optional lot and a note."""

    def __init__(self, title: str, gctx: GuiContext, parent: QWidget | None = None) -> None:
        super().__init__(title, gctx.runner, parent)
        self.initiator = None  # the areas showing stock, its opener too, reload from the notice
        self.gctx = gctx
        with gctx.db.read_session() as session:
            self.locations: list[LocationRef] = stock_locations(session)
        self.product_hint = QLabel(self)
        self.override: QLineEdit | None = None

    # --- fields -----------------------------------------------------------------------------

    def add_product(self, sku: str = "") -> None:
        self.add_field("product", self.tr("Product (SKU)"), line_edit(sku, "e.g. CHAIR-OAK"),
                       self._product)
        self.form.addRow("", self.product_hint)
        self.revalidate()

    def add_location(self, name: str, label: str, current: uuid.UUID | None = None) -> None:
        items = [(loc.label, loc.id) for loc in self.locations]
        self.add_field(name, label, combo(items, current), self._location)

    def add_quantity(self, label: str, *, signed: bool = False, allow_zero: bool = False) -> None:
        def check(text: Any) -> Any:
            amount = quantity(text, what=label, field="quantity", allow_negative=signed,
                              allow_zero=allow_zero)
            product = self._product_or_none()
            if product is not None and product.whole_only:
                whole_number_required(abs(amount), product.unit, what=label)
            return amount
        self.add_field("quantity", label, right_aligned(line_edit()), check)

    def add_text(self, name: str, label: str, *, required: bool = False) -> None:
        def check(text: Any) -> str:
            value = str(text or "").strip()
            if required and not value:
                raise ValidationError(self.tr("{0} is required.").format(label), field=name)
            return value
        self.add_field(name, label, line_edit(), check)

    # --- validators ---------------------------------------------------------------------------

    def _product(self, text: Any) -> ProductChoice:
        if not str(text or "").strip():
            self.product_hint.setText("")
            raise ValidationError(self.tr("Give the product's SKU."), field="product")
        with self.gctx.db.read_session() as session:
            try:
                product = product_by_sku(session, str(text))
                if product is None:
                    raise NotFoundError(f"No product has the SKU '{str(text).strip()}'.",
                                        field="product")
            except Exception:
                self.product_hint.setText("")
                raise
        self.product_hint.setText(f"{product.name} ({product.unit})")
        return product

    def _product_or_none(self) -> ProductChoice | None:
        field = self.fields.get("product")
        if field is None:
            return None
        try:
            value = field.validate(field.widget.text())  # type: ignore[attr-defined]
        except ValidationError:
            return None
        except Exception:
            return None
        return value if isinstance(value, ProductChoice) else None

    def _location(self, value: Any) -> uuid.UUID:
        if not isinstance(value, uuid.UUID):
            raise ValidationError(self.tr("Choose a location."), field="location")
        return value

    def lot_id(self, product: ProductChoice, code: str) -> uuid.UUID | None:
        if not code:
            return None
        with self.gctx.db.read_session() as session:
            return lot_by_code(session, product.id, code)

    # --- short stock ------------------------------------------------------------------------------

    def show_error(self, error: BaseException, message: str | None = None) -> None:
        if isinstance(error, InsufficientStockError) and self.override is None:
            self.override = line_edit(placeholder=self.tr("why go ahead anyway?"))
            self.form.addRow(self.tr("Override reason"), self.override)
        super().show_error(error, message)

    def override_reason(self) -> str:
        return self.override.text().strip() if self.override is not None else ""

    def finish(self, result: MoveResult | None) -> None:
        if result is not None:
            self.gctx.notify(self.tr("Posted {0}.").format(result.reference))


class ReceiveDialog(StockDialog):
    def __init__(self, gctx: GuiContext, parent: QWidget | None = None) -> None:
        super().__init__(self.tr("Receive stock"), gctx, parent)
        self.add_product()
        self.add_location("location", self.tr("Into location"))
        self.add_quantity(self.tr("Quantity"))
        self.add_text("lot", self.tr("Lot code"))
        self.add_text("note", self.tr("Note"))

    def submit(self, values: dict[str, Any]) -> MoveResult:
        product: ProductChoice = values["product"]
        return stock.receive(self.gctx.services, product.id, values["location"],
                             values["quantity"], lot_code=values["lot"] or None,
                             note=values["note"])


class TakeDialog(StockDialog):
    """Issue or scrap: stock leaving a location."""

    def __init__(self, gctx: GuiContext, *, scrap: bool = False,
                 parent: QWidget | None = None) -> None:
        super().__init__(self.tr("Scrap stock") if scrap else self.tr("Issue stock"), gctx,
                         parent)
        self.scrap = scrap
        self.add_product()
        self.add_location("location", self.tr("From location"))
        self.add_quantity(self.tr("Quantity"))
        self.add_text("lot", self.tr("Lot code"))
        self.add_text("note", self.tr("Note"))

    def submit(self, values: dict[str, Any]) -> MoveResult:
        product: ProductChoice = values["product"]
        action = stock.scrap if self.scrap else stock.issue
        return action(self.gctx.services, product.id, values["location"], values["quantity"],
                      lot_id=self.lot_id(product, values["lot"]), note=values["note"],
                      override_reason=self.override_reason())


class AdjustDialog(StockDialog):
    def __init__(self, gctx: GuiContext, parent: QWidget | None = None) -> None:
        super().__init__(self.tr("Adjust stock"), gctx, parent)
        self.add_product()
        self.add_location("location", self.tr("Location"))
        self.add_quantity(self.tr("Change (+ or −)"), signed=True)
        self.add_text("lot", self.tr("Lot code"))
        self.add_text("note", self.tr("Why"), required=True)

    def submit(self, values: dict[str, Any]) -> MoveResult:
        product: ProductChoice = values["product"]
        return stock.adjust(self.gctx.services, product.id, values["location"],
                            values["quantity"], values["note"],
                            lot_id=self.lot_id(product, values["lot"]))


class CountDialog(StockDialog):
    def __init__(self, gctx: GuiContext, parent: QWidget | None = None) -> None:
        super().__init__(self.tr("Record a count"), gctx, parent)
        self.add_product()
        self.add_location("location", self.tr("Location"))
        self.add_quantity(self.tr("Counted"), allow_zero=True)
        self.add_text("lot", self.tr("Lot code"))
        self.add_text("note", self.tr("Note"))

    def submit(self, values: dict[str, Any]) -> MoveResult | None:
        product: ProductChoice = values["product"]
        return stock.count(self.gctx.services, product.id, values["location"],
                           values["quantity"], lot_id=self.lot_id(product, values["lot"]),
                           note=values["note"])


class TransferDialog(StockDialog):
    """Ship stock to another site; it waits in transit until received there."""

    def __init__(self, gctx: GuiContext, parent: QWidget | None = None) -> None:
        super().__init__(self.tr("Transfer to another site"), gctx, parent)
        self.add_product()
        self.add_location("source", self.tr("From"))
        self.add_location("destination", self.tr("To"))
        self.add_quantity(self.tr("Quantity"))
        self.add_text("lot", self.tr("Lot code"))
        self.add_text("note", self.tr("Note"))
        self.fields["destination"].validate = self._destination
        self.revalidate()

    def _destination(self, value: Any) -> uuid.UUID:
        destination = self._location(value)
        source = self.fields["source"].widget.currentData()  # type: ignore[attr-defined]
        by_id = {loc.id: loc for loc in self.locations}
        if source == destination:
            raise ValidationError(self.tr("Choose a destination other than the source."),
                                  field="destination")
        if source in by_id and by_id[source].site_id == by_id[destination].site_id:
            raise ValidationError(self.tr("Both are at {0}: a transfer goes to another site.")
                                  .format(by_id[source].site_code), field="destination")
        return destination

    def submit(self, values: dict[str, Any]) -> MoveResult:
        product: ProductChoice = values["product"]
        line = stock.TransferLineSpec(product.id, values["quantity"],
                                      self.lot_id(product, values["lot"]))
        return stock.ship_transfer(self.gctx.services, values["source"],
                                   values["destination"], [line], note=values["note"],
                                   override_reason=self.override_reason())
