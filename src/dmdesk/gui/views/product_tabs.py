"""The tabs of a product's detail: its BOM tree, operations, design files, stock by site and
where it is used."""

from __future__ import annotations

import mimetypes
import tempfile
import uuid
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

from PySide6.QtCore import QLocale, Qt, QUrl, Signal
from PySide6.QtGui import QBrush, QColor, QDesktopServices, QFont, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QPushButton,
    QStyledItemDelegate,
    QTreeWidget,
    QTreeWidgetItem,
    QTreeWidgetItemIterator,
    QVBoxLayout,
    QWidget,
)

from dmdesk.gui.context import GuiContext
from dmdesk.gui.dialogs.form import FormDialog
from dmdesk.gui.dialogs.product_bom import BomLineDialog
from dmdesk.gui.dialogs.product_form import kind_label
from dmdesk.gui.dialogs.product_operation import OperationDialog
from dmdesk.gui.formatting import display
from dmdesk.gui.ops import Report, message_box, run_op
from dmdesk.gui.palette import ERROR_RED
from dmdesk.gui.undo import ServiceCommand, push
from dmdesk.queries import products as q
from dmdesk.services import products
from dmdesk.services.context import ServiceContext

NODE_ROLE = Qt.ItemDataRole.UserRole + 10
KEY_ROLE = Qt.ItemDataRole.UserRole + 11
RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
# What other areas announce that changes what this one shows.
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


def report_to(parent: QWidget) -> Report:
    """Where a products operation says why it failed: a box over ``parent`` that does not
    block."""
    return message_box(parent, QApplication.translate("products", "Products"))


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
        self.empty_text_read_only = ""  # instead of empty_text once writes are hidden
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
        # Why this database may not change the product (a site's: products are the owner's);
        # "" when it may. Buttons that write are disabled with it as their tooltip.
        self.read_only = ""
        self._tips: dict[QPushButton, str] = {}
        # True in producer mode (hide_writes): no way to change the owner's data is offered.
        self.writes_hidden = False

    @property
    def services(self) -> ServiceContext:
        return self.gctx.services

    def add_button(self, name: str, text: str, slot: Callable[[], object],
                   enabled_when: Callable[[], bool] | None = None,
                   writes: bool = True) -> QPushButton:
        button = QPushButton(text, self)
        button.setObjectName(name)
        button.clicked.connect(lambda _checked=False: slot())
        self.bar.addWidget(button)
        condition = enabled_when or (lambda: self.header is not None)
        if writes:
            self._tips[button] = ""
            self._conditions.append((button, lambda: not self.read_only and condition()))
        else:
            self._conditions.append((button, condition))
        return button

    def hide_writes(self) -> None:
        """Producer mode: the owner keeps this data. Its write buttons go (not just grey:
        nothing to try), and the keys and double-clicks that lead to a write do nothing."""
        self.writes_hidden = True
        for button in self._tips:
            button.hide()
        self.empty_text = self.empty_text_read_only or self.empty_text

    def update_buttons(self) -> None:
        for button, condition in self._conditions:
            button.setEnabled(condition())
        for button, tip in self._tips.items():
            button.setToolTip(self.read_only or tip)

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

    # The tab's operations do not name it as their initiator: the Products area reloads the
    # list and this pane from their change notice.

    def after_write(self, message: str = "") -> None:
        if message:
            self.gctx.notify(message)

    def run_write(self, work: Callable[[], object], message: str) -> None:
        run_op(self.gctx.runner, lambda _p: work(), what=f"a product change ({message})",
               parent=self, on_done=lambda _r: self.after_write(message),
               report=report_to(self))

    def push_undoable(self, text: str, do: Callable[[], object], undo: Callable[[], object],
                      message: str) -> None:
        push(self.gctx.undo, ServiceCommand(text, self.gctx.runner, do, undo,
                                            after=self.after_write, parent=self,
                                            initiator=None, report=report_to(self)))
        self.gctx.notify(message)

    def open_dialog(self, dialog: FormDialog, message: str) -> FormDialog:
        dialog.initiator = None  # the Products area reloads from the form's notice
        dialog.accepted.connect(lambda: self.after_write(message))
        if self.dialog is not None and not self.gctx.runner.busy:  # closed, nothing in flight
            self.dialog.deleteLater()
        self.dialog = dialog
        dialog.open()
        return dialog



