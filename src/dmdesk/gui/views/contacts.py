"""Contacts: customers, micro-producers, suppliers, and the people who work for them.

A list filtered by role (archived contacts hidden unless asked for) and a detail pane: the
contact's organisation and its people, the site it is linked to, capabilities, lead time, rate
and notes. Ctrl+N creates a contact, Enter or a double-click edits it, Del archives it (Ctrl+Z
brings it back).
"""

from __future__ import annotations

import dataclasses
import uuid

from PySide6.QtCore import QModelIndex, Signal
from PySide6.QtWidgets import QComboBox, QLabel, QPushButton, QWidget

from dmdesk.domain.kinds import ContactKind, ContactRole
from dmdesk.gui.context import GuiContext
from dmdesk.gui.dialogs.contact_form import ContactChoices, ContactForm
from dmdesk.gui.formatting import enum_items, enum_label, tags_label
from dmdesk.gui.models.scoped import ScopedModel
from dmdesk.gui.views.archivable_area import ArchivableArea
from dmdesk.gui.views.detail_pane import (
    content_page,
    heading_font,
    stacked_pages,
    title_bar,
    title_labels,
)
from dmdesk.gui.widgets.facts import FactGrid
from dmdesk.gui.widgets.tables import fit_columns_on_reset, small_table
from dmdesk.queries import lists, network
from dmdesk.queries.network import ContactDetail
from dmdesk.queries.paging import ListSpec
from dmdesk.services import contacts
from dmdesk.services.changes import CONTACTS, SITES
from dmdesk.services.context import ServiceContext
from dmdesk.services.database import Database

CONTACTS_LIST: ListSpec = dataclasses.replace(lists.CONTACTS, columns=tuple(
    dataclasses.replace(c, kind="enum") if c.key in ("kind", "role") else c
    for c in lists.CONTACTS.columns))


def site_label(contact: ContactDetail) -> str:
    if contact.site_id is None:
        return ""
    return f"{contact.site_code} — {contact.site_name} ({enum_label(contact.site_kind)})"


