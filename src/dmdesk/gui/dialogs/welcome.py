"""First run: no database yet. Offer a new database, the demo, joining a network with an
invite, an existing file, or a recent one.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from dmdesk.gui.dialogs.join_network import JoinDialog
from dmdesk.gui.tasks import TaskRunner

FILE_FILTER = "dmdesk databases (*.sqlite *.db);;All files (*)"


class WelcomeDialog(QDialog):
    """Sets ``choice`` to ("new" | "demo" | "open", path) when accepted."""

    def __init__(self, default_folder: Path, recent: list[Path],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Welcome to dmdesk"))
        # A word-wrapped label asks for little width, which made a 228-pixel-wide dialog.
        self.setMinimumWidth(440)
        self.default_folder = default_folder
        self.choice: tuple[str, Path] | None = None
        intro = QLabel(self.tr(
            "<h2>Welcome to dmdesk</h2><p>Plan, make and stock across your workshops and "
            "micro-producers. Choose a database to start with.</p>"))
        intro.setWordWrap(True)
        self.new_button = QPushButton(self.tr("&New database…"))
        self.demo_button = QPushButton(self.tr("Try the &demo network"))
        self.open_button = QPushButton(self.tr("&Open a database file…"))
        self.join_button = QPushButton(self.tr("&Join a network…"))
        self.join_button.setToolTip(self.tr("With the invite the network's owner sent you"))
        self.join_button.clicked.connect(self._join)
        self.join_dialog: JoinDialog | None = None
        self._runner: TaskRunner | None = None
        self.new_button.clicked.connect(self._new)
        self.demo_button.clicked.connect(self._demo)
        self.open_button.clicked.connect(self._open)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        for button in (self.new_button, self.demo_button, self.join_button, self.open_button):
            layout.addWidget(button)
        self.recent = QListWidget(self)
        self.recent.setObjectName("recent")
        for path in recent:
            item = QListWidgetItem(str(path))
            item.setData(Qt.ItemDataRole.UserRole, str(path))
            self.recent.addItem(item)
        if recent:
            layout.addWidget(QLabel(self.tr("Recent databases (double-click to open):")))
            layout.addWidget(self.recent)
        else:  # outside the layout it would sit on top of the heading
            self.recent.hide()
        self.recent.itemActivated.connect(
            lambda item: self._choose("open", Path(item.data(Qt.ItemDataRole.UserRole))))

    def _join(self) -> None:
        """The join dialog, window-modal (open, not exec: the welcome's own loop runs it)."""
        if self._runner is None:  # no database is open yet, so the dialog has its own worker
            self._runner = TaskRunner(self)
        self.join_dialog = JoinDialog(self._runner, self.default_folder, self)
        dialog = self.join_dialog

        def accepted() -> None:
            if dialog.result_info is not None:
                self._choose("open", dialog.result_info.path)

        dialog.accepted.connect(accepted)
        dialog.open()

    def done(self, result: int) -> None:
        super().done(result)
        if self._runner is not None:
            self._runner.shutdown()
            self._runner = None

    def _choose(self, kind: str, path: Path) -> None:
        self.choice = (kind, path)
        self.accept()

    def _new(self) -> None:
        name, _ = QFileDialog.getSaveFileName(self, self.tr("New database"),
                                              str(self.default_folder / "dmdesk.sqlite"),
                                              FILE_FILTER)
        if name:
            self._choose("new", Path(name))

    def _demo(self) -> None:
        self._choose("demo", self.default_folder / "demo.sqlite")

    def _open(self) -> None:
        name, _ = QFileDialog.getOpenFileName(self, self.tr("Open database"),
                                              str(self.default_folder), FILE_FILTER)
        if name:
            self._choose("open", Path(name))
