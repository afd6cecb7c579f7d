"""The Products area: a searchable list of products and, beside it, the selected product's detail.

The detail pane shows the product's header (SKU, name, kind, unit, costs) and five tabs: the
multi-level BOM, the operations, every version of its design files, stock by site, and where it is
used. Reads go straight to the database (they are small and indexed); every write goes through
a service on the task runner, and afterwards ``events.changed("products")`` refreshes whatever
shows products, this area included.

Keys: Enter or double-click opens the detail, Ctrl+N creates, Del archives (Ctrl+Z undoes it) or,
with the focus in the BOM or the operations, removes the selected line (undoable too), F5 reloads.
"""

from __future__ import annotations

import logging
import mimetypes
import tempfile
import uuid
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

from PySide6.QtCore import QLocale, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QBrush, QColor, QDesktopServices, QFont, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QStackedWidget,
    QStyledItemDelegate,
    QTabWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QTreeWidgetItemIterator,
    QVBoxLayout,
    QWidget,
)

from dmdesk.domain.errors import DomainError, NotFoundError
from dmdesk.gui.context import GuiContext
from dmdesk.gui.dialogs.form import FormDialog
from dmdesk.gui.dialogs.product_bom import BomLineDialog
from dmdesk.gui.dialogs.product_form import ProductFormDialog, kind_items, kind_label, money_text
from dmdesk.gui.dialogs.product_operation import OperationDialog
from dmdesk.gui.formatting import display
from dmdesk.gui.undo import ServiceCommand, push
from dmdesk.gui.views.area import Area
from dmdesk.gui.views.list_area import ListArea
from dmdesk.queries import lists
from dmdesk.queries import products as q
from dmdesk.services import products
from dmdesk.services.context import ServiceContext

log = logging.getLogger(__name__)

NODE_ROLE = Qt.ItemDataRole.UserRole + 10
KEY_ROLE = Qt.ItemDataRole.UserRole + 11
RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
WARNING_COLOR = "#b3261e"
# What other areas announce that changes what this one shows.
RELEVANT_CHANGES = frozenset({"products", "stock", "sites", "work_orders"})
LIST_WIDTHS = {"sku": 80, "name": 135, "kind": 95, "unit": 45, "standard_cost": 100,
               "price": 70, "archived": 70}


def qty_text(value: Decimal | None) -> str:
    return "" if value is None else display(value, "qty")


def size_text(size: int) -> str:
    """A file size as people read it: 812 B, 12.3 KB, 4.5 MB."""
    if size < 1024:
        return QApplication.translate("products", "{0} B").format(size)
    if size < 1024**2:
        return QApplication.translate("products", "{0:.1f} KB").format(size / 1024)
    if size < 1024**3:
        return QApplication.translate("products", "{0:.1f} MB").format(size / 1024**2)
    return QApplication.translate("products", "{0:.1f} GB").format(size / 1024**3)


def show_error(parent: QWidget, error: BaseException) -> None:
    """Say what went wrong in a dialog that does not block the caller."""
    if isinstance(error, DomainError):
        message = str(error)
    else:
        log.error("products: unexpected error", exc_info=error)
        message = QApplication.translate("products", "Something went wrong: {0}").format(error)
    box = QMessageBox(QMessageBox.Icon.Warning, QApplication.translate("products", "Products"),
                      message, QMessageBox.StandardButton.Ok, parent)
    box.setObjectName("products_error")
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.open()


class KindDelegate(QStyledItemDelegate):
    """Shows a product kind as words ("raw material"), not as its stored value."""

    def displayText(self, value: Any, locale: QLocale | QLocale.Language) -> str:  # noqa: N802
        return kind_label(str(value)) if value else ""


# --- the tabs of the detail pane ------------------------------------------------------------


