"""The issue's flow, through the real Sites area: mark a site offline, accept the proposed
moves, and see in the database the work orders and the stock where they should be.

The network (tests.integration.network_geo) makes the answer known: only HQ (Lisbon) and MP2
(Faro) can make chairs, so HQ's chairs go to MP2, with the stock reserved for them at HQ
following on transfers; a frame order nobody else can make stays, and the dialog says why.
"""

from __future__ import annotations

import threading
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QComboBox, QDialogButtonBox
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from dmdesk.db import models as m
from dmdesk.db.models_network import WorkOrderReroute
from dmdesk.gui.context import GuiContext
from dmdesk.gui.dialogs.reroute import RerouteDialog
from dmdesk.gui.dialogs.site_form import SiteForm
from dmdesk.gui.views.sites import SitesArea
from dmdesk.services import stock, work_orders
from tests.gui.support import showing
from tests.integration.network_geo import TODAY, GeoNetwork, build_geo_network
from tests.integration.support import assert_cache_matches_ledger, balance, on_hand

WAIT_MS = 15_000
pytestmark = pytest.mark.actor("owner")


@pytest.fixture
def geo(gctx: GuiContext) -> GeoNetwork:
    ctx, geo = gctx.services, build_geo_network(gctx.services)
    net = geo.net
    stock.receive(ctx, net.frame, net.hq_stock, 10)
    stock.receive(ctx, net.fabric, net.hq_stock, 10, lot_code="F-7")
    stock.receive(ctx, net.screw, net.hq_stock, 100)
    stock.receive(ctx, net.screw, geo.mp2_stock, 8)
    return geo


