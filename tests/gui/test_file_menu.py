"""File and Help menus driven as a person would: New database..., Open..., Open recent,
Save a copy..., Quit, About, the welcome dialog again; and a cancelled demo build that the
next `dmdesk --demo` builds again instead of opening it as the demo."""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import TypeVar

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QFileDialog,
    QProgressDialog,
    QPushButton,
)
from pytestqt.qtbot import QtBot

from dmdesk import __version__
from dmdesk.db.database import open_database
from dmdesk.demo.unfinished import begin, finish, marker
from dmdesk.domain.errors import ValidationError
from dmdesk.gui.app import Session, new_database_at_start, open_session, prepare_demo, wire
from dmdesk.gui.dialogs.about import AboutDialog
from dmdesk.gui.dialogs.new_database import NewDatabaseDialog
from dmdesk.gui.dialogs.welcome import WelcomeDialog
from dmdesk.gui.file_menu import documentation_path
from dmdesk.gui.main_window import MainWindow
from dmdesk.gui.recent import remember
from dmdesk.services import products
from dmdesk.services.backups import backup_folder
from dmdesk.services.context import ServiceContext
from dmdesk.services.database import save_copy
from dmdesk.services.new_database import create_database

D = TypeVar("D", bound=QDialog)


pytestmark = pytest.mark.usefixtures("isolated_settings")


@pytest.fixture
def sessions(qtbot: QtBot, tmp_path: Path) -> Iterator[list[Session]]:
    """The app on LIS's database, wired as run() wires it; every session closed after."""
    path = create_database(tmp_path / "lisbon.sqlite", "LIS", "Lisbon workshop")
    session = open_session(path)
    assert session is not None
    opened = [session]
    wire(session, opened)
    yield opened
    for each in opened:
        with contextlib.suppress(RuntimeError):  # a retired window is already deleted
            each.window.close()
        each.close()


def _window(sessions: list[Session]) -> MainWindow:
    return sessions[-1].window


def _dialog(window: MainWindow, kind: type[D]) -> D:
    found = [d for d in window.findChildren(kind) if d.isVisible()]
    assert len(found) == 1, f"one {kind.__name__} open"
    return found[0]


def _sites(path: Path) -> list[tuple[str, str]]:
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as connection:
        return connection.execute("SELECT code, name FROM site ORDER BY code").fetchall()


def _switched_to(qtbot: QtBot, sessions: list[Session], path: Path) -> MainWindow:
    qtbot.waitUntil(lambda: len(sessions) == 2, timeout=5_000)
    window = _window(sessions)
    assert Path(sessions[-1].db.path).resolve() == path.resolve()
    assert window.isVisible() and path.name in window.windowTitle()
    assert not sessions[0].server.server.isListening()  # the old file can be opened again
    return window


def test_the_file_menu_holds_every_item_with_its_key(
        qtbot: QtBot, sessions: list[Session], screenshots: Path) -> None:
    window = _window(sessions)
    items = [(a.text(), a.shortcut().toString()) for a in window.file_menu.actions()
             if not a.isSeparator()]
    assert items == [("&New database…", "Ctrl+Shift+N"), ("&Open…", "Ctrl+O"),
                     ("Open &recent", ""), ("&Import…", "Ctrl+I"),
                     ("Save a &copy…", "Ctrl+Shift+S"), ("&Backups…", ""),
                     ("&Quit", "Ctrl+Q")]
    helps = [a.text() for a in window.help_menu.actions() if not a.isSeparator()]
    assert helps == ["&Documentation", "&Welcome…", "&About dmdesk"]
    window.resize(900, 500)
    window.file_menu.popup(window.mapToGlobal(window.menuBar().geometry().bottomLeft()))
    qtbot.waitUntil(window.file_menu.isVisible, timeout=2_000)
    assert window.file_menu.grab().save(str(screenshots / "file-menu.png"))
    window.file_menu.hide()


def test_new_database_makes_the_site_and_opens_it(
        qtbot: QtBot, sessions: list[Session], tmp_path: Path) -> None:
    window = _window(sessions)
    window.new_database_action.trigger()
    dialog = _dialog(window, NewDatabaseDialog)
    assert dialog.focusWidget() in (dialog.code, None)  # the first field, not a button
    target = tmp_path / "porto.sqlite"
    dialog.file.setText(str(target))
    qtbot.keyClicks(dialog.code, "por")
    qtbot.keyClicks(dialog.name, "Porto CNC")
    dialog.ok_button.click()
    assert _sites(target) == [("POR", "Porto CNC")]
    new = _switched_to(qtbot, sessions, target)
    assert new.site_label.text().endswith("POR")