class DetailTab(QWidget):
    """A tab of the detail pane: a row of buttons over a tree, for the product shown."""

    open_product = Signal(object)  # a product id the user wants to see

    def __init__(self, gctx: GuiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.gctx = gctx
        self.header: q.ProductHeader | None = None
        self.dialog: FormDialog | None = None
        self.empty_text = ""
        self.stretch_column = 1  # the one that takes the room left (a name, usually)
        self.tree = QTreeWidget(self)
        self.tree.setRootIsDecorated(False)
        self.tree.setAlternatingRowColors(True)
        self.tree.setUniformRowHeights(True)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.tree.itemSelectionChanged.connect(self.update_buttons)
        self.bar = QHBoxLayout()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 6, 4, 4)
        layout.addLayout(self.bar)
        layout.addWidget(self.tree, 1)
        self._conditions: list[tuple[QPushButton, Callable[[], bool]]] = []

    @property
    def services(self) -> ServiceContext:
        return self.gctx.services

    def add_button(self, name: str, text: str, slot: Callable[[], object],
                   enabled_when: Callable[[], bool] | None = None) -> QPushButton:
        button = QPushButton(text, self)
        button.setObjectName(name)
        button.clicked.connect(lambda _checked=False: slot())
        self.bar.addWidget(button)
        self._conditions.append((button, enabled_when or (lambda: self.header is not None)))
        return button

    def update_buttons(self) -> None:
        for button, condition in self._conditions:
            button.setEnabled(condition())

    # --- filling ----------------------------------------------------------------------------

    def show_detail(self, detail: q.ProductDetail) -> None:
        keep = self.selected_key()
        self.header = detail.header
        self.tree.clear()
        self.fill(detail)
        if self.tree.topLevelItemCount() == 0 and self.empty_text:
            self._add_notice(self.empty_text)
        self.reselect(keep)
        self._size_columns()
        self.update_buttons()

    def _size_columns(self) -> None:
        header = self.tree.header()
        header.setStretchLastSection(False)
        for column in range(self.tree.columnCount()):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Stretch
                                        if column == self.stretch_column
                                        else QHeaderView.ResizeMode.ResizeToContents)

    def clear_detail(self) -> None:
        self.header = None
        self.tree.clear()
        self.update_buttons()

    def fill(self, detail: q.ProductDetail) -> None:
        raise NotImplementedError

    def add_item(self, parent: QTreeWidgetItem | None, texts: Sequence[str], node: object,
                 key: object, right: Iterable[int] = ()) -> QTreeWidgetItem:
        item = QTreeWidgetItem(list(texts))
        item.setData(0, NODE_ROLE, node)
        item.setData(0, KEY_ROLE, key)
        for column in right:
            item.setTextAlignment(column, RIGHT)
        if parent is None:
            self.tree.addTopLevelItem(item)
        else:
            parent.addChild(item)
        return item

    def _add_notice(self, text: str) -> None:
        item = QTreeWidgetItem([text])
        item.setFlags(Qt.ItemFlag.NoItemFlags)
        self.tree.addTopLevelItem(item)
        item.setFirstColumnSpanned(True)

    def selected(self) -> object:
        items = self.tree.selectedItems()
        return items[0].data(0, NODE_ROLE) if items else None

    def selected_key(self) -> object:
        items = self.tree.selectedItems()
        return items[0].data(0, KEY_ROLE) if items else None

    def reselect(self, key: object) -> None:
        if key is None:
            return
        iterator = QTreeWidgetItemIterator(self.tree)
        while (item := iterator.value()) is not None:
            if item.data(0, KEY_ROLE) == key:
                self.tree.setCurrentItem(item)
                return
            iterator += 1

    # --- writing ------------------------------------------------------------------------------

    def after_write(self, message: str = "") -> None:
        if message:
            self.gctx.notify(message)
        self.gctx.events.changed.emit("products")

    def run_write(self, work: Callable[[], object], message: str) -> None:
        self.gctx.runner.run(lambda _p: work(), on_done=lambda _r: self.after_write(message),
                             on_error=self.show_error)

    def push_undoable(self, text: str, do: Callable[[], object], undo: Callable[[], object],
                      message: str) -> None:
        push(self.gctx.undo, ServiceCommand(text, self.gctx.runner, do, undo,
                                            after=self.after_write, on_error=self.show_error))
        self.gctx.notify(message)

    def open_dialog(self, dialog: FormDialog, message: str) -> FormDialog:
        dialog.accepted.connect(lambda: self.after_write(message))
        if self.dialog is not None and not self.gctx.runner.busy:  # closed, nothing in flight
            self.dialog.deleteLater()
        self.dialog = dialog
        dialog.open()
        return dialog

    def show_error(self, error: BaseException) -> None:
        show_error(self, error)


