"""The Contacts area over a real database: the role filter, the detail pane (organisation,
people, linked site), the contact form (e-mail checked as you type, organisation and site
combos) and archive with undo."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QComboBox, QPlainTextEdit
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from dmdesk.db import models as m
from dmdesk.gui.dialogs.contact_form import ContactForm
from dmdesk.gui.main_window import MainWindow
from dmdesk.gui.views.contacts import ContactsArea
from dmdesk.services import contacts
from tests.gui.support import (
    WAIT_MS,
    BusyEnv,
    assert_screenshot,
    choose,
    listed,
    open_form,
    pick,
    row_where,
    showing,
)
from tests.gui.support import line_edit as edit
from tests.integration.support import snapshot_counts


@pytest.fixture
def area(qtbot: QtBot, busy_env: BusyEnv) -> ContactsArea:
    return showing(qtbot, ContactsArea(busy_env.gctx), (1200, 760))


def contact_row(busy_env: BusyEnv, name: str) -> m.Contact | None:
    return row_where(busy_env.gctx.db, m.Contact.name, name)


def listed_names(area: ContactsArea) -> list[str]:
    return listed(area, "name")


# --- the list ----------------------------------------------------------------------------------


def test_role_filter_and_humane_roles(area: ContactsArea, busy_env: BusyEnv) -> None:
    assert listed_names(area) == ["Casa Verde", "Oficina CNC Lda", "Rui Costa"]
    model = area.list.model
    kind = [c.key for c in model.spec.columns].index("kind")
    assert model.data(model.index(0, kind)) == "organisation"
    role = area.findChild(QComboBox, "role_filter")
    assert [role.itemText(i) for i in range(role.count())] == [
        "All roles", "customer", "producer", "supplier", "other"]
    role.setCurrentIndex(role.findData("producer"))
    assert listed_names(area) == ["Oficina CNC Lda", "Rui Costa"]
    role.setCurrentIndex(role.findData("customer"))
    assert listed_names(area) == ["Casa Verde"]
    role.setCurrentIndex(role.findData("supplier"))
    assert listed_names(area) == []


def test_detail_shows_organisation_people_and_site(area: ContactsArea, busy_env: BusyEnv) -> None:
    assert pick(area, busy_env.busy.mp_org)
    detail = area.detail
    assert detail.heading.text() == "Oficina CNC Lda"
    assert detail.subheading.text() == "organisation · producer"
    assert detail.facts.values["site"].text() == "MP1 — CNC shop (micro producer)"
    assert not detail.facts.values["organisation"].isVisibleTo(detail)  # it is one
    assert detail.people_heading.text() == "People (1)"
    assert detail.people.row_values(0)["name"] == "Rui Costa"
    assert pick(area, busy_env.busy.mp_person)
    assert detail.subheading.text() == "person · producer"
    assert detail.facts.values["organisation"].text() == "Oficina CNC Lda"
    assert detail.facts.values["email"].text() == "rui@cnc.example"
    assert detail.people_heading.text() == "People at Oficina CNC Lda"


# --- the form ----------------------------------------------------------------------------------


def test_create_a_contact_linked_to_a_micro_producer(qtbot: QtBot, area: ContactsArea,
                                                     busy_env: BusyEnv) -> None:
    form = open_form(qtbot, area, ContactForm)
    assert not form.ok_button.isEnabled()
    assert not form.organisation.isEnabled()  # an organisation belongs to no organisation
    choose(form.fields["kind"].widget, "person")
    assert form.organisation.isEnabled()
    qtbot.keyClicks(edit(form, "name"), "Ana Silva")
    choose(form.fields["organisation_id"].widget, busy_env.busy.mp_org)
    choose(form.fields["site_id"].widget, busy_env.busy.net.mp)
    assert form.role.currentData() == "producer"  # suggested by the micro-producer site
    qtbot.keyClicks(edit(form, "email"), "ana@cnc.example")
    qtbot.keyClicks(edit(form, "phone"), "+351 912 345 678")
    qtbot.keyClicks(edit(form, "capabilities"), "CNC, laser-cut")
    qtbot.keyClicks(edit(form, "lead_time_days"), "5")
    qtbot.keyClicks(edit(form, "hourly_rate"), "32.50")
    notes = form.fields["notes"].widget
    assert isinstance(notes, QPlainTextEdit)
    notes.setPlainText("Prefers e-mail.")
    assert form.ok_button.isEnabled()
    qtbot.mouseClick(form.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: contact_row(busy_env, "Ana Silva") is not None
                    and "contact" in busy_env.events, timeout=WAIT_MS)
    ana = contact_row(busy_env, "Ana Silva")
    assert ana is not None
    assert (ana.kind, ana.role, ana.site_id, ana.organisation_id) == (
        "person", "producer", busy_env.busy.net.mp, busy_env.busy.mp_org)
    assert (ana.email, ana.capabilities, ana.lead_time_days, str(ana.hourly_rate)) == (
        "ana@cnc.example", "cnc,laser-cut", 5, "32.5000")
    assert ana.notes == "Prefers e-mail."
    assert area.list.current_id() == ana.id
    assert area.detail.facts.values["site"].text() == "MP1 — CNC shop (micro producer)"
    assert busy_env.messages[-1] == "Created contact Ana Silva."


def test_a_bad_email_is_refused_next_to_the_field(qtbot: QtBot, area: ContactsArea,
                                                  busy_env: BusyEnv) -> None:
    before = snapshot_counts(busy_env.gctx.db)
    form = open_form(qtbot, area, ContactForm)
    qtbot.keyClicks(edit(form, "name"), "Casa Azul")
    email, error = edit(form, "email"), form.fields["email"].error
    for bad in ("casa azul@mail.example", "casa.azul", "casa@azul", "casa@@azul.example"):
        email.setText(bad)
        assert error.isVisible() and "is not an e-mail address" in error.text(), bad
        assert not form.ok_button.isEnabled()
    email.setText("")  # no address is fine
    assert not error.isVisible() and form.ok_button.isEnabled()
    edit(form, "lead_time_days").setText("soon")
    assert "Lead time 'soon' is not a whole number." in form.fields["lead_time_days"].error.text()
    assert not form.ok_button.isEnabled()
    form.reject()
    assert snapshot_counts(busy_env.gctx.db) == before


def test_edit_a_contact(qtbot: QtBot, area: ContactsArea, busy_env: BusyEnv) -> None:
    pick(area, busy_env.busy.mp_person)
    area.list.opened.emit(busy_env.busy.mp_person)
    form = area.form
    assert isinstance(form, ContactForm) and form.contact is not None
    assert form.organisation.currentData() == busy_env.busy.mp_org
    assert edit(form, "email").text() == "rui@cnc.example"
    edit(form, "phone").setText("+351 220 000 111")
    assert form.values()["phone"] == "+351 220 000 111"
    qtbot.mouseClick(form.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: contact_row(busy_env, "Rui Costa").phone  # type: ignore[union-attr]
                    == "+351 220 000 111", timeout=WAIT_MS)
    qtbot.waitUntil(lambda: area.detail.facts.values["phone"].text() == "+351 220 000 111",
                    timeout=WAIT_MS)


# --- archive and undo ----------------------------------------------------------------------------


def test_archive_and_undo(qtbot: QtBot, busy_env: BusyEnv) -> None:
    area = ContactsArea(busy_env.gctx)
    window = MainWindow("dmdesk", [area], busy_env.gctx.undo)
    qtbot.addWidget(window)
    with qtbot.waitActive(window):
        window.show()
        window.activateWindow()
    pick(area, busy_env.busy.mp_person)
    area.list.table.setFocus()
    qtbot.keyClick(area.list.table, Qt.Key.Key_Delete)
    qtbot.waitUntil(lambda: contact_row(busy_env, "Rui Costa").archived,  # type: ignore[union-attr]
                    timeout=WAIT_MS)
    qtbot.waitUntil(lambda: "Rui Costa" not in listed_names(area), timeout=WAIT_MS)
    assert busy_env.messages[-1] == "Archived Rui Costa. Ctrl+Z undoes it."
    area.findChild(QCheckBox, "show_archived").setChecked(True)
    assert "Rui Costa" in listed_names(area)
    area.findChild(QCheckBox, "show_archived").setChecked(False)
    busy_env.gctx.undo.undo()
    qtbot.waitUntil(lambda: not contact_row(busy_env, "Rui Costa").archived,  # type: ignore[union-attr]
                    timeout=WAIT_MS)
    qtbot.waitUntil(lambda: "Rui Costa" in listed_names(area), timeout=WAIT_MS)


# --- models ---------------------------------------------------------------------------------------


def test_models_pass_the_model_tester(qtmodeltester: ModelTester, area: ContactsArea,
                                      busy_env: BusyEnv) -> None:
    pick(area, busy_env.busy.mp_org)
    assert area.detail.people.rowCount() == 1
    for model in (area.list.model, area.detail.people):
        qtmodeltester.check(model)


# --- how it looks ------------------------------------------------------------------------------


def test_screenshot(qtbot: QtBot, busy_env: BusyEnv, screenshots: Path) -> None:
    services = busy_env.gctx.services
    contacts.update_contact(services, busy_env.busy.mp_org, email="geral@cnc.example",
                            phone="+351 22 000 0000", address="Rua do Almada 12, Porto",
                            lead_time_days=7, hourly_rate="38.00",
                            notes="Two 5-axis machines; laser cutting up to 10 mm steel.",
                            capabilities="cnc,laser-cut")
    contacts.create_contact(services, kind="person", role="producer", name="Marta Lopes",
                            organisation_id=busy_env.busy.mp_org, email="marta@cnc.example")
    contacts.create_contact(services, name="Steel & Co", role="supplier",
                            email="orders@steel.example", lead_time_days=3)
    area = ContactsArea(busy_env.gctx)
    window = MainWindow("dmdesk — contacts", [area], busy_env.gctx.undo)
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    pick(area, busy_env.busy.mp_org)
    qtbot.wait(50)
    assert_screenshot(window, screenshots / "contacts-area.png")
