"""Contacts: customers, micro-producers and the people who work for them."""

from __future__ import annotations

import uuid
from typing import Any

from dmdesk.db import models as m
from dmdesk.domain.errors import ValidationError
from dmdesk.domain.kinds import ContactKind, ContactRole
from dmdesk.services import records
from dmdesk.services.context import ServiceContext, UnitOfWork
from dmdesk.services.fields import amount, choice, coordinate, integer, tags, text

CONTACT_FIELDS = {
    "kind": choice(ContactKind),
    "role": choice(ContactRole),
    "name": text(200, required=True),
    "organisation_id": lambda v, f: v,
    "site_id": lambda v, f: v,
    "email": text(200),
    "phone": text(60),
    "address": text(500),
    "latitude": coordinate(90),
    "longitude": coordinate(180),
    "capabilities": tags(),
    "lead_time_days": integer(0, 3650),
    "hourly_rate": amount(),
    "notes": text(10_000),
}


def _check_links(uow: UnitOfWork, values: dict[str, Any]) -> None:
    if values.get("organisation_id") is not None:
        org = uow.get(m.Contact, values["organisation_id"], "organisation")
        if org.kind != ContactKind.ORGANISATION:
            raise ValidationError(f"{org.name} is a person, not an organisation.",
                                  field="organisation_id")
    if values.get("site_id") is not None:
        uow.get(m.Site, values["site_id"], "site")
    email = values.get("email")
    if email and ("@" not in email or " " in email.strip()):
        raise ValidationError(f"'{email}' is not an e-mail address.", field="email")


def create_contact(ctx: ServiceContext, **values: Any) -> uuid.UUID:
    with ctx.transaction() as uow:
        return create_contact_in(uow, values).id


def create_contact_in(uow: UnitOfWork, values: dict[str, Any]) -> m.Contact:
    """Create a contact in the caller's transaction (imports: many in one)."""
    values = {"kind": ContactKind.ORGANISATION, "role": ContactRole.CUSTOMER, **values}
    _check_links(uow, values)
    return records.create_row(uow, m.Contact, CONTACT_FIELDS, values, what="contact",
                              require=("name",))


def update_contact(ctx: ServiceContext, contact_id: uuid.UUID, **changes: Any) -> None:
    with ctx.transaction() as uow:
        contact = uow.get(m.Contact, contact_id, "contact")
        _check_links(uow, changes)
        if changes.get("organisation_id") == contact_id:
            raise ValidationError("A contact cannot belong to itself.", field="organisation_id")
        records.update_row(uow, contact, CONTACT_FIELDS, changes, what="contact")


def set_contact_archived(ctx: ServiceContext, contact_id: uuid.UUID,
                         archived: bool = True) -> None:
    with ctx.transaction() as uow:
        records.set_archived(uow, uow.get(m.Contact, contact_id, "contact"), archived)
