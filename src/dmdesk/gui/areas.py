"""The main window's areas, in navigation order (Ctrl+1..Ctrl+9 follow this order)."""

from __future__ import annotations

import uuid

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QComboBox

from dmdesk.gui.context import GuiContext
from dmdesk.gui.main_window import MainWindow
from dmdesk.gui.views.area import Area
from dmdesk.gui.views.contacts import ContactsArea
from dmdesk.gui.views.customer_orders import CustomerOrdersArea
from dmdesk.gui.views.dashboard import DashboardArea
from dmdesk.gui.views.placeholder import NoticeArea
from dmdesk.gui.views.products import ProductsArea
from dmdesk.gui.views.sites import SitesArea
from dmdesk.gui.views.stock import StockArea
from dmdesk.gui.views.sync import SyncArea
from dmdesk.gui.views.work_orders import WorkOrdersArea


def _tr(text: str) -> str:
    return QCoreApplication.translate("areas", text)


def build_areas(gctx: GuiContext) -> list[Area]:
    return [
        DashboardArea(gctx),
        WorkOrdersArea(gctx),
        CustomerOrdersArea(gctx),
        ProductsArea(gctx),
        StockArea(gctx),
        SitesArea(gctx),
        ContactsArea(gctx),
        NoticeArea(_tr("Documents"), _tr(
            "Job sheets and Excel exports for the accountant will be listed here.")),
        SyncArea(gctx),
    ]


def _select_data(box: QComboBox, value: object) -> None:
    # findData cannot compare UUIDs held as Python objects: compare item by item.
    for index in range(box.count()):
        if box.itemData(index) == value:
            box.setCurrentIndex(index)
            return


def connect_areas(window: MainWindow) -> None:
    """Let the dashboard's figures open the work orders behind them."""
    dashboard = next(a for a in window.areas if isinstance(a, DashboardArea))
    work = next(a for a in window.areas if isinstance(a, WorkOrdersArea))

    def open_order(wo_id: object) -> None:
        window.show_area(work.title)
        if isinstance(wo_id, uuid.UUID):
            work.show_work_order(wo_id)

    def open_list(site_id: object, state: object) -> None:
        window.show_area(work.title)
        _select_data(work.site_filter, site_id)
        _select_data(work.state_filter, state)

    sync = next(a for a in window.areas if isinstance(a, SyncArea))
    sync.status_changed.connect(window.sync_label.setText)
    # After a sync, the areas showing data refresh as they do after a local change.
    sync.synced.connect(lambda _report: window.current_area().refresh())

    dashboard.work_order_requested.connect(open_order)
    dashboard.open_work_requested.connect(open_list)
