"""The check that ends every sync, as the Sync area shows it: a stock move deleted behind the
app's back is reported missing in the alerts, and the Full resync button brings it back
(against a real sync server process)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from dmdesk.gui.context import GuiContext
from dmdesk.gui.views.sync import SyncArea
from dmdesk.services import stock
from dmdesk.sync import client
from tests.integration.support import Network
from tests.sync.support import join
from tests.sync_server_process import running_server

WAIT_MS = 30_000


def _alerts(area: SyncArea) -> list[str]:
    return [area.alert_list.item(i).text() for i in range(area.alert_list.count())]


def test_a_missing_move_is_shown_and_the_full_resync_button_brings_it_back(
        qtbot: QtBot, gctx: GuiContext, net: Network, tmp_path: Path,
        screenshots: Path) -> None:
    with running_server(None, tmp_path) as server:
        client.setup(gctx.db, server.base_url, server.add_site("HQ", role="owner"))
        client.run_sync(gctx.db)
        mp = join(server, tmp_path / "mp1.sqlite", "MP1")
        mp.sync()
        stock.receive(mp.ctx, net.screw, net.mp_stock, "25")
        mp.sync()
        area = SyncArea(gctx)
        qtbot.addWidget(area)
        area.resize(1100, 720)
        area.show()
        area.sync_now()
        qtbot.waitUntil(lambda: not area.running and "sent" in area.last_label.text(),
                        timeout=WAIT_MS)
        assert _alerts(area) == ["No alerts."]

        with sqlite3.connect(gctx.db.path) as conn:  # a tool that bypasses dmdesk
            conn.execute("DROP TRIGGER stock_move_no_delete")
            conn.execute("DELETE FROM stock_move WHERE location_id = ?", (net.mp_stock.bytes,))
            conn.execute("UPDATE stock_balance SET on_hand = 0 WHERE location_id = ?",
                         (net.mp_stock.bytes,))
        area.sync_now()
        qtbot.waitUntil(lambda: not area.running and any(
            "1 is missing" in text for text in _alerts(area)), timeout=WAIT_MS)
        [alert] = _alerts(area)
        assert alert.startswith("This site holds ") and "stock moves; 1 is missing: run a " \
            "full resync (Sync area" in alert
        assert "1 is missing" in area.last_label.text()
        area.grab().save(str(screenshots / "sync-gap.png"))

        assert area.resync_button.isEnabled()
        qtbot.mouseClick(area.resync_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: not area.running and _alerts(area) == ["No alerts."],
                        timeout=WAIT_MS)
        with gctx.db.reader.connect() as conn:
            back = conn.exec_driver_sql("SELECT COUNT(*) FROM stock_move WHERE location_id = ?",
                                        (net.mp_stock.bytes,)).scalar_one()
        assert back == 1
        mp.db.close()