class BomTab(DetailTab):
    """The multi-level bill of materials; the product's own lines can be changed here."""

    def __init__(self, gctx: GuiContext, parent: QWidget | None = None) -> None:
        super().__init__(gctx, parent)
        self.tree.setObjectName("bom_tree")
        self.tree.setRootIsDecorated(True)
        self.tree.setHeaderLabels([self.tr("SKU"), self.tr("Name"), self.tr("Qty per unit"),
                                   self.tr("Unit"), self.tr("Scrap %")])
        self.empty_text = self.tr("No components yet: add the first with “Add component…”.")
        self.add_button("bom_add", self.tr("Add component…"), self.add_line)
        self.add_button("bom_edit", self.tr("Edit quantity…"), self.edit_line, self._own_line)
        self.add_button("bom_remove", self.tr("Remove"), self.remove_line, self._own_line)
        self.add_button("bom_open", self.tr("Open component"), self.open_component,
                        lambda: self.selected() is not None)
        self.bar.addStretch(1)
        self.tree.itemActivated.connect(lambda *_: self._activate())

    def fill(self, detail: q.ProductDetail) -> None:
        self._add_nodes(None, detail.bom)
        self.tree.expandAll()

    def _add_nodes(self, parent: QTreeWidgetItem | None, nodes: Iterable[q.BomNode]) -> None:
        for node in nodes:
            item = self.add_item(parent, [
                node.sku, node.name, qty_text(node.quantity), node.unit,
                qty_text(node.scrap_pct) if node.scrap_pct else ""], node, node.line_id,
                right=(2, 4))
            item.setToolTip(1, kind_label(node.kind))
            if parent is not None:
                item.setToolTip(0, self.tr("In the BOM of {0}: open {0} to change this line.")
                                .format(parent.text(0)))
            if node.archived:
                item.setToolTip(0, self.tr("{0} is archived.").format(node.sku))
                font = item.font(0)
                font.setItalic(True)
                item.setFont(0, font)
            self._add_nodes(item, node.children)

    def selected_line(self) -> q.BomNode | None:
        node = self.selected()
        return node if isinstance(node, q.BomNode) else None

    def _own_line(self) -> bool:
        line = self.selected_line()
        return line is not None and line.level == 1

    def _activate(self) -> None:
        if self._own_line():
            self.edit_line()
        else:
            self.open_component()

    def add_line(self) -> BomLineDialog | None:
        if self.header is None:
            return None
        dialog = BomLineDialog(self.gctx, self.header, parent=self)
        self.open_dialog(dialog, self.tr("Saved the BOM of {0}.").format(self.header.sku))
        return dialog

    def edit_line(self) -> BomLineDialog | None:
        line = self.selected_line()
        if self.header is None or line is None or line.level != 1:
            return None
        dialog = BomLineDialog(self.gctx, self.header, line, self)
        self.open_dialog(dialog, self.tr("Saved the BOM of {0}.").format(self.header.sku))
        return dialog

    def remove_line(self) -> bool:
        """Remove the selected line of this product's own BOM, with undo."""
        line = self.selected_line()
        if self.header is None or line is None or line.level != 1:
            return False
        services, current = self.services, [line.line_id]

        def do() -> None:
            products.remove_bom_line(services, current[0])

        def undo() -> None:  # a new line, the same as the old; redo removes that one
            current[0] = products.add_bom_line(services, line.parent_id, line.component_id,
                                               line.quantity, line.scrap_pct, line.sequence,
                                               line.notes)

        sku = self.header.sku
        self.push_undoable(self.tr("Remove {0} from {1}").format(line.sku, sku), do, undo,
                           self.tr("Removed {0} from the BOM of {1}. Undo with Ctrl+Z.")
                           .format(line.sku, sku))
        return True

    def open_component(self) -> None:
        line = self.selected_line()
        if line is not None:
            self.open_product.emit(line.component_id)


