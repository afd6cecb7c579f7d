"""How long work says how far it got: one shape for every layer (services, sync, documents,
queries, the demo builder) and the GUI's progress dialog (gui/tasks.py: ``Progress.report``).

``progress(done, total, text)``: ``done`` steps of ``total`` (0 when the total is not known
yet), ``text`` what it is doing ("Receiving changes"). Work reports between steps that are safe
to stop after, and the caller cancels by raising from the callback (the GUI's task runner
raises when Cancel was pressed); the work lets the exception through, rolled back or with what
it had committed so far, as it documents. (A sync also takes a ``cancelled`` predicate, checked
before each batch, for callers that cannot raise: the sync then stops as a recorded
SyncCancelledError.)
"""

from __future__ import annotations

from collections.abc import Callable

Progress = Callable[[int, int, str], None]


def no_progress(_done: int, _total: int, _text: str) -> None:
    """For callers that do not follow the work."""
