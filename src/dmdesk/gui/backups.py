"""The day's backup after the window shows, on a thread of its own, and the status bar's word
on backups (how many, the disk they use; or why none could be made).

Not on the worker: copying a large file takes seconds, and the worker is where every list
reads its first page and every click writes; the copy holds one read snapshot, which under
WAL blocks no writer. The thread is not a daemon, so closing the window during a copy lets it
finish rather than leave half a file (a ``.partial``, never counted as a backup).
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime

from PySide6.QtCore import QCoreApplication, QObject, Signal
from PySide6.QtWidgets import QLabel

from dmdesk.gui.context import GuiContext
from dmdesk.gui.main_window import MainWindow
from dmdesk.gui.palette import ERROR_STYLE
from dmdesk.services.backups import BackupOutcome, BackupUsage, back_up_daily, backups_in_use

log = logging.getLogger(__name__)


def _tr(text: str) -> str:
    return QCoreApplication.translate("backups", text)


def size_text(size: int) -> str:
    for unit, scale in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if size >= scale:
            return f"{size / scale:,.1f} {unit}"
    return f"{size} B"


def usage_text(used: BackupUsage) -> str:
    if used.count == 0:
        return _tr("Backups: none yet")
    return _tr("Backups: {0} ({1})").format(used.count, size_text(used.total_bytes))


def usage_tooltip(used: BackupUsage) -> str:
    newest = used.newest.astimezone().strftime("%Y-%m-%d %H:%M") if used.newest else "-"
    return _tr("{0} backup(s) in {1}, {2} in all; the newest from {3}. At most one a day, "
               "when the database changed; 7 daily and 4 weekly are kept. File > Backups… "
               "chooses the folder.").format(used.count, used.folder,
                                             size_text(used.total_bytes), newest)


def attach_backups(window: MainWindow, gctx: GuiContext) -> BackupStatus:
    """The window's backup word in its status bar, and File > Backups… opening the dialog."""
    status = BackupStatus(gctx, window.backup_label, window)

    def open_dialog() -> None:
        from dmdesk.gui.dialogs.backups import BackupsDialog

        dialog = BackupsDialog(status, window)
        dialog.finished.connect(lambda _result: dialog.deleteLater())
        dialog.open()

    window.backups_requested.connect(open_dialog)
    return status


class BackupStatus(QObject):
    """Runs the daily backup and keeps ``label`` saying what backups there are."""

    finished = Signal(object)  # a BackupOutcome, or the exception that stopped it

    def __init__(self, gctx: GuiContext, label: QLabel, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.gctx = gctx
        self.label = label
        self.last: BackupOutcome | BaseException | None = None
        self._thread: threading.Thread | None = None
        self.finished.connect(self._show)

    def start(self, now: datetime | None = None) -> None:
        """Back up now (on a thread) unless one of today exists or nothing changed."""
        if self._thread is not None and self._thread.is_alive():
            return
        self._thread = threading.Thread(target=self._run, args=(now,), name="dmdesk-backup")
        self._thread.start()

    def wait(self, timeout_s: float | None = None) -> None:
        """Until a running backup is done (closing the app, and tests)."""
        if self._thread is not None:
            self._thread.join(timeout_s)

    def _run(self, now: datetime | None) -> None:
        result: BackupOutcome | BaseException
        try:
            result = back_up_daily(self.gctx.db, now)
        except Exception as exc:
            result = exc
        try:
            self.finished.emit(result)  # queued to the GUI thread
        except RuntimeError:  # the window is gone already
            log.info("backup finished after the window closed: %s", result)

    def _show(self, result: BackupOutcome | BaseException) -> None:
        self.last = result
        if isinstance(result, BaseException):
            log.warning("backup on open failed: %s", result)
            self.label.setText(_tr("Backups: not made"))
            self.label.setToolTip(str(result))
            self.label.setStyleSheet(ERROR_STYLE)
            self.gctx.notify(_tr("No backup was made: {0}").format(result))
            return
        if result.written is not None:
            log.info("backed up to %s (removed %d old)", result.written, len(result.removed))
        else:
            log.info("no backup needed: %s", result.skipped)
        self.show_usage(result.usage)

    def show_usage(self, used: BackupUsage) -> None:
        self.label.setStyleSheet("")
        self.label.setText(usage_text(used))
        self.label.setToolTip(usage_tooltip(used))

    def refresh_usage(self) -> None:
        """Read the folder again (after the folder setting changed)."""
        self.show_usage(backups_in_use(self.gctx.db))