class OperationsTab(DetailTab):
    """The routing: operations in sequence, with the capability a site needs for each."""

    def __init__(self, gctx: GuiContext, parent: QWidget | None = None) -> None:
        super().__init__(gctx, parent)
        self.tree.setObjectName("operations_tree")
        self.tree.setHeaderLabels([self.tr("Seq"), self.tr("Operation"), self.tr("Capability"),
                                   self.tr("Setup min"), self.tr("Run min")])
        self.empty_text = self.tr("No operations yet: add the first with “Add operation…”.")
        has_selection = lambda: self.selected_operation() is not None  # noqa: E731
        self.add_button("operation_add", self.tr("Add operation…"), self.add_operation)
        self.add_button("operation_edit", self.tr("Edit…"), self.edit_operation, has_selection)
        self.add_button("operation_remove", self.tr("Remove"), self.remove_operation,
                        has_selection)
        self.bar.addStretch(1)
        self.tree.itemActivated.connect(lambda *_: self.edit_operation())

    def fill(self, detail: q.ProductDetail) -> None:
        for op in detail.operations:
            self.add_item(None, [str(op.sequence), op.name, op.capability,
                                 qty_text(op.setup_minutes), qty_text(op.run_minutes)],
                          op, op.id, right=(0, 3, 4))

    def selected_operation(self) -> q.OperationRow | None:
        node = self.selected()
        return node if isinstance(node, q.OperationRow) else None

    def add_operation(self) -> OperationDialog | None:
        if self.header is None:
            return None
        dialog = OperationDialog(self.gctx, self.header, parent=self)
        self.open_dialog(dialog, self.tr("Saved the operations of {0}.").format(self.header.sku))
        return dialog

    def edit_operation(self) -> OperationDialog | None:
        op = self.selected_operation()
        if self.header is None or op is None:
            return None
        dialog = OperationDialog(self.gctx, self.header, op, self)
        self.open_dialog(dialog, self.tr("Saved the operations of {0}.").format(self.header.sku))
        return dialog

    def remove_operation(self) -> bool:
        """Remove the selected operation, with undo."""
        op, header = self.selected_operation(), self.header
        if header is None or op is None:
            return False
        services, current = self.services, [op.id]

        def do() -> None:
            products.remove_operation(services, current[0])

        def undo() -> None:
            current[0] = products.add_operation(
                services, header.id, sequence=op.sequence, name=op.name,
                capability=op.capability, setup_minutes=op.setup_minutes,
                run_minutes=op.run_minutes)

        self.push_undoable(self.tr("Remove operation {0}").format(op.name), do, undo,
                           self.tr("Removed operation {0} of {1}. Undo with Ctrl+Z.")
                           .format(op.name, header.sku))
        return True


class DesignFilesTab(DetailTab):
    """Every version of every design file; adding a file of the same name adds a version."""

    def __init__(self, gctx: GuiContext, parent: QWidget | None = None) -> None:
        super().__init__(gctx, parent)
        self.tree.setObjectName("design_files_tree")
        self.stretch_column = 0
        self.tree.setHeaderLabels([self.tr("Name"), self.tr("Version"), self.tr("SHA-256"),
                                   self.tr("Size"), self.tr("Added")])
        self.empty_text = self.tr("No design files yet: attach drawings or CAD files with "
                                  "“Add…”.")
        # Replaceable (tests): how a file is chosen and how a saved copy is opened.
        self.choose_file: Callable[[], Path | None] = self._ask_for_file
        self.open_url: Callable[[QUrl], object] = QDesktopServices.openUrl
        self._folder: Path | None = None
        self.add_button("file_add", self.tr("Add…"), self.add_file)
        self.add_button("file_open", self.tr("Open"), self.open_file,
                        lambda: self.selected_file() is not None)
        self.bar.addStretch(1)
        self.tree.itemActivated.connect(lambda *_: self.open_file())

    def fill(self, detail: q.ProductDetail) -> None:
        muted = self.palette().color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text)
        for row in detail.design_files:
            item = self.add_item(None, [
                row.name, str(row.version), row.sha256[:12], size_text(row.size),
                display(row.created_at, "datetime")], row, row.id, right=(1, 3))
            item.setToolTip(0, row.name)
            item.setToolTip(2, row.sha256)
            if not row.latest:
                for column in range(self.tree.columnCount()):
                    item.setForeground(column, QBrush(muted))

    def selected_file(self) -> q.DesignFileRow | None:
        node = self.selected()
        return node if isinstance(node, q.DesignFileRow) else None

    def _ask_for_file(self) -> Path | None:
        name, _filter = QFileDialog.getOpenFileName(self, self.tr("Add a design file"))
        return Path(name) if name else None

    def add_file(self) -> None:
        """Ask for a file; read and store it on the worker (a new version if the name exists)."""
        header = self.header
        path = self.choose_file() if header is not None else None
        if header is None or path is None:
            return
        services = self.services

        def work() -> uuid.UUID:
            media_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return products.add_design_file(services, header.id, path.name, path.read_bytes(),
                                            media_type)

        self.run_write(work, self.tr("Added {0} to {1}.").format(path.name, header.sku))

    def open_file(self) -> None:
        """Write the selected version to a temporary file and open it with the desktop's app."""
        row = self.selected_file()
        if row is None:
            return
        self.gctx.runner.run(lambda _p: self._export(row), on_done=self._opened,
                             on_error=self.show_error)

    def _export(self, row: q.DesignFileRow) -> Path:
        """On the worker: a copy of that version's contents, named after it."""
        with self.gctx.db.read_session() as session:
            content = q.design_file_content(session, row.id)
        if self._folder is None:
            self._folder = Path(tempfile.mkdtemp(prefix="dmdesk-design-files-"))
        name = Path(content.name).name or "design-file"
        stem, suffix = Path(name).stem, Path(name).suffix
        path = self._folder / f"{stem} (v{content.version}){suffix}"
        path.write_bytes(content.data)
        return path

    def _opened(self, path: Path) -> None:
        self.open_url(QUrl.fromLocalFile(str(path)))
        self.gctx.notify(self.tr("Opened a copy of {0}.").format(path.name))


