"""The documents written this session (job sheet PDFs, Excel exports), newest first, so the
Documents area can list them with Open and Open folder wherever they were made from."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QObject, Signal


@dataclass(frozen=True)
class WrittenDocument:
    path: Path
    description: str  # "Stock valuation, HQ", "Job sheet HQ-WO-00042"
    when: datetime


class DocumentLog(QObject):
    added = Signal(object)  # the WrittenDocument

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.items: list[WrittenDocument] = []

    def add(self, path: Path, description: str) -> WrittenDocument:
        item = WrittenDocument(Path(path), description, datetime.now())
        self.items.insert(0, item)
        self.added.emit(item)
        return item
