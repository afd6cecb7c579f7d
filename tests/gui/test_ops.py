"""gui/ops.py, the one road for every operation: a refusal said as it is and not logged as a
failure; anything else logged with its trace and said with the log's path (forms too); the
controls off while it runs and given back in every case; the tables it wrote announced as one
typed notice; an area that is hidden reloads when shown and, after a sync, every area that
shows a table the sync applied changes to is brought up to date."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit, QMessageBox, QPushButton, QWidget
from pytestqt.qtbot import QtBot

from dmdesk.domain.errors import ValidationError
from dmdesk.gui.app import build_window
from dmdesk.gui.context import GuiContext
from dmdesk.gui.crash import setup_logging
from dmdesk.gui.dialogs.form import FormDialog
from dmdesk.gui.ops import run_op
from dmdesk.gui.views.area import Area
from dmdesk.gui.views.sync import SyncArea
from dmdesk.gui.views.work_orders import WorkOrdersArea
from dmdesk.services import sites, work_orders
from dmdesk.services.changes import Changes
from dmdesk.sync import client
from tests.gui.support import idle, showing
from tests.integration.support import Network
from tests.sync.support import join
from tests.sync_server_process import running_server

WAIT_MS = 20_000


class CountingArea(Area):
    """An area that shows ``shows`` and counts its reloads."""

    def __init__(self, gctx: GuiContext, shows: frozenset[str]) -> None:
        super().__init__()
        self.SHOWS = shows
        self.reloads = 0
        self.follow_changes(gctx.events)

    def refresh(self) -> None:
        self.reloads += 1


class BrokenForm(FormDialog):
    """A form whose service breaks in a way nobody planned for."""

    def __init__(self, gctx: GuiContext) -> None:
        super().__init__("Broken", gctx.runner)
        self.add_field("name", "Name", QLineEdit("x"))

    def submit(self, values: dict[str, Any]) -> Any:
        raise KeyError("no such column")


@pytest.fixture
def log_file(tmp_path: Path) -> Iterator[Path]:
    """The app's log file (as ``dmdesk`` sets it up), taken out of logging afterwards."""
    root = logging.getLogger()
    before = list(root.handlers)
    path = setup_logging(tmp_path / "log")
    yield path
    for handler in root.handlers[:]:
        if handler not in before:
            root.removeHandler(handler)
            handler.close()


def test_a_refusal_is_said_as_it_is_and_not_logged(qtbot: QtBot, gctx: GuiContext,
                                                   log_file: Path) -> None:
    said: list[str] = []
    button = showing(qtbot, QPushButton("Save"))

    def refuse(_progress: object) -> None:
        raise ValidationError("The SKU is empty.", field="sku")

    run_op(gctx.runner, refuse, what="saving a product",
           report=lambda _error, message: said.append(message), controls=[button])
    assert not button.isEnabled()  # while it runs
    idle(qtbot, gctx)
    assert said == ["The SKU is empty."]
    assert button.isEnabled()
    assert "saving a product failed" not in log_file.read_text(encoding="utf-8")


def test_by_default_the_refusal_is_shown_in_a_box_over_the_parent(qtbot: QtBot,
                                                                  gctx: GuiContext) -> None:
    owner = showing(qtbot, QWidget())
    owner.setWindowTitle("Products")

    def refuse(_progress: object) -> None:
        raise ValidationError("P-100 is used in an open work order.")

    run_op(gctx.runner, refuse, what="archiving a product", parent=owner)
    idle(qtbot, gctx)
    qtbot.waitUntil(lambda: owner.findChild(QMessageBox, "error_box") is not None)
    box = owner.findChild(QMessageBox, "error_box")
    assert isinstance(box, QMessageBox)
    assert box.text() == "P-100 is used in an open work order."
    assert box.windowTitle() == "Products" and box.isVisible()
    box.close()


def test_an_unexpected_error_is_logged_with_its_trace_and_the_message_names_the_log(
        qtbot: QtBot, gctx: GuiContext, log_file: Path) -> None:
    said: list[str] = []
    failed: list[BaseException] = []
    button = showing(qtbot, QPushButton("Go"))

    def broken(_progress: object) -> None:
        raise RuntimeError("disk on fire")

    run_op(gctx.runner, broken, what="an export", report=lambda _e, m: said.append(m),
           on_failed=failed.append, controls=[button])
    idle(qtbot, gctx)
    assert len(said) == 1 and said[0].startswith("Something went wrong: disk on fire")
    assert str(log_file) in said[0]
    logged = log_file.read_text(encoding="utf-8")
    assert "an export failed" in logged and "RuntimeError: disk on fire" in logged
    assert "Traceback" in logged
    assert isinstance(failed[0], RuntimeError) and button.isEnabled()


def test_a_form_says_an_unexpected_error_with_the_log_and_logs_it(qtbot: QtBot,
                                                                 gctx: GuiContext,
                                                                 log_file: Path) -> None:
    form = showing(qtbot, BrokenForm(gctx))
    qtbot.mouseClick(form.ok_button, Qt.MouseButton.LeftButton)
    idle(qtbot, gctx)
    qtbot.waitUntil(form.banner.isVisible)
    assert form.banner.text().startswith("Something went wrong: 'no such column'")
    assert str(log_file) in form.banner.text()
    assert "KeyError: 'no such column'" in log_file.read_text(encoding="utf-8")
    assert form.ok_button.isEnabled() and form.isVisible()  # the input stays, to try again


