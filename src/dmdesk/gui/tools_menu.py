"""The main window's Tools menu: trace a lot, and verify the audit log's hash chain (each entry
hashes the one before it, so an edit of history shows); both read on the worker."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QMainWindow, QMessageBox

from dmdesk.gui.context import GuiContext
from dmdesk.gui.dialogs.form import dispose_when_idle
from dmdesk.gui.dialogs.trace_lot import TraceLotDialog
from dmdesk.gui.ops import run_op
from dmdesk.gui.tasks import Progress
from dmdesk.queries.traceability import AuditVerification, verify_audit_chain


def _tr(text: str) -> str:
    return QCoreApplication.translate("tools", text)


def open_trace(gctx: GuiContext, window: QMainWindow, lot: str = "") -> TraceLotDialog:
    dialog = TraceLotDialog(gctx, window, lot)
    dialog.finished.connect(lambda _r: dispose_when_idle(dialog, gctx.runner))
    dialog.open()
    return dialog


def audit_message(result: AuditVerification) -> str:
    if result.ok:
        return _tr("The audit chain is intact: {0} entries checked, each linked to the one "
                   "before it.").format(f"{result.entries:,}")
    return _tr("The audit chain is broken ({0} entries checked):\n{1}").format(
        f"{result.entries:,}", "\n".join(result.problems))


def verify_audit(gctx: GuiContext, window: QMainWindow) -> QMessageBox:
    """Check the chain on the worker; the answer comes in a message box (returned, so tests
    can read it)."""
    box = QMessageBox(window)
    box.setObjectName("audit_result")
    box.setWindowTitle(_tr("Verify audit chain"))
    box.setText(_tr("Checking the audit chain…"))

    def done(result: AuditVerification) -> None:
        box.setIcon(QMessageBox.Icon.Information if result.ok else QMessageBox.Icon.Critical)
        box.setText(audit_message(result))
        gctx.notify(audit_message(result).splitlines()[0])

    def check(_progress: Progress) -> AuditVerification:
        return verify_audit_chain(gctx.db)

    run_op(gctx.runner, check, what="verifying the audit chain", parent=window, on_done=done,
           report=lambda _error, message: box.setText(message),
           long=_tr("Verifying the audit chain"))
    box.open()
    return box


def add_tools_menu(window: QMainWindow, gctx: GuiContext) -> None:
    menu = window.menuBar().addMenu(_tr("&Tools"))
    menu.setObjectName("tools_menu")
    trace = menu.addAction(_tr("&Trace a lot…"))
    trace.setObjectName("trace_lot_action")
    trace.setShortcut(QKeySequence("Ctrl+Shift+T"))
    trace.triggered.connect(lambda: open_trace(gctx, window))
    audit = menu.addAction(_tr("&Verify audit chain"))
    audit.setObjectName("verify_audit_action")
    audit.triggered.connect(lambda: verify_audit(gctx, window))