class ContactDetailPane(QWidget):
    """One contact, and the people of its organisation."""

    edit_requested = Signal(object)  # contact id
    person_opened = Signal(object)  # contact id of a person in the people table

    def __init__(self, db: Database, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db = db
        self.contact: ContactDetail | None = None
        self.people = ScopedModel(db, network.PEOPLE, "organisation_id", self)
        self.pages, _hint = stacked_pages(self, self.tr(
            "Select a contact to see its organisation, people and site."), self._content)

    def _content(self) -> QWidget:
        page, layout = content_page(self)
        self.heading, self.subheading = title_labels(self, page, "contact_heading")
        edit = QPushButton(self.tr("Edit…"), page)
        edit.clicked.connect(lambda: self.edit_requested.emit(
            self.contact.id if self.contact else None))
        self.facts = self._facts(page)
        self.people_heading = QLabel(page)
        self.people_heading.setFont(heading_font(self, 1.0))
        self.people_table = small_table(self.people, page, "people_table")
        self.people_table.doubleClicked.connect(self._open_person)
        layout.addLayout(title_bar(self.heading, self.subheading, [edit]))
        layout.addWidget(self.facts)
        layout.addSpacing(8)
        layout.addWidget(self.people_heading)
        layout.addWidget(self.people_table, 1)
        return page

    def _facts(self, page: QWidget) -> FactGrid:
        return FactGrid.rows([
            ("organisation", self.tr("Organisation")), ("site", self.tr("Site")),
            ("email", self.tr("E-mail")), ("phone", self.tr("Phone")),
            ("address", self.tr("Address")), ("capabilities", self.tr("Capabilities")),
            ("lead_time", self.tr("Lead time")), ("rate", self.tr("Hourly rate")),
            ("notes", self.tr("Notes"))], page)

    def show_contact(self, contact_id: uuid.UUID | None) -> None:
        if contact_id is None:
            self.contact = None
            self.people.set_scope(None)
            self.pages.setCurrentIndex(0)
            return
        with self.db.read_session() as session:
            self.contact = network.contact_detail(session, contact_id)
        self._show_facts(self.contact)
        self.people.set_scope(self.contact.people_of)
        self._show_people_heading(self.contact)
        self.pages.setCurrentIndex(1)

    def _show_facts(self, c: ContactDetail) -> None:
        self.heading.setText(c.name)
        words = [enum_label(c.kind), enum_label(c.role)]
        if c.archived:
            words.append(self.tr("archived"))
        self.subheading.setText(" · ".join(words))
        person = c.kind == ContactKind.PERSON
        self.facts.show_fact("organisation", person)
        self.facts.set("organisation", c.organisation_name)
        self.facts.set("site", site_label(c))
        self.facts.set("email", c.email)
        self.facts.set("phone", c.phone)
        self.facts.set("address", c.address)
        self.facts.set("capabilities", tags_label(c.capabilities))
        self.facts.set("lead_time", self.tr("{0} days").format(c.lead_time_days)
                       if c.lead_time_days else "")
        self.facts.set("rate", f"{c.hourly_rate:,.2f}" if c.hourly_rate else "")
        self.facts.set("notes", c.notes)

    def _show_people_heading(self, c: ContactDetail) -> None:
        if c.people_of is None:
            self.people_heading.setText(self.tr("Not part of an organisation"))
        elif c.kind == ContactKind.ORGANISATION:
            self.people_heading.setText(self.tr("People ({0})").format(self.people.rowCount()))
        else:
            self.people_heading.setText(self.tr("People at {0}").format(c.organisation_name))

    def _open_person(self, index: QModelIndex) -> None:
        person = self.people.row_id(index.row())
        if person is not None:
            self.person_opened.emit(person)


class ContactsArea(ArchivableArea):
    SHOWS = CONTACTS | SITES

    def __init__(self, gctx: GuiContext, parent: QWidget | None = None) -> None:
        super().__init__(gctx, parent)
        self.title = self.tr("Contacts")
        self._make_list(CONTACTS_LIST, self.tr("Contacts"))
        self._add_toolbar()
        self.detail = ContactDetailPane(gctx.db, self)
        self.list.set_detail(self.detail)
        self.list.splitter.setSizes([560, 520])
        fit_columns_on_reset(self.list.table, self.list.model)
        self.list.selection_changed.connect(self.detail.show_contact)
        self.list.opened.connect(self.edit_contact)
        self.detail.edit_requested.connect(self.edit_contact)
        self.detail.person_opened.connect(self._select_person)
        self._listen()

    def _add_toolbar(self) -> None:
        self.role_filter = QComboBox(self)
        self.role_filter.setObjectName("role_filter")
        self.role_filter.addItem(self.tr("All roles"), None)
        for label, value in enum_items(ContactRole):
            self.role_filter.addItem(label, value)
        self.role_filter.currentIndexChanged.connect(
            lambda _i: self.list.model.set_filter("role", self.role_filter.currentData()))
        self._fill_toolbar(
            [self.role_filter], new_text=self.tr("New contact…"), new_name="new_contact",
            new_tip=self.tr("Create a contact (Ctrl+N)"), archive_name="archive_contact",
            archive_tip=self.tr("Archive the selected contacts (Del); Ctrl+Z undoes it"),
            select_first=self.tr("Select the contacts to archive first."))

    def _clear_detail(self) -> None:
        self.detail.show_contact(None)

    @staticmethod
    def _archive_one(services: ServiceContext, record_id: uuid.UUID, archived: bool) -> None:
        contacts.set_contact_archived(services, record_id, archived)

    # --- the Area protocol -----------------------------------------------------------------

    def create_new(self) -> None:
        form = ContactForm(self.gctx.services, self.gctx.runner, self._choices(), parent=self)
        self._open_contact_form(form, self.tr("Created contact {0}."))

    def edit_contact(self, contact_id: uuid.UUID | None) -> None:
        if contact_id is None:
            return
        with self.gctx.db.read_session() as session:
            contact = network.contact_detail(session, contact_id)
        form = ContactForm(self.gctx.services, self.gctx.runner, self._choices(),
                           contact=contact, parent=self)
        self._open_contact_form(form, self.tr("Saved contact {0}."))

    # --- writing ---------------------------------------------------------------------------

    def _choices(self) -> ContactChoices:
        with self.gctx.db.read_session() as session:
            return ContactChoices(network.organisation_choices(session),
                                  network.site_choices(session))

    def _open_contact_form(self, form: ContactForm, message: str) -> None:
        self._open_form(form, lambda contact_id: self._record_saved(contact_id, message.format(
            form.fields["name"].widget.property("text"))))

    def _select_person(self, contact_id: uuid.UUID) -> None:
        if not self.list.select_id(contact_id):
            self.detail.show_contact(contact_id)
