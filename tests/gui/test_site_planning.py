"""A site's Scorecard and Reorder tabs in the Sites area, on the busy network of
tests.integration.test_dashboard_queries: the figures equal SQL written here, the late order is
flagged at risk, HQ's screws are suggested, and Export to Excel writes what the tab shows."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import text

from dmdesk.gui.context import GuiContext
from dmdesk.gui.views.sites import SitesArea
from tests.gui.support import showing
from tests.integration.test_dashboard_queries import Busy

WAIT_MS = 15_000
pytestmark = pytest.mark.actor("owner")


@pytest.fixture
def env(qtbot: QtBot, gctx: GuiContext, busy: Busy) -> tuple[GuiContext, Busy, SitesArea]:
    return gctx, busy, showing(qtbot, SitesArea(gctx), (1280, 760))


def pick(qtbot: QtBot, area: SitesArea, site_id: object, tab: QWidget) -> None:
    """Show the tab, select the site: only the tab on show is read."""
    area.detail.tabs.setCurrentWidget(tab)
    signal = tab.loaded  # type: ignore[attr-defined]
    with qtbot.waitSignal(signal, timeout=WAIT_MS):
        assert area.list.select_id(site_id)


def cells(model: object, row: int) -> list[str]:
    return [model.data(model.index(row, c)) for c in range(model.columnCount())]  # type: ignore[attr-defined]


def test_scorecard_of_a_workshop_equals_sql(qtbot: QtBot, env: tuple[GuiContext, Busy,
                                                                         SitesArea],
                                            screenshots: Path) -> None:
    gctx, busy, area = env
    pick(qtbot, area, busy.net.hq, area.scorecard)
    with gctx.db.read_session() as session:
        finished, on_time, good, scrap = session.execute(text(
            "SELECT COUNT(*), SUM(date(completed_at) <= due_date), SUM(good_qty), "
            "SUM(scrap_qty) FROM work_order w JOIN site s ON s.id = w.site_id "
            "WHERE s.code = 'HQ' AND state = 'done'")).one()
    facts = area.scorecard.facts.values
    assert (finished, on_time) == (2, 1)
    assert facts["on_time"].text() == "50 % (1 of 2 finished)"
    scrap_share = Decimal(scrap) / (Decimal(good) + Decimal(scrap)) * 100
    assert facts["scrap"].text() == f"{scrap_share:.1f} %"
    assert facts["volume"].text() == f"{Decimal(good) / 1000:f} good units".replace(".000", "")
    assert facts["record"].text().startswith("0.") and "HQ's record" in facts["record"].text()
    weeks = area.scorecard.weeks
    assert weeks.rowCount() == 6
    with gctx.db.read_session() as session:
        capacity = session.scalar(text("SELECT weekly_capacity_hours FROM site WHERE code='HQ'"))
    assert [cells(weeks, r)[2] for r in range(6)] == [f"{capacity / 1000:,.1f} h"] * 6
    area.detail.tabs.setCurrentWidget(area.scorecard)
    area.grab().save(str(screenshots / "site-scorecard.png"))


def test_at_risk_lists_the_late_order(qtbot: QtBot, env: tuple[GuiContext, Busy,
                                                                  SitesArea]) -> None:
    gctx, busy, area = env
    pick(qtbot, area, busy.net.mp, area.scorecard)
    risks = area.scorecard.risks
    keys = [risks.key(r) for r in range(risks.rowCount())]
    assert busy.late in keys
    row = keys.index(busy.late)
    assert "Overdue" in cells(risks, row)[3]
    with qtbot.waitSignal(area.work_order_requested, timeout=WAIT_MS) as asked:
        area.scorecard.risks_table.doubleClicked.emit(risks.index(row, 0))
    assert asked.args == [busy.late]
    assert gctx is not None


def test_reorder_tab_and_export_to_excel(qtbot: QtBot, env: tuple[GuiContext, Busy, SitesArea],
                                         tmp_path: Path, screenshots: Path) -> None:
    _gctx, busy, area = env
    assert area.list.select_id(busy.net.mp)  # not on show: the reorder tab is not read
    assert area.reorder.site_id is None
    pick(qtbot, area, busy.net.hq, area.reorder)
    reorder = area.reorder
    assert reorder.model.rowCount() == 1
    row = cells(reorder.model, 0)
    assert row[0] == "SCREW" and row[2] == "1000 pcs"
    suggestion = reorder.suggestions[0]
    assert row[4] == f"{suggestion.quantity} pcs"
    assert suggestion.quantity >= suggestion.minimum - suggestion.available
    area.detail.tabs.setCurrentWidget(reorder)
    area.grab().save(str(screenshots / "site-reorder.png"))
    dialog = reorder.ask_export()
    target = tmp_path / "hq-reorder.xlsx"
    with qtbot.waitSignal(reorder.exported, timeout=WAIT_MS) as done:
        dialog.selectFile(str(target))
        dialog.accept()
    assert done.args == [target] and target.exists()
    sheet = load_workbook(target)["Reorder"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:2] == ("Site", "SKU")
    assert [r[:2] for r in rows[1:]] == [("HQ", "SCREW")]
    assert Decimal(str(rows[1][8])) == suggestion.quantity
