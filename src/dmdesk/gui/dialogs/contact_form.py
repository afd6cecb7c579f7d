"""Create or edit a contact: an organisation (a customer, a micro-producer's business) or a
person who works for one, optionally linked to the site they run or work at."""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from PySide6.QtWidgets import QComboBox, QPlainTextEdit, QWidget

from dmdesk.domain.errors import ValidationError
from dmdesk.domain.kinds import ContactKind, ContactRole, SiteKind
from dmdesk.gui.dialogs.form import (
    FormDialog,
    combo,
    find_data,
    line_edit,
    right_aligned,
    select_data,
)
from dmdesk.gui.dialogs.site_form import service_rule
from dmdesk.gui.formatting import enum_items, enum_label
from dmdesk.gui.tasks import TaskRunner
from dmdesk.queries.network import Choice, ContactDetail
from dmdesk.services import contacts
from dmdesk.services.contacts import CONTACT_FIELDS
from dmdesk.services.context import ServiceContext

# Something@something.something, no spaces: catches the usual slips (a missing @, a comma for
# a dot, a space) without refusing real addresses.
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")


@dataclass(frozen=True)
class ContactChoices:
    organisations: Sequence[Choice]
    sites: Sequence[Choice]


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


class ContactForm(FormDialog):
    """``contact`` None creates a new contact; otherwise edits it (changed fields only)."""

    def __init__(self, services: ServiceContext, runner: TaskRunner, choices: ContactChoices, *,
                 contact: ContactDetail | None = None, parent: QWidget | None = None) -> None:
        title = self.tr("New contact") if contact is None else self.tr(
            "Edit contact {0}").format(contact.name)
        super().__init__(title, runner, parent)
        self.setObjectName("contact_form")
        self.services = services
        self.contact = contact
        self._role_chosen = contact is not None
        self._build(choices, contact)
        self.initial = self.values() if contact is not None else {}
        self.resize(560, self.sizeHint().height())

    # --- fields --------------------------------------------------------------------------------

    def _build(self, choices: ContactChoices, c: ContactDetail | None) -> None:
        self.kind = self._combo("kind", self.tr("Kind"), enum_items(ContactKind),
                                c.kind if c else ContactKind.ORGANISATION.value)
        self.role = self._combo("role", self.tr("Role"), enum_items(ContactRole),
                                c.role if c else ContactRole.CUSTOMER.value)
        self.role.activated.connect(lambda _i: setattr(self, "_role_chosen", True))
        self.add_field("name", self.tr("Name"), line_edit(c.name if c else ""),
                       self._rule("name", self.tr("Name")))
        self.organisation = self._combo(
            "organisation_id", self.tr("Organisation"), self._organisation_items(choices, c),
            c.organisation_id if c else None)
        self.site = self._combo("site_id", self.tr("Site"), self._site_items(choices),
                                c.site_id if c else None)
        self._site_kinds = {choice.id: choice.kind for choice in choices.sites}
        self.site.currentIndexChanged.connect(lambda _i: self._suggest_role())
        self.add_field("email", self.tr("E-mail"), line_edit(
            c.email if c else "", "name@example.com"), self._email)
        self.add_field("phone", self.tr("Phone"), line_edit(c.phone if c else ""),
                       self._rule("phone", self.tr("Phone")))
        self._more_fields(c)
        self.kind.currentIndexChanged.connect(lambda _i: self._kind_changed())
        self._kind_changed()

    def _more_fields(self, c: ContactDetail | None) -> None:
        address = QPlainTextEdit(c.address if c else "")
        address.setTabChangesFocus(True)
        address.setFixedHeight(52)
        self.add_field("address", self.tr("Address"), address,
                       self._rule("address", self.tr("Address")))
        self.add_field("capabilities", self.tr("Capabilities"), line_edit(
            ", ".join(c.capabilities) if c else "", self.tr("comma list, e.g. cnc, welding")),
            self._rule("capabilities", self.tr("Capabilities")))
        self.add_field("lead_time_days", self.tr("Lead time (days)"), right_aligned(line_edit(
            str(c.lead_time_days) if c else "", "0")),
            self._rule("lead_time_days", self.tr("Lead time"), empty=0))
        rate = f"{c.hourly_rate:.2f}" if c and c.hourly_rate else ""
        self.add_field("hourly_rate", self.tr("Hourly rate"), right_aligned(
            line_edit(rate, "0.00")), self._rule("hourly_rate", self.tr("Hourly rate"),
                                                 empty=Decimal(0)))
        notes = QPlainTextEdit(c.notes if c else "")
        notes.setTabChangesFocus(True)
        notes.setFixedHeight(64)
        self.add_field("notes", self.tr("Notes"), notes, self._rule("notes", self.tr("Notes")))

    def _combo(self, name: str, label: str, items: list[tuple[str, Any]],
               current: Any) -> QComboBox:
        box = combo(items)
        select_data(box, current)
        self.add_field(name, label, box, lambda v: v if name.endswith("_id") else
                       self._rule(name, label)(v))
        return box

    def _organisation_items(self, choices: ContactChoices,
                            c: ContactDetail | None) -> list[tuple[str, Any]]:
        own = c.id if c else None
        return [(self.tr("(none)"), None)] + [
            (org.label, org.id) for org in choices.organisations if org.id != own]

    def _site_items(self, choices: ContactChoices) -> list[tuple[str, Any]]:
        return [(self.tr("(none)"), None)] + [
            (f"{site.label} ({enum_label(site.kind)})", site.id) for site in choices.sites]

    @staticmethod
    def _rule(name: str, label: str, empty: Any = None) -> Any:
        return service_rule(name, label, CONTACT_FIELDS, empty)

    # --- behaviour -----------------------------------------------------------------------------

    def _kind_changed(self) -> None:
        """Only a person belongs to an organisation."""
        person = self.kind.currentData() == ContactKind.PERSON.value
        if not person:
            self.organisation.setCurrentIndex(0)
        self.organisation.setEnabled(person)

    def _suggest_role(self) -> None:
        """Someone linked to a micro-producer is a producer, unless the user said otherwise."""
        kind = self._site_kinds.get(self.site.currentData())
        if not self._role_chosen and kind == SiteKind.MICRO_PRODUCER.value:
            self.role.setCurrentIndex(find_data(self.role, ContactRole.PRODUCER.value))

    def _email(self, value: Any) -> str:
        email = _text(value)
        if email and not EMAIL_RE.match(email):
            raise ValidationError(self.tr(
                "'{0}' is not an e-mail address (like name@example.com).").format(email),
                field="email")
        checked: str = self._rule("email", self.tr("E-mail"))(email)
        return checked

    # --- saving ----------------------------------------------------------------------------------

    def submit(self, values: dict[str, Any]) -> uuid.UUID:
        if self.contact is None:
            return contacts.create_contact(self.services, **values)
        changed = {k: v for k, v in values.items() if self.initial.get(k) != v}
        if changed:
            contacts.update_contact(self.services, self.contact.id, **changed)
        return self.contact.id
