"""What File and Help do beyond the window itself: new, open, open recent, save a copy,
About, the documentation and the welcome dialog again.

Opening another database goes through ``switch`` (gui/app.py): a new window on the new file
in this process, the old window closed, as joining a network already does. One process, so
one log and one single-instance server per file; a window is the unit that holds a database
(areas, worker, undo stack), so replacing it is simpler and safer than re-pointing every area.

Every dialog here is opened with open(), not exec(): the event loop (and the worker's results)
go on, and tests can answer it.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QFileDialog

from dmdesk.gui.context import GuiContext
from dmdesk.gui.dialogs.about import AboutDialog
from dmdesk.gui.dialogs.new_database import FILE_FILTER, NewDatabaseDialog
from dmdesk.gui.dialogs.save_file import ask_save_path
from dmdesk.gui.dialogs.welcome import WelcomeDialog
from dmdesk.gui.main_window import STATUS_MS, MainWindow
from dmdesk.gui.ops import run_op
from dmdesk.gui.recent import recent_databases
from dmdesk.gui.tasks import Progress
from dmdesk.paths import log_dir, resources_dir
from dmdesk.services.backups import backup_folder
from dmdesk.services.database import save_copy

Switch = Callable[[Path, str], None]  # (path, "open" | "demo")


def attach_file_menu(window: MainWindow, gctx: GuiContext, switch: Switch) -> None:
    folder = Path(gctx.db.path).parent
    window.new_database_requested.connect(
        lambda: ask_new_database(window, folder / "new.sqlite", switch))
    window.open_requested.connect(lambda: ask_open(window, folder, switch))
    window.open_path_requested.connect(lambda path: switch(Path(path), "open"))
    window.save_copy_requested.connect(lambda: ask_save_copy(window, gctx))
    window.about_requested.connect(lambda: show_about(window, gctx))
    window.documentation_requested.connect(lambda: open_documentation(window))
    window.welcome_requested.connect(lambda: show_welcome(window, folder, switch))


def ask_new_database(window: MainWindow, path: Path, switch: Switch) -> NewDatabaseDialog:
    dialog = NewDatabaseDialog(path, window)

    def accepted() -> None:
        if dialog.created is not None:
            switch(dialog.created, "open")

    dialog.accepted.connect(accepted)
    dialog.finished.connect(lambda _result: dialog.deleteLater())
    dialog.open()
    return dialog


def ask_open(window: MainWindow, folder: Path, switch: Switch) -> QFileDialog:
    dialog = QFileDialog(window, window.tr("Open database"), str(folder), FILE_FILTER)
    dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptOpen)
    dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
    dialog.fileSelected.connect(lambda name: switch(Path(name), "open"))
    dialog.finished.connect(lambda _result: dialog.deleteLater())
    dialog.open()
    return dialog


def ask_save_copy(window: MainWindow, gctx: GuiContext) -> QFileDialog:
    source = Path(gctx.db.path)

    def chosen(target: Path) -> None:
        def work(_progress: Progress) -> Path:
            return save_copy(gctx.db, target)

        def done(saved: Path) -> None:
            window.statusBar().showMessage(window.tr(
                "Saved a copy of the database to {0}.").format(saved), STATUS_MS)

        run_op(gctx.runner, work, what="saving a copy of the database", parent=window,
               on_done=done, title=window.tr("Save a copy"),
               unexpected=window.tr("No copy was saved: {0}"),
               long=window.tr("Saving a copy…"))

    return ask_save_path(window, window.tr("Save a copy of the database"),
                         f"{source.stem}-copy.sqlite", FILE_FILTER, "sqlite", chosen)


def show_about(window: MainWindow, gctx: GuiContext) -> AboutDialog:
    dialog = AboutDialog(Path(gctx.db.path), backup_folder(gctx.db), log_dir() / "dmdesk.log",
                         window)
    dialog.finished.connect(lambda _result: dialog.deleteLater())
    dialog.open()
    return dialog


def documentation_path() -> Path | None:
    """The README: beside resources/ in a source checkout, inside it in a build."""
    for candidate in (resources_dir() / "README.md", resources_dir().parent / "README.md"):
        if candidate.is_file():
            return candidate
    return None


def open_documentation(window: MainWindow) -> None:
    path = documentation_path()
    if path is None or not QDesktopServices.openUrl(QUrl.fromLocalFile(str(path))):
        window.statusBar().showMessage(window.tr(
            "The documentation (README.md) is not with this copy of dmdesk."), STATUS_MS)


def show_welcome(window: MainWindow, folder: Path, switch: Switch) -> WelcomeDialog:
    dialog = WelcomeDialog(folder, recent_databases(), window)

    def accepted() -> None:
        if dialog.choice is None:
            return
        kind, path = dialog.choice
        if kind == "new":  # a file name only: the site's code and name are asked next
            ask_new_database(window, path, switch)
        else:
            switch(path, kind)

    dialog.accepted.connect(accepted)
    dialog.finished.connect(lambda _result: dialog.deleteLater())
    dialog.open()
    return dialog
