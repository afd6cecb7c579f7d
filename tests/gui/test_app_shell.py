"""The app around the areas: first-run welcome, recent files, one window per database, a
backup a day after opening (a folder that cannot be used is named, and the app still opens),
and a dialog (not a traceback) when something breaks."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot

from dmdesk.db.database import open_database
from dmdesk.gui.app import Session, open_session
from dmdesk.gui.backups import size_text
from dmdesk.gui.crash import install_excepthook, setup_logging
from dmdesk.gui.dialogs.backups import BackupsDialog
from dmdesk.gui.dialogs.welcome import WelcomeDialog
from dmdesk.gui.recent import recent_databases
from dmdesk.gui.single_instance import InstanceServer, ask_running_instance
from dmdesk.services.backups import BackupFolderError, set_backup_folder
from dmdesk.services.context import ServiceContext

pytestmark = pytest.mark.usefixtures("isolated_settings")


def _answer_next_message_box(seen: list[str]) -> None:
    """Read and close the next modal message box (a person clicking OK)."""
    def close() -> None:
        box = QApplication.activeModalWidget()
        if isinstance(box, QMessageBox):
            seen.append(box.text() + "\n" + box.informativeText())
            box.accept()
        else:
            QTimer.singleShot(20, close)
    QTimer.singleShot(20, close)


def _database(path: Path) -> Path:
    open_database(path).close()
    return path


def test_welcome_offers_the_demo(qtbot: QtBot, tmp_path: Path) -> None:
    dialog = WelcomeDialog(tmp_path, [])
    qtbot.addWidget(dialog)
    dialog.demo_button.click()
    assert dialog.choice == ("demo", tmp_path / "demo.sqlite")
    assert dialog.result() == WelcomeDialog.DialogCode.Accepted


def test_welcome_lists_recent_databases(qtbot: QtBot, tmp_path: Path) -> None:
    recent = _database(tmp_path / "lisbon.sqlite")
    dialog = WelcomeDialog(tmp_path, [recent])
    qtbot.addWidget(dialog)
    assert dialog.recent.count() == 1
    dialog.recent.itemActivated.emit(dialog.recent.item(0))
    assert dialog.choice == ("open", recent)


def _opened_and_backed_up(qtbot: QtBot, path: Path) -> Session:
    session = open_session(path)
    assert session is not None
    qtbot.addWidget(session.window)
    assert session.window.isVisible()  # before any backup: it starts after the first paint
    qtbot.waitUntil(lambda: session.backups.last is not None, timeout=20_000)
    return session


def test_opening_backs_up_once_a_day_and_remembers(qtbot: QtBot, tmp_path: Path) -> None:
    path = _database(tmp_path / "porto.sqlite")
    for _ in range(2):  # opened twice today: one backup
        session = _opened_and_backed_up(qtbot, path)
        try:
            backups = list((tmp_path / "porto.sqlite.backups").glob("porto-*-daily.sqlite"))
            assert len(backups) == 1
            assert recent_databases()[0] == path.resolve()
            label = session.window.backup_label
            assert label.text() == f"Backups: 1 ({size_text(backups[0].stat().st_size)})"
            assert str(backups[0].parent) in label.toolTip()
        finally:
            session.close()


def test_a_backup_folder_that_cannot_be_used_is_named_and_the_app_opens(
        qtbot: QtBot, tmp_path: Path) -> None:
    path = _database(tmp_path / "porto.sqlite")
    db = open_database(path)
    set_backup_folder(ServiceContext(db), str(tmp_path / "usb"))
    db.close()
    (tmp_path / "usb").rmdir()
    (tmp_path / "usb").write_text("the drive is gone; a file is here now")
    session = _opened_and_backed_up(qtbot, path)
    try:
        assert isinstance(session.backups.last, BackupFolderError)
        label = session.window.backup_label
        assert label.text() == "Backups: not made"
        assert f"{tmp_path / 'usb'} is a file, not a folder" in label.toolTip()
        assert "No backup was made" in session.window.statusBar().currentMessage()
        # File > Backups…: another folder is refused with the reason, a good one is taken.
        dialog = BackupsDialog(session.backups, session.window)
        qtbot.addWidget(dialog)
        dialog.choose(str(tmp_path / "usb" / "inside"))
        qtbot.waitUntil(lambda: dialog.error.isVisibleTo(dialog), timeout=10_000)
        assert "cannot be created" in dialog.error.text()
        dialog.choose(str(tmp_path / "nas"))
        qtbot.waitUntil(lambda: not dialog.error.isVisibleTo(dialog), timeout=10_000)
        assert str(tmp_path / "nas") in dialog.summary.text()
        assert label.text() == "Backups: none yet"
        session.backups.start()
        session.backups.wait()
        qtbot.waitUntil(lambda: label.text().startswith("Backups: 1 "), timeout=10_000)
        assert len(list((tmp_path / "nas").glob("porto-*-daily.sqlite"))) == 1
    finally:
        session.close()


def test_a_second_start_on_the_same_database_reaches_the_first(qtbot: QtBot,
                                                                tmp_path: Path) -> None:
    raised: list[bool] = []
    server = InstanceServer(tmp_path / "a.sqlite", lambda: raised.append(True))
    try:
        assert ask_running_instance(tmp_path / "a.sqlite")
        qtbot.waitUntil(lambda: raised == [True], timeout=3000)
        assert not ask_running_instance(tmp_path / "b.sqlite")
    finally:
        server.server.close()


def test_a_refused_file_is_explained_and_left_alone(qtbot: QtBot, tmp_path: Path) -> None:
    path = tmp_path / "notes.sqlite"
    path.write_bytes(b"not a database" * 100)
    seen: list[str] = []
    _answer_next_message_box(seen)
    assert open_session(path) is None
    assert "not a dmdesk database" in seen[0]
    assert path.read_bytes() == b"not a database" * 100


def test_an_unexpected_error_shows_a_dialog_naming_the_log(qtbot: QtBot,
                                                            tmp_path: Path) -> None:
    log_path = setup_logging(tmp_path / "logs")
    previous = sys.excepthook
    install_excepthook(log_path)
    seen: list[str] = []
    try:
        _answer_next_message_box(seen)
        try:
            raise RuntimeError("the printer caught fire")
        except RuntimeError as error:
            sys.excepthook(RuntimeError, error, error.__traceback__)
    finally:
        sys.excepthook = previous
        for handler in list(logging.getLogger().handlers):
            if getattr(handler, "baseFilename", None) == str(log_path):
                logging.getLogger().removeHandler(handler)
                handler.close()
    assert "the printer caught fire" in seen[0] and str(log_path) in seen[0]
    logged = log_path.read_text()
    assert "Traceback" in logged and "the printer caught fire" in logged


def test_choosing_the_demo_builds_it_on_the_worker(qtbot: QtBot, tmp_path: Path) -> None:
    path = tmp_path / "demo.sqlite"
    session = open_session(path, "demo")
    assert session is not None
    qtbot.addWidget(session.window)
    try:
        assert session.window.isVisible()  # the window is up while the demo is built
        # A hang guard only: the build takes minutes on a busy machine.
        session.gctx.runner.wait_idle(timeout_s=900)
        qtbot.waitUntil(lambda: not session.gctx.runner.busy, timeout=10_000)
        with session.db.read_session() as read:
            from sqlalchemy import func, select

            from dmdesk.db import models as m

            assert (read.scalar(select(func.count()).select_from(m.Product)) or 0) >= 150
        assert not list(tmp_path.glob("demo.sqlite.backups/*"))  # nothing to back up yet
    finally:
        session.close()


def test_a_hard_crash_leaves_its_stack_in_the_fault_log(tmp_path: Path) -> None:
    """A segmentation fault (as inside Qt or PDFium) kills the process before Python's own
    handlers run; faulthandler still writes where it happened."""
    import subprocess

    crash = ("import ctypes, sys; from pathlib import Path; "
             "from dmdesk.gui.crash import enable_fault_log; "
             f"enable_fault_log(Path({str(tmp_path)!r})); ctypes.string_at(0)")
    result = subprocess.run([sys.executable, "-c", crash], capture_output=True, text=True,
                            timeout=120, check=False)
    assert result.returncode != 0
    logged = (tmp_path / "faults.log").read_text()
    assert "Fatal Python error: Segmentation fault" in logged
    assert "string_at" in logged  # the Python stack of the crashing thread
