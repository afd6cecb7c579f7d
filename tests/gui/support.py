"""Helpers the GUI tests share: show a widget, wait for the worker, drive lists and forms the
way a user does, read a row back from the database, and take a screenshot of a window.

Fixtures (the database, the GUI context, the small and the busy network, the built main
window) are in tests/gui/conftest.py; checks that read the database with plain SQL are in
tests/integration/support.py.
"""

from __future__ import annotations

import logging
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from PySide6.QtCore import QEvent, QSettings, Qt, QTimer
from PySide6.QtWidgets import QApplication, QComboBox, QLineEdit, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import select
from sqlalchemy.orm import InstrumentedAttribute

from dmdesk.db.database import Database
from dmdesk.gui.context import GuiContext
from dmdesk.gui.dialogs.form import find_data
from dmdesk.gui.main_window import MainWindow
from dmdesk.gui.views.area import Area
from dmdesk.gui.views.placeholder import NoticeArea
from tests.integration.test_dashboard_queries import Busy

WAIT_MS = 10_000
# The main window's navigation, in order (window_with puts one real area among notices).
AREA_TITLES = ["Dashboard", "Work orders", "Customer orders", "Products", "Stock",
               "Sites & producers", "Contacts", "Documents", "Sync"]

W = TypeVar("W", bound=QWidget)


@dataclass
class BusyEnv:
    """The GUI context over the busy network, with what it said and which changes it told."""

    gctx: GuiContext
    busy: Busy
    messages: list[str]
    events: list[str]


# --- showing and waiting -----------------------------------------------------------------------


def showing(qtbot: QtBot, widget: W, size: tuple[int, int] | None = None) -> W:
    """``widget`` handed to qtbot (closed after the test), resized to ``size`` and shown."""
    qtbot.addWidget(widget)
    if size is not None:
        widget.resize(*size)
    widget.show()
    return widget


def idle(qtbot: QtBot, gctx: GuiContext, timeout: int = WAIT_MS) -> None:
    """Wait until the worker has run everything the GUI sent it (and the results arrived)."""
    qtbot.waitUntil(lambda: not gctx.runner.busy, timeout=timeout)


def window_with(qtbot: QtBot, gctx: GuiContext, title: str, area: Area) -> MainWindow:
    """The main window's navigation, with ``area`` in its place and notices elsewhere, shown
    at 1280 × 800 on ``area``."""
    areas: list[Area] = [area if name == title else NoticeArea(name, "")
                         for name in AREA_TITLES]
    window = MainWindow("dmdesk — shop.sqlite", areas, gctx.undo)
    window.set_status("Database: shop.sqlite", "Site: HQ", "Sync: not set up")
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    window.show_area(title)
    return window


def assert_screenshot(window: QWidget, path: Path, size: tuple[int, int] = (1280, 800)) -> None:
    """Grab ``window``: it has the size it was given, and the picture is saved at ``path``."""
    image = window.grab()
    assert (image.width(), image.height()) == size
    assert image.save(str(path))


# --- lists -------------------------------------------------------------------------------------


def listed(area: Any, key: str) -> list[Any]:
    """Column ``key`` of every row of a list area's table, top to bottom."""
    model = area.list.model
    return [model.row_values(row)[key] for row in range(model.rowCount())]


def pick(area: Any, row_id: uuid.UUID) -> bool:
    """Select one row, as a click does (whatever modifier state earlier tests left behind)."""
    area.list.table.clearSelection()
    return bool(area.list.select_id(row_id))


# --- forms -------------------------------------------------------------------------------------


def open_form(qtbot: QtBot, area: Any, kind: type[W]) -> W:
    """The area's "New" form, once it shows."""
    area.create_new()
    form = area.form
    assert isinstance(form, kind)
    qtbot.waitUntil(form.isVisible, timeout=WAIT_MS)
    return form


def line_edit(form: Any, name: str) -> QLineEdit:
    """The line edit of a form's field ``name``."""
    widget = form.fields[name].widget
    assert isinstance(widget, QLineEdit)
    return widget


def type_into(qtbot: QtBot, edit: QWidget, text: str) -> None:
    """Replace what a line edit holds by typing ``text``; a completer's popup is closed."""
    assert isinstance(edit, QLineEdit)
    edit.clear()
    qtbot.keyClicks(edit, text)
    completer = edit.completer()
    if completer is not None:
        completer.popup().hide()


def choose(box: QWidget, value: object) -> None:
    """Select the combo box item whose data is ``value`` (any Python value, UUIDs too)."""
    assert isinstance(box, QComboBox)
    index = find_data(box, value)
    assert index >= 0, f"{value} is not offered"
    box.setCurrentIndex(index)


def click(qtbot: QtBot, button: QWidget) -> None:
    assert button.isEnabled(), f"{button.objectName()} is disabled"
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


# --- the database ------------------------------------------------------------------------------


def row_where(db: Database, column: InstrumentedAttribute[Any], value: object) -> Any:
    """The first row of ``column``'s table whose ``column`` equals ``value``, or None."""
    with db.read_session() as session:
        return session.scalars(select(column.class_).where(column == value)).first()


def settings_under(folder: Path) -> None:
    """The app's QSettings in an INI file under ``folder``, not the user's own."""
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(folder))


@contextmanager
def after_app_run(settings: Path) -> Iterator[None]:
    """Settings under ``settings``; afterwards, what the app's ``run()`` leaves to the end of
    the process goes now: its windows (not left to the interpreter's final garbage
    collection), the log file handler it opened, its excepthook, the settings."""
    settings_under(settings)
    hook, handlers = sys.excepthook, list(logging.getLogger().handlers)
    windows = set(QApplication.topLevelWidgets())
    try:
        yield
    finally:
        for widget in set(QApplication.topLevelWidgets()) - windows:
            widget.deleteLater()
        QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        # A quit handled outside the app's loop (posted after it ended) leaves Qt's thread
        # marked as quitting: every later event loop, a test's waits included, returns at
        # once, and no worker result or timer is delivered again in this process. A short
        # run of the application loop takes any such quit and clears the mark.
        QTimer.singleShot(0, QApplication.quit)
        QApplication.exec()
        sys.excepthook = hook
        for handler in logging.getLogger().handlers:
            if handler not in handlers:
                logging.getLogger().removeHandler(handler)
                handler.close()
        QSettings().clear()
