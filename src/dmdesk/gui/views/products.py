"""The Products area: a searchable list of products and, beside it, the selected product's detail.

The detail pane shows the product's header (SKU, name, kind, unit, costs) and five tabs: the
multi-level BOM, the operations, every version of its design files, stock by site, and where it is
used. Reads go straight to the database (they are small and indexed); every write goes through
a service as an operation (gui/ops.py), whose change notice refreshes whatever shows what it
changed, this area included (it follows products, stock, sites and work orders).

Keys: Enter or double-click opens the detail, Ctrl+N creates, Del archives (Ctrl+Z undoes it) or,
with the focus in the BOM or the operations, removes the selected line (undoable too), F5 reloads.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from dmdesk.domain.errors import NotFoundError
from dmdesk.gui.context import GuiContext
from dmdesk.gui.dialogs.product_form import ProductFormDialog, kind_items, kind_label, money_text
from dmdesk.gui.palette import ERROR_RED
from dmdesk.gui.undo import ServiceCommand, push
from dmdesk.gui.views.area import Area
from dmdesk.gui.views.list_area import ListArea
from dmdesk.gui.views.product_tabs import (
    LIST_WIDTHS,
    BomTab,
    DesignFilesTab,
    DetailTab,
    KindDelegate,
    OperationsTab,
    StockTab,
    WhereUsedTab,
    report_to,
)
from dmdesk.queries import lists
from dmdesk.queries import products as q
from dmdesk.queries.permissions import product_edit_refusal
from dmdesk.services import products
from dmdesk.services.changes import PRODUCTS, SITES, STOCK, WORK_ORDERS

log = logging.getLogger(__name__)



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
        self.badge.setStyleSheet(f"color: white; background: {ERROR_RED}; "
                                 "padding: 1px 6px; border-radius: 3px;")
        self.edit_button = QPushButton(self.tr("Edit…"), self)
        self.edit_button.setObjectName("edit_product")
        self.edit_button.clicked.connect(lambda _c=False: self.edit_requested.emit())
        self.archive_button = QPushButton(self)
        self.archive_button.setObjectName("archive_product")
        self.archive_button.clicked.connect(
            lambda _c=False: self.archive_requested.emit(not self.archived))
        self.facts: dict[str, QLabel] = {}
        self.prices_shared = True  # False in producer mode (gui/producer_mode.py)
        self.description = QLabel(self)
        self.description.setWordWrap(True)
        self.read_only_note = QLabel(self)
        self.read_only_note.setObjectName("product_read_only")
        self.read_only_note.setWordWrap(True)
        self.read_only_note.hide()
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
        layout.addWidget(self.read_only_note)

    def set_read_only(self, reason: str) -> None:
        """Disable Edit and Archive with ``reason`` (a site's database: products are the
        owner's); "" enables them."""
        for button in (self.edit_button, self.archive_button):
            button.setEnabled(not reason)
            button.setToolTip(reason)
        self.read_only_note.setText(reason)
        self.read_only_note.setVisible(bool(reason))

    def show_header(self, h: q.ProductHeader) -> None:
        self.archived = h.archived
        self.heading.setText(f"{h.sku} — {h.name}")
        self.badge.setVisible(h.archived)
        self.archive_button.setText(self.tr("Restore") if h.archived else self.tr("Archive"))
        self.facts["kind"].setText(kind_label(h.kind))
        self.facts["unit"].setText(f"{h.unit} ({h.unit_name})")
        self.facts["lot_tracked"].setText(self.tr("tracked by lot") if h.lot_tracked
                                          else self.tr("not tracked"))
        if self.prices_shared:
            self.facts["standard_cost"].setText(money_text(h.standard_cost))
            self.facts["price"].setText(money_text(h.price))
            self.facts["margin"].setText(money_text(h.price - h.standard_cost) if h.price
                                         else "—")
        else:  # a producer's database: the server does not send them (0 would be a lie)
            for key in ("standard_cost", "price", "margin"):
                self.facts[key].setText(self.tr("not shared"))
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
        self.edit_refusal = ""  # why this database may not change the product shown
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
        self.header_view.set_read_only(self.edit_refusal)
        for tab in self.all_tabs:
            tab.read_only = self.edit_refusal
            tab.show_detail(detail)
        self._title_tabs(detail)
        self.stack.setCurrentIndex(1)

    def _read(self, product_id: uuid.UUID) -> q.ProductDetail | None:
        try:
            with self.gctx.db.read_session() as session:
                self.edit_refusal = product_edit_refusal(session, product_id)
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
    SHOWS = PRODUCTS | STOCK | SITES | WORK_ORDERS

    def __init__(self, gctx: GuiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.gctx = gctx
        self.title = self.tr("Products")
        self.dialog: ProductFormDialog | None = None
        self.editing_hidden = False  # producer mode: hide_editing()
        self.list = ListArea(gctx.db, lists.PRODUCTS, self, gctx=gctx, title=self.tr("Products"))
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
        self._offer_new()
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
        self.follow_changes(self.gctx.events)

    # --- the Area interface -------------------------------------------------------------------

    def refresh(self) -> None:
        self.list.refresh()
        self.detail.reload()
        self._offer_new()

    def _offer_new(self) -> str:
        """Offer "New product" only where products may be made; returns why not ("")."""
        with self.gctx.db.read_session() as session:
            refusal = product_edit_refusal(session)
        self.new_button.setEnabled(not refusal)
        self.new_button.setToolTip(refusal or self.tr("Create a product (Ctrl+N)"))
        return refusal

    def focus_search(self) -> None:
        self.list.focus_search()

    def hide_editing(self) -> None:
        """Producer mode: products, BOMs, operations and design files are the owner's (the
        server refuses a producer's changes). Every control that would change them goes, and
        Ctrl+N, Del and double-clicks do nothing here; reading (Open component, Open file)
        stays."""
        self.editing_hidden = True
        header = self.detail.header_view
        for button in (self.new_button, header.edit_button, header.archive_button):
            button.hide()
        for tab in self.detail.all_tabs:
            tab.hide_writes()

    def create_new(self) -> None:
        if self.editing_hidden:
            return
        refusal = self._offer_new()
        if refusal:
            self.gctx.notify(refusal)
            return
        self.open_form(None)

    def archive_selected(self) -> None:
        """Del: archive the selected products (or, in the BOM or operations, remove a line)."""
        if self.editing_hidden or self.detail.handle_delete():
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
        dialog.initiator = None  # the area reloads from its notice, then selects what it saved
        dialog.accepted.connect(lambda: self._saved(dialog))
        if self.dialog is not None and not self.gctx.runner.busy:  # closed, nothing in flight
            self.dialog.deleteLater()
        self.dialog = dialog
        dialog.open()
        return dialog

    def edit_current(self) -> ProductFormDialog | None:
        if self.editing_hidden:
            return None
        product_id = self.detail.product_id or self.list.current_id()
        if product_id is not None and product_id == self.detail.product_id \
                and self.detail.edit_refusal:
            self.gctx.notify(self.detail.edit_refusal)
            return None
        return self.open_form(product_id) if product_id is not None else None

    def _saved(self, dialog: ProductFormDialog) -> None:
        product_id = dialog.result_value
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
        if shown is not None and shown.header.archived != archive and not self.editing_hidden:
            self.set_archived([(shown.header.id, shown.header.sku)], archive)

    def set_archived(self, targets: Sequence[tuple[uuid.UUID, str]], archive: bool) -> None:
        """Archive (or restore) products on the worker, as one step of the undo stack."""
        if self.editing_hidden:
            return
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
            after=lambda: None, parent=self, initiator=None, report=report_to(self)))
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
