"""Work orders > "Send to producer…": the selected orders' package for a producer that runs no
dmdesk (documents/producer_package.py: job sheets, designs, pick list and README in one zip).

A Save dialog suggests ``<PRODUCER>-<date>.zip``; the zip is written on the worker with a
cancellable progress dialog (as Print job sheet does), so the window stays live. Orders of
several producers are refused before the dialog opens: one package goes to one producer.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QObject, QTimer, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QFileDialog, QPushButton, QWidget

from dmdesk.documents.producer_package import (
    PackageResult,
    default_package_name,
    render_producer_package,
)
from dmdesk.domain.errors import DomainError
from dmdesk.gui.context import GuiContext
from dmdesk.gui.dialogs.save_file import ask_save_path
from dmdesk.gui.ops import run_op
from dmdesk.gui.tasks import Progress
from dmdesk.gui.views.list_area import ListArea


def _tr(text: str) -> str:
    return QCoreApplication.translate("WorkOrders", text)


def selected_sites(list_area: ListArea) -> list[str]:
    """The site codes of the selected rows, each once, in the list's order."""
    rows = sorted(index.row() for index in list_area.table.selectionModel().selectedRows())
    return list(dict.fromkeys(str(list_area.model.row_values(row)["site"]) for row in rows))


class ProducerSending(QObject):
    """The "Send to producer…" button and action; ``done``/``failed`` carry a sentence."""

    done = Signal(str)
    failed = Signal(str)

    def __init__(self, gctx: GuiContext, area: QWidget, list_area: ListArea,
                 numbers: Callable[[], list[str]]) -> None:
        super().__init__(area)
        self.gctx = gctx
        self.widget = area
        self.list = list_area
        self.numbers = numbers
        self.today: Callable[[], date] = date.today
        self.busy = False
        self.dialog: QFileDialog | None = None  # the Save dialog open now (tests answer it)
        self.action = QAction(_tr("Send to &producer…"), area)
        self.action.setObjectName("send_to_producer")
        self.action.triggered.connect(lambda _checked=False: self.send(self.numbers()))
        self.button = QPushButton(_tr("Send to producer…"), area)
        self.button.setObjectName("send_to_producer_button")
        self.button.setToolTip(_tr("One zip for a producer without dmdesk: the job sheets, "
                                   "the drawings, the pick list and a README"))
        self.button.clicked.connect(self.action.trigger)
        list_area.table.addAction(self.action)
        list_area.selection_changed.connect(lambda _id: self._enable())
        self._enable()

    def _enable(self) -> None:
        enabled = not self.busy and bool(self.numbers())
        self.action.setEnabled(enabled)
        self.button.setEnabled(enabled)

    def send(self, numbers: Sequence[str]) -> None:
        """Ask where to save the package of ``numbers``, then write it."""
        if self.busy or not numbers:
            return
        sites = selected_sites(self.list)
        if len(sites) > 1:
            self.failed.emit(_tr("A package goes to one producer, but the selected orders are "
                                 "made at {0}. Select the orders of one site.").format(
                                     ", ".join(sites)))
            return
        name = default_package_name(sites[0] if sites else "producer", self.today())
        chosen = tuple(numbers)
        self.dialog = ask_save_path(self.widget, _tr("Send to producer"), name,
                                    _tr("Zip files (*.zip)"), "zip",
                                    lambda path: self._chosen(chosen, path))

    def _chosen(self, numbers: tuple[str, ...], path: Path) -> None:
        self.send_to(numbers, path)

    def send_to(self, numbers: Sequence[str], path: Path) -> Progress | None:
        """Write the package of ``numbers`` at ``path`` on the worker."""
        if self.busy:
            return None
        self.dialog = None
        chosen, db, today = tuple(numbers), self.gctx.db, self.today()
        self._set_busy(True)

        def work(progress: Progress) -> PackageResult:
            return render_producer_package(db, chosen, path, today=today,
                                           report=progress.report)

        return run_op(self.gctx.runner, work, what="send to producer", parent=self.widget,
                      on_done=self._written, report=self._failed, on_cancel=self._cancelled,
                      unexpected=_tr("Could not make the package: {0}"),
                      expected=(DomainError, OSError),
                      long=_tr("Packing {0}").format(path.name))

    def _set_busy(self, busy: bool) -> None:
        self.busy = busy
        self._enable()

    def _written(self, result: PackageResult) -> None:
        self._set_busy(False)
        self.gctx.documents.add(result.path, result.path.name)
        message = _tr("Saved the package of {0} order(s) for the producer as {1}.").format(
            result.orders, result.path)
        if result.missing_designs:
            message += " " + _tr("Not included (not synced here yet): the drawings of {0}."
                                 ).format(", ".join(result.missing_designs))
        self.gctx.notify(message)
        self.done.emit(message)

    def _failed(self, _error: BaseException, message: str) -> None:
        self._set_busy(False)
        self.gctx.notify(message)
        self.failed.emit(message)

    def _cancelled(self) -> None:
        # Later, so a test (or the user) sees the state after the runner finished its turn.
        QTimer.singleShot(0, lambda: self._set_busy(False))
        self.gctx.notify(_tr("Cancelled: no package was written."))
