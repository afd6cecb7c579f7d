"""Undo for the actions people regret: archive (and restore) records.

Each undoable action is a pair of service calls (do, undo) run on the task runner; the stack
is the window's Edit ▸ Undo (Ctrl+Z) and Redo (Ctrl+Shift+Z). The status bar says what was
done and that it can be undone.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

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
