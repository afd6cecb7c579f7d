"""What the Work orders and Customer orders areas share: a list of orders (a few columns of it)
beside the one selected, read whole into the detail pane, and read again when it, or anything
it shows, changes."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Generic, Protocol, TypeVar

from PySide6.QtWidgets import QDialog, QVBoxLayout, QWidget

from dmdesk.gui.context import GuiContext
from dmdesk.gui.views.area import Area
from dmdesk.gui.views.list_area import ListArea
from dmdesk.queries.paging import ListSpec


class HasId(Protocol):
    @property
    def id(self) -> uuid.UUID: ...


Order = TypeVar("Order", bound=HasId)


class OrderArea(Area, Generic[Order]):

    def __init__(self, gctx: GuiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.gctx = gctx
        self.current: Order | None = None
        self.dialog: QDialog | None = None  # the dialog opened last (tests reach it here)

    def _make_list(self, spec: ListSpec, title: str) -> ListArea:
        self.list = ListArea(self.gctx.db, spec, self, gctx=self.gctx, title=title)
        return self.list

    def _lay_out(self, detail: QWidget, widths: Mapping[str, int], detail_width: int) -> None:
        """``detail`` beside the list, which fills the area and shows only the columns in
        ``widths``, that wide."""
        self.list.set_detail(detail)
        header = self.list.table.horizontalHeader()
        for index, column in enumerate(self.list.model.spec.columns):
            if column.key in widths:
                header.resizeSection(index, widths[column.key])
            else:
                self.list.table.setColumnHidden(index, True)
        self.list.splitter.setSizes([sum(widths.values()) + 20, detail_width])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.list)

    def _show(self, order_id: uuid.UUID, /) -> None:
        """Read the order and show it (or, gone, nothing) in the detail pane."""
        raise NotImplementedError

    # --- Area ---------------------------------------------------------------------------------

    def refresh(self) -> None:
        self.list.refresh()
        if self.current is not None:
            self._show(self.current.id)

    def focus_search(self) -> None:
        self.list.focus_search()

    # --- showing -------------------------------------------------------------------------------

    def _selected(self, order_id: object) -> None:
        if isinstance(order_id, uuid.UUID) and (self.current is None
                                                or self.current.id != order_id):
            self._show(order_id)

    def _created(self, created: HasId) -> None:
        self.list.refresh()
        self.list.select_id(created.id)
        self._show(created.id)
