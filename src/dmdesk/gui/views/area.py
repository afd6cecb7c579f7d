"""What the main window expects of each area (Dashboard, Work orders, ...)."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget


class Area(QWidget):
    """Base class of the main window's areas. The defaults do nothing; areas override what
    they support (the window's shortcuts Ctrl+N, Del, Ctrl+F and F5 call these)."""

    title = "Area"

    def refresh(self) -> None:
        """Reload from the database (F5, and after another area changed data)."""

    def focus_search(self) -> None:
        """Put the cursor in the search box (Ctrl+F)."""

    def create_new(self) -> None:
        """Start creating a new record (Ctrl+N)."""

    def archive_selected(self) -> None:
        """Archive the selection, with undo (Del)."""
