"""Quality checks on a work order's detail: add a check by typing in the real form, see it in
the list (out of tolerance in red), and find it in the database and in the site's record."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush
from PySide6.QtWidgets import QComboBox, QLineEdit
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from dmdesk.db.models_network import QualityCheck
from dmdesk.gui.context import GuiContext
from dmdesk.gui.dialogs.quality_check import QualityCheckDialog
from dmdesk.gui.views.work_orders import WorkOrdersArea
from dmdesk.queries.scorecards import scorecard
from tests.gui.support import showing
from tests.integration.test_dashboard_queries import Busy

WAIT_MS = 15_000
pytestmark = pytest.mark.actor("inspector")


@pytest.fixture
def env(qtbot: QtBot, gctx: GuiContext, busy: Busy) -> tuple[GuiContext, Busy, WorkOrdersArea]:
    area = showing(qtbot, WorkOrdersArea(gctx), (1100, 900))
    area.set_filters(state=None)
    return gctx, busy, area


def add_check(qtbot: QtBot, area: WorkOrdersArea, name: str, operation: int | None,
              target: str, tolerance: str, measured: str) -> QualityCheckDialog:
    qtbot.mouseClick(area.detail.checks.add_button, Qt.MouseButton.LeftButton)
    dialog = area.dialog
    assert isinstance(dialog, QualityCheckDialog)
    for field, value in (("name", name), ("unit", "mm"), ("target", target),
                         ("tolerance", tolerance), ("measured", measured)):
        edit = dialog.findChild(QLineEdit, field)
        assert edit is not None
        qtbot.keyClicks(edit, value)
    box = dialog.findChild(QComboBox, "operation")
    assert box is not None
    box.setCurrentIndex(box.findData(operation) if operation is not None else 0)
    with qtbot.waitSignal(dialog.accepted, timeout=WAIT_MS):
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    return dialog


def test_add_checks_and_see_the_out_of_tolerance_one_in_red(
        qtbot: QtBot, env: tuple[GuiContext, Busy, WorkOrdersArea], screenshots: Path) -> None:
    gctx, busy, area = env
    assert area.list.select_id(busy.on_time)  # done at HQ, two operations
    checks = area.detail.checks
    assert checks.add_button.isEnabled()
    add_check(qtbot, area, "Tube length", 10, "450", "0.5", "450.3")
    dialog = add_check(qtbot, area, "Weld seam width", 20, "6", "0.5", "7.25")
    assert dialog.verdict.text() == "OUT OF TOLERANCE by 0.75"
    model = checks.model
    assert model.rowCount() == 2
    assert checks.title.text() == "Quality checks (2, 1 out of tolerance)"
    rows = [[model.data(model.index(r, c)) for c in range(5)] for r in range(2)]
    assert rows == [["Tube length", "10", "450 ± 0.5 mm", "450.3 mm", "within tolerance"],
                    ["Weld seam width", "20", "6 ± 0.5 mm", "7.25 mm", "OUT OF TOLERANCE"]]
    red = model.data(model.index(1, 4), Qt.ItemDataRole.ForegroundRole)
    assert isinstance(red, QBrush) and red.color().name() == "#b3261e"
    assert model.data(model.index(0, 4), Qt.ItemDataRole.ForegroundRole) is None
    with gctx.db.read_session() as session:
        stored = session.scalars(select(QualityCheck).order_by(QualityCheck.id)).all()
        card = scorecard(session, busy.net.hq)
    assert [(c.name, c.passed, c.operation_sequence, c.actor) for c in stored] == [
        ("Tube length", True, 10, "inspector"), ("Weld seam width", False, 20, "inspector")]
    assert (card.checks, card.failed_checks) == (2, 1)  # it counts in the site's record
    area.grab().save(str(screenshots / "work-order-quality-checks.png"))


def test_a_draft_takes_no_checks_and_a_bad_number_is_named(
        qtbot: QtBot, env: tuple[GuiContext, Busy, WorkOrdersArea]) -> None:
    gctx, busy, area = env
    with gctx.db.read_session() as session:
        from dmdesk.db import models as m

        draft = session.scalars(select(m.WorkOrder.id).where(m.WorkOrder.state == "draft")
                                ).first()
    assert area.list.select_id(draft)
    assert not area.detail.checks.add_button.isEnabled()
    assert area.list.select_id(busy.late)  # released
    qtbot.mouseClick(area.detail.checks.add_button, Qt.MouseButton.LeftButton)
    dialog = area.dialog
    assert isinstance(dialog, QualityCheckDialog)
    measured = dialog.findChild(QLineEdit, "measured")
    assert measured is not None
    qtbot.keyClicks(measured, "abc")
    error = dialog.fields["measured"].error
    assert error.isVisible() and "'abc' is not a number" in error.text()
    assert not dialog.ok_button.isEnabled()
    dialog.reject()