def test_take_a_site_offline_and_accept_the_moves(qtbot: QtBot, gctx: GuiContext,
                                                  geo: GeoNetwork, screenshots: Path,
                                                  qtmodeltester: ModelTester) -> None:
    ctx, net = gctx.services, geo.net
    due = TODAY + timedelta(days=21)
    draft = work_orders.create_work_order(ctx, net.chair, 1, net.hq, due)
    released = work_orders.create_work_order(ctx, net.chair, 2, net.hq, due)
    work_orders.release(ctx, released.id)
    started = work_orders.create_work_order(ctx, net.chair, 3, net.hq, due)
    work_orders.release(ctx, started.id)
    work_orders.start(ctx, started.id)
    work_orders.report_progress(ctx, started.id, 10, good=2, scrap=1, finished=True)
    stuck = work_orders.create_work_order(ctx, net.frame, 4, net.hq, due)  # only HQ makes it

    area = showing(qtbot, SitesArea(gctx), (1280, 760))
    assert area.list.select_id(net.hq)
    assert area.detail.offline_button.text() == "Take offline…"
    assert not area.detail.move_button.isVisible()  # active: its work is where it belongs
    qtbot.mouseClick(area.detail.offline_button, Qt.MouseButton.LeftButton)
    dialog = area.dialog
    assert isinstance(dialog, RerouteDialog)
    qtbot.waitUntil(lambda: dialog.proposal is not None, timeout=WAIT_MS)
    model, table = dialog.model, dialog.table
    assert model.rowCount() == 4
    qtmodeltester.check(model)
    rows = {model.index(r, 1).data(): r for r in range(4)}
    for order in (draft, released, started):
        assert model.index(rows[order.number], 6).data().startswith("MP2 ")
    stuck_cell = model.index(rows[stuck.number], 6)
    assert stuck_cell.data().startswith("nowhere") and "laser-cut" in stuck_cell.data()
    assert not model.flags(stuck_cell) & Qt.ItemFlag.ItemIsEditable
    assert "FRAME" in model.index(rows[released.number], 7).data()
    assert "2 good, 1 scrap" in model.index(rows[started.number], 8).data()
    # The site cell edits as a combo of the candidates (MP2 is the only other chair maker).
    table.edit(model.index(rows[draft.number], 6))
    editor = table.findChild(QComboBox, "move_to")
    assert isinstance(editor, QComboBox) and editor.count() == 1
    assert editor.currentText().startswith("MP2 ")
    table.closePersistentEditor(model.index(rows[draft.number], 6))
    # Untick one by clicking its box, then accept all (the unmovable order cannot be ticked).
    box = table.visualRect(model.index(rows[draft.number], 0))
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton,
                     pos=box.topLeft() + QPoint(12, box.height() // 2))
    assert model.index(rows[draft.number], 0).data(Qt.ItemDataRole.CheckStateRole) == \
        Qt.CheckState.Unchecked
    assert len(dialog.chosen()) == 2
    assert dialog.apply_button.text() == "Mark offline and move 2 work orders"
    qtbot.mouseClick(dialog.select_all, Qt.MouseButton.LeftButton)
    assert len(dialog.chosen()) == 3
    assert model.index(rows[stuck.number], 0).data(Qt.ItemDataRole.CheckStateRole) == \
        Qt.CheckState.Unchecked
    assert dialog.apply_button.text() == "Mark offline and move 3 work orders"
    qtbot.keyClicks(dialog.reason, "roof repairs")
    dialog.grab().save(str(screenshots / "reroute-dialog.png"))
    with qtbot.waitSignal(dialog.applied, timeout=WAIT_MS):
        qtbot.mouseClick(dialog.apply_button, Qt.MouseButton.LeftButton)
    assert dialog.outcome is not None
    assert len(dialog.outcome.moved) == 3 and dialog.outcome.failed == ()
    assert "HQ is now offline." in dialog.message.text()
    dialog.grab().save(str(screenshots / "reroute-dialog-done.png"))

    with gctx.db.read_session() as session:
        assert session.get(m.Site, net.hq).status == "offline"  # type: ignore[union-attr]
        for order in (draft, released, started):
            assert session.get(m.WorkOrder, order.id).site_id == geo.mp2  # type: ignore[union-attr]
        assert session.get(m.WorkOrder, stuck.id).site_id == net.hq  # type: ignore[union-attr]
        kept = session.get(m.WorkOrder, started.id)
        assert kept is not None and kept.state == "in_progress"
        assert (kept.operations[0].good_qty, kept.operations[0].scrap_qty) == (2, 1)
        assert set(session.scalars(select(m.Reservation.location_id))) == {geo.mp2_stock}
        history = session.scalars(select(WorkOrderReroute)).all()
        assert {(h.from_site_id, h.to_site_id) for h in history} == {(net.hq, geo.mp2)}
        assert all(h.reason == "roof repairs" for h in history) and len(history) == 3
        shipped = session.scalars(select(m.Transfer).where(m.Transfer.state == "shipped")).all()
    # MP2's own 8 screws are reserved for the released chairs; the frames reserved at HQ for
    # the released and started orders (2 + 3) left HQ on transfers to MP2.
    assert balance(gctx.db, net.screw, geo.mp2_stock) == (Decimal(8), Decimal(8))
    assert on_hand(gctx.db, net.frame, net.hq_stock) == 10 - 5
    assert shipped and all(t.to_location_id == geo.mp2_stock for t in shipped)
    assert_cache_matches_ledger(gctx.db)

    # The lists followed: HQ reads offline, its open work is the frame order only.
    close = dialog.buttons.button(QDialogButtonBox.StandardButton.Cancel)
    assert close.text() == "Close"
    qtbot.mouseClick(close, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible()
    assert area.detail.subheading.text().endswith("offline")
    assert area.detail.offline_button.text() == "Bring back online"
    qtbot.waitUntil(lambda: area.detail.open_work.rowCount() == 1, timeout=WAIT_MS)
    assert area.detail.open_work.row_values(0)["number"] == stuck.number
    assert area.detail.move_button.isVisible()  # the frame order can still be moved later
    area.grab().save(str(screenshots / "sites-after-reroute.png"))
    qtbot.mouseClick(area.detail.offline_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: area.detail.subheading.text().endswith("active"), timeout=WAIT_MS)


def test_pausing_a_site_in_its_form_offers_to_move_its_work(qtbot: QtBot, gctx: GuiContext,
                                                            geo: GeoNetwork) -> None:
    net = geo.net
    order = work_orders.create_work_order(gctx.services, net.chair, 1, net.hq,
                                         TODAY + timedelta(days=21))
    area = showing(qtbot, SitesArea(gctx))
    assert area.list.select_id(net.hq)
    area.edit_site(net.hq)
    form = area.form
    assert isinstance(form, SiteForm)
    status = form.fields["status"].widget
    assert isinstance(status, QComboBox)
    status.setCurrentIndex(status.findData("paused"))
    qtbot.mouseClick(form.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: isinstance(area.dialog, RerouteDialog), timeout=WAIT_MS)
    dialog = area.dialog
    assert isinstance(dialog, RerouteDialog)
    assert dialog.status.currentData() == "paused"
    qtbot.waitUntil(lambda: dialog.proposal is not None, timeout=WAIT_MS)
    assert dialog.chosen() == ((order.id, geo.mp2),)
    with qtbot.waitSignal(dialog.applied, timeout=WAIT_MS):
        qtbot.mouseClick(dialog.apply_button, Qt.MouseButton.LeftButton)
    with gctx.db.read_session() as session:
        assert session.get(m.Site, net.hq).status == "paused"  # type: ignore[union-attr]
        assert session.get(m.WorkOrder, order.id).site_id == geo.mp2  # type: ignore[union-attr]


def test_cancelling_the_search_closes_the_dialog_and_changes_nothing(
        qtbot: QtBot, gctx: GuiContext, geo: GeoNetwork) -> None:
    ctx, net = gctx.services, geo.net
    order = work_orders.create_work_order(ctx, net.chair, 1, net.hq, TODAY + timedelta(days=21))
    # Hold the worker so the search is still queued when Cancel is pressed (one worker thread).
    gate = threading.Event()
    gctx.runner.run(lambda _progress: gate.wait(10))
    dialog = RerouteDialog(gctx, net.hq, today=TODAY)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.loading.cancel()  # what the progress dialog's Cancel button does
    with qtbot.waitSignal(dialog.rejected, timeout=WAIT_MS):
        gate.set()
    assert dialog.proposal is None
    with gctx.db.read_session() as session:
        assert session.get(m.WorkOrder, order.id).site_id == net.hq  # type: ignore[union-attr]
        assert session.get(m.Site, net.hq).status == "active"  # type: ignore[union-attr]
