"""The Documents area: Excel exports for the accountant, imports from Excel or CSV (a button
per kind, opening the import wizard), job sheets for typed-in work-order numbers, and the
documents written this session (from anywhere in the app) with Open and Open folder."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from dmdesk.gui.context import GuiContext
from dmdesk.gui.dialogs.jobsheet_print import JobSheetPrinting
from dmdesk.gui.document_log import WrittenDocument
from dmdesk.gui.palette import ERROR_STYLE
from dmdesk.gui.views.area import Area
from dmdesk.gui.views.documents_export import ExportPanel
from dmdesk.gui.views.documents_import import ImportPanel
from dmdesk.services.changes import SITES

PATH_ROLE = Qt.ItemDataRole.UserRole + 1


def parse_numbers(text: str) -> list[str]:
    """Work-order numbers typed with commas, spaces or new lines between them, once each."""
    seen: dict[str, None] = {}
    for word in re.split(r"[\s,;]+", text.strip()):
        if word:
            seen.setdefault(word.upper(), None)
    return list(seen)


class JobSheetPanel(QGroupBox):
    def __init__(self, gctx: GuiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTitle(self.tr("Job sheets"))
        self.numbers = QLineEdit(self)
        self.numbers.setObjectName("job_sheet_numbers")
        self.numbers.setPlaceholderText(self.tr("Work order numbers, e.g. HQ-WO-00042, "
                                                "HQ-WO-00043"))
        self.printing = JobSheetPrinting(gctx, self)
        label = QLabel(self.tr("&Numbers"), self)
        label.setBuddy(self.numbers)
        row = QHBoxLayout(self)
        row.addWidget(label)
        row.addWidget(self.numbers, 1)
        self.buttons: list[QPushButton] = []
        for text, name, handler in (
                (self.tr("&Print…"), "sheet_print", self.printing.print_sheets),
                (self.tr("Pre&view…"), "sheet_preview", self.printing.preview),
                (self.tr("Save as P&DF…"), "sheet_save", self.printing.save_pdf)):
            button = QPushButton(text, self)
            button.setObjectName(name)
            button.clicked.connect(lambda _=False, h=handler: h(self.typed()))
            row.addWidget(button)
            self.buttons.append(button)
        self.numbers.returnPressed.connect(lambda: self.printing.preview(self.typed()))
        self.printing.busy_changed.connect(self._busy)

    def _busy(self, busy: bool) -> None:
        for button in self.buttons:
            button.setEnabled(not busy)

    def typed(self) -> list[str]:
        return parse_numbers(self.numbers.text())


class RecentPanel(QGroupBox):
    """Documents written this session, newest first."""

    def __init__(self, gctx: GuiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTitle(self.tr("Written this session"))
        # How a file or folder is opened: the OS's handler (tests watch what is asked).
        self.open_url: Callable[[QUrl], bool] = QDesktopServices.openUrl
        self.list = QListWidget(self)
        self.list.setObjectName("recent_documents")
        self.empty = QLabel(self.tr("Nothing yet: exports and job sheets you save are listed "
                                    "here."), self)
        self.open_button = QPushButton(self.tr("&Open"), self)
        self.open_button.setObjectName("open_document")
        self.folder_button = QPushButton(self.tr("Open &folder"), self)
        self.folder_button.setObjectName("open_folder")
        self.open_button.clicked.connect(lambda: self._open(folder=False))
        self.folder_button.clicked.connect(lambda: self._open(folder=True))
        self.list.itemActivated.connect(lambda _item: self._open(folder=False))
        self.list.currentRowChanged.connect(lambda _row: self._enable())
        buttons = QHBoxLayout()
        buttons.addWidget(self.open_button)
        buttons.addWidget(self.folder_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.empty)
        layout.addWidget(self.list, 1)
        layout.addLayout(buttons)
        for item in reversed(gctx.documents.items):
            self.add(item)
        gctx.documents.added.connect(self.add)
        self._enable()

    def add(self, document: WrittenDocument) -> None:
        item = QListWidgetItem(self.tr("{0}  —  {1}  ({2})").format(
            document.description, document.path, document.when.strftime("%H:%M")))
        item.setData(PATH_ROLE, str(document.path))
        item.setToolTip(str(document.path))
        self.list.insertItem(0, item)
        self.list.setCurrentRow(0)
        self._enable()

    def _enable(self) -> None:
        has = self.list.currentItem() is not None
        self.empty.setVisible(self.list.count() == 0)
        self.open_button.setEnabled(has)
        self.folder_button.setEnabled(has)

    def _open(self, *, folder: bool) -> None:
        item = self.list.currentItem()
        if item is None:
            return
        path = Path(str(item.data(PATH_ROLE)))
        self.open_url(QUrl.fromLocalFile(str(path.parent if folder else path)))


class DocumentsArea(Area):
    title = "Documents"
    SHOWS = SITES  # the sites its exports can be narrowed to

    def __init__(self, gctx: GuiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.gctx = gctx
        self.title = self.tr("Documents")
        self.exports = ExportPanel(gctx, self)
        self.imports = ImportPanel(gctx, self)
        self.sheets = JobSheetPanel(gctx, self)
        self.recent = RecentPanel(gctx, self)
        self.message = QLabel(self)
        self.message.setObjectName("documents_message")
        self.message.setWordWrap(True)
        self.message.hide()
        for signal in (self.exports.written, self.sheets.printing.done):
            signal.connect(lambda text: self._say(text, error=False))
        for signal in (self.exports.failed, self.sheets.printing.failed):
            signal.connect(lambda text: self._say(text, error=True))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 12, 12, 12)
        layout.addWidget(self.exports)
        layout.addWidget(self.imports)
        layout.addWidget(self.sheets)
        layout.addWidget(self.message)
        layout.addWidget(self.recent, 1)
        self.follow_changes(gctx.events)

    def _say(self, text: str, *, error: bool) -> None:
        self.message.setText(text)
        self.message.setStyleSheet(ERROR_STYLE if error else "")
        self.message.show()

    def refresh(self) -> None:
        self.exports.fill_sites()
