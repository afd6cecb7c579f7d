"""Contacts: customers, micro-producers, suppliers, and the people who work for them.

A list filtered by role (archived contacts hidden unless asked for) and a detail pane: the
contact's organisation and its people, the site it is linked to, capabilities, lead time, rate
and notes. Ctrl+N creates a contact, Enter or a double-click edits it, Del archives it (Ctrl+Z
brings it back).
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Callable

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from dmdesk.db.database import Database
from dmdesk.domain.kinds import ContactKind, ContactRole
from dmdesk.gui.context import GuiContext
from dmdesk.gui.dialogs.contact_form import ContactChoices, ContactForm
from dmdesk.gui.dialogs.form import FormDialog
from dmdesk.gui.dialogs.site_common import (
    Facts,
    ScopedModel,
    enum_items,
    enum_label,
    fit_columns_on_reset,
    humanize_columns,
    show_error,
    small_table,
    tags_label,
)
from dmdesk.gui.undo import archive_with_undo
from dmdesk.gui.views.area import Area
from dmdesk.gui.views.list_area import ListArea
from dmdesk.gui.views.sites import heading_font
from dmdesk.queries import lists, network
from dmdesk.queries.network import ContactDetail
from dmdesk.queries.paging import ListSpec
from dmdesk.services import contacts

CONTACTS_LIST: ListSpec = dataclasses.replace(lists.CONTACTS, columns=tuple(
    dataclasses.replace(c, kind="enum") if c.key in ("kind", "role") else c
    for c in lists.CONTACTS.columns))
RELEVANT = frozenset({"contacts", "sites"})


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
        self.pages = QStackedWidget(self)
        hint = QLabel(self.tr("Select a contact to see its organisation, people and site."),
                      self)
        hint.setWordWrap(True)
        hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.pages.addWidget(hint)
        self.pages.addWidget(self._content())
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 0, 0, 0)
        layout.addWidget(self.pages)

    def _content(self) -> QWidget:
        page = QWidget(self)
        self.heading = QLabel(page)
        self.heading.setObjectName("contact_heading")
        self.heading.setFont(heading_font(self))
        self.heading.setWordWrap(True)
        self.subheading = QLabel(page)
        edit = QPushButton(self.tr("Edit…"), page)
        edit.clicked.connect(lambda: self.edit_requested.emit(
            self.contact.id if self.contact else None))
        top = QHBoxLayout()
        titles = QVBoxLayout()
        titles.addWidget(self.heading)
        titles.addWidget(self.subheading)
        top.addLayout(titles, 1)
        top.addWidget(edit, 0, Qt.AlignmentFlag.AlignTop)
        self.facts = self._facts(page)
        self.people_heading = QLabel(page)
        self.people_heading.setFont(heading_font(self, 1.0))
        self.people_table = small_table(self.people, page, "people_table")
        self.people_table.doubleClicked.connect(self._open_person)
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.facts)
        layout.addSpacing(8)
        layout.addWidget(self.people_heading)
        layout.addWidget(self.people_table, 1)
        return page

    def _facts(self, page: QWidget) -> Facts:
        return Facts([
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
        self.facts.show_row("organisation", person)
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


class ContactsArea(Area):
    can_create = True
    can_archive = True
    can_search = True

    def __init__(self, gctx: GuiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.gctx = gctx
        self.title = self.tr("Contacts")
        self.form: FormDialog | None = None
        self._announcing = False
        self.list = ListArea(gctx.db, CONTACTS_LIST, self, gctx=gctx, title=self.tr("Contacts"))
        humanize_columns(self.list.table, CONTACTS_LIST, tags=("capabilities",))
        self._add_toolbar()
        self.detail = ContactDetailPane(gctx.db, self)
        self.list.set_detail(self.detail)
        self.list.splitter.setSizes([560, 520])
        fit_columns_on_reset(self.list.table, self.list.model)
        self.list.selection_changed.connect(self.detail.show_contact)
        self.list.opened.connect(self.edit_contact)
        self.detail.edit_requested.connect(self.edit_contact)
        self.detail.person_opened.connect(self._select_person)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.list)
        gctx.events.changed.connect(self._data_changed)
        self.set_show_archived(False)

    def _add_toolbar(self) -> None:
        self.role_filter = QComboBox(self)
        self.role_filter.setObjectName("role_filter")
        self.role_filter.addItem(self.tr("All roles"), None)
        for label, value in enum_items(ContactRole):
            self.role_filter.addItem(label, value)
        self.role_filter.currentIndexChanged.connect(
            lambda _i: self.list.model.set_filter("role", self.role_filter.currentData()))
        self.archived_box = QCheckBox(self.tr("Show archived"), self)
        self.archived_box.setObjectName("show_archived")
        self.archived_box.toggled.connect(self.set_show_archived)
        new = QPushButton(self.tr("New contact…"), self)
        new.setObjectName("new_contact")
        new.setToolTip(self.tr("Create a contact (Ctrl+N)"))
        new.clicked.connect(self.create_new)
        archive = QPushButton(self.tr("Archive"), self)
        archive.setObjectName("archive_contact")
        archive.setToolTip(self.tr("Archive the selected contacts (Del); Ctrl+Z undoes it"))
        archive.clicked.connect(self.archive_selected)
        for widget in (self.role_filter, self.archived_box, new, archive):
            self.list.toolbar.addWidget(widget)

    def set_show_archived(self, show: bool) -> None:
        if self.archived_box.isChecked() != show:
            self.archived_box.setChecked(show)
            return
        column = [c.key for c in CONTACTS_LIST.columns].index("archived")
        self.list.table.setColumnHidden(column, not show)
        self.list.model.set_filter("archived", None if show else False)

    # --- the Area protocol -----------------------------------------------------------------

    def refresh(self) -> None:
        self.list.refresh()
        if self.list.current_id() is None:
            self.detail.show_contact(None)

    def focus_search(self) -> None:
        self.list.focus_search()

    def create_new(self) -> None:
        form = ContactForm(self.gctx.services, self.gctx.runner, self._choices(), parent=self)
        self._open_form(form, self.tr("Created contact {0}."))

    def edit_contact(self, contact_id: uuid.UUID | None) -> None:
        if contact_id is None:
            return
        with self.gctx.db.read_session() as session:
            contact = network.contact_detail(session, contact_id)
        form = ContactForm(self.gctx.services, self.gctx.runner, self._choices(),
                           contact=contact, parent=self)
        self._open_form(form, self.tr("Saved contact {0}."))

    def archive_selected(self) -> None:
        ids = self.list.selected_ids()
        if not ids:
            self.gctx.notify(self.tr("Select the contacts to archive first."))
            return
        names = ", ".join(self._name_of(contact_id) for contact_id in ids)
        self.gctx.notify(archive_with_undo(
            self.gctx.undo, self.gctx.runner, names,
            lambda flag: self._set_archived(ids, flag), self._after_write, self._write_failed))

    # --- writing ---------------------------------------------------------------------------

    def _choices(self) -> ContactChoices:
        with self.gctx.db.read_session() as session:
            return ContactChoices(network.organisation_choices(session),
                                  network.site_choices(session))

    def _open_form(self, form: ContactForm, message: str) -> None:
        self.form = form
        form.accepted.connect(lambda: self._saved(form.result_value, message.format(
            form.fields["name"].widget.property("text"))))
        form.finished.connect(form.deleteLater)
        form.open()

    def _saved(self, contact_id: object, message: str) -> None:
        self._after_write()
        if isinstance(contact_id, uuid.UUID):
            self.list.select_id(contact_id)
        self.gctx.notify(message)

    def _set_archived(self, ids: list[uuid.UUID], archived: bool) -> Callable[[], None]:
        services = self.gctx.services

        def run() -> None:  # on the worker thread
            for contact_id in ids:
                contacts.set_contact_archived(services, contact_id, archived)
        return run

    def _after_write(self) -> None:
        self.refresh()
        self._announcing = True
        try:
            self.gctx.events.changed.emit("contacts")
        finally:
            self._announcing = False

    def _write_failed(self, error: BaseException) -> None:
        self.refresh()
        self.gctx.notify(str(error))
        show_error(self, self.tr("Contacts"), error)

    def _data_changed(self, what: str) -> None:
        if not self._announcing and what in RELEVANT and self.isVisible():
            self.refresh()

    def _select_person(self, contact_id: uuid.UUID) -> None:
        if not self.list.select_id(contact_id):
            self.detail.show_contact(contact_id)

    def _name_of(self, contact_id: uuid.UUID) -> str:
        for row in range(self.list.model.rowCount()):
            if self.list.model.row_id(row) == contact_id:
                return str(self.list.model.row_values(row)["name"])
        return str(contact_id)
