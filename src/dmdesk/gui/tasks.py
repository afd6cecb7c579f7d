"""Work off the GUI thread: one serial worker for database work (as Anki's taskman does).

Every database write the GUI makes goes through ``TaskRunner.run`` (called by gui/ops.py's
``run_op``, the one road for operations): the function runs on the worker thread, and its
result or error comes back on the GUI thread through a queued signal.
Running writes one at a time, in order, means two clicks can never race each other into the
database, and the GUI thread never waits on a lock.

Long tasks receive a ``Progress``: ``report(done, total, text)`` (domain/progress.py's shape)
raises once the user cancelled; the runner shows a progress dialog (after a short delay, so
quick tasks do not flash one) with a Cancel button.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QObject, Qt, Signal, Slot
from PySide6.QtWidgets import QProgressDialog, QWidget

from dmdesk.gui.changes import DataEvents

log = logging.getLogger(__name__)
T = TypeVar("T")


class TaskCancelledError(Exception):
    """Raised by a task that noticed the user pressed Cancel."""


class Progress:
    """Handed to a task: report how far it got; check whether the user cancelled."""

    def __init__(self, emit: Callable[[int, int, str], None]) -> None:
        self._emit = emit
        self._cancel = threading.Event()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def cancel(self) -> None:
        self._cancel.set()

    def check(self) -> None:
        if self._cancel.is_set():
            raise TaskCancelledError

    def report(self, done: int, total: int = 0, text: str = "") -> None:
        self.check()
        self._emit(done, total, text)


@dataclass
class _Job(Generic[T]):
    fn: Callable[[Progress], T]
    on_done: Callable[[T], None] | None
    on_error: Callable[[BaseException], None] | None
    progress: Progress
    dialog: QProgressDialog | None
    on_cancel: Callable[[], None] | None = None


class TaskRunner(QObject):
    """Runs tasks one after another on a single worker thread."""

    finished = Signal(object, object, object)  # job, result, error
    progressed = Signal(object, int, int, str)  # job, done, total, text
    busy_changed = Signal(bool)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="dmdesk-db")
        self._pending = 0
        self.events = DataEvents(self)  # what the operations run here changed (gui/ops.py)
        self.finished.connect(self._deliver, Qt.ConnectionType.QueuedConnection)
        self.progressed.connect(self._show_progress, Qt.ConnectionType.QueuedConnection)

    @property
    def busy(self) -> bool:
        return self._pending > 0

    def run(self, fn: Callable[[Progress], T], *, on_done: Callable[[T], None] | None = None,
            on_error: Callable[[BaseException], None] | None = None,
            on_cancel: Callable[[], None] | None = None,
            title: str | None = None, parent: QWidget | None = None) -> Progress:
        """Queue ``fn``; with a ``title`` a cancellable progress dialog appears if it runs long.
        ``on_cancel`` runs (on the GUI thread) when the task stopped because it was cancelled."""
        job: _Job[Any] = _Job(fn, on_done, on_error, Progress(lambda d, t, s: None), None,
                              on_cancel)
        job.progress = Progress(lambda d, t, s: self.progressed.emit(job, d, t, s))
        if title is not None:
            job.dialog = self._dialog(title, job, parent)
        self._pending += 1
        if self._pending == 1:
            self.busy_changed.emit(True)
        future = self._pool.submit(fn, job.progress)
        future.add_done_callback(lambda f: self._completed(job, f))
        return job.progress

    def _dialog(self, title: str, job: _Job[Any], parent: QWidget | None) -> QProgressDialog:
        dialog = QProgressDialog(title, self.tr("Cancel"), 0, 0, parent)
        dialog.setWindowTitle(title)
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setMinimumDuration(400)  # quick tasks never flash a dialog
        dialog.setAutoClose(False)
        dialog.setAutoReset(False)
        dialog.canceled.connect(job.progress.cancel)
        return dialog

    def _completed(self, job: _Job[Any], future: Future[Any]) -> None:
        error = future.exception()
        self.finished.emit(job, None if error else future.result(), error)

    @Slot(object, int, int, str)
    def _show_progress(self, job: _Job[Any], done: int, total: int, text: str) -> None:
        if job.dialog is None:
            return
        job.dialog.setMaximum(max(total, 0))
        job.dialog.setValue(min(done, total) if total else 0)
        if text:
            job.dialog.setLabelText(text)

    @Slot(object, object, object)
    def _deliver(self, job: _Job[Any], result: Any, error: BaseException | None) -> None:
        if job.dialog is not None:
            job.dialog.close()
            job.dialog.deleteLater()
        self._pending -= 1
        if self._pending == 0:
            self.busy_changed.emit(False)
        if error is None:
            if job.on_done is not None:
                job.on_done(result)
        elif isinstance(error, TaskCancelledError):
            log.info("task cancelled by the user")
            if job.on_cancel is not None:
                job.on_cancel()
        elif job.on_error is not None:
            job.on_error(error)
        else:
            raise error  # reaches the app's excepthook: a dialog with the log file's path

    def wait_idle(self, timeout_s: float = 30.0) -> None:
        """Block until queued work is done (shutdown and tests only; never from a slot)."""
        self._pool.submit(lambda: None).result(timeout=timeout_s)

    def shutdown(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=False)