def test_new_database_refused_says_why_and_makes_nothing(
        qtbot: QtBot, sessions: list[Session], tmp_path: Path) -> None:
    window = _window(sessions)
    window.new_database_action.trigger()
    dialog = _dialog(window, NewDatabaseDialog)
    target = tmp_path / "bad.sqlite"
    dialog.file.setText(str(target))
    dialog.code.setText("1X")
    dialog.name.setText("Somewhere")
    dialog.ok_button.click()
    assert dialog.isVisible() and dialog.error.isVisible()
    assert "1X" in dialog.error.text()
    assert not target.exists() and len(sessions) == 1
    dialog.reject()


def test_open_chooses_a_file_and_the_window_follows_it(
        qtbot: QtBot, sessions: list[Session], tmp_path: Path) -> None:
    other = create_database(tmp_path / "wh.sqlite", "WH", "Warehouse")
    window = _window(sessions)
    qtbot.keyClick(window, Qt.Key.Key_O, Qt.KeyboardModifier.ControlModifier)
    chooser = _dialog(window, QFileDialog)
    chooser.selectFile(str(other))
    chooser.accept()
    new = _switched_to(qtbot, sessions, other)
    assert new.site_label.text().endswith("WH")
    assert not window.isVisible()


def test_open_recent_lists_remembered_files_and_opens_one(
        qtbot: QtBot, sessions: list[Session], tmp_path: Path) -> None:
    other = create_database(tmp_path / "wh.sqlite", "WH", "Warehouse")
    remember(other)
    window = _window(sessions)
    window.fill_recent_menu()
    texts = [a.text() for a in window.recent_menu.actions()]
    assert texts[0] == "&1 wh.sqlite" and "&2 lisbon.sqlite" in texts
    window.recent_menu.actions()[0].trigger()
    _switched_to(qtbot, sessions, other)


