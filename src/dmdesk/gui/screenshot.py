"""An undocumented switch for smoke tests of installed builds: DMDESK_SCREENSHOT=file.png.

The app starts as usual; once its first window is up and idle, that window (the welcome
dialog on a first run, else the main window) is grabbed to the PNG and the app quits. A frozen
bundle can then be checked without a display or a test framework (packaging/smoke_test.sh).
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QDialog, QMainWindow, QProgressDialog, QWidget

log = logging.getLogger(__name__)

ENV = "DMDESK_SCREENSHOT"
FIRST_LOOK_MS = 1500  # let the first page of each list arrive from the worker
RETRY_MS = 250
GIVE_UP_AFTER = 240  # looks, about a minute


def requested() -> Path | None:
    value = os.environ.get(ENV)
    return Path(value) if value else None


def _front_window() -> QWidget | None:
    modal = QApplication.activeModalWidget()
    if isinstance(modal, QProgressDialog):
        return None  # still working: wait for the result, not the progress
    if modal is not None:
        return modal
    return next((w for w in QApplication.topLevelWidgets()
                 if isinstance(w, QMainWindow) and w.isVisible()), None)


def grab_when_shown(path: Path) -> None:
    """Grab the front window to ``path`` once it is shown, then close the app."""
    looks = 0

    def look() -> None:
        nonlocal looks
        looks += 1
        window = _front_window()
        if window is None and looks < GIVE_UP_AFTER:
            QTimer.singleShot(RETRY_MS, look)
            return
        if window is None:
            log.error("%s: no window to grab", ENV)
        elif window.grab().save(str(path)):
            log.info("%s: saved %s (%s)", ENV, path, window.windowTitle())
        else:
            log.error("%s: could not write %s", ENV, path)
        if isinstance(window, QDialog):
            window.reject()  # a welcome dialog: leave without choosing anything
            return
        if window is not None:
            # Hidden, not closed: closing the last window posts a second quit request, which
            # would end whichever event loop runs next (in tests, the next test's).
            window.hide()
        QApplication.quit()

    QTimer.singleShot(FIRST_LOOK_MS, look)
