"""What the main window expects of each area (Dashboard, Work orders, ...)."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from dmdesk.gui.changes import DataEvents, Follower, follow


class Area(QWidget):
    """Base class of the main window's areas. The defaults do nothing; areas override what
    they support (the window's shortcuts Ctrl+N, Del, Ctrl+F and F5 call these)."""

    title = "Area"
    # The tables this area shows (services/changes.py): a change notice touching one of them
    # reloads it, at once when it is on screen, else when it is next shown (gui/changes.py).
    SHOWS: frozenset[str] = frozenset()
    follower: Follower | None = None

    def follow_changes(self, events: DataEvents) -> Follower:
        """Reload (``refresh``) after any operation, here or in another area or a sync, that
        changed what this area ``SHOWS``; its own operations name it as their initiator and
        it reloads itself after them."""
        self.follower = follow(self, events, self.SHOWS, self.refresh)
        return self.follower

    @property
    def stale(self) -> bool:
        """Whether a change to what this area shows came while it was hidden."""
        return self.follower is not None and self.follower.stale

    @stale.setter
    def stale(self, value: bool) -> None:
        if self.follower is not None:
            self.follower.stale = value

    def refresh(self) -> None:
        """Reload from the database (F5, and after another area changed data)."""

    def focus_search(self) -> None:
        """Put the cursor in the search box (Ctrl+F)."""

    def create_new(self) -> None:
        """Start creating a new record (Ctrl+N)."""

    def archive_selected(self) -> None:
        """Archive the selection, with undo (Del)."""
