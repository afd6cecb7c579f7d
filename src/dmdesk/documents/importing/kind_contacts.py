"""Import contacts: organisations and people (customers, producers, suppliers).

A person's organisation is named by its name: an organisation in the database, or one on an
earlier row of the same file (so a file can list a company and then its people).
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from dmdesk.db import models as m
from dmdesk.documents.importing.base import Checker, ImportKind, RowView
from dmdesk.documents.importing.columns import Field
from dmdesk.domain.errors import DomainError
from dmdesk.domain.kinds import ContactKind, ContactRole
from dmdesk.domain.quantity import MONEY_PLACES
from dmdesk.services import contacts
from dmdesk.services.context import UnitOfWork
from dmdesk.services.fields import tags

FIELDS = (
    Field("name", "Name", True, ("contact", "contact name", "full name", "company name")),
    Field("kind", "Kind", False, ("type", "contact type", "contact kind")),
    Field("role", "Role", False, ("relationship", "category")),
    Field("organisation", "Organisation", False,
          ("organization", "company", "employer", "org", "works for")),
    Field("site", "Site", False, ("site code", "workshop")),
    Field("email", "E-mail", False, ("email", "mail", "email address", "e-mail address")),
    Field("phone", "Phone", False, ("telephone", "tel", "mobile", "phone number")),
    Field("address", "Address", False, ("street address", "postal address")),
    Field("latitude", "Latitude", False, ("lat",)),
    Field("longitude", "Longitude", False, ("lon", "lng", "long")),
    Field("capabilities", "Capabilities", False, ("skills", "capability")),
    Field("lead_time_days", "Lead time (days)", False, ("lead time", "lead time days", "lead")),
    Field("hourly_rate", "Hourly rate", False, ("rate", "rate per hour", "hourly")),
    Field("notes", "Notes", False, ("note", "comment", "comments", "remarks")),
)
KINDS = {k.value: k.value for k in ContactKind} | {
    "organization": "organisation", "company": "organisation", "org": "organisation",
    "business": "organisation", "individual": "person", "people": "person"}
ROLES = {r.value: r.value for r in ContactRole} | {
    "client": "customer", "maker": "producer", "micro_producer": "producer",
    "vendor": "supplier"}
OrgRef = tuple[str, Any]  # ("db", id) or ("file", name key)


class ContactChecker(Checker[dict[str, Any]]):
    def __init__(self, session: Session) -> None:
        super().__init__(session)
        self.orgs: dict[str, list[uuid.UUID]] = defaultdict(list)
        self.existing: set[tuple[str, uuid.UUID | None]] = set()
        for cid, name, kind, org in session.execute(select(
                m.Contact.id, m.Contact.name, m.Contact.kind, m.Contact.organisation_id)):
            self.existing.add((name.casefold(), org))
            if kind == ContactKind.ORGANISATION:
                self.orgs[name.casefold()].append(cid)
        self.sites = {code.casefold(): sid for sid, code in
                      session.execute(select(m.Site.id, m.Site.code))}
        self.file_orgs: dict[str, int] = {}
        self.seen: dict[tuple[str, str], int] = {}
        self.created: dict[str, uuid.UUID] = {}

    def _organisation(self, row: RowView, kind: str) -> OrgRef | None:
        name = row.text("organisation", 200)
        if not name:
            return None
        key = name.casefold()
        if kind == ContactKind.ORGANISATION:
            row.problem("organisation", "an organisation cannot belong to another; leave "
                                        "this empty or make the row a person.")
        elif key in self.file_orgs:
            return ("file", key)
        elif len(self.orgs.get(key, [])) == 1:
            return ("db", self.orgs[key][0])
        elif key in self.orgs:
            row.problem("organisation", f"{len(self.orgs[key])} organisations are named "
                                        f"'{name}'; rename one so the file can tell them apart.")
        else:
            row.problem("organisation", f"unknown organisation '{name}': it is neither in "
                                        "the database nor on an earlier row of this file.")
        return None

    def check(self, row: RowView) -> dict[str, Any] | None:
        name = row.text("name", 200, required=True)
        kind = row.choice("kind", KINDS) or ContactKind.ORGANISATION.value
        org = self._organisation(row, kind)
        values: dict[str, Any] = {
            "name": name, "kind": kind, "role": row.choice("role", ROLES) or "customer",
            "email": row.text("email", 200) or "", "phone": row.text("phone", 60) or "",
            "address": row.text("address", 500) or "", "notes": row.text("notes", 10_000) or "",
            "capabilities": self._tags(row)}
        self._numbers(row, values)
        self._site(row, values)
        email = values["email"]
        if email and ("@" not in email or " " in email):
            row.problem("email", f"'{email}' is not an e-mail address.")
        if name:
            self._duplicate(row, name, kind, org)
        return {**values, "org": org} if row.ok else None

    def _numbers(self, row: RowView, values: dict[str, Any]) -> None:
        for field, limit in (("latitude", 90), ("longitude", 180)):
            if row.has(field):
                number = row.decimal(field, places=9, signed=True)
                if number is not None and abs(number) > limit:
                    row.problem(field, f"{number} must be between -{limit} and {limit}.")
                elif number is not None:
                    values[field] = float(number)
        lead = row.integer("lead_time_days", 0, 3650)
        if lead is not None:
            values["lead_time_days"] = lead
        rate = row.decimal("hourly_rate", places=MONEY_PLACES)
        if rate is not None:
            values["hourly_rate"] = rate

    def _tags(self, row: RowView) -> str:
        raw = row.text("capabilities", 2000) or ""
        try:
            return str(tags()(raw.replace(";", ","), "capabilities"))
        except DomainError as exc:
            row.problem("capabilities", str(exc).removeprefix("capabilities: "))
            return ""

    def _site(self, row: RowView, values: dict[str, Any]) -> None:
        code = row.text("site", 6)
        if code:
            site = self.sites.get(code.casefold())
            if site is None:
                row.problem("site", f"unknown site code '{code}'.")
            values["site_id"] = site

    def _duplicate(self, row: RowView, name: str, kind: str, org: OrgRef | None) -> None:
        key = (name.casefold(), repr(org))
        if key in self.seen:
            row.problem("name", f"duplicate contact '{name}': row {self.seen[key]} has it too.")
        elif (name.casefold(), org[1] if org and org[0] == "db" else None) in self.existing \
                and (org is None or org[0] == "db"):
            row.problem("name", f"duplicate contact: '{name}' is already in the database.")
        self.seen.setdefault(key, row.number)
        if kind == ContactKind.ORGANISATION:
            self.file_orgs.setdefault(name.casefold(), row.number)

    def write(self, uow: UnitOfWork, record: dict[str, Any]) -> None:
        values = dict(record)
        org = values.pop("org")
        if org is not None:
            values["organisation_id"] = self.created[org[1]] if org[0] == "file" else org[1]
        contact = contacts.create_contact_in(uow, values)
        if contact.kind == ContactKind.ORGANISATION:
            self.created.setdefault(contact.name.casefold(), contact.id)

    def summary(self, rows: int) -> str:
        return f"{rows} contact{'s' if rows != 1 else ''}"


KIND = ImportKind("contacts", "Contacts", FIELDS, ("contacts", "contact", "people"),
                  ContactChecker)