class BomTab(DetailTab):
    """The multi-level bill of materials; the product's own lines can be changed here."""

    def __init__(self, gctx: GuiContext, parent: QWidget | None = None) -> None:
        super().__init__(gctx, parent)
        self.tree.setObjectName("bom_tree")
        self.tree.setRootIsDecorated(True)
        self.tree.setHeaderLabels([self.tr("SKU"), self.tr("Name"), self.tr("Qty per unit"),
                                   self.tr("Unit"), self.tr("Scrap %")])
        self.empty_text = self.tr("No components yet: add the first with “Add component…”.")
        self.empty_text_read_only = self.tr("No components.")
        self.add_button("bom_add", self.tr("Add component…"), self.add_line)
        self.add_button("bom_edit", self.tr("Edit quantity…"), self.edit_line, self._own_line)
        self.add_button("bom_remove", self.tr("Remove"), self.remove_line, self._own_line)
        self.add_button("bom_open", self.tr("Open component"), self.open_component,
                        lambda: self.selected() is not None, writes=False)
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
            if parent is not None and not self.writes_hidden:
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
        if self._own_line() and not self.writes_hidden:
            self.edit_line()
        else:
            self.open_component()

    def add_line(self) -> BomLineDialog | None:
        if self.header is None or self.writes_hidden:
            return None
        dialog = BomLineDialog(self.gctx, self.header, parent=self)
        self.open_dialog(dialog, self.tr("Saved the BOM of {0}.").format(self.header.sku))
        return dialog

    def edit_line(self) -> BomLineDialog | None:
        line = self.selected_line()
        if self.header is None or line is None or line.level != 1 or self.writes_hidden:
            return None
        dialog = BomLineDialog(self.gctx, self.header, line, self)
        self.open_dialog(dialog, self.tr("Saved the BOM of {0}.").format(self.header.sku))
        return dialog

    def remove_line(self) -> bool:
        """Remove the selected line of this product's own BOM, with undo."""
        line = self.selected_line()
        if self.header is None or line is None or line.level != 1 or self.writes_hidden:
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
        self.empty_text_read_only = self.tr("No operations.")
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
        if self.header is None or self.writes_hidden:
            return None
        dialog = OperationDialog(self.gctx, self.header, parent=self)
        self.open_dialog(dialog, self.tr("Saved the operations of {0}.").format(self.header.sku))
        return dialog

    def edit_operation(self) -> OperationDialog | None:
        op = self.selected_operation()
        if self.header is None or op is None or self.writes_hidden:
            return None
        dialog = OperationDialog(self.gctx, self.header, op, self)
        self.open_dialog(dialog, self.tr("Saved the operations of {0}.").format(self.header.sku))
        return dialog

    def remove_operation(self) -> bool:
        """Remove the selected operation, with undo."""
        op, header = self.selected_operation(), self.header
        if header is None or op is None or self.writes_hidden:
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
        self.empty_text_read_only = self.tr("No design files.")
        # Replaceable (tests): how a file is chosen and how a saved copy is opened.
        self.choose_file: Callable[[], Path | None] = self._ask_for_file
        self.open_url: Callable[[QUrl], object] = QDesktopServices.openUrl
        self._folder: Path | None = None
        self.add_button("file_add", self.tr("Add…"), self.add_file)
        self.add_button("file_open", self.tr("Open"), self.open_file,
                        lambda: self.selected_file() is not None, writes=False)
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
        path = self.choose_file() if header is not None and not self.writes_hidden else None
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
        run_op(self.gctx.runner, lambda _p: self._export(row),
               what="opening a design file", parent=self, on_done=self._opened,
               report=report_to(self))

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
                item.setForeground(3, QBrush(QColor(ERROR_RED)))
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
                        lambda: self.selected() is not None, writes=False)
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
