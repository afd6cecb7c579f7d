"""Join a network… in the app, against a real server process: the owner makes the invite with
the real CLI; the producer pastes it on the welcome dialog (checked as typed, the site and
server shown), joins on the worker, and the app opens the new database showing the network's
products. Then, from that window's Sync area, a second invite joins another site's database
and the app goes on in its window."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, QSettings, Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from shiboken6 import isValid
from sqlalchemy import select

from dmdesk.cli import main
from dmdesk.db import models as m
from dmdesk.db.database import open_database
from dmdesk.gui.app import Session, open_session, wire
from dmdesk.gui.dialogs.welcome import WelcomeDialog
from dmdesk.gui.producer_mode import MyWorkOrdersArea
from dmdesk.gui.views.products import ProductsArea
from dmdesk.gui.views.sync import SyncArea
from dmdesk.services import work_orders
from dmdesk.services.context import SETTING_SITE, ServiceContext
from tests.gui.support import listed
from tests.gui.test_producer_mode import PRODUCER_AREAS
from tests.integration.support import build_network
from tests.sync.support import join as setup_site
from tests.sync_server_process import RunningServer, running_server

WAIT_MS = 60_000


@pytest.fixture(autouse=True)
def isolated_settings(tmp_path: Path) -> Iterator[None]:
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope,
                      str(tmp_path / "settings"))
    organisation = QApplication.organizationName()
    QApplication.setOrganizationName("dmdesk-tests")
    windows = set(QApplication.topLevelWidgets())
    yield
    QSettings().clear()
    # The windows the joins opened go now, not at the end of the process, so that no later
    # test meets them.
    for widget in set(QApplication.topLevelWidgets()) - windows:
        widget.close()
        widget.deleteLater()
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    QApplication.setOrganizationName(organisation)


def _invite(server: RunningServer, capsys: pytest.CaptureFixture[str], code: str) -> str:
    assert main(["server", "invite", code, "--db", server.db_url, "--url",
                 server.base_url]) == 0
    return capsys.readouterr().out.strip().splitlines()[-1]


def _skus(session: Session) -> list[str]:
    area = next(a for a in session.window.areas if isinstance(a, ProductsArea))
    area.refresh()
    model = area.list.model
    return [str(model.row_values(row)["sku"]) for row in range(model.rowCount())]


def _site_of(path: Path) -> tuple[str | None, set[str]]:
    db = open_database(path, create=False)
    try:
        with db.read_session() as session:
            return (session.scalar(select(m.Setting.value).where(m.Setting.key == SETTING_SITE)),
                    set(session.scalars(select(m.Product.sku))))
    finally:
        db.close()


def test_a_producer_joins_from_the_welcome_dialog_and_the_sync_area(
        qtbot: QtBot, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "server").mkdir()
    with running_server(None, tmp_path / "server") as server:
        hq = setup_site(server, tmp_path / "hq.sqlite", "HQ", role="owner")
        build_network(ServiceContext(hq.db))
        hq.sync()
        hq.db.close()
        server.add_site("MP1")
        server.add_site("WH")
        text = _invite(server, capsys, "MP1")

        folder = tmp_path / "producer"
        welcome = WelcomeDialog(folder, [])
        qtbot.addWidget(welcome)
        welcome.show()
        qtbot.mouseClick(welcome.join_button, Qt.MouseButton.LeftButton)
        dialog = welcome.join_dialog
        assert dialog is not None and dialog.isVisible()
        assert not dialog.join_button.isEnabled()
        qtbot.keyClicks(dialog.invite_edit, text[:-3])  # cut short while pasting
        assert "damaged or incomplete" in dialog.info_label.text()
        assert not dialog.join_button.isEnabled()
        dialog.invite_edit.setText(text)
        assert dialog.info_label.text() == f"Joins as site MP1, syncing with {server.base_url}."
        assert dialog.path_edit.text() == str(folder / "mp1.sqlite")
        qtbot.mouseClick(dialog.join_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: welcome.choice is not None, timeout=WAIT_MS)
        assert welcome.choice == ("open", (folder / "mp1.sqlite").resolve())
        assert _site_of(folder / "mp1.sqlite") == ("MP1", {"STEEL", "SCREW", "FABRIC", "FRAME",
                                                           "CHAIR"})

        session = open_session(welcome.choice[1])
        assert session is not None
        sessions = [session]
        wire(session, sessions)
        try:
            qtbot.waitUntil(lambda: "CHAIR" in _skus(session), timeout=WAIT_MS)
            assert session.window.windowTitle() == "dmdesk — mp1.sqlite"

            # From the Sync area of the open window: another site's invite, a new window.
            sync = next(a for a in session.window.areas if isinstance(a, SyncArea))
            second = sync.open_join_dialog()
            second.invite_edit.setText(_invite(server, capsys, "WH"))
            assert second.path_edit.text() == str(folder.resolve() / "wh.sqlite")
            qtbot.mouseClick(second.join_button, Qt.MouseButton.LeftButton)
            qtbot.waitUntil(lambda: len(sessions) == 2, timeout=WAIT_MS)
            # The first window went (closed, then deleted); the new one shows.
            assert not isValid(session.window) or not session.window.isVisible()
            assert sessions[1].window.isVisible()
            assert sessions[1].window.windowTitle() == "dmdesk — wh.sqlite"
            qtbot.waitUntil(lambda: "FRAME" in _skus(sessions[1]), timeout=WAIT_MS)
            assert _site_of(folder / "wh.sqlite")[0] == "WH"
        finally:
            for each in sessions:
                each.gctx.runner.wait_idle()
                each.close()


def test_a_producer_joins_with_the_keyboard_and_works_in_producer_mode(
        qtbot: QtBot, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Invite → join → first sync → producer mode, without the mouse: the producer's window
    holds its areas only, its work order, and the products that order needs (no others)."""
    (tmp_path / "server").mkdir()
    with running_server(None, tmp_path / "server") as server:
        hq = setup_site(server, tmp_path / "hq.sqlite", "HQ", role="owner")
        ctx = ServiceContext(hq.db)
        net = build_network(ctx)
        order = work_orders.create_work_order(ctx, net.frame, 6, net.mp, "2030-06-30")
        work_orders.create_work_order(ctx, net.chair, 2, net.hq, "2030-06-30")
        hq.sync()
        hq.db.close()
        server.add_site("MP1", role="producer")
        text = _invite(server, capsys, "MP1")

        folder = tmp_path / "producer"
        welcome = WelcomeDialog(folder, [])
        qtbot.addWidget(welcome)
        welcome.show()
        welcome.join_button.setFocus()
        qtbot.keyClick(welcome.join_button, Qt.Key.Key_Space)
        dialog = welcome.join_dialog
        assert dialog is not None and dialog.isVisible()
        assert dialog.focusWidget() is dialog.invite_edit  # paste straight away
        qtbot.keyClicks(dialog.invite_edit, text)
        qtbot.keyClick(dialog.invite_edit, Qt.Key.Key_Return)  # Join is the default button
        qtbot.waitUntil(lambda: welcome.choice is not None, timeout=WAIT_MS)
        path = (folder / "mp1.sqlite").resolve()
        assert welcome.choice == ("open", path)
        assert _site_of(path) == ("MP1", {"STEEL", "SCREW", "FRAME"})  # no chair, no fabric

        session = open_session(path)
        assert session is not None
        try:
            window = session.window
            assert window.windowTitle() == "Producer: MP1 — mp1.sqlite"
            assert [a.title for a in window.areas] == PRODUCER_AREAS
            mine = window.current_area()
            assert isinstance(mine, MyWorkOrdersArea)
            mine.refresh()
            assert listed(mine, "number") == [order.number]
            products_area = window.show_area("Products")
            assert isinstance(products_area, ProductsArea)
            assert sorted(_skus(session)) == ["FRAME", "SCREW", "STEEL"]
        finally:
            session.gctx.runner.wait_idle()
            session.close()
