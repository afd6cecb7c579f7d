"""What every area and dialog needs: the database, the service context, the task runner."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoStack

from dmdesk.gui.document_log import DocumentLog
from dmdesk.gui.tasks import TaskRunner
from dmdesk.services.context import ServiceContext
from dmdesk.services.database import Database


class DataEvents(QObject):
    """Broadcast that data changed, so every area showing it can refresh."""

    changed = Signal(str)  # what changed: "stock", "products", "work_orders", ...


@dataclass
class GuiContext:
    db: Database
    services: ServiceContext
    runner: TaskRunner
    events: DataEvents = field(default_factory=DataEvents)
    undo: QUndoStack = field(default_factory=QUndoStack)
    documents: DocumentLog = field(default_factory=DocumentLog)  # written this session
    # Where areas say what just happened ("Archived P-100. Ctrl+Z undoes it."); the main
    # window connects it to its status bar.
    status: Callable[[str], None] = print

    def notify(self, message: str) -> None:
        self.status(message)
