"""Undo for the actions people regret: archive (and restore) records.

Each undoable action is a pair of service calls (do, undo) run on the task runner; the stack
is the window's Edit ▸ Undo (Ctrl+Z) and Redo (Ctrl+Shift+Z). The status bar says what was
done and that it can be undone.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QUndoCommand, QUndoStack

from dmdesk.gui.tasks import TaskRunner


class ServiceCommand(QUndoCommand):
    def __init__(self, text: str, runner: TaskRunner, do: Callable[[], Any],
                 undo: Callable[[], Any], after: Callable[[], None],
                 on_error: Callable[[BaseException], None]) -> None:
        super().__init__(text)
        self._runner = runner
        self._do = do
        self._undo = undo
        self._after = after
        self._on_error = on_error

    def redo(self) -> None:
        self._runner.run(lambda _p: self._do(), on_done=lambda _r: self._after(),
                         on_error=self._on_error)

    def undo(self) -> None:
        self._runner.run(lambda _p: self._undo(), on_done=lambda _r: self._after(),
                         on_error=self._on_error)


def push(stack: QUndoStack, command: ServiceCommand) -> None:
    """Run the command now (QUndoStack.push calls redo) and keep it for undo."""
    stack.push(command)


def archive_with_undo(stack: QUndoStack, runner: TaskRunner, label: str,
                      set_archived: Callable[[bool], Callable[[], Any]],
                      after: Callable[[], None],
                      on_error: Callable[[BaseException], None]) -> str:
    """Archive now (on the worker), keep the restore for Ctrl+Z; returns the message to show.

    ``set_archived(flag)`` gives the service call that archives (True) or restores (False)."""
    push(stack, ServiceCommand(
        QCoreApplication.translate("undo", "Archive {0}").format(label), runner,
        do=set_archived(True), undo=set_archived(False), after=after, on_error=on_error))
    return QCoreApplication.translate("undo", "Archived {0}. Ctrl+Z undoes it.").format(label)
