"""File > Backups…: where this database's backups go, how many there are and the disk they
use; a button to send later ones to another folder (or back beside the database)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from dmdesk.gui.backups import BackupStatus, size_text
from dmdesk.gui.ops import run_op
from dmdesk.gui.palette import FIELD_ERROR_STYLE
from dmdesk.gui.tasks import Progress
from dmdesk.services.backups import backup_folder, backups_in_use, set_backup_folder


class BackupsDialog(QDialog):
    def __init__(self, status: BackupStatus, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.status = status
        self.gctx = status.gctx
        self.setWindowTitle(self.tr("Backups"))
        self.summary = QLabel(self)
        self.summary.setWordWrap(True)
        self.error = QLabel(self)
        self.error.setWordWrap(True)
        self.error.setStyleSheet(FIELD_ERROR_STYLE)
        self.error.hide()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        self.change_button = QPushButton(self.tr("Change folder…"), self)
        self.change_button.clicked.connect(self._browse)
        self.default_button = QPushButton(self.tr("Beside the database"), self)
        self.default_button.clicked.connect(lambda: self.choose(""))
        buttons.addButton(self.change_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.default_button, QDialogButtonBox.ButtonRole.ActionRole)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.resize(560, 0)
        self.update_summary()

    def update_summary(self) -> None:
        used = backups_in_use(self.gctx.db)
        newest = used.newest.astimezone().strftime("%Y-%m-%d %H:%M") if used.newest else "-"
        self.summary.setText(self.tr(
            "Backups of {0} go to:\n{1}\n\n{2} backup(s) there use {3}; the newest is from "
            "{4}.\n\nOne is made at most once a day, after the window opens, and only when "
            "the database changed since the last; the newest of each of the last 7 days and "
            "of each of the last 4 weeks are kept.").format(
                self.gctx.db.path.name, backup_folder(self.gctx.db), used.count,
                size_text(used.total_bytes), newest))

    def _browse(self) -> None:
        start = str(backup_folder(self.gctx.db))
        folder = QFileDialog.getExistingDirectory(self, self.tr("Folder for backups"), start)
        if folder:
            self.choose(folder)

    def choose(self, folder: str) -> None:
        """Send later backups to ``folder`` ("" = beside the database); checked on the
        worker, and a folder that cannot be used is named with the reason, here."""
        def work(_progress: Progress) -> Path:
            return set_backup_folder(self.gctx.services, folder)

        def done(chosen: Path) -> None:
            self.error.hide()
            self.update_summary()
            self.status.refresh_usage()
            self.gctx.notify(self.tr("Backups go to {0}.").format(chosen))

        def failed(_error: BaseException, message: str) -> None:
            self.error.setText(message)
            self.error.show()

        run_op(self.gctx.runner, work, what="choosing the backup folder", parent=self,
               on_done=done, report=failed)
