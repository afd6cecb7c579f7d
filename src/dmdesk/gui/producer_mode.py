"""Producer mode: the main window of a database whose sync role is ``producer``.

A producer makes what the owner plans, at its own site. Its window shows what it works with, in
this order (Ctrl+1..6): My work orders (job sheets, designs, progress, quality checks), Stock at
my site, Transfers (materials in, goods back), Products (without prices or costs), Sync and
Documents. It has no network Dashboard, routing or rerouting, customer orders, contacts,
scorecards or reorder suggestions: those are the owner's planning, and the server does not
send a producer the rows they would need. Products, BOMs, operations and design files are
the owner's: the Products area shows them read-only (no button, key or double-click that
would change them), and File > Import (Ctrl+I) imports stock counts only. The choice is made
once, when the window opens, from ``queries.producer_mode.producer_scope``.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QGridLayout

from dmdesk.documents.importing.kinds import KINDS
from dmdesk.gui.context import GuiContext
from dmdesk.gui.dialogs.import_wizard import open_import_wizard
from dmdesk.gui.main_window import MainWindow
from dmdesk.gui.tools_menu import add_tools_menu, open_trace
from dmdesk.gui.views.area import Area
from dmdesk.gui.views.documents import DocumentsArea
from dmdesk.gui.views.products import ProductsArea
from dmdesk.gui.views.stock import StockArea
from dmdesk.gui.views.sync import SyncArea
from dmdesk.gui.views.transfers import NO_SITE, TransfersArea
from dmdesk.gui.views.work_orders import WorkOrdersArea
from dmdesk.queries import lists
from dmdesk.queries.producer_mode import ProducerScope

PRICE_COLUMNS = ("standard_cost", "price")
# The owner's exports and imports: money, the producers' scorecards, the contacts, and the
# product and BOM master data (which the owner keeps).
OWNER_EXPORTS = ("valuation", "producers", "contacts")
OWNER_IMPORTS = ("products", "bom", "contacts")
PRODUCER_IMPORTS = tuple(kind for kind in KINDS if kind not in OWNER_IMPORTS)  # counts


def _tr(text: str) -> str:
    return QCoreApplication.translate("ProducerMode", text)


def window_title(scope: ProducerScope, database_name: str) -> str:
    return _tr("Producer: {0} — {1}").format(scope.site_code, database_name)


def build_producer_areas(gctx: GuiContext, scope: ProducerScope) -> list[Area]:
    return [MyWorkOrdersArea(gctx, scope), MyStockArea(gctx, scope),
            TransfersArea(gctx, scope), products_without_prices(gctx), SyncArea(gctx),
            documents_for_producer(gctx)]


class MyWorkOrdersArea(WorkOrdersArea):
    """The Work orders area held to the producer's site; no new orders, no packages (the
    owner plans; the producer makes and reports)."""

    def __init__(self, gctx: GuiContext, scope: ProducerScope) -> None:
        self.scope: ProducerScope | None = None  # the base class fills the filter first
        super().__init__(gctx)
        self.scope = scope
        self.title = _tr("My work orders")
        self.site_filter.setEnabled(False)
        for widget in (self.new_button, self.sending.button):
            widget.hide()
        self.sending.action.setVisible(False)
        self._fill_site_filter()
        self._apply_filters()

    def _fill_site_filter(self) -> None:
        """One choice: the producer's own site (no row yet: a site matching nothing)."""
        if self.scope is None:
            return
        label = f"{self.scope.site_code} — {self.scope.site_name or _tr('not shared')}"
        self.site_filter.blockSignals(True)
        self.site_filter.clear()
        self.site_filter.addItem(label, self.scope.site_id or NO_SITE)
        self.site_filter.blockSignals(False)


class MyStockArea(StockArea):
    """Stock held to the producer's site: on hand and move history of that site only; the
    transfers in and out are the Transfers area's."""

    def __init__(self, gctx: GuiContext, scope: ProducerScope) -> None:
        super().__init__(gctx)
        self.site_id = scope.site_id or NO_SITE
        self.title = _tr("Stock at my site")
        for index in range(self.site_filter.count()):
            if self.site_filter.itemData(index) == scope.site_id:
                self.site_filter.setCurrentIndex(index)
        self.on_hand.model.set_filter("site_id", self.site_id)
        self.site_filter.setEnabled(False)
        self.tabs.setTabVisible(self.tabs.indexOf(self.transit), False)
        self.clear_history_filter()

    def clear_history_filter(self) -> None:
        self.moves.model.filters = {"site_id": self.site_id}
        self.moves.model.refresh()


def products_without_prices(gctx: GuiContext) -> ProductsArea:
    """Products for reading BOMs, operations and designs: no price or cost columns, the
    detail says "not shared" where they would be, and nothing offers to change them."""
    area = ProductsArea(gctx)
    keys = [column.key for column in lists.PRODUCTS.columns]
    for key in PRICE_COLUMNS:
        area.list.table.setColumnHidden(keys.index(key), True)
    area.detail.header_view.prices_shared = False
    # The owner keeps the products; the server would refuse a producer's edits anyway.
    area.hide_editing()
    return area


def documents_for_producer(gctx: GuiContext) -> DocumentsArea:
    area = DocumentsArea(gctx)
    grid = area.exports.layout()
    shown = [b for kind, b in area.exports.buttons.items() if kind not in OWNER_EXPORTS]
    for kind in OWNER_EXPORTS:
        area.exports.buttons[kind].hide()
    if isinstance(grid, QGridLayout):  # close the gaps: the rest three to a row again
        for number, button in enumerate(shown):
            grid.removeWidget(button)
            grid.addWidget(button, 1 + number // 3, number % 3)
    for kind in OWNER_IMPORTS:
        area.imports.buttons[kind].hide()
    area.imports.kinds = PRODUCER_IMPORTS  # nor may its wizard switch to them
    return area


def connect_producer_areas(window: MainWindow, gctx: GuiContext) -> None:
    add_tools_menu(window, gctx)  # trace a lot, verify the audit chain: the producer's too
    # File > Import (Ctrl+I) imports what a producer may: stock counts, from any area (the
    # Products area's "import products" is the owner's).
    window.import_action.setText(_tr("Import stock &counts…"))
    window.import_requested.connect(lambda: open_import_wizard(
        gctx, window, PRODUCER_IMPORTS[0], PRODUCER_IMPORTS))
    stock = next(a for a in window.areas if isinstance(a, StockArea))
    stock.trace_requested.connect(lambda lot: open_trace(gctx, window, lot))
    sync = next(a for a in window.areas if isinstance(a, SyncArea))
    sync.status_changed.connect(window.sync_label.setText)