def test_save_a_copy_writes_a_whole_database_with_the_latest_change(
        qtbot: QtBot, sessions: list[Session], tmp_path: Path) -> None:
    session = sessions[0]
    products.create_product(ServiceContext(session.db, actor="tester"), sku="JUST-NOW",
                            name="Made a moment ago")  # still in the WAL, not the main file
    window = session.window
    qtbot.keyClick(window, Qt.Key.Key_S,
                   Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    chooser = _dialog(window, QFileDialog)
    target = tmp_path / "copies" / "lisbon-friday.sqlite"
    target.parent.mkdir()
    chooser.selectFile(str(target))
    chooser.accept()
    qtbot.waitUntil(lambda: "Saved a copy" in window.statusBar().currentMessage(),
                    timeout=10_000)
    with sqlite3.connect(f"file:{target}?mode=ro", uri=True) as copy:
        assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert copy.execute("SELECT name FROM product WHERE sku = 'JUST-NOW'").fetchone() == (
            "Made a moment ago",)
    assert not list(target.parent.glob("*.partial"))
    assert len(sessions) == 1  # a copy is not opened


def test_ctrl_q_quits(qtbot: QtBot, sessions: list[Session]) -> None:
    window = _window(sessions)
    qtbot.keyClick(window, Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier)
    assert not window.isVisible()


def test_about_names_the_version_the_files_and_the_licences(
        qtbot: QtBot, sessions: list[Session], screenshots: Path) -> None:
    session = sessions[0]
    session.window.about_action.trigger()
    about = _dialog(session.window, AboutDialog)
    text = about.text.toPlainText()
    assert f"dmdesk {__version__}" in text
    for where in (session.db.path, backup_folder(session.db)):
        assert str(where) in text
    assert "dmdesk.log" in text
    for licence in ("DejaVu", "Droid Sans Fallback", "Dmdesk Hangul", "SIL Open Font",
                    "LGPL-3.0", "PSF"):
        assert licence in text
    assert about.grab().save(str(screenshots / "about-dialog.png"))
    about.reject()
    assert not about.isVisible()


def test_help_documentation_is_the_readme() -> None:
    path = documentation_path()
    assert path is not None and path.name == "README.md"
    assert "dmdesk" in path.read_text(encoding="utf-8")[:2000]


def test_the_welcome_dialog_is_reachable_again_and_opens_a_recent_file(
        qtbot: QtBot, sessions: list[Session], tmp_path: Path) -> None:
    other = create_database(tmp_path / "wh.sqlite", "WH", "Warehouse")
    remember(other)
    window = _window(sessions)
    window.welcome_action.trigger()
    welcome = _dialog(window, WelcomeDialog)
    item = welcome.recent.item(0)
    assert item.text() == str(other.resolve())
    welcome.recent.itemActivated.emit(item)
    _switched_to(qtbot, sessions, other)


def test_a_part_built_demo_is_built_again_not_opened(tmp_path: Path) -> None:
    demo = tmp_path / "demo.sqlite"
    assert prepare_demo(demo) == "demo" and marker(demo).exists()
    demo.write_bytes(b"part of a demo")  # the build stopped (cancel, crash, power cut)
    assert prepare_demo(demo) == "demo"  # built again, from an empty file
    assert not demo.exists() and marker(demo).exists()
    demo.write_bytes(b"the whole demo")
    finish(demo)
    assert prepare_demo(demo) == "open" and demo.read_bytes() == b"the whole demo"
    # A demo from before the marker existed (none beside it) is taken as finished.
    begin(demo)
    finish(demo)
    assert prepare_demo(demo) == "open"


def test_cancelling_the_demo_build_leaves_it_marked_unfinished(
        qtbot: QtBot, tmp_path: Path) -> None:
    demo = tmp_path / "demo.sqlite"
    session = open_session(demo, prepare_demo(demo))
    assert session is not None
    try:
        window = session.window
        qtbot.waitUntil(lambda: any(d.isVisible() for d in
                                    window.findChildren(QProgressDialog)), timeout=10_000)
        progress = next(d for d in window.findChildren(QProgressDialog) if d.isVisible())
        cancel = progress.findChild(QPushButton)
        assert cancel is not None
        cancel.click()
        qtbot.waitUntil(lambda: "cancelled" in window.statusBar().currentMessage(),
                        timeout=120_000)
        assert "builds the whole demo again" in window.statusBar().currentMessage()
        assert demo.exists() and marker(demo).exists()
    finally:
        session.window.close()
        session.close()
    assert prepare_demo(demo) == "demo"
    assert not demo.exists()  # the next `dmdesk --demo` starts from nothing


def test_every_bundled_font_has_its_licence_listed_in_about() -> None:
    from dmdesk.gui.dialogs.about import font_licences
    from dmdesk.paths import resources_dir

    listed = {path for _font, _licence, path in font_licences()}
    assert listed == set((resources_dir() / "fonts").glob("LICENSE-*.txt"))
    assert all(path.is_file() for path in listed)


def test_the_first_start_new_database_asks_for_the_site(qtbot: QtBot, tmp_path: Path) -> None:
    """The welcome's New database... (before any window) makes the site, not an "HQ"."""
    target = tmp_path / "first.sqlite"

    def answer() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, NewDatabaseDialog):
            QTimer.singleShot(20, answer)
            return
        assert dialog.file.text() == str(target)
        dialog.code.setText("LIS")
        dialog.name.setText("Lisbon workshop")
        dialog.ok_button.click()

    QTimer.singleShot(20, answer)
    assert new_database_at_start(target) == target.absolute()
    assert _sites(target) == [("LIS", "Lisbon workshop")]


def test_save_a_copy_refuses_the_open_file_and_replaces_only_when_whole(
        tmp_path: Path) -> None:
    path = create_database(tmp_path / "lisbon.sqlite", "LIS", "Lisbon workshop")
    db = open_database(path)
    try:
        with pytest.raises(ValidationError, match="the open database itself"):
            save_copy(db, path)
        assert _sites(path) == [("LIS", "Lisbon workshop")]  # untouched
        target = tmp_path / "copy.sqlite"
        target.write_bytes(b"an older copy")  # the person confirmed replacing it
        assert save_copy(db, target) == target
        assert _sites(target) == [("LIS", "Lisbon workshop")]
        assert not list(tmp_path.glob("*.new")) and not list(tmp_path.glob("*.partial"))
    finally:
        db.close()