class StockTab(DetailTab):
    """On hand, reserved and available at each site, against the site's reorder minimum."""

    def __init__(self, gctx: GuiContext, parent: QWidget | None = None) -> None:
        super().__init__(gctx, parent)
        self.tree.setObjectName("stock_tree")
        self.tree.setHeaderLabels([self.tr("Site"), self.tr("On hand"), self.tr("Reserved"),
                                   self.tr("Available"), self.tr("Minimum")])
        self.empty_text = self.tr("No stock at any site.")
        self.stretch_column = 0

    def fill(self, detail: q.ProductDetail) -> None:
        unit = detail.header.unit  # shown in the header, once
        for row in detail.stock:
            item = self.add_item(None, [
                f"{row.code} — {row.name}", qty_text(row.on_hand), qty_text(row.reserved),
                qty_text(row.available), qty_text(row.minimum)], row, row.site_id,
                right=(1, 2, 3, 4))
            item.setToolTip(0, f"{row.code} — {row.name}")
            if row.below_minimum:
                item.setForeground(3, QBrush(QColor(WARNING_COLOR)))
                item.setToolTip(3, self.tr("Below the minimum of {0} {1}.")
                                .format(qty_text(row.minimum), unit))
        if detail.stock:
            self._add_total(detail.stock)

    def _add_total(self, rows: Sequence[q.SiteStock]) -> None:
        on_hand = sum((r.on_hand for r in rows), Decimal(0))
        reserved = sum((r.reserved for r in rows), Decimal(0))
        item = self.add_item(None, [self.tr("All sites"), qty_text(on_hand),
                                    qty_text(reserved), qty_text(on_hand - reserved), ""],
                             None, "total", right=(1, 2, 3))
        font = QFont(item.font(0))
        font.setBold(True)
        for column in range(self.tree.columnCount()):
            item.setFont(column, font)


class WhereUsedTab(DetailTab):
    """The products that contain this one, and what contains those, up to the top."""

    def __init__(self, gctx: GuiContext, parent: QWidget | None = None) -> None:
        super().__init__(gctx, parent)
        self.tree.setObjectName("where_used_tree")
        self.tree.setRootIsDecorated(True)
        self.tree.setHeaderLabels([self.tr("SKU"), self.tr("Name"), self.tr("Kind"),
                                   self.tr("Qty per unit")])
        self.empty_text = self.tr("Not used in any other product.")
        self.add_button("used_open", self.tr("Open product"), self.open_selected,
                        lambda: self.selected() is not None)
        self.bar.addStretch(1)
        self.tree.itemActivated.connect(lambda *_: self.open_selected())

    def fill(self, detail: q.ProductDetail) -> None:
        self._add_nodes(None, detail.used_in)
        self.tree.expandAll()

    def _add_nodes(self, parent: QTreeWidgetItem | None, nodes: Iterable[q.UsedIn]) -> None:
        for node in nodes:
            item = self.add_item(parent, [node.sku, node.name, kind_label(node.kind),
                                          qty_text(node.quantity)], node, node.line_id,
                                 right=(3,))
            self._add_nodes(item, node.parents)

    def open_selected(self) -> None:
        node = self.selected()
        if isinstance(node, q.UsedIn):
            self.open_product.emit(node.product_id)


# --- the detail pane -----------------------------------------------------------------------------


