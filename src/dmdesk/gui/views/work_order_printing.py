"""The Work orders area's job-sheet actions: Print… (Ctrl+P), Preview… and Save as PDF…, on
every selected order (several selected rows print as one batch), from a button with a menu
and from the list's right-click menu."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu, QToolButton, QWidget

from dmdesk.gui.context import GuiContext
from dmdesk.gui.dialogs.jobsheet_print import JobSheetPrinting
from dmdesk.gui.views.list_area import ListArea


def _tr(text: str) -> str:
    return QCoreApplication.translate("WorkOrders", text)


def selected_numbers(list_area: ListArea) -> list[str]:
    """The numbers of the selected rows, in the list's order."""
    rows = sorted(index.row() for index in list_area.table.selectionModel().selectedRows())
    return [str(list_area.model.row_values(row)["number"]) for row in rows]


class JobSheetActions:
    """Builds the actions on ``area`` and a "Job sheet" button for the list's toolbar."""

    def __init__(self, gctx: GuiContext, area: QWidget, list_area: ListArea,
                 fallback: Callable[[], str | None]) -> None:
        self.list = list_area
        self.fallback = fallback  # the order shown in the detail pane, if none is selected
        self.printing = JobSheetPrinting(gctx, area)
        self.print_action = self._action(area, _tr("&Print job sheet…"), "print_job_sheet",
                                         self.printing.print_sheets,
                                         QKeySequence(QKeySequence.StandardKey.Print))
        self.preview_action = self._action(area, _tr("Print pre&view…"), "preview_job_sheet",
                                           self.printing.preview)
        self.save_action = self._action(area, _tr("Save job sheet as P&DF…"), "save_job_sheet",
                                        self.printing.save_pdf)
        self.actions = [self.print_action, self.preview_action, self.save_action]
        self.button = QToolButton(area)
        self.button.setObjectName("job_sheet_button")
        self.button.setText(_tr("Print job sheet…"))
        self.button.setToolTip(_tr("Print the job sheets of the selected work orders "
                                   "(Ctrl+P); the arrow offers a preview and PDF"))
        self.button.setPopupMode(QToolButton.ToolButtonPopupMode.MenuButtonPopup)
        self.button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        menu = QMenu(self.button)
        menu.addActions(self.actions)
        self.button.setMenu(menu)
        self.button.clicked.connect(self.print_action.trigger)
        list_area.table.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        list_area.table.addActions(self.actions)
        self.printing.busy_changed.connect(self._busy)
        list_area.selection_changed.connect(lambda _id: self._busy(self.printing.busy))
        self._busy(False)

    def _action(self, area: QWidget, text: str, name: str,
                handler: Callable[[list[str]], None],
                keys: QKeySequence | None = None) -> QAction:
        action = QAction(text, area)
        action.setObjectName(name)
        if keys is not None:
            action.setShortcut(keys)
            # Only while the Work orders area is the one shown (hidden areas' shortcuts
            # are not live).
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        action.triggered.connect(lambda _checked=False: handler(self.numbers()))
        area.addAction(action)
        return action

    def numbers(self) -> list[str]:
        numbers = selected_numbers(self.list)
        if not numbers:
            current = self.fallback()
            numbers = [current] if current else []
        return numbers

    def _busy(self, busy: bool) -> None:
        count = len(self.numbers())
        for action in self.actions:
            action.setEnabled(not busy and count > 0)
        self.button.setEnabled(not busy and count > 0)
        self.button.setText(_tr("Print job sheet…") if count <= 1
                            else _tr("Print {0} job sheets…").format(count))
        self.print_action.setText(_tr("&Print job sheet…") if count <= 1
                                  else _tr("&Print {0} job sheets…").format(count))
