"""What every area and dialog needs: the database, the service context, the task runner."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from PySide6.QtGui import QUndoStack

from dmdesk.gui.changes import DataEvents
from dmdesk.gui.document_log import DocumentLog
from dmdesk.gui.tasks import TaskRunner
from dmdesk.services.context import ServiceContext
from dmdesk.services.database import Database


@dataclass
class GuiContext:
    db: Database
    services: ServiceContext
    runner: TaskRunner
    undo: QUndoStack = field(default_factory=QUndoStack)
    documents: DocumentLog = field(default_factory=DocumentLog)  # written this session
    # Where areas say what just happened ("Archived P-100. Ctrl+Z undoes it."); the main
    # window connects it to its status bar.
    status: Callable[[str], None] = print

    @property
    def events(self) -> DataEvents:
        """Where every operation's change notice is announced: the runner's, which runs them
        all (gui/ops.py)."""
        return self.runner.events

    def notify(self, message: str) -> None:
        self.status(message)
