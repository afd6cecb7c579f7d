"""An area that is one searchable list (and, in subclasses, a detail pane and actions)."""

from __future__ import annotations

from PySide6.QtWidgets import QVBoxLayout, QWidget

from dmdesk.gui.context import GuiContext
from dmdesk.gui.views.area import Area
from dmdesk.gui.views.list_area import ListArea
from dmdesk.queries.paging import ListSpec


class ListPage(Area):
    can_search = True

    def __init__(self, gctx: GuiContext, title: str, spec: ListSpec,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.gctx = gctx
        self.title = title
        self.list = ListArea(gctx.db, spec, self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.list)

    def refresh(self) -> None:
        self.list.refresh()

    def focus_search(self) -> None:
        self.list.focus_search()
