"""The Sites & producers area over a real database: the list and its filters, the detail pane,
the site form (validation as you type, refusals next to the field), archive with undo."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QLabel,
    QStyleOptionViewItem,
    QTableView,
)
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from dmdesk.db import models as m
from dmdesk.gui.dialogs.site_form import SiteForm
from dmdesk.gui.dialogs.site_location import LocationForm
from dmdesk.gui.main_window import MainWindow
from dmdesk.gui.views.sites import SitesArea
from dmdesk.services import sites
from tests.gui.support import (
    WAIT_MS,
    BusyEnv,
    assert_screenshot,
    listed,
    open_form,
    pick,
    row_where,
    showing,
)
from tests.gui.support import line_edit as field_widget
from tests.integration.support import snapshot_counts


@pytest.fixture
def area(qtbot: QtBot, busy_env: BusyEnv) -> SitesArea:
    return showing(qtbot, SitesArea(busy_env.gctx), (1200, 760))


def site_row(busy_env: BusyEnv, code: str) -> m.Site | None:
    return row_where(busy_env.gctx.db, m.Site.code, code)


def listed_codes(area: SitesArea) -> list[str]:
    return listed(area, "code")


def error_of(form: SiteForm | LocationForm, name: str) -> QLabel:
    return form.fields[name].error


# --- the list ----------------------------------------------------------------------------------


def test_list_shows_kinds_as_words_and_hides_archived(area: SitesArea, busy_env: BusyEnv) -> None:
    assert listed_codes(area) == ["HQ", "MP1", "WH"]
    model = area.list.model
    kind = [c.key for c in model.spec.columns].index("kind")
    index = model.index(1, kind)
    assert model.data(index) == "micro producer"
    option = QStyleOptionViewItem()
    area.list.table.itemDelegateForColumn(kind).initStyleOption(option, index)
    assert option.text == "micro producer"
    capabilities = [c.key for c in model.spec.columns].index("capabilities")
    option = QStyleOptionViewItem()
    area.list.table.itemDelegateForColumn(capabilities).initStyleOption(
        option, model.index(1, capabilities))
    assert option.text == "cnc, laser-cut"
    sites.set_site_archived(busy_env.gctx.services, busy_env.busy.net.wh)
    area.refresh()
    assert listed_codes(area) == ["HQ", "MP1"]
    area.findChild(QCheckBox, "show_archived").setChecked(True)
    assert listed_codes(area) == ["HQ", "MP1", "WH"]


def test_filters_by_kind_and_status(area: SitesArea, busy_env: BusyEnv) -> None:
    sites.update_site(busy_env.gctx.services, busy_env.busy.net.hq, status="paused")
    area.refresh()
    kind = area.findChild(QComboBox, "kind_filter")
    kind.setCurrentIndex(kind.findData("micro_producer"))
    assert listed_codes(area) == ["MP1"]
    kind.setCurrentIndex(0)
    status = area.findChild(QComboBox, "status_filter")
    status.setCurrentIndex(status.findData("paused"))
    assert listed_codes(area) == ["HQ"]
    status.setCurrentIndex(status.findData("active"))
    assert listed_codes(area) == ["MP1", "WH"]


def test_detail_pane_shows_the_site_its_people_work_and_history(area: SitesArea,
                                                                busy_env: BusyEnv) -> None:
    assert pick(area, busy_env.busy.net.hq)
    detail = area.detail
    assert detail.heading.text() == "HQ — Head office workshop"
    assert detail.subheading.text() == "own workshop · active"
    assert detail.facts.values["capabilities"].text() == "assembly, upholstery, welding"
    tabs = [detail.tabs.tabText(i) for i in range(detail.tabs.count())]
    assert tabs == ["Locations (1)", "People (0)", "Open work (3)", "History (2)", "Scorecard",
                    "Reorder"]
    assert detail.open_work.rowCount() == 3
    assert detail.history_summary.text() == (
        "2 finished · 1 on time (50.0 %) · scrap 16.7 % of what was made")
    history = detail.findChild(QTableView, "history_table")
    on_time = [c.key for c in detail.history.spec.columns].index("on_time")
    shown = {}
    for row in range(detail.history.rowCount()):
        option = QStyleOptionViewItem()
        history.itemDelegateForColumn(on_time).initStyleOption(
            option, detail.history.index(row, on_time))
        shown[detail.history.row_values(row)["number"]] = option.text
    assert sorted(shown.values()) == ["late", "✓"]
    assert pick(area, busy_env.busy.net.mp)
    assert detail.tabs.tabText(1) == "People (2)"
    people = {detail.contacts.row_values(r)["name"] for r in range(detail.contacts.rowCount())}
    assert people == {"Oficina CNC Lda", "Rui Costa"}
    assert detail.history_summary.text() == "No finished work orders yet."


# --- the form ----------------------------------------------------------------------------------


def test_create_a_site_through_the_form(qtbot: QtBot, area: SitesArea, busy_env: BusyEnv) -> None:
    form = open_form(qtbot, area, SiteForm)
    assert not form.ok_button.isEnabled()  # code and name are still empty
    qtbot.keyClicks(field_widget(form, "code"), "lis")
    assert field_widget(form, "code").text() == "LIS"  # upper case as you type
    qtbot.keyClicks(field_widget(form, "name"), "Lisbon upholstery")
    kind = form.fields["kind"].widget
    assert isinstance(kind, QComboBox)
    kind.setCurrentIndex(kind.findData("micro_producer"))
    qtbot.keyClicks(field_widget(form, "latitude"), "38.7223")
    qtbot.keyClicks(field_widget(form, "longitude"), "-9.1393")
    form.picker.boxes["upholstery"].click()
    qtbot.keyClicks(field_widget(form, "capabilities"), ", sewing")
    assert form.picker.boxes["sewing"].isChecked()
    qtbot.keyClicks(field_widget(form, "weekly_capacity_hours"), "37.5")
    assert form.ok_button.isEnabled()
    qtbot.mouseClick(form.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: site_row(busy_env, "LIS") is not None and "site" in busy_env.events,
                    timeout=WAIT_MS)
    site = site_row(busy_env, "LIS")
    assert site is not None
    assert (site.name, site.kind, site.status) == ("Lisbon upholstery", "micro_producer",
                                                  "active")
    assert site.capabilities == "sewing,upholstery"
    assert str(site.weekly_capacity_hours) == "37.500"
    assert (site.latitude, site.longitude) == (38.7223, -9.1393)
    assert area.list.current_id() == site.id  # the new site is selected...
    assert area.detail.heading.text() == "LIS — Lisbon upholstery"  # ...and shown
    assert busy_env.messages[-1] == "Created site LIS."


def test_a_bad_code_is_refused_next_to_the_field(qtbot: QtBot, area: SitesArea,
                                                 busy_env: BusyEnv) -> None:
    before = snapshot_counts(busy_env.gctx.db)
    form = open_form(qtbot, area, SiteForm)
    code, error = field_widget(form, "code"), error_of(form, "code")
    qtbot.keyClicks(field_widget(form, "name"), "Porto")
    qtbot.keyClicks(code, "1AB")
    assert error.isVisible() and "starting with a letter" in error.text()
    assert not form.ok_button.isEnabled()
    code.clear()
    qtbot.keyClicks(code, "hq")
    assert error.isVisible() and error.text() == "Site code HQ is already taken."
    assert not form.ok_button.isEnabled()
    code.clear()
    qtbot.keyClicks(code, "POR")
    assert not error.isVisible() and form.ok_button.isEnabled()
    # Someone else takes the code while the form is open: the service refuses on save, and
    # says so next to the field; the dialog stays open with what was typed.
    sites.create_site(busy_env.gctx.services, code="POR", name="Porto (other)", kind="warehouse")
    before = snapshot_counts(busy_env.gctx.db)
    qtbot.mouseClick(form.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: form.banner.isVisible(), timeout=WAIT_MS)
    assert error.isVisible() and "already taken" in error.text()
    assert form.isVisible() and code.text() == "POR"
    assert snapshot_counts(busy_env.gctx.db) == before


def test_edit_a_site_sends_only_what_changed(qtbot: QtBot, area: SitesArea,
                                             busy_env: BusyEnv) -> None:
    pick(area, busy_env.busy.net.mp)
    area.list.opened.emit(busy_env.busy.net.mp)  # Enter or double-click
    form = area.form
    assert isinstance(form, SiteForm) and form.site is not None
    assert field_widget(form, "code").text() == "MP1"
    assert form.picker.boxes["cnc"].isChecked() and form.picker.boxes["laser-cut"].isChecked()
    status = form.fields["status"].widget
    assert isinstance(status, QComboBox)
    status.setCurrentIndex(status.findData("offline"))
    field_widget(form, "name").setText("CNC shop Porto")
    assert form.changes(form.values()) == {"status": "offline", "name": "CNC shop Porto"}
    qtbot.mouseClick(form.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: site_row(busy_env, "MP1").status == "offline",  # type: ignore[union-attr]
                    timeout=WAIT_MS)
    assert site_row(busy_env, "MP1").name == "CNC shop Porto"  # type: ignore[union-attr]
    qtbot.waitUntil(lambda: area.detail.subheading.text() == "micro producer · offline",
                    timeout=WAIT_MS)


def test_the_owner_says_whether_a_site_reports_its_own_progress(
        qtbot: QtBot, area: SitesArea, busy_env: BusyEnv) -> None:
    pick(area, busy_env.busy.net.mp)
    area.list.opened.emit(busy_env.busy.net.mp)
    form = area.form
    assert isinstance(form, SiteForm)
    box = form.fields["reports_progress"].widget
    assert isinstance(box, QCheckBox) and not box.isChecked()
    box.setFocus()
    qtbot.keyClick(box, Qt.Key.Key_Space)  # keyboard alone
    assert form.changes(form.values()) == {"reports_progress": True}
    qtbot.mouseClick(form.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: site_row(busy_env, "MP1").reports_progress is True,  # type: ignore[union-attr]
                    timeout=WAIT_MS)


def test_add_a_location_from_the_detail_pane(qtbot: QtBot, area: SitesArea,
                                             busy_env: BusyEnv) -> None:
    pick(area, busy_env.busy.net.mp)
    area.detail.add_location_requested.emit(busy_env.busy.net.mp)
    form = area.form
    assert isinstance(form, LocationForm)
    qtbot.keyClicks(field_widget(form, "code"), "stock")  # taken (any case): refused
    assert error_of(form, "code").isVisible() and not form.ok_button.isEnabled()
    field_widget(form, "code").setText("BAY-2")
    field_widget(form, "name").setText("Second bay")
    qtbot.mouseClick(form.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: area.detail.tabs.tabText(0) == "Locations (2)", timeout=WAIT_MS)
    codes = [area.detail.locations.row_values(r)["code"]
             for r in range(area.detail.locations.rowCount())]
    assert codes == ["BAY-2", "STOCK"]
    assert busy_env.messages[-1] == "Added a location to MP1."


# --- archive and undo ----------------------------------------------------------------------------


def test_archive_with_del_and_undo_with_ctrl_z(qtbot: QtBot, busy_env: BusyEnv) -> None:
    area = SitesArea(busy_env.gctx)
    window = MainWindow("dmdesk", [area], busy_env.gctx.undo)
    qtbot.addWidget(window)
    with qtbot.waitActive(window):
        window.show()
        window.activateWindow()
    pick(area, busy_env.busy.net.mp)
    area.list.table.setFocus()  # as after clicking the row (in the search box Del edits text)
    qtbot.keyClick(area.list.table, Qt.Key.Key_Delete)
    qtbot.waitUntil(lambda: site_row(busy_env, "MP1").archived, timeout=WAIT_MS)  # type: ignore[union-attr]
    qtbot.waitUntil(lambda: listed_codes(area) == ["HQ", "WH"], timeout=WAIT_MS)
    assert busy_env.messages[-1] == "Archived MP1. Ctrl+Z undoes it."
    assert busy_env.gctx.undo.undoText() == "Archive MP1"
    qtbot.keyClick(area.list.table, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyRelease(area.list.table, Qt.Key.Key_Control)  # no Ctrl left held for others
    qtbot.waitUntil(lambda: not site_row(busy_env, "MP1").archived,  # type: ignore[union-attr]
                    timeout=WAIT_MS)
    qtbot.waitUntil(lambda: listed_codes(area) == ["HQ", "MP1", "WH"], timeout=WAIT_MS)
    # The status bar no longer offers Ctrl+Z for what was just undone.
    assert window.statusBar().currentMessage() == "Undone: Archive MP1."
    busy_env.gctx.undo.redo()
    qtbot.waitUntil(lambda: site_row(busy_env, "MP1").archived, timeout=WAIT_MS)  # type: ignore[union-attr]
    busy_env.gctx.undo.undo()
    qtbot.waitUntil(lambda: not site_row(busy_env, "MP1").archived,  # type: ignore[union-attr]
                    timeout=WAIT_MS)
    qtbot.waitUntil(lambda: busy_env.events.count("site") == 4, timeout=WAIT_MS)  # each told


def test_archive_without_a_selection_says_so(area: SitesArea, busy_env: BusyEnv) -> None:
    area.list.table.clearSelection()
    area.archive_selected()
    assert busy_env.messages[-1] == "Select the sites to archive first."
    assert busy_env.gctx.undo.count() == 0


# --- models ---------------------------------------------------------------------------------------


def test_models_pass_the_model_tester(qtmodeltester: ModelTester, area: SitesArea,
                                      busy_env: BusyEnv) -> None:
    pick(area, busy_env.busy.net.hq)
    detail = area.detail
    for model in (area.list.model, detail.locations, detail.contacts, detail.open_work,
                  detail.history):
        qtmodeltester.check(model)
    assert detail.history.rowCount() == 2
    assert not detail.history.index(0, 0).parent().isValid()
    assert detail.history.data(QModelIndex()) is None


# --- how it looks ------------------------------------------------------------------------------


def test_screenshot(qtbot: QtBot, busy_env: BusyEnv, screenshots: Path) -> None:
    services = busy_env.gctx.services
    sites.update_site(services, busy_env.busy.net.hq, address="Rua do Ouro 120, Lisboa",
                      latitude="38.7107", longitude="-9.1376", weekly_capacity_hours="160")
    sites.create_site(services, code="PRT", name="3D print farm Porto", kind="micro_producer",
                      capabilities="3d-print,finishing", weekly_capacity_hours="60",
                      address="Rua de Santa Catarina 300, Porto")
    sites.create_site(services, code="WLD", name="Welder Braga", kind="micro_producer",
                      capabilities="welding", status="paused")
    area = SitesArea(busy_env.gctx)
    window = MainWindow("dmdesk — sites", [area], busy_env.gctx.undo)
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    pick(area, busy_env.busy.net.hq)
    area.detail.tabs.setCurrentIndex(3)
    qtbot.wait(50)
    assert_screenshot(window, screenshots / "sites-area.png")
