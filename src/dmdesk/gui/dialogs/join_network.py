"""Join a network…: paste the owner's invite, see which site and server it is for, choose
where the new database goes, and join (first sync on the task runner, with Cancel).

Accepted means joined: ``result`` holds where the database is; the caller opens it.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QWidget,
)

from dmdesk.domain.errors import DomainError
from dmdesk.gui.ops import run_op
from dmdesk.gui.palette import FIELD_ERROR_STYLE
from dmdesk.gui.tasks import Progress, TaskRunner
from dmdesk.sync import invite
from dmdesk.sync.join import JoinResult, join
from dmdesk.sync.transport import SyncError

FILE_FILTER = "dmdesk databases (*.sqlite *.db);;All files (*)"


class JoinDialog(QDialog):
    def __init__(self, runner: TaskRunner, default_folder: Path,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Join a network"))
        self.setMinimumWidth(560)
        self.runner = runner
        self.default_folder = default_folder
        self.result_info: JoinResult | None = None
        self.progress: Progress | None = None
        self._suggested = ""
        intro = QLabel(self.tr("Paste the invite the network's owner sent you (made with "
                               "<i>dmdesk server invite</i>). A new database is made for your "
                               "site and filled from the server."), self)
        intro.setWordWrap(True)
        self.invite_edit = QLineEdit(self)
        self.invite_edit.setObjectName("invite")
        self.invite_edit.setPlaceholderText("dmdesk-invite:…")
        self.invite_edit.textChanged.connect(self._check)
        self.info_label = QLabel(self)
        self.info_label.setObjectName("invite_info")
        self.info_label.setWordWrap(True)
        self.path_edit = QLineEdit(self)
        self.path_edit.setObjectName("database_path")
        self.path_edit.textChanged.connect(self._update_button)
        browse = QPushButton(self.tr("Choose…"), self)
        browse.clicked.connect(self._browse)
        where = QHBoxLayout()
        where.addWidget(self.path_edit, 1)
        where.addWidget(browse)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, self)
        self.join_button = self.buttons.addButton(self.tr("&Join"),
                                                  QDialogButtonBox.ButtonRole.AcceptRole)
        self.join_button.setDefault(True)  # Enter joins once the invite checks out
        self.buttons.accepted.connect(self.start)
        self.buttons.rejected.connect(self.reject)
        form = QFormLayout(self)
        form.addRow(intro)
        form.addRow(self.tr("Invite:"), self.invite_edit)
        form.addRow(self.info_label)
        form.addRow(self.tr("New database:"), where)
        form.addRow(self.buttons)
        self.invite_edit.setFocus()  # the user comes here to paste the invite
        self._check()

    def _check(self) -> None:
        """Validate the invite as it is typed or pasted; show whom it is for."""
        text = self.invite_edit.text()
        try:
            found = invite.decode(text)
        except invite.InviteError as exc:
            self._say(str(exc) if text.strip() else "", error=bool(text.strip()))
            self._update_button()
            return
        self._say(self.tr("Joins as site {0}, syncing with {1}.").format(found.site, found.url))
        suggestion = str(self.default_folder / f"{found.site.lower()}.sqlite")
        if not self.path_edit.text() or self.path_edit.text() == self._suggested:
            self.path_edit.setText(suggestion)
            self._suggested = suggestion
        self._update_button()

    def _say(self, text: str, *, error: bool = False) -> None:
        self.info_label.setText(text)
        self.info_label.setStyleSheet(FIELD_ERROR_STYLE if error else "")

    def _valid(self) -> bool:
        try:
            invite.decode(self.invite_edit.text())
        except invite.InviteError:
            return False
        return bool(self.path_edit.text().strip())

    def _update_button(self) -> None:
        self.join_button.setEnabled(self.progress is None and self._valid())

    def _browse(self) -> None:
        name, _ = QFileDialog.getSaveFileName(self, self.tr("New database"),
                                              self.path_edit.text() or str(self.default_folder),
                                              FILE_FILTER)
        if name:
            self.path_edit.setText(name)

    def start(self) -> None:
        if not self.join_button.isEnabled():
            return
        text, path = self.invite_edit.text(), Path(self.path_edit.text().strip())

        def work(progress: Progress) -> JoinResult:
            def report(done: int, total: int, step: str) -> None:
                if not progress.cancelled:
                    progress.report(done, total, self.tr(step))
            return join(text, path, progress=report, cancelled=lambda: progress.cancelled)

        self._say(self.tr("Joining…"))
        self.progress = run_op(self.runner, work, what="joining a network", parent=self,
                               on_done=self._joined, report=self._failed,
                               on_cancel=self._cancelled, expected=(DomainError, SyncError),
                               long=self.tr("Joining the network…"))
        self._update_button()

    def _joined(self, result: JoinResult) -> None:
        self.progress = None
        self.result_info = result
        self.accept()

    def _failed(self, error: BaseException, message: str) -> None:
        self.progress = None
        self._say(message or type(error).__name__, error=True)
        self._update_button()

    def _cancelled(self) -> None:
        self.progress = None
        self._say(self.tr("Join cancelled; nothing was kept."), error=True)
        self._update_button()

    def reject(self) -> None:
        if self.progress is not None:  # joining: stop it first; the dialog stays to say so
            self.progress.cancel()
            return
        super().reject()
