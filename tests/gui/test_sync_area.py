"""The Sync area against a real sync server process: set up by typing the address and token,
Sync now on the worker, a conflict shown with both values and settled with Keep theirs (and
the settlement reaching the other site), an unreachable server shown as an error, and the
timer's background sync. The status bar's wording is checked on the way."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from dmdesk.db import models as m
from dmdesk.gui.context import GuiContext
from dmdesk.gui.views.sync import SyncArea
from dmdesk.services import work_orders
from dmdesk.sync.push import pending_count
from tests.integration.support import Network
from tests.sync.support import join
from tests.sync_server_process import running_server

WAIT_MS = 20_000


def _close_error_boxes() -> list[str]:
    texts = []
    for widget in QApplication.topLevelWidgets():
        if isinstance(widget, QMessageBox) and widget.isVisible():
            texts.append(widget.text())
            widget.close()
    return texts


def test_sync_area_end_to_end(qtbot: QtBot, gctx: GuiContext, net: Network, tmp_path: Path,
                              screenshots: Path) -> None:
    statuses: list[str] = []
    with running_server(None, tmp_path) as server:
        token = server.add_site("HQ", role="owner")
        area = SyncArea(gctx)
        area.status_changed.connect(statuses.append)
        qtbot.addWidget(area)
        area.resize(1100, 720)
        area.show()
        qtbot.waitUntil(lambda: bool(statuses))
        assert statuses[-1] == "Sync: not set up"
        assert area.setup_group.isVisible() and not area.sync_button.isEnabled()
        ModelTester(None).check(area.conflict_model)  # type: ignore[arg-type]

        qtbot.keyClicks(area.url_edit, "ftp://nowhere")
        qtbot.keyClicks(area.token_edit, token)
        assert not area.connect_button.isEnabled() and "http" in area.setup_message.text()
        area.url_edit.setText(server.base_url)
        assert area.connect_button.isEnabled()
        area.grab().save(str(screenshots / "sync-setup.png"))
        qtbot.mouseClick(area.connect_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: server.base_url in area.server_label.text(), timeout=WAIT_MS)
        assert not area.setup_group.isVisible() and area.token_edit.text() == ""
        assert statuses[-1].endswith("changes to send")

        order = work_orders.create_work_order(gctx.services, net.frame, 2, net.mp,
                                             date(2026, 12, 1))
        qtbot.mouseClick(area.sync_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: pending_count(gctx.db) == 0 and not area.running,
                        timeout=WAIT_MS)
        assert statuses[-1].startswith("Sync: synced ")
        assert "sent " in area.last_label.text()

        # MP1 joins, and both edit the order's notes while apart; MP1 syncs first.
        mp = join(server, tmp_path / "mp1.sqlite", "MP1")
        mp.sync()
        work_orders.update_work_order(gctx.services, order.id, notes="Blue powder coat")
        work_orders.update_work_order(mp.ctx, order.id, notes="Booth down until Friday")
        mp.sync()
        area.sync_now()
        qtbot.waitUntil(lambda: area.conflict_model.rowCount() == 1 and not area.running,
                        timeout=WAIT_MS)
        assert statuses[-1] == "Sync: 1 conflicts to settle"
        index = area.conflict_model.index
        assert index(0, 2).data() == "Blue powder coat"
        assert index(0, 3).data() == "Booth down until Friday"
        assert index(0, 4).data() == "MP1"
        assert not area.keep_theirs.isEnabled()
        area.conflict_view.selectRow(0)
        area.grab().save(str(screenshots / "sync-conflict.png"))
        qtbot.mouseClick(area.keep_theirs, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: area.conflict_model.rowCount() == 0, timeout=WAIT_MS)
        area.sync_now()
        qtbot.waitUntil(lambda: pending_count(gctx.db) == 0 and not area.running,
                        timeout=WAIT_MS)
        mp.sync()
        for db in (gctx.db, mp.db):
            with db.read_session() as session:
                held = session.get(m.WorkOrder, order.id)
                assert held is not None and held.notes == "Booth down until Friday"

        # The server goes away: the area says so, in words, and nothing is lost.
        server.stop()
        work_orders.update_work_order(gctx.services, order.id, priority=1)
        area.sync_now()
        qtbot.waitUntil(lambda: "Cannot reach" in area.error_label.text(), timeout=WAIT_MS)
        qtbot.waitUntil(lambda: bool(_close_error_boxes()) or True)
        assert statuses[-1] == "Sync: error (see the Sync area)"
        area.grab().save(str(screenshots / "sync-error.png"))
        assert pending_count(gctx.db) > 0

        # Back up: the timer's background sync sends what waited, with no dialog.
        server.start(server.port if server.base_url else 0)
        area.timer.setInterval(200)
        qtbot.waitUntil(lambda: pending_count(gctx.db) == 0 and not area.running,
                        timeout=WAIT_MS)
        qtbot.waitUntil(lambda: statuses[-1].startswith("Sync: synced "), timeout=WAIT_MS)
        assert area.error_label.text() == "none"
        _close_error_boxes()
        area.timer.stop()
        mp.db.close()


def test_the_status_bar_follows_the_sync_state(qtbot: QtBot, gctx: GuiContext,
                                               net: Network) -> None:
    from dmdesk.gui.app import build_window
    from dmdesk.sync import state

    with gctx.db.write_session() as session:  # set up, nothing sent yet (no server needed)
        row = state.load(session)
        row.server_url, row.token, row.site_code, row.role = (
            "http://127.0.0.1:9", "t", "HQ", "owner")
    window, _ = build_window(gctx.db, gctx.runner)
    qtbot.addWidget(window)
    waiting = pending_count(gctx.db)
    qtbot.waitUntil(lambda: window.sync_label.text() == f"Sync: {waiting} changes to send")
