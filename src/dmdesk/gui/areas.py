"""The main window's areas, in navigation order (Ctrl+1..Ctrl+9 follow this order)."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from dmdesk.gui.context import GuiContext
from dmdesk.gui.views.area import Area
from dmdesk.gui.views.list_page import ListPage
from dmdesk.gui.views.placeholder import NoticeArea
from dmdesk.gui.views.stock import StockArea
from dmdesk.queries import lists


def _tr(text: str) -> str:
    return QCoreApplication.translate("areas", text)


def build_areas(gctx: GuiContext) -> list[Area]:
    return [
        NoticeArea(_tr("Dashboard"), _tr("The dashboard is being built.")),
        ListPage(gctx, _tr("Work orders"), lists.WORK_ORDERS),
        ListPage(gctx, _tr("Customer orders"), lists.CUSTOMER_ORDERS),
        ListPage(gctx, _tr("Products"), lists.PRODUCTS),
        StockArea(gctx),
        ListPage(gctx, _tr("Sites & producers"), lists.SITES),
        ListPage(gctx, _tr("Contacts"), lists.CONTACTS),
        NoticeArea(_tr("Documents"), _tr(
            "Job sheets and Excel exports for the accountant will be listed here.")),
        NoticeArea(_tr("Sync"), _tr(
            "This database is not connected to a sync server. Every site keeps working on its "
            "own database; the sync server lets sites exchange their changes.")),
    ]
