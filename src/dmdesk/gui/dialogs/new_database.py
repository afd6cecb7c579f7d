"""File > New database...: a file, this site's code and its name; the database is made by the
same service as `dmdesk init` (services/new_database.py), so a refusal leaves no file behind.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from dmdesk.domain.errors import DomainError
from dmdesk.gui.palette import ERROR_STYLE
from dmdesk.services.new_database import create_database

FILE_FILTER = "dmdesk databases (*.sqlite *.db);;All files (*)"


class NewDatabaseDialog(QDialog):
    """Sets ``created`` to the new database's path when accepted."""

    def __init__(self, path: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("New database"))
        self.setMinimumWidth(480)
        self.created: Path | None = None
        self.file = QLineEdit(str(path))
        browse = QPushButton(self.tr("&Browse…"))
        browse.clicked.connect(self._browse)
        row = QHBoxLayout()
        row.addWidget(self.file, 1)
        row.addWidget(browse)
        self.code = QLineEdit()
        self.code.setPlaceholderText(self.tr("e.g. LIS"))
        self.code.setToolTip(self.tr("2 to 6 letters or digits, starting with a letter; it "
                                     "numbers this site's documents (LIS-WO-00001)"))
        self.name = QLineEdit()
        self.name.setPlaceholderText(self.tr("e.g. Lisbon workshop"))
        form = QFormLayout()
        for text, field, widget in ((self.tr("Site &code:"), self.code, self.code),
                                    (self.tr("Site &name:"), self.name, self.name),
                                    (self.tr("&File:"), self.file, row)):
            label = QLabel(text)
            label.setBuddy(field)  # Alt+C, Alt+N, Alt+F reach the field
            form.addRow(label, widget)
        self.error = QLabel()
        self.error.setWordWrap(True)
        self.error.setStyleSheet(ERROR_STYLE)
        self.error.hide()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText(self.tr("&Create"))
        buttons.accepted.connect(self._create)
        buttons.rejected.connect(self.reject)
        intro = QLabel(self.tr("A new, empty database for this site. Other sites join it "
                               "later (Sync)."))
        intro.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.code.setFocus()

    def _browse(self) -> None:
        name, _ = QFileDialog.getSaveFileName(self, self.tr("New database"), self.file.text(),
                                              FILE_FILTER)
        if name:
            self.file.setText(name)

    def _create(self) -> None:
        text = self.file.text().strip()
        if not text:
            self._refuse(self.tr("Give the new database a file name."))
            return
        try:
            self.created = create_database(Path(text), self.code.text(), self.name.text())
        except (DomainError, OSError) as exc:  # nothing was made: say why, keep what was typed
            self._refuse(str(exc))
            return
        self.accept()

    def _refuse(self, message: str) -> None:
        self.error.setText(message)
        self.error.show()
