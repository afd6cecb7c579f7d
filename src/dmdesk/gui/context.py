"""What every area and dialog needs: the database, the service context, the task runner."""

from __future__ import annotations

from dataclasses import dataclass, field

from PySide6.QtCore import QObject, Signal

from dmdesk.db.database import Database
from dmdesk.gui.tasks import TaskRunner
from dmdesk.services.context import ServiceContext


class DataEvents(QObject):
    """Broadcast that data changed, so every area showing it can refresh."""

    changed = Signal(str)  # what changed: "stock", "products", "work_orders", ...


@dataclass
class GuiContext:
    db: Database
    services: ServiceContext
    runner: TaskRunner
    events: DataEvents = field(default_factory=DataEvents)
