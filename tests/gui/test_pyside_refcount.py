"""Guard against a Qt binding that leaks references to None.

PySide6 6.12.0 decremented None's reference count on every call of a method returning void.
On Python 3.11 (where None is not immortal) a desktop session then died after enough clicks
with "Fatal Python error: none_dealloc". pyproject.toml excludes that release; this test fails
if the installed binding has the bug (Python 3.12+ makes None immortal, so it cannot go wrong
there).
"""

from __future__ import annotations

import sys

from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

CALLS = 2000


def test_void_qt_calls_keep_none_alive(qtbot: QtBot) -> None:
    widget = QWidget()
    qtbot.addWidget(widget)
    before = sys.getrefcount(None)
    for _ in range(CALLS):
        widget.setEnabled(True)
        QApplication.processEvents()
    lost = before - sys.getrefcount(None)
    # A few references may come and go with the event loop; a leak loses one per call.
    assert lost < CALLS // 10, f"{lost} references to None lost in {CALLS} Qt calls"