class ProductHeaderView(QFrame):
    """SKU and name, the facts of the product, and its Edit and Archive buttons."""

    edit_requested = Signal()
    archive_requested = Signal(bool)  # True: archive, False: restore

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.archived = False
        self.heading = QLabel(self)
        self.heading.setObjectName("product_heading")
        self.heading.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.heading.setWordWrap(True)  # a long name wraps instead of widening the pane
        font = self.heading.font()
        font.setPointSizeF(font.pointSizeF() * 1.3)
        font.setBold(True)
        self.heading.setFont(font)
        self.badge = QLabel(self.tr("Archived"), self)
        self.badge.setStyleSheet(f"color: white; background: {WARNING_COLOR}; "
                                 "padding: 1px 6px; border-radius: 3px;")
        self.edit_button = QPushButton(self.tr("Edit…"), self)
        self.edit_button.setObjectName("edit_product")
        self.edit_button.clicked.connect(lambda _c=False: self.edit_requested.emit())
        self.archive_button = QPushButton(self)
        self.archive_button.setObjectName("archive_product")
        self.archive_button.clicked.connect(
            lambda _c=False: self.archive_requested.emit(not self.archived))
        self.facts: dict[str, QLabel] = {}
        self.description = QLabel(self)
        self.description.setWordWrap(True)
        self._lay_out()

    def _lay_out(self) -> None:
        top = QHBoxLayout()
        top.addWidget(self.heading, 1)
        top.addWidget(self.badge, 0, Qt.AlignmentFlag.AlignVCenter)
        top.addWidget(self.edit_button)
        top.addWidget(self.archive_button)
        grid = QGridLayout()
        grid.setHorizontalSpacing(12)
        names = (("kind", self.tr("Kind")), ("unit", self.tr("Unit")),
                 ("standard_cost", self.tr("Standard cost")), ("price", self.tr("Price")),
                 ("lot_tracked", self.tr("Lots")), ("margin", self.tr("Margin")))
        for index, (key, label) in enumerate(names):
            row, column = divmod(index, 2)
            caption = QLabel(label + ":", self)
            caption.setForegroundRole(QPalette.ColorRole.PlaceholderText)
            value = QLabel(self)
            value.setObjectName(f"fact_{key}")
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.facts[key] = value
            grid.addWidget(caption, row, column * 2)
            grid.addWidget(value, row, column * 2 + 1)
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(3, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 0, 4, 4)
        layout.addLayout(top)
        layout.addLayout(grid)
        layout.addWidget(self.description)

    def show_header(self, h: q.ProductHeader) -> None:
        self.archived = h.archived
        self.heading.setText(f"{h.sku} — {h.name}")
        self.badge.setVisible(h.archived)
        self.archive_button.setText(self.tr("Restore") if h.archived else self.tr("Archive"))
        self.facts["kind"].setText(kind_label(h.kind))
        self.facts["unit"].setText(f"{h.unit} ({h.unit_name})")
        self.facts["lot_tracked"].setText(self.tr("tracked by lot") if h.lot_tracked
                                          else self.tr("not tracked"))
        self.facts["standard_cost"].setText(money_text(h.standard_cost))
        self.facts["price"].setText(money_text(h.price))
        self.facts["margin"].setText(money_text(h.price - h.standard_cost) if h.price else "—")
        self.description.setText(h.description)
        self.description.setVisible(bool(h.description))


class ProductDetailPane(QWidget):
    """The right side of the list: one product's header and tabs, or a hint to pick one."""

    open_product = Signal(object)

    def __init__(self, gctx: GuiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("product_detail")
        self.gctx = gctx
        self.product_id: uuid.UUID | None = None
        self.detail: q.ProductDetail | None = None
        self.header_view = ProductHeaderView(self)
        self.bom_tab = BomTab(gctx, self)
        self.operations_tab = OperationsTab(gctx, self)
        self.files_tab = DesignFilesTab(gctx, self)
        self.stock_tab = StockTab(gctx, self)
        self.used_tab = WhereUsedTab(gctx, self)
        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("product_tabs")
        for tab in self.all_tabs:
            self.tabs.addTab(tab, "")
            tab.open_product.connect(self.open_product)
        self._lay_out()

    @property
    def all_tabs(self) -> tuple[DetailTab, ...]:
        return (self.bom_tab, self.operations_tab, self.files_tab, self.stock_tab,
                self.used_tab)

    def _lay_out(self) -> None:
        hint = QLabel(self.tr("Select a product to see its bill of materials, operations, "
                              "design files, stock and where it is used."), self)
        hint.setWordWrap(True)
        hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        hint.setMargin(24)
        content = QWidget(self)
        box = QVBoxLayout(content)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(self.header_view)
        box.addWidget(self.tabs, 1)
        self.stack = QStackedWidget(self)
        self.stack.addWidget(hint)
        self.stack.addWidget(content)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.stack)

    def show_product(self, product_id: uuid.UUID | None) -> None:
        detail = self._read(product_id) if product_id is not None else None
        if detail is None:
            self.product_id = self.detail = None
            for tab in self.all_tabs:
                tab.clear_detail()
            self.stack.setCurrentIndex(0)
            return
        self.product_id, self.detail = product_id, detail
        self.header_view.show_header(detail.header)
        for tab in self.all_tabs:
            tab.show_detail(detail)
        self._title_tabs(detail)
        self.stack.setCurrentIndex(1)

    def _read(self, product_id: uuid.UUID) -> q.ProductDetail | None:
        try:
            with self.gctx.db.read_session() as session:
                return q.product_detail(session, product_id)
        except NotFoundError:  # deleted meanwhile (by sync, or another window)
            return None

    def _title_tabs(self, detail: q.ProductDetail) -> None:
        titles = (self.tr("BOM ({0})").format(len(detail.bom)),
                  self.tr("Operations ({0})").format(len(detail.operations)),
                  self.tr("Files ({0})").format(len(detail.design_files)),
                  self.tr("Stock"),
                  self.tr("Used in ({0})").format(len(detail.used_in)))
        for index, title in enumerate(titles):
            self.tabs.setTabText(index, title)

    def reload(self) -> None:
        self.show_product(self.product_id)

    def handle_delete(self) -> bool:
        """Del with the focus in one of the tabs' lists: remove the selected BOM line or
        operation. True when the key was meant for a list (so it never archives the product)."""
        focus = QApplication.focusWidget()
        if focus is self.bom_tab.tree:
            self.bom_tab.remove_line()
        elif focus is self.operations_tab.tree:
            self.operations_tab.remove_operation()
        return focus is not None and any(focus is tab.tree for tab in self.all_tabs)