def test_the_controls_wait_for_the_work_and_come_back(qtbot: QtBot, gctx: GuiContext) -> None:
    gate = threading.Event()
    done: list[int] = []
    owner = showing(qtbot, QWidget())
    buttons = [QPushButton("A", owner), QPushButton("B", owner)]
    already_off = QPushButton("C", owner)
    already_off.setEnabled(False)
    run_op(gctx.runner, lambda _p: 7 if gate.wait(10) else 0, what="waiting", parent=owner,
           on_done=done.append, controls=[*buttons, already_off])
    assert not any(b.isEnabled() for b in buttons)
    gate.set()
    idle(qtbot, gctx)
    assert done == [7] and all(b.isEnabled() for b in buttons)
    assert not already_off.isEnabled()  # what was off before stays off


def test_the_notice_names_what_the_service_wrote_and_who_asked(qtbot: QtBot, gctx: GuiContext,
                                                               net: Network) -> None:
    told: list[Changes] = []
    gctx.events.changed.connect(told.append)
    asker = object()
    services = gctx.services
    run_op(gctx.runner, lambda _p: sites.update_site(services, net.mp, name="Porto CNC"),
           what="renaming a site", initiator=asker)
    run_op(gctx.runner, lambda _p: None, what="reading nothing")
    idle(qtbot, gctx)
    assert len(told) == 1  # the read wrote nothing: no notice
    assert told[0].initiator is asker
    assert "site" in told[0].tables and "outbox" in told[0].tables
    assert "product" not in told[0].tables and "stock_move" not in told[0].tables


def test_a_hidden_area_is_told_and_reloads_when_shown(qtbot: QtBot, gctx: GuiContext,
                                                      net: Network) -> None:
    area = CountingArea(gctx, frozenset({"site"}))
    qtbot.addWidget(area)
    unrelated = CountingArea(gctx, frozenset({"contact"}))
    qtbot.addWidget(unrelated)
    services = gctx.services
    run_op(gctx.runner, lambda _p: sites.update_site(services, net.mp, name="Porto CNC"),
           what="renaming a site")
    idle(qtbot, gctx)
    assert area.reloads == 0 and area.stale  # hidden: not reloaded yet, but marked
    assert not unrelated.stale
    area.show()
    assert area.reloads == 1 and not area.stale
    unrelated.show()
    assert unrelated.reloads == 0
    # Visible, it reloads at once; the area that asked is left to reload itself.
    run_op(gctx.runner, lambda _p: sites.update_site(services, net.mp, name="Porto"),
           what="renaming a site")
    idle(qtbot, gctx)
    assert area.reloads == 2
    run_op(gctx.runner, lambda _p: sites.update_site(services, net.mp, name="Porto 2"),
           what="renaming a site", initiator=area)
    idle(qtbot, gctx)
    assert area.reloads == 2 and unrelated.reloads == 0


def test_a_sync_brings_every_area_that_shows_what_it_applied_up_to_date(
        qtbot: QtBot, gctx: GuiContext, net: Network, tmp_path: Path) -> None:
    order = work_orders.create_work_order(gctx.services, net.frame, 2, net.mp, date(2026, 12, 1))
    with running_server(None, tmp_path) as server:
        client.setup(gctx.db, server.base_url, server.add_site("HQ", role="owner"))
        client.run_sync(gctx.db)
        mp = join(server, tmp_path / "mp1.sqlite", "MP1")
        try:
            mp.sync()
            work_orders.update_work_order(mp.ctx, order.id, notes="Booth down")  # at MP1
            assert mp.sync().pushed == 1
            window, _ = build_window(gctx.db, gctx.runner)
            qtbot.addWidget(window)
            window.resize(1280, 800)
            window.show()
            work = window.show_area("Work orders")
            assert isinstance(work, WorkOrdersArea)
            assert work.list.select_id(order.id)
            qtbot.waitUntil(lambda: work.current is not None and work.current.id == order.id)
            assert work.current is not None and work.current.notes == ""  # not synced yet
            told: list[Changes] = []
            gctx.events.changed.connect(told.append)
            sync = window.show_area("Sync")
            assert isinstance(sync, SyncArea)
            sync.sync_now()
            qtbot.waitUntil(lambda: not sync.running, timeout=3 * WAIT_MS)
            assert sync.error_label.text() == "none", sync.error_label.text()
        finally:
            mp.db.close()
    applied = told[-1].tables
    assert "work_order" in applied and told[-1].initiator is sync
    for area in window.areas:
        if area is not sync:  # each hidden area that shows an applied table waits for it
            assert area.stale == bool(area.SHOWS & applied), area.title
    assert any(not area.stale for area in window.areas if area is not sync)  # some do not
    # The Work orders area, hidden during the sync, shows MP1's note once it is shown, with
    # no reload asked for: its own follower reloads it on showing.
    work.show()
    assert not work.stale
    assert work.current is not None and work.current.notes == "Booth down"
    idle(qtbot, gctx)
