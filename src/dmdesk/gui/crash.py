"""Logging to a file, and a dialog instead of a bare traceback when something unexpected breaks.

A crash inside Qt or PDFium (a segmentation fault) ends the process before any Python handler
runs: ``enable_fault_log`` has faulthandler write every thread's stack to ``faults.log`` in
the log folder, so even such a crash leaves a trace to send.
"""

from __future__ import annotations

import faulthandler
import logging
import sys
from logging.handlers import RotatingFileHandler
from pathlib import Path
from types import TracebackType

from PySide6.QtWidgets import QApplication, QMessageBox

from dmdesk.domain.errors import DomainError
from dmdesk.paths import log_dir

log = logging.getLogger("dmdesk")
# The log files setup_logging opened, newest last: the one a failure message names.
_opened: list[RotatingFileHandler] = []


def setup_logging(folder: Path | None = None) -> Path:
    folder = folder or log_dir()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "dmdesk.log"
    handler = RotatingFileHandler(path, maxBytes=2_000_000, backupCount=3, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    _opened.append(handler)
    return path


_fault_file: list[object] = []  # kept open for the life of the process: faulthandler writes to it


def enable_fault_log(folder: Path | None = None) -> Path:
    """From now on a fatal crash writes the Python stacks of every thread to faults.log."""
    folder = folder or log_dir()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "faults.log"
    handle = path.open("a", encoding="utf-8")
    faulthandler.enable(file=handle, all_threads=True)
    _fault_file[:] = [handle]
    return path


def install_excepthook(log_path: Path) -> None:
    def hook(kind: type[BaseException], error: BaseException,
             trace: TracebackType | None) -> None:
        if isinstance(error, DomainError):  # a refusal that escaped a form: just say it
            _show(str(error), detail=None)
            return
        log.error("unexpected error", exc_info=(kind, error, trace))
        _show(QApplication.translate("crash", "Something unexpected went wrong: {0}")
              .format(error),
              detail=QApplication.translate("crash", "The details are in the log file:\n{0}")
              .format(log_path))

    sys.excepthook = hook


def _show(message: str, detail: str | None) -> None:
    if QApplication.instance() is None:
        print(message, file=sys.stderr)
        return
    box = QMessageBox(QMessageBox.Icon.Critical, "dmdesk", message)
    if detail:
        box.setInformativeText(detail)
    box.exec()


def log_path() -> Path | None:
    """The file the log is written to: the latest ``setup_logging`` opened that is still
    logging (None before the app set it up, as in most tests)."""
    handlers = logging.getLogger().handlers
    for handler in reversed(_opened):
        if handler in handlers:
            return Path(handler.baseFilename)
    return None


def failure_message(error: BaseException, unexpected: str, context: str,
                    expected: tuple[type[BaseException], ...] = (DomainError,)) -> str:
    """What to tell the user when work on a worker failed: a refusal (``expected``) as it is,
    since it names the problem; anything else is logged with its trace ("``context`` failed")
    and shown through ``unexpected``, a translated template with ``{0}`` for the error,
    followed by where the log is, so the details can be found and sent."""
    if isinstance(error, expected):
        return str(error)
    log.error("%s failed", context, exc_info=error)
    message = unexpected.format(error)
    path = log_path()
    if path is not None:
        message += "\n" + QApplication.translate(
            "crash", "The details are in the log file: {0}").format(path)
    return message
