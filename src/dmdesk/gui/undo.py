"""Undo for the actions people regret: archive (and restore) records.

Each undoable action is a pair of service calls (do, undo), each run as an operation
(gui/ops.py); the stack is the window's Edit ▸ Undo (Ctrl+Z) and Redo (Ctrl+Shift+Z). The
status bar says what was done and that it can be undone.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QUndoCommand, QUndoStack
from PySide6.QtWidgets import QWidget

from dmdesk.gui.ops import Report, run_op
from dmdesk.gui.tasks import TaskRunner

_PARENT = object()  # the initiator by default: the parent


class ServiceCommand(QUndoCommand):
    """``do`` and ``undo`` as operations over ``parent`` (by default their initiator, which
    reloads itself in ``after``); a failure is said through ``report`` (default: a message
    box over ``parent``), then ``on_failed`` runs."""

    def __init__(self, text: str, runner: TaskRunner, do: Callable[[], Any],
                 undo: Callable[[], Any], *, after: Callable[[], None], parent: QWidget,
                 initiator: object | None = _PARENT, report: Report | None = None,
                 on_failed: Callable[[BaseException], None] | None = None) -> None:
        super().__init__(text)
        self._runner = runner
        self._do = do
        self._undo = undo
        self._after = after
        self._parent = parent
        self._initiator = parent if initiator is _PARENT else initiator
        self._report = report
        self._on_failed = on_failed

    def _run(self, work: Callable[[], Any]) -> None:
        run_op(self._runner, lambda _p: work(), what=self.text(), parent=self._parent,
               initiator=self._initiator, on_done=lambda _r: self._after(),
               report=self._report, on_failed=self._on_failed)

    def redo(self) -> None:
        self._run(self._do)

    def undo(self) -> None:
        self._run(self._undo)


def push(stack: QUndoStack, command: ServiceCommand) -> None:
    """Run the command now (QUndoStack.push calls redo) and keep it for undo."""
    stack.push(command)


def archive_with_undo(stack: QUndoStack, runner: TaskRunner, label: str,
                      set_archived: Callable[[bool], Callable[[], Any]],
                      after: Callable[[], None], parent: QWidget, report: Report | None = None,
                      on_failed: Callable[[BaseException], None] | None = None) -> str:
    """Archive now (on the worker), keep the restore for Ctrl+Z; returns the message to show.

    ``set_archived(flag)`` gives the service call that archives (True) or restores (False)."""
    push(stack, ServiceCommand(
        QCoreApplication.translate("undo", "Archive {0}").format(label), runner,
        do=set_archived(True), undo=set_archived(False), after=after, parent=parent,
        report=report, on_failed=on_failed))
    return QCoreApplication.translate("undo", "Archived {0}. Ctrl+Z undoes it.").format(label)
