"""Change notices in the GUI: one signal carrying what an operation changed, and the one way a
screen follows it.

Every operation (gui/ops.py) announces a ``Changes`` (services/changes.py: the tables its
transactions committed, and who asked); a screen says which tables it shows (``SHOWS``) and
``follow`` reloads it when a notice touches one of them: at once when it is on screen, else
when it is next shown, so a sync refreshes the areas out of sight too without reading for them
while nobody looks.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from PySide6.QtCore import QEvent, QObject, Signal
from PySide6.QtWidgets import QWidget

from dmdesk.services.changes import Changes


class DataEvents(QObject):
    """Broadcast that data changed, so every screen showing it can refresh."""

    changed = Signal(object)  # a Changes: the tables written, and by whom


class Follower(QObject):
    """Reloads ``widget`` (``reload``) after a notice touching ``shows``; a notice while it is
    hidden marks it stale and the reload waits for its next show."""

    def __init__(self, widget: QWidget, events: DataEvents, shows: Iterable[str],
                 reload: Callable[[], None]) -> None:
        super().__init__(widget)
        self.widget = widget
        self.shows = frozenset(shows)
        self.reload = reload
        self.stale = False
        widget.installEventFilter(self)
        events.changed.connect(self.changed)

    def changed(self, changes: Changes) -> None:
        if changes.initiator is self.widget or not changes.touches(self.shows):
            return  # the screen that asked reloads itself, knowing what to select after
        if self.widget.isVisible():
            self.reload()
        else:
            self.stale = True

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if watched is self.widget and event.type() == QEvent.Type.Show and self.stale:
            self.stale = False
            self.reload()
        return False


def follow(widget: QWidget, events: DataEvents, shows: Iterable[str],
           reload: Callable[[], None]) -> Follower:
    """Keep ``widget`` current with the tables it ``shows`` (see ``Follower``)."""
    return Follower(widget, events, shows, reload)