# --- the area ------------------------------------------------------------------------------------


class ProductsArea(Area):
    """Products: search, filter by kind, show archived; the detail of the selected one."""

    title = "Products"
    can_create = True
    can_archive = True
    can_search = True

    def __init__(self, gctx: GuiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.gctx = gctx
        self.title = self.tr("Products")
        self.dialog: ProductFormDialog | None = None
        self.list = ListArea(gctx.db, lists.PRODUCTS, self)
        self.detail = ProductDetailPane(gctx, self)
        self.list.set_detail(self.detail)
        self.list.splitter.setSizes([545, 465])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.list)
        self._add_filters()
        self._style_table()
        self._follow = QTimer(self)
        self._follow.setSingleShot(True)
        self._follow.setInterval(60)
        self._follow.timeout.connect(self._follow_selection)
        self._connect()
        self.list.model.set_filter("archived", False)

    def _add_filters(self) -> None:
        self.kind_filter = QComboBox(self)
        self.kind_filter.setObjectName("kind_filter")
        self.kind_filter.addItem(self.tr("All kinds"), None)
        for label, value in kind_items():
            self.kind_filter.addItem(label, value)
        self.show_archived = QCheckBox(self.tr("Show archived"), self)
        self.show_archived.setObjectName("show_archived")
        self.new_button = QPushButton(self.tr("New product…"), self)
        self.new_button.setObjectName("new_product")
        self.new_button.setToolTip(self.tr("Create a product (Ctrl+N)"))
        for widget in (self.kind_filter, self.show_archived, self.new_button):
            self.list.toolbar.addWidget(widget)

    def _style_table(self) -> None:
        keys = [column.key for column in lists.PRODUCTS.columns]
        self._kind_delegate = KindDelegate(self.list.table)
        self.list.table.setItemDelegateForColumn(keys.index("kind"), self._kind_delegate)
        header = self.list.table.horizontalHeader()
        for key, width in LIST_WIDTHS.items():
            header.resizeSection(keys.index(key), width)
        self._archived_column = keys.index("archived")
        self.list.table.setColumnHidden(self._archived_column, True)

    def _connect(self) -> None:
        self.kind_filter.currentIndexChanged.connect(
            lambda _i: self.list.model.set_filter("kind", self.kind_filter.currentData()))
        self.show_archived.toggled.connect(self._show_archived)
        self.new_button.clicked.connect(lambda _c=False: self.create_new())
        self.list.selection_changed.connect(lambda _id: self._follow.start())
        self.list.opened.connect(self.open_product)
        self.detail.open_product.connect(self.open_product)
        self.detail.header_view.edit_requested.connect(self.edit_current)
        self.detail.header_view.archive_requested.connect(self._archive_shown)
        self.gctx.events.changed.connect(self._data_changed)

    # --- the Area interface -------------------------------------------------------------------

    def refresh(self) -> None:
        self.list.refresh()
        self.detail.reload()

    def focus_search(self) -> None:
        self.list.focus_search()

    def create_new(self) -> None:
        self.open_form(None)

    def archive_selected(self) -> None:
        """Del: archive the selected products (or, in the BOM or operations, remove a line)."""
        if self.detail.handle_delete():
            return
        targets = [(i, sku) for i, sku, archived in self._selection() if not archived]
        if targets:
            self.set_archived(targets, True)
        else:
            self.gctx.notify(self.tr("Nothing to archive: select a product that is not "
                                     "archived."))

    # --- opening, editing ---------------------------------------------------------------------

    def open_product(self, product_id: uuid.UUID) -> None:
        """Show a product in the detail pane (selecting it in the list when it is there)."""
        self.list.select_id(product_id)
        self.detail.show_product(product_id)
        sizes = self.list.splitter.sizes()
        if len(sizes) > 1 and sizes[1] == 0:
            self.list.splitter.setSizes([sizes[0] // 2, sizes[0] - sizes[0] // 2])
        self.detail.tabs.setFocus()

    def open_form(self, product_id: uuid.UUID | None) -> ProductFormDialog:
        """The product form: for a new product (None) or to edit one. Not modal to the app."""
        header = None
        if product_id is not None:
            with self.gctx.db.read_session() as session:
                header = q.product_header(session, product_id)
        dialog = ProductFormDialog(self.gctx, header, self)
        dialog.accepted.connect(lambda: self._saved(dialog))
        if self.dialog is not None and not self.gctx.runner.busy:  # closed, nothing in flight
            self.dialog.deleteLater()
        self.dialog = dialog
        dialog.open()
        return dialog

    def edit_current(self) -> ProductFormDialog | None:
        product_id = self.detail.product_id or self.list.current_id()
        return self.open_form(product_id) if product_id is not None else None

    def _saved(self, dialog: ProductFormDialog) -> None:
        product_id = dialog.result_value
        self.gctx.events.changed.emit("products")
        if isinstance(product_id, uuid.UUID):
            self.list.select_id(product_id)
            self.detail.show_product(product_id)
            if self.detail.detail is not None:
                self.gctx.notify(self.tr("Saved {0}.").format(self.detail.detail.header.sku))

    # --- archiving, with undo -----------------------------------------------------------------

    def _selection(self) -> list[tuple[uuid.UUID, str, bool]]:
        """(id, SKU, archived) of the selected rows, or of the product in the detail."""
        model = self.list.model
        chosen = []
        for index in self.list.table.selectionModel().selectedRows():
            row_id, values = model.row_id(index.row()), model.row_values(index.row())
            if row_id is not None:
                chosen.append((row_id, str(values["sku"]), bool(values["archived"])))
        shown = self.detail.detail
        if not chosen and shown is not None:
            chosen.append((shown.header.id, shown.header.sku, shown.header.archived))
        return chosen

    def _archive_shown(self, archive: bool) -> None:
        shown = self.detail.detail
        if shown is not None and shown.header.archived != archive:
            self.set_archived([(shown.header.id, shown.header.sku)], archive)

    def set_archived(self, targets: Sequence[tuple[uuid.UUID, str]], archive: bool) -> None:
        """Archive (or restore) products on the worker, as one step of the undo stack."""
        ids = [product_id for product_id, _sku in targets]
        names = (", ".join(sku for _id, sku in targets) if len(targets) <= 3
                 else self.tr("{0} products").format(len(targets)))
        services = self.gctx.services

        def apply(flag: bool) -> None:
            for product_id in ids:
                products.set_product_archived(services, product_id, flag)

        text = (self.tr("Archive {0}") if archive else self.tr("Restore {0}")).format(names)
        push(self.gctx.undo, ServiceCommand(
            text, self.gctx.runner, lambda: apply(archive), lambda: apply(not archive),
            after=lambda: self.gctx.events.changed.emit("products"),
            on_error=lambda error: show_error(self, error)))
        message = (self.tr("Archived {0}. Undo with Ctrl+Z.") if archive
                   else self.tr("Restored {0}. Undo with Ctrl+Z."))
        self.gctx.notify(message.format(names))

    # --- following the list and the data ------------------------------------------------------

    def _show_archived(self, shown: bool) -> None:
        self.list.table.setColumnHidden(self._archived_column, not shown)
        self.list.model.set_filter("archived", None if shown else False)

    def _follow_selection(self) -> None:
        # With no row selected (the list reloading, a filter hiding it) the detail stays.
        product_id = self.list.current_id()
        if product_id is not None and product_id != self.detail.product_id:
            self.detail.show_product(product_id)

    def _data_changed(self, what: str) -> None:
        if what in RELEVANT_CHANGES:
            self.refresh()
