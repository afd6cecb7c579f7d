"""The Contacts area over a real database: the role filter, the detail pane (organisation,
people, linked site), the contact form (e-mail checked as you type, organisation and site
combos) and archive with undo."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QComboBox, QLineEdit, QPlainTextEdit
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from dmdesk.db import models as m
from dmdesk.db.database import open_database
from dmdesk.gui.context import GuiContext
from dmdesk.gui.dialogs.contact_form import ContactForm
from dmdesk.gui.dialogs.site_common import find_data
from dmdesk.gui.main_window import MainWindow
from dmdesk.gui.tasks import TaskRunner
from dmdesk.gui.views.contacts import ContactsArea
from dmdesk.services import contacts
from dmdesk.services.context import ServiceContext
from tests.integration.support import snapshot_counts
from tests.integration.test_dashboard_queries import Busy, build_busy_network

WAIT_MS = 10_000


@dataclass
class Env:
    gctx: GuiContext
    busy: Busy
    messages: list[str] = field(default_factory=list)
    events: list[str] = field(default_factory=list)


@pytest.fixture
def env(tmp_path: Path) -> Iterator[Env]:
    db = open_database(tmp_path / "contacts.sqlite")
    runner = TaskRunner()
    gctx = GuiContext(db, ServiceContext(db, actor="tester"), runner)
    result = Env(gctx, build_busy_network(gctx.services))
    gctx.status = result.messages.append
    gctx.events.changed.connect(result.events.append)
    yield result
    runner.shutdown()
    db.close()


@pytest.fixture
def area(qtbot: QtBot, env: Env) -> ContactsArea:
    widget = ContactsArea(env.gctx)
    qtbot.addWidget(widget)
    widget.resize(1200, 760)
    widget.show()
    return widget


def contact_row(env: Env, name: str) -> m.Contact | None:
    with env.gctx.db.read_session() as session:
        return session.scalars(select(m.Contact).where(m.Contact.name == name)).first()


def listed_names(area: ContactsArea) -> list[str]:
    model = area.list.model
    return [model.row_values(row)["name"] for row in range(model.rowCount())]


def open_form(qtbot: QtBot, area: ContactsArea) -> ContactForm:
    area.create_new()
    form = area.form
    assert isinstance(form, ContactForm)
    qtbot.waitUntil(form.isVisible, timeout=WAIT_MS)
    return form


def edit(form: ContactForm, name: str) -> QLineEdit:
    widget = form.fields[name].widget
    assert isinstance(widget, QLineEdit)
    return widget


def choose(form: ContactForm, name: str, value: object) -> None:
    box = form.fields[name].widget
    assert isinstance(box, QComboBox)
    index = find_data(box, value)
    assert index >= 0, f"{value} is not offered in {name}"
    box.setCurrentIndex(index)


def pick(area: ContactsArea, row_id: uuid.UUID) -> bool:
    """Select one row, as a click does (whatever modifier state earlier tests left behind)."""
    area.list.table.clearSelection()
    return area.list.select_id(row_id)


# --- the list ----------------------------------------------------------------------------------


def test_role_filter_and_humane_roles(area: ContactsArea, env: Env) -> None:
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


def test_detail_shows_organisation_people_and_site(area: ContactsArea, env: Env) -> None:
    assert pick(area, env.busy.mp_org)
    detail = area.detail
    assert detail.heading.text() == "Oficina CNC Lda"
    assert detail.subheading.text() == "organisation · producer"
    assert detail.facts.values["site"].text() == "MP1 — CNC shop (micro producer)"
    assert not detail.facts.values["organisation"].isVisibleTo(detail)  # it is one
    assert detail.people_heading.text() == "People (1)"
    assert detail.people.row_values(0)["name"] == "Rui Costa"
    assert pick(area, env.busy.mp_person)
    assert detail.subheading.text() == "person · producer"
    assert detail.facts.values["organisation"].text() == "Oficina CNC Lda"
    assert detail.facts.values["email"].text() == "rui@cnc.example"
    assert detail.people_heading.text() == "People at Oficina CNC Lda"


# --- the form ----------------------------------------------------------------------------------


def test_create_a_contact_linked_to_a_micro_producer(qtbot: QtBot, area: ContactsArea,
                                                     env: Env) -> None:
    form = open_form(qtbot, area)
    assert not form.ok_button.isEnabled()
    assert not form.organisation.isEnabled()  # an organisation belongs to no organisation
    choose(form, "kind", "person")
    assert form.organisation.isEnabled()
    qtbot.keyClicks(edit(form, "name"), "Ana Silva")
    choose(form, "organisation_id", env.busy.mp_org)
    choose(form, "site_id", env.busy.net.mp)
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
    qtbot.waitUntil(lambda: contact_row(env, "Ana Silva") is not None
                    and "contacts" in env.events, timeout=WAIT_MS)
    ana = contact_row(env, "Ana Silva")
    assert ana is not None
    assert (ana.kind, ana.role, ana.site_id, ana.organisation_id) == (
        "person", "producer", env.busy.net.mp, env.busy.mp_org)
    assert (ana.email, ana.capabilities, ana.lead_time_days, str(ana.hourly_rate)) == (
        "ana@cnc.example", "cnc,laser-cut", 5, "32.5000")
    assert ana.notes == "Prefers e-mail."
    assert area.list.current_id() == ana.id
    assert area.detail.facts.values["site"].text() == "MP1 — CNC shop (micro producer)"
    assert env.messages[-1] == "Created contact Ana Silva."


def test_a_bad_email_is_refused_next_to_the_field(qtbot: QtBot, area: ContactsArea,
                                                  env: Env) -> None:
    before = snapshot_counts(env.gctx.db)
    form = open_form(qtbot, area)
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
    assert snapshot_counts(env.gctx.db) == before


def test_edit_a_contact(qtbot: QtBot, area: ContactsArea, env: Env) -> None:
    pick(area, env.busy.mp_person)
    area.list.opened.emit(env.busy.mp_person)
    form = area.form
    assert isinstance(form, ContactForm) and form.contact is not None
    assert form.organisation.currentData() == env.busy.mp_org
    assert edit(form, "email").text() == "rui@cnc.example"
    edit(form, "phone").setText("+351 220 000 111")
    assert form.values()["phone"] == "+351 220 000 111"
    qtbot.mouseClick(form.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: contact_row(env, "Rui Costa").phone  # type: ignore[union-attr]
                    == "+351 220 000 111", timeout=WAIT_MS)
    qtbot.waitUntil(lambda: area.detail.facts.values["phone"].text() == "+351 220 000 111",
                    timeout=WAIT_MS)


# --- archive and undo ----------------------------------------------------------------------------


def test_archive_and_undo(qtbot: QtBot, env: Env) -> None:
    area = ContactsArea(env.gctx)
    window = MainWindow("dmdesk", [area], env.gctx.undo)
    qtbot.addWidget(window)
    with qtbot.waitActive(window):
        window.show()
        window.activateWindow()
    pick(area, env.busy.mp_person)
    area.list.table.setFocus()
    qtbot.keyClick(area.list.table, Qt.Key.Key_Delete)
    qtbot.waitUntil(lambda: contact_row(env, "Rui Costa").archived,  # type: ignore[union-attr]
                    timeout=WAIT_MS)
    qtbot.waitUntil(lambda: "Rui Costa" not in listed_names(area), timeout=WAIT_MS)
    assert env.messages[-1] == "Archived Rui Costa. Ctrl+Z undoes it."
    area.findChild(QCheckBox, "show_archived").setChecked(True)
    assert "Rui Costa" in listed_names(area)
    area.findChild(QCheckBox, "show_archived").setChecked(False)
    env.gctx.undo.undo()
    qtbot.waitUntil(lambda: not contact_row(env, "Rui Costa").archived,  # type: ignore[union-attr]
                    timeout=WAIT_MS)
    qtbot.waitUntil(lambda: "Rui Costa" in listed_names(area), timeout=WAIT_MS)


# --- models ---------------------------------------------------------------------------------------


def test_models_pass_the_model_tester(qtmodeltester: ModelTester, area: ContactsArea,
                                      env: Env) -> None:
    pick(area, env.busy.mp_org)
    assert area.detail.people.rowCount() == 1
    for model in (area.list.model, area.detail.people):
        qtmodeltester.check(model)


# --- how it looks ------------------------------------------------------------------------------


def test_screenshot(qtbot: QtBot, env: Env) -> None:
    services = env.gctx.services
    contacts.update_contact(services, env.busy.mp_org, email="geral@cnc.example",
                            phone="+351 22 000 0000", address="Rua do Almada 12, Porto",
                            lead_time_days=7, hourly_rate="38.00",
                            notes="Two 5-axis machines; laser cutting up to 10 mm steel.",
                            capabilities="cnc,laser-cut")
    contacts.create_contact(services, kind="person", role="producer", name="Marta Lopes",
                            organisation_id=env.busy.mp_org, email="marta@cnc.example")
    contacts.create_contact(services, name="Steel & Co", role="supplier",
                            email="orders@steel.example", lead_time_days=3)
    area = ContactsArea(env.gctx)
    window = MainWindow("dmdesk — contacts", [area], env.gctx.undo)
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    pick(area, env.busy.mp_org)
    qtbot.wait(50)
    folder = Path(os.environ.get("DMDESK_SCREENSHOTS", "screenshots"))
    folder.mkdir(parents=True, exist_ok=True)
    image = window.grab()
    assert (image.width(), image.height()) == (1280, 800)
    assert image.save(str(folder / "contacts-area.png"))
