"""Sync: the server this site syncs with, how the last sync went, what waits to be sent,
conflicts to settle (both values side by side, Keep mine / Keep theirs), alerts, errors.

"Sync now" runs on the task runner's worker with a progress dialog and Cancel; a timer syncs
every few minutes in the background when the worker is free. The setup form checks the
server before it stores the address and token.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QTableView,
    QVBoxLayout,
)

from dmdesk.gui.context import GuiContext
from dmdesk.gui.dialogs.join_network import JoinDialog
from dmdesk.gui.models.sync import ConflictModel, status_text
from dmdesk.gui.ops import run_op
from dmdesk.gui.palette import FIELD_ERROR_STYLE
from dmdesk.gui.tasks import Progress
from dmdesk.gui.views.area import Area
from dmdesk.gui.widgets.messages import show_message
from dmdesk.queries.sync_alerts import open_alert_messages
from dmdesk.services.changes import SYNC
from dmdesk.sync import client, conflicts, state
from dmdesk.sync.client import ServerInfo, SyncReport
from dmdesk.sync.transport import SyncError

AUTO_SYNC_MS = 5 * 60 * 1000


class SyncArea(Area):
    status_changed = Signal(str)  # the status bar's sync label
    synced = Signal(object)  # a SyncReport, after each successful sync
    joined = Signal(object)  # the Path of a database just joined to a network: open it
    SHOWS = SYNC

    def __init__(self, gctx: GuiContext, auto_sync_ms: int = AUTO_SYNC_MS) -> None:
        super().__init__()
        self.title = self.tr("Sync")
        self.gctx = gctx
        self.running = False
        layout = QVBoxLayout(self)
        layout.addWidget(self._server_box())
        layout.addWidget(self._setup_box())
        layout.addWidget(self._conflict_box(), 1)
        layout.addWidget(self._alert_box())
        self.timer = QTimer(self)
        self.timer.setInterval(auto_sync_ms)
        self.timer.timeout.connect(self.auto_sync)
        self.timer.start()
        QShortcut(QKeySequence("Ctrl+Shift+S"), self, self.sync_now)
        self.follow_changes(gctx.events)
        QTimer.singleShot(0, self.refresh)  # after the window has set its first status

    # --- building ----------------------------------------------------------------------------

    def _server_box(self) -> QGroupBox:
        box = QGroupBox(self.tr("Server"), self)
        form = QFormLayout(box)
        self.server_label = QLabel(box)
        self.last_label = QLabel(box)
        self.last_label.setWordWrap(True)
        self.pending_label = QLabel(box)
        self.error_label = QLabel(box)
        self.error_label.setObjectName("sync_error")
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet(FIELD_ERROR_STYLE)
        for label in (self.server_label, self.last_label, self.pending_label, self.error_label):
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        form.addRow(self.tr("Server:"), self.server_label)
        form.addRow(self.tr("Last sync:"), self.last_label)
        form.addRow(self.tr("To send:"), self.pending_label)
        form.addRow(self.tr("Problem:"), self.error_label)
        buttons = QHBoxLayout()
        self.sync_button = QPushButton(self.tr("&Sync now"), box)
        self.sync_button.setToolTip(self.tr("Send this site's changes, then receive the "
                                            "others' (Ctrl+Shift+S)"))
        self.sync_button.clicked.connect(self.sync_now)
        self.resync_button = QPushButton(self.tr("&Full resync"), box)
        self.resync_button.setObjectName("full_resync")
        self.resync_button.setToolTip(self.tr(
            "Sync, then receive every change again from the start: fixes what the check at "
            "the end of a sync found missing (what is here already is skipped)"))
        self.resync_button.clicked.connect(lambda: self.sync_now(full_resync=True))
        self.setup_button = QPushButton(self.tr("Change server…"), box)
        self.setup_button.clicked.connect(lambda: self.setup_group.setVisible(True))
        self.join_button = QPushButton(self.tr("Join a network…"), box)
        self.join_button.setToolTip(self.tr("A new database for your site, from the invite "
                                            "the network's owner sent you"))
        self.join_button.clicked.connect(self.open_join_dialog)
        buttons.addWidget(self.sync_button)
        buttons.addWidget(self.resync_button)
        buttons.addWidget(self.setup_button)
        buttons.addWidget(self.join_button)
        buttons.addStretch(1)
        form.addRow(buttons)
        return box

    def _setup_box(self) -> QGroupBox:
        self.setup_group = QGroupBox(self.tr("Connect to a sync server"), self)
        form = QFormLayout(self.setup_group)
        self.url_edit = QLineEdit(self.setup_group)
        self.url_edit.setPlaceholderText("http://server.example:8765")
        self.token_edit = QLineEdit(self.setup_group)
        self.token_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.token_edit.setPlaceholderText(self.tr("the token the owner gave this site"))
        self.setup_message = QLabel(self.setup_group)
        self.setup_message.setWordWrap(True)
        self.connect_button = QPushButton(self.tr("&Connect"), self.setup_group)
        self.connect_button.clicked.connect(self.connect_server)
        for edit in (self.url_edit, self.token_edit):
            edit.textChanged.connect(self._check_setup_form)
            edit.returnPressed.connect(self.connect_server)
        form.addRow(self.tr("Server address:"), self.url_edit)
        form.addRow(self.tr("Token:"), self.token_edit)
        form.addRow(self.setup_message)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.connect_button)
        form.addRow(row)
        self._check_setup_form()
        return self.setup_group

    def _conflict_box(self) -> QGroupBox:
        box = QGroupBox(self.tr("Conflicts: edited here and at another site since the "
                                "last sync"), self)
        layout = QVBoxLayout(box)
        self.conflict_model = ConflictModel(box)
        self.conflict_view = QTableView(box)
        self.conflict_view.setObjectName("conflicts")
        self.conflict_view.setModel(self.conflict_model)
        self.conflict_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.conflict_view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.conflict_view.verticalHeader().hide()
        self.conflict_view.horizontalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.ResizeToContents)
        self.conflict_view.horizontalHeader().setStretchLastSection(True)
        self.conflict_view.setWordWrap(True)
        layout.addWidget(self.conflict_view)
        buttons = QHBoxLayout()
        self.keep_mine = QPushButton(self.tr("Keep &mine"), box)
        self.keep_theirs = QPushButton(self.tr("Keep &theirs"), box)
        self.keep_mine.clicked.connect(lambda: self.settle("local"))
        self.keep_theirs.clicked.connect(lambda: self.settle("remote"))
        buttons.addStretch(1)
        buttons.addWidget(self.keep_mine)
        buttons.addWidget(self.keep_theirs)
        layout.addLayout(buttons)
        self.conflict_view.selectionModel().selectionChanged.connect(self._update_buttons)
        return box

    def _alert_box(self) -> QGroupBox:
        box = QGroupBox(self.tr("Alerts"), self)
        layout = QVBoxLayout(box)
        self.alert_list = QListWidget(box)
        self.alert_list.setObjectName("alerts")
        self.alert_list.setMaximumHeight(110)
        self.alert_list.setWordWrap(True)
        layout.addWidget(self.alert_list)
        return box

    # --- showing -------------------------------------------------------------------------------

    def refresh(self) -> None:
        view = state.overview(self.gctx.db)
        if view.configured:
            self.server_label.setText(self.tr("{0} as site {1} ({2})").format(
                view.server_url, view.site_code, view.role))
        else:
            self.server_label.setText(self.tr("not set up: connect below"))
        when = (view.last_sync_at.astimezone().strftime("%Y-%m-%d %H:%M")
                if view.last_sync_at else self.tr("never"))
        self.last_label.setText(f"{when}: {view.last_result}" if view.last_result else when)
        waiting = self.tr("; {0} received changes wait for rows they refer to").format(
            view.deferred) if view.deferred else ""
        self.pending_label.setText(self.tr("{0} changes").format(view.pending) + waiting)
        self.error_label.setText(view.last_error or self.tr("none"))
        self.error_label.setStyleSheet(FIELD_ERROR_STYLE if view.last_error else "")
        self.setup_group.setVisible(not view.configured)
        self.setup_button.setVisible(view.configured)
        self.sync_button.setEnabled(view.configured and not self.running)
        self.resync_button.setEnabled(view.configured and not self.running)
        self.conflict_model.set_items(conflicts.list_conflicts(self.gctx.db))
        self.alert_list.clear()
        self.alert_list.addItems(self._alerts() or [self.tr("No alerts.")])
        self._update_buttons()
        self.status_changed.emit(status_text(view))

    def _alerts(self) -> list[str]:
        with self.gctx.db.read_session() as session:
            return open_alert_messages(session)

    def _update_buttons(self) -> None:
        chosen = bool(self.conflict_view.selectionModel().selectedRows())
        self.keep_mine.setEnabled(chosen)
        self.keep_theirs.setEnabled(chosen)

    def _check_setup_form(self) -> None:
        url, token = self.url_edit.text().strip(), self.token_edit.text().strip()
        problem = ""
        if url and not url.startswith(("http://", "https://")):
            problem = self.tr("The address starts with http:// or https://.")
        self.setup_message.setText(problem)
        self.setup_message.setStyleSheet(FIELD_ERROR_STYLE if problem else "")
        self.connect_button.setEnabled(bool(url and token and not problem))

    # --- acting ----------------------------------------------------------------------------------

    def _run(self, work: Callable[[Progress], Any], done: Callable[[Any], None],
             title: str | None) -> None:
        """Run a sync as an operation: what it received is announced like any local change,
        so every area showing it refreshes (the hidden ones when next shown)."""
        self.running = True

        def stopped() -> None:
            self.running = False
            self.refresh()

        def finished(result: Any) -> None:
            self.running = False
            done(result)
            self.refresh()

        def failed(error: BaseException, message: str) -> None:
            stopped()
            self.gctx.notify(message)
            # A person asked, or it broke unexpectedly: tell them; a background sync that
            # could not reach the server just shows it here.
            if title is not None or not isinstance(error, SyncError):
                show_message(self, self.tr("Sync"), message)

        run_op(self.gctx.runner, work, what="a sync", parent=self, initiator=self,
               controls=[self.sync_button, self.resync_button], on_done=finished,
               report=failed, on_cancel=stopped, long=title, expected=(SyncError,))

    def sync_now(self, background: bool = False, full_resync: bool = False) -> None:
        if self.running:
            return
        db = self.gctx.db

        def work(progress: Progress) -> SyncReport:
            def report(done: int, total: int, step: str) -> None:
                if not progress.cancelled:
                    progress.report(done, total, self.tr(step))
            return client.run_sync(db, progress=report, cancelled=lambda: progress.cancelled,
                                   full_resync=full_resync)

        def done(report: SyncReport) -> None:
            self.gctx.notify(self.tr("Synced: {0}.").format(report.summary()))
            self.synced.emit(report)

        self._run(work, done, None if background else self.tr("Syncing"))

    def auto_sync(self) -> None:
        """The timer's sync: only when set up, not already syncing, and the worker is free."""
        if self.running or self.gctx.runner.busy or not state.overview(self.gctx.db).configured:
            return
        try:
            self.sync_now(background=True)
        except RuntimeError:  # the worker has shut down: the app is closing
            self.timer.stop()
            self.running = False

    def connect_server(self) -> None:
        if not self.connect_button.isEnabled():
            return
        url, token, db = self.url_edit.text().strip(), self.token_edit.text().strip(), \
            self.gctx.db

        def finished(info: ServerInfo) -> None:
            self.token_edit.clear()
            self.gctx.notify(self.tr("Connected to {0} as site {1}.").format(info.url,
                                                                            info.site))
            self.refresh()

        def failed(_error: BaseException, message: str) -> None:
            self.setup_message.setText(message)
            self.setup_message.setStyleSheet(FIELD_ERROR_STYLE)

        run_op(self.gctx.runner, lambda _p: client.setup(db, url, token),
               what="connecting to a sync server", parent=self, initiator=self,
               controls=[self.connect_button], on_done=finished, report=failed,
               expected=(SyncError,))

    def settle(self, keep: conflicts.Keep) -> None:
        rows = self.conflict_view.selectionModel().selectedRows()
        if not rows:
            return
        item = self.conflict_model.items[rows[0].row()]
        services = self.gctx.services

        def done(_value: Any) -> None:
            self.gctx.notify(self.tr("Settled: {0} of {1} kept; it reaches the other sites at "
                                     "the next sync.").format(item.field, item.label))
            self.refresh()

        run_op(self.gctx.runner, lambda _p: conflicts.settle(services, item.id, keep),
               what="settling a sync conflict", parent=self, initiator=self,
               title=self.tr("Sync"), on_done=done, on_failed=lambda _error: self.refresh())

    def open_join_dialog(self) -> JoinDialog:
        dialog = JoinDialog(self.gctx.runner, self.gctx.db.path.parent, self)

        def accepted() -> None:
            if dialog.result_info is not None:
                self.joined.emit(dialog.result_info.path)

        dialog.accepted.connect(accepted)
        dialog.open()
        return dialog
