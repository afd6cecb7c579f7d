"""The desktop app's entry point. For now a plain window over the opened database; the full
set of views arrives with the desktop-app work."""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel, QMainWindow, QMessageBox

from dmdesk import __version__
from dmdesk.db.database import Database, open_database
from dmdesk.domain.errors import DomainError
from dmdesk.queries.summary import network_summary


class MainWindow(QMainWindow):
    def __init__(self, db: Database) -> None:
        super().__init__()
        self.db = db
        self.setWindowTitle(self.tr("dmdesk — {0}").format(db.path.name))
        self.resize(1280, 800)
        with db.read_session() as session:
            summary = network_summary(session)
        lines = [self.tr("<h2>dmdesk {0}</h2>").format(__version__)]
        lines += [f"<p>{self.tr(label)}: <b>{value}</b></p>" for label, value in summary]
        body = QLabel("".join(lines))
        body.setMargin(24)
        body.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.setCentralWidget(body)
        self.database_label = QLabel(self.tr("Database: {0}").format(db.path))
        self.statusBar().addWidget(self.database_label)


def run(path: Path) -> int:
    app = QApplication.instance() or QApplication(sys.argv)
    app.setApplicationName("dmdesk")
    try:
        db = open_database(path)
    except DomainError as exc:
        QMessageBox.critical(None, "dmdesk", str(exc))
        return 1
    window = MainWindow(db)
    window.show()
    try:
        return int(app.exec())
    finally:
        db.close()
