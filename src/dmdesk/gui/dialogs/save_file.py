"""A Save dialog that does not block: it opens, and calls back with the chosen path.

``open()`` rather than ``exec()`` keeps the event loop (and the worker's results) running while
it is up, and lets tests reach the dialog and answer it. The folder last saved to is kept in
QSettings, so the next document is offered in the same place.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QFileDialog, QWidget

FOLDER_KEY = "documents/last_folder"


def last_folder() -> Path:
    value = QSettings().value(FOLDER_KEY)
    folder = Path(str(value)) if value else Path.home()
    return folder if folder.is_dir() else Path.home()


def ask_save_path(parent: QWidget, title: str, file_name: str, name_filter: str,
                  suffix: str, on_chosen: Callable[[Path], None]) -> QFileDialog:
    dialog = QFileDialog(parent, title, str(last_folder() / file_name), name_filter)
    dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
    dialog.setFileMode(QFileDialog.FileMode.AnyFile)
    dialog.setDefaultSuffix(suffix)
    dialog.selectFile(file_name)

    def chosen(name: str) -> None:
        path = Path(name)
        if path.suffix.lower() != f".{suffix}":
            path = path.with_name(f"{path.name}.{suffix}")
        QSettings().setValue(FOLDER_KEY, str(path.parent))
        on_chosen(path)

    dialog.fileSelected.connect(chosen)
    dialog.finished.connect(lambda _result: dialog.deleteLater())
    dialog.open()
    return dialog
