"""The one road for every GUI operation (as Anki's CollectionOp): whatever an area or dialog
asks the services to do goes through ``run_op``.

It disables the controls that started the work, runs it on the serial worker (gui/tasks.py;
with a cancellable progress dialog when the caller says it may take long), then, back on the
GUI thread: announces what the work changed (the tables its transactions committed, one typed
``Changes`` notice that every screen follows, gui/changes.py), says a refusal as it is, sends
anything unexpected through the one failure path (gui/crash.py: logged with its trace, the
message naming the log file), and enables the controls again. Callers only say what to do
with a result.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QWidget
from shiboken6 import isValid

from dmdesk.domain.errors import DomainError
from dmdesk.gui.crash import failure_message
from dmdesk.gui.tasks import Progress, TaskRunner
from dmdesk.gui.widgets.messages import show_message
from dmdesk.services.changes import Changes, recording

T = TypeVar("T")
Report = Callable[[BaseException, str], None]  # the error, and the sentence to show for it


def unexpected_text() -> str:
    """The default template for an unexpected failure (``{0}``: the error)."""
    return QCoreApplication.translate("ops", "Something went wrong: {0}")


def message_box(parent: QWidget | None, title: str) -> Report:
    """Say a failure in a window-modal message box over ``parent`` that does not block."""
    def report(_error: BaseException, message: str) -> None:
        show_message(parent, title, message)
    return report


def run_op(runner: TaskRunner, work: Callable[[Progress], T], *, what: str,
           parent: QWidget | None = None, on_done: Callable[[T], None] | None = None,
           report: Report | None = None,
           on_failed: Callable[[BaseException], None] | None = None,
           controls: Sequence[QWidget] = (), long: str | None = None,
           on_cancel: Callable[[], None] | None = None, initiator: object | None = None,
           unexpected: str | None = None, title: str | None = None,
           expected: tuple[type[BaseException], ...] = (DomainError,)) -> Progress:
    """Run ``work`` on the worker as one operation; returns its ``Progress`` (to cancel it).

    ``what`` names it in the log ("archiving a site"). A failure is said through ``report``
    (default: a message box over ``parent`` titled ``title`` or its window's), then
    ``on_failed`` runs (to reload a screen the failure left stale). ``long`` is the title of
    a progress dialog with Cancel. ``initiator`` (usually the screen that asked) is carried in
    the notice, so it can skip the reload it does itself. ``unexpected`` is the template for
    an unexpected error (``{0}`` the error); ``expected`` the errors that are refusals, said
    as they are and not logged as failures."""
    tables: set[str] = set()
    disabled = [c for c in controls if c.isEnabled()]
    for control in disabled:
        control.setEnabled(False)

    def on_worker(progress: Progress) -> T:
        with recording() as written:
            try:
                return work(progress)
            finally:  # what committed counts even when the work then failed or was cancelled
                tables.update(written)

    def announce() -> None:
        for control in disabled:
            if isValid(control):  # a dialog closed meanwhile took its buttons with it
                control.setEnabled(True)
        changes = Changes(frozenset(tables), initiator)
        if changes:
            runner.events.changed.emit(changes)

    def done(result: T) -> None:
        announce()
        if on_done is not None:
            on_done(result)

    def failed(error: BaseException) -> None:
        announce()
        message = failure_message(error, unexpected or unexpected_text(), what, expected)
        if report is not None:
            report(error, message)
        else:
            window = parent.window().windowTitle() if parent is not None else ""
            message_box(parent, title or window or "dmdesk")(error, message)
        if on_failed is not None:
            on_failed(error)

    def cancelled() -> None:
        announce()
        if on_cancel is not None:
            on_cancel()

    return runner.run(on_worker, on_done=done, on_error=failed, on_cancel=cancelled,
                      title=long, parent=parent)
