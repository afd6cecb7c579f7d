"""The main window's areas, in navigation order (Ctrl+1..Ctrl+9 follow this order)."""

from __future__ import annotations

import uuid

from dmdesk.domain.work_order_states import WOState
from dmdesk.gui.context import GuiContext
from dmdesk.gui.dialogs.form import select_data
from dmdesk.gui.main_window import MainWindow
from dmdesk.gui.tools_menu import add_tools_menu, open_trace
from dmdesk.gui.views.area import Area
from dmdesk.gui.views.contacts import ContactsArea
from dmdesk.gui.views.customer_orders import CustomerOrdersArea
from dmdesk.gui.views.dashboard import DashboardArea
from dmdesk.gui.views.detail_widgets import LATE, OPEN
from dmdesk.gui.views.documents import DocumentsArea
from dmdesk.gui.views.products import ProductsArea
from dmdesk.gui.views.sites import SitesArea
from dmdesk.gui.views.stock import StockArea
from dmdesk.gui.views.sync import SyncArea
from dmdesk.gui.views.work_orders import WorkOrdersArea


def build_areas(gctx: GuiContext) -> list[Area]:
    return [
        DashboardArea(gctx),
        WorkOrdersArea(gctx),
        CustomerOrdersArea(gctx),
        ProductsArea(gctx),
        StockArea(gctx),
        SitesArea(gctx),
        ContactsArea(gctx),
        DocumentsArea(gctx),
        SyncArea(gctx),
    ]


def connect_areas(window: MainWindow) -> None:
    """Let the dashboard's figures and charts open the lists behind them."""
    dashboard = next(a for a in window.areas if isinstance(a, DashboardArea))
    work = next(a for a in window.areas if isinstance(a, WorkOrdersArea))
    stock = next(a for a in window.areas if isinstance(a, StockArea))
    sites_area = next(a for a in window.areas if isinstance(a, SitesArea))

    def open_order(wo_id: object) -> None:
        window.show_area(work.title)
        if isinstance(wo_id, uuid.UUID):
            work.show_work_order(wo_id)

    def open_list(site_id: object, state: object, period: object = None) -> None:
        window.show_area(work.title)
        work.set_completed(period if isinstance(period, tuple) else None)
        select_data(work.site_filter, site_id)
        select_data(work.state_filter, state or OPEN)

    def open_stock(site_id: object) -> None:
        window.show_area(stock.title)
        stock.tabs.setCurrentWidget(stock.on_hand)
        select_data(stock.site_filter, site_id)

    def open_producer(site_id: object) -> None:
        window.show_area(sites_area.title)
        if isinstance(site_id, uuid.UUID):
            sites_area.show_history(site_id)

    sync = next(a for a in window.areas if isinstance(a, SyncArea))
    sync.status_changed.connect(window.sync_label.setText)
    # After a sync, the areas showing what it changed refresh from its change notice, as
    # after a local change (the hidden ones when next shown): nothing to connect here.

    dashboard.work_order_requested.connect(open_order)
    sites_area.work_order_requested.connect(open_order)
    add_tools_menu(window, stock.gctx)
    stock.trace_requested.connect(lambda lot: open_trace(stock.gctx, window, lot))
    dashboard.open_work_requested.connect(open_list)
    dashboard.late_requested.connect(lambda site_id: open_list(site_id, LATE))
    dashboard.output_requested.connect(
        lambda first, end: open_list(None, WOState.DONE.value, (first, end)))
    dashboard.stock_requested.connect(open_stock)
    dashboard.producer_requested.connect(open_producer)
