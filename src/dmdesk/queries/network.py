"""The network, read side: a site's details, locations, contacts, open work and history; a
contact's details and its organisation's people; the choices the network forms offer.

Lists are ``ListSpec``s scoped by a ``site_id`` (or ``organisation_id``) filter, so the GUI pages
them like any other list; figures are single aggregate queries on indexed columns.

"On time" compares the UTC date the order was completed with its due date: at most a few hours
at the edge of a day can fall the other way, which is fine for a figure about weeks of work.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, Select, case, func, or_, select
from sqlalchemy.orm import Session, aliased

from dmdesk.db import models as m
from dmdesk.domain.errors import NotFoundError
from dmdesk.domain.kinds import ContactKind, SiteKind
from dmdesk.domain.work_order_states import OPEN_STATES, WOState
from dmdesk.queries.paging import Column, ListSpec

OPEN_STATE_VALUES = tuple(s.value for s in WOState if s in OPEN_STATES)

_organisation = aliased(m.Contact)
_organisation_at_site = aliased(m.Contact)


def split_tags(text: str) -> tuple[str, ...]:
    """The stored comma list ("cnc,laser-cut") as a tuple of tags."""
    return tuple(tag for tag in (part.strip() for part in text.split(",")) if tag)


# --- a site --------------------------------------------------------------------------------


@dataclass(frozen=True)
class SiteDetail:
    id: uuid.UUID
    code: str
    name: str
    kind: str
    status: str
    address: str
    latitude: float | None
    longitude: float | None
    capabilities: tuple[str, ...]
    weekly_capacity_hours: Decimal
    archived: bool
    reports_progress: bool = False


def site_detail(session: Session, site_id: uuid.UUID) -> SiteDetail:
    site = session.get(m.Site, site_id)
    if site is None:
        raise NotFoundError(f"Unknown site: {site_id}.", field="site")
    return SiteDetail(site.id, site.code, site.name, site.kind, site.status, site.address,
                      site.latitude, site.longitude, split_tags(site.capabilities),
                      site.weekly_capacity_hours, site.archived, site.reports_progress)


def _contacts_of_site(site_id: Any) -> ColumnElement[bool]:
    """Contacts linked to the site, and the people of organisations linked to it."""
    organisations = (select(_organisation_at_site.id)
                     .where(_organisation_at_site.site_id == site_id).correlate(None))
    return or_(m.Contact.site_id == site_id, m.Contact.organisation_id.in_(organisations))


def _on_time() -> ColumnElement[bool]:
    return func.date(m.WorkOrder.completed_at) <= m.WorkOrder.due_date


@dataclass(frozen=True)
class SiteFigures:
    locations: int
    contacts: int
    open_orders: int
    finished: int
    on_time: int
    good: Decimal
    scrap: Decimal

    @property
    def on_time_share(self) -> Decimal | None:
        """Finished orders completed by their due date, as a fraction; None before any."""
        return Decimal(self.on_time) / self.finished if self.finished else None

    @property
    def scrap_share(self) -> Decimal | None:
        """Scrap as a fraction of everything finished orders made (good + scrap)."""
        made = self.good + self.scrap
        return self.scrap / made if made else None


def site_figures(session: Session, site_id: uuid.UUID) -> SiteFigures:
    def count(query: Select[Any]) -> int:
        return int(session.scalar(query) or 0)

    locations = count(select(func.count()).select_from(m.Location).where(
        m.Location.site_id == site_id, m.Location.archived.is_(False)))
    contacts = count(select(func.count()).select_from(m.Contact).where(
        _contacts_of_site(site_id), m.Contact.archived.is_(False)))
    open_orders = count(select(func.count()).select_from(m.WorkOrder).where(
        m.WorkOrder.site_id == site_id, m.WorkOrder.state.in_(OPEN_STATE_VALUES)))
    finished, on_time, good, scrap = session.execute(
        select(func.count(), func.coalesce(func.sum(case((_on_time(), 1), else_=0)), 0),
               func.coalesce(func.sum(m.WorkOrder.good_qty), 0),
               func.coalesce(func.sum(m.WorkOrder.scrap_qty), 0))
        .where(m.WorkOrder.site_id == site_id, m.WorkOrder.state == WOState.DONE.value)).one()
    return SiteFigures(locations, contacts, open_orders, int(finished), int(on_time),
                       Decimal(good), Decimal(scrap))


SITE_LOCATIONS = ListSpec(
    name="locations",
    base=lambda: select(m.Location).where(m.Location.archived.is_(False)),
    columns=(
        Column("code", "Location", m.Location.code),
        Column("name", "Name", m.Location.name),
        Column("kind", "Kind", m.Location.kind, "enum"),
    ),
    tie_breaker=m.Location.id,
    search=(m.Location.code, m.Location.name),
    filters={"site_id": lambda v: m.Location.site_id == v},
    default_sort="code",
)

SITE_CONTACTS = ListSpec(
    name="contacts",
    base=lambda: (select(m.Contact)
                  .outerjoin(_organisation, _organisation.id == m.Contact.organisation_id)
                  .where(m.Contact.archived.is_(False))),
    columns=(
        Column("name", "Name", m.Contact.name),
        Column("organisation", "Organisation", _organisation.name),
        Column("role", "Role", m.Contact.role, "enum"),
        Column("email", "E-mail", m.Contact.email),
        Column("phone", "Phone", m.Contact.phone),
    ),
    tie_breaker=m.Contact.id,
    search=(m.Contact.name, m.Contact.email),
    filters={"site_id": _contacts_of_site},
    default_sort="name",
)


def _work_orders(*states: str) -> Select[Any]:
    return (select(m.WorkOrder).join(m.Product, m.Product.id == m.WorkOrder.product_id)
            .where(m.WorkOrder.state.in_(states)))


SITE_OPEN_WORK = ListSpec(
    name="open work orders",
    base=lambda: _work_orders(*OPEN_STATE_VALUES),
    columns=(
        Column("number", "Number", m.WorkOrder.number),
        Column("product", "Product", m.Product.sku),
        Column("product_name", "Name", m.Product.name),
        Column("quantity", "Quantity", m.WorkOrder.quantity, "qty"),
        Column("state", "State", m.WorkOrder.state, "enum"),
        Column("due_date", "Due", m.WorkOrder.due_date, "date"),
        Column("priority", "Priority", m.WorkOrder.priority, "int"),
    ),
    tie_breaker=m.WorkOrder.id,
    search=(m.WorkOrder.number, m.Product.sku, m.Product.name),
    filters={"site_id": lambda v: m.WorkOrder.site_id == v},
    default_sort="due_date",
)

SITE_HISTORY = ListSpec(
    name="finished work orders",
    base=lambda: _work_orders(WOState.DONE.value),
    columns=(
        Column("number", "Number", m.WorkOrder.number),
        Column("product", "Product", m.Product.sku),
        Column("due_date", "Due", m.WorkOrder.due_date, "date"),
        # The UTC day, as "On time" compares it (not the local time of day).
        Column("completed_on", "Completed", func.date(m.WorkOrder.completed_at), "date"),
        Column("on_time", "On time", case((_on_time(), True), else_=False), "bool"),
        Column("good_qty", "Good", m.WorkOrder.good_qty, "qty"),
        Column("scrap_qty", "Scrap", m.WorkOrder.scrap_qty, "qty"),
    ),
    tie_breaker=m.WorkOrder.id,
    search=(m.WorkOrder.number, m.Product.sku),
    filters={"site_id": lambda v: m.WorkOrder.site_id == v},
    default_sort="completed_on",
)


# --- a contact -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ContactDetail:
    id: uuid.UUID
    kind: str
    role: str
    name: str
    organisation_id: uuid.UUID | None
    organisation_name: str
    site_id: uuid.UUID | None
    site_code: str
    site_name: str
    site_kind: str
    email: str
    phone: str
    address: str
    capabilities: tuple[str, ...]
    lead_time_days: int
    hourly_rate: Decimal
    notes: str
    archived: bool

    @property
    def people_of(self) -> uuid.UUID | None:
        """The organisation whose people belong beside this contact (itself, or its own)."""
        return self.id if self.kind == ContactKind.ORGANISATION else self.organisation_id


def contact_detail(session: Session, contact_id: uuid.UUID) -> ContactDetail:
    row = session.execute(
        select(m.Contact, _organisation.name, m.Site.code, m.Site.name, m.Site.kind)
        .outerjoin(_organisation, _organisation.id == m.Contact.organisation_id)
        .outerjoin(m.Site, m.Site.id == m.Contact.site_id)
        .where(m.Contact.id == contact_id)).first()
    if row is None:
        raise NotFoundError(f"Unknown contact: {contact_id}.", field="contact")
    c, org_name, site_code, site_name, site_kind = row
    return ContactDetail(c.id, c.kind, c.role, c.name, c.organisation_id, org_name or "",
                         c.site_id, site_code or "", site_name or "", site_kind or "", c.email,
                         c.phone, c.address, split_tags(c.capabilities), c.lead_time_days,
                         c.hourly_rate, c.notes, c.archived)


PEOPLE = ListSpec(
    name="people",
    base=lambda: select(m.Contact).where(m.Contact.kind == ContactKind.PERSON.value,
                                         m.Contact.archived.is_(False)),
    columns=(
        Column("name", "Name", m.Contact.name),
        Column("role", "Role", m.Contact.role, "enum"),
        Column("email", "E-mail", m.Contact.email),
        Column("phone", "Phone", m.Contact.phone),
    ),
    tie_breaker=m.Contact.id,
    search=(m.Contact.name, m.Contact.email),
    filters={"organisation_id": lambda v: m.Contact.organisation_id == v},
    default_sort="name",
)


# --- choices for the forms -----------------------------------------------------------------


@dataclass(frozen=True)
class Choice:
    id: uuid.UUID
    label: str
    kind: str


def organisation_choices(session: Session) -> list[Choice]:
    """Organisations a person can belong to (not archived), by name."""
    rows = session.execute(
        select(m.Contact.id, m.Contact.name, m.Contact.role)
        .where(m.Contact.kind == ContactKind.ORGANISATION.value, m.Contact.archived.is_(False))
        .order_by(m.Contact.name, m.Contact.id))
    return [Choice(row_id, name, role) for row_id, name, role in rows]


def site_choices(session: Session) -> list[Choice]:
    """Sites a contact can be linked to (not archived, not the in-transit site), by code."""
    rows = session.execute(
        select(m.Site.id, m.Site.code, m.Site.name, m.Site.kind)
        .where(m.Site.archived.is_(False), m.Site.kind != SiteKind.IN_TRANSIT.value)
        .order_by(m.Site.code))
    return [Choice(row_id, f"{code} — {name}", kind) for row_id, code, name, kind in rows]


@dataclass(frozen=True)
class SiteName:
    code: str
    name: str


def all_sites(session: Session) -> list[SiteName]:
    """Every site, archived and in-transit ones included (an export may be about any), by
    code."""
    rows = session.execute(select(m.Site.code, m.Site.name).order_by(m.Site.code))
    return [SiteName(code, name) for code, name in rows]


def site_codes(session: Session) -> set[str]:
    """Every site code in use, archived sites included (codes are never reused)."""
    return set(session.scalars(select(m.Site.code)))


def location_codes(session: Session, site_id: uuid.UUID) -> set[str]:
    return set(session.scalars(select(m.Location.code).where(m.Location.site_id == site_id)))

