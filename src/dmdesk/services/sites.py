"""Sites (own workshops, micro-producers, warehouses, in-transit) and their locations."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select

from dmdesk.db import models as m
from dmdesk.domain.errors import ValidationError
from dmdesk.domain.kinds import (
    TRANSIT_CREATED_AT,
    TRANSIT_LOCATION_ID,
    TRANSIT_SITE_ID,
    LocationKind,
    SiteKind,
    SiteStatus,
)
from dmdesk.domain.numbering import check_site_code
from dmdesk.services import records
from dmdesk.services.context import SETTING_SITE, ServiceContext, UnitOfWork
from dmdesk.services.fields import choice, coordinate, flag, qty, tags, text

SITE_FIELDS = {
    "code": lambda v, f: check_site_code(text(6, required=True)(v, f)),
    "name": text(120, required=True),
    "kind": choice(SiteKind),
    "address": text(500),
    "latitude": coordinate(90),
    "longitude": coordinate(180),
    "capabilities": tags(),
    "weekly_capacity_hours": qty(),
    "status": choice(SiteStatus),
    # Runs dmdesk and reports its own progress (domain/lifecycle.py).
    "reports_progress": flag(),
}
LOCATION_FIELDS = {
    "site_id": lambda v, f: v,
    "code": text(40, required=True),
    "name": text(120),
    "kind": choice(LocationKind),
}
DEFAULT_LOCATION = "STOCK"
TRANSIT_LOCATION = "TRANSIT"


def create_site(ctx: ServiceContext, **values: Any) -> uuid.UUID:
    """A new site with one stock location (or a transit location for in-transit sites)."""
    with ctx.transaction() as uow:
        return _create_site(uow, values).id


def _create_site(uow: UnitOfWork, values: dict[str, Any]) -> m.Site:
    code = SITE_FIELDS["code"](values.get("code"), "code")
    records.ensure_unique(uow, m.Site, "code", code, what="Site code")
    site = records.create_row(uow, m.Site, SITE_FIELDS, {**values, "code": code},
                              what="site", require=("code", "name", "kind"))
    transit = site.kind == SiteKind.IN_TRANSIT
    records.create_row(uow, m.Location, LOCATION_FIELDS, {
        "site_id": site.id, "code": TRANSIT_LOCATION if transit else DEFAULT_LOCATION,
        "name": "In transit" if transit else "Main stock",
        "kind": LocationKind.TRANSIT if transit else LocationKind.INTERNAL,
    }, what="location")
    return site


def update_site(ctx: ServiceContext, site_id: uuid.UUID, **changes: Any) -> None:
    with ctx.transaction() as uow:
        site = uow.get(m.Site, site_id, "site")
        if "code" in changes:
            code = SITE_FIELDS["code"](changes["code"], "code")
            records.ensure_unique(uow, m.Site, "code", code, what="Site code", exclude=site_id)
            if code != site.code:
                _check_code_can_change(uow, site, code)
        if "kind" in changes and SiteKind(changes["kind"]) != SiteKind(site.kind) and (
                SiteKind.IN_TRANSIT in (SiteKind(changes["kind"]), SiteKind(site.kind))):
            raise ValidationError("A site cannot become, or stop being, the in-transit site.",
                                  field="kind")
        records.update_row(uow, site, SITE_FIELDS, changes, what="site")


def _check_code_can_change(uow: UnitOfWork, site: m.Site, new_code: str) -> None:
    """Numbers stay unique only while each site keeps the code it numbered with: once a
    document carries the code it cannot change (a new site could take the freed code and
    number the same documents again). The local site's numbering follows a rename."""
    if uow.session.scalar(select(m.NumberSequence.kind).where(
            m.NumberSequence.prefix == site.code).limit(1)) is not None:
        raise ValidationError(
            f"Site code {site.code} is already used in document numbers "
            f"({site.code}-...), so it cannot change; change the name instead.", field="code")
    if uow.session.scalar(select(m.Setting.value).where(
            m.Setting.key == SETTING_SITE)) == site.code:
        uow.set_setting(SETTING_SITE, new_code)


def set_site_archived(ctx: ServiceContext, site_id: uuid.UUID, archived: bool = True) -> None:
    with ctx.transaction() as uow:
        records.set_archived(uow, uow.get(m.Site, site_id, "site"), archived)


def create_location(ctx: ServiceContext, site_id: uuid.UUID, code: str,
                    name: str = "") -> uuid.UUID:
    with ctx.transaction() as uow:
        uow.get(m.Site, site_id, "site")
        clean_code = text(40, required=True)(code, "code")
        exists = uow.session.scalar(select(m.Location.id).where(
            m.Location.site_id == site_id, m.Location.code == clean_code))
        if exists:
            raise ValidationError(f"This site already has a location '{clean_code}'.",
                                  field="code")
        return records.create_row(uow, m.Location, LOCATION_FIELDS, {
            "site_id": site_id, "code": clean_code, "name": name,
            "kind": LocationKind.INTERNAL}, what="location").id


def set_location_archived(ctx: ServiceContext, location_id: uuid.UUID,
                          archived: bool = True) -> None:
    with ctx.transaction() as uow:
        records.set_archived(uow, uow.get(m.Location, location_id, "location"), archived)


def set_local_site(ctx: ServiceContext, code: str) -> None:
    """Say which site this database belongs to: its documents are numbered with its code."""
    with ctx.transaction() as uow:
        code = check_site_code(code)
        if uow.session.scalar(select(m.Site.id).where(m.Site.code == code)) is None:
            raise ValidationError(f"There is no site with code {code}.", field="code")
        uow.set_setting(SETTING_SITE, code)
        uow.audit("set_local_site", "setting", None, code=code)


def transit_location(uow: UnitOfWork) -> m.Location:
    """The location stock passes through between sites; made on first use if need be."""
    location = uow.session.scalars(
        select(m.Location).join(m.Site)
        .where(m.Location.kind == LocationKind.TRANSIT, m.Site.kind == SiteKind.IN_TRANSIT,
               m.Location.archived.is_(False))
        .order_by(m.Location.id).limit(1)).first()
    if location is not None:
        return location
    # TRN unless a real site already has that code (a workshop in Trento): then TRN2, TRN3...
    taken = set(uow.session.scalars(select(m.Site.code).where(m.Site.code.like("TRN%"))))
    code = next(c for c in ("TRN", *(f"TRN{n}" for n in range(2, 1000))) if c not in taken)
    stamp = TRANSIT_CREATED_AT  # the same rows at every site (domain/kinds.py)
    uow.session.add(m.Site(id=TRANSIT_SITE_ID, code=code, name="In transit",
                           kind=SiteKind.IN_TRANSIT, created_at=stamp, updated_at=stamp))
    uow.session.flush()
    location = m.Location(id=TRANSIT_LOCATION_ID, site_id=TRANSIT_SITE_ID,
                          code=TRANSIT_LOCATION, name="In transit", kind=LocationKind.TRANSIT,
                          created_at=stamp, updated_at=stamp)
    uow.session.add(location)
    uow.session.flush()
    uow.audit("create", "site", TRANSIT_SITE_ID, code=code, kind=SiteKind.IN_TRANSIT.value)
    return location


MAKING_KINDS = frozenset({SiteKind.OWN_WORKSHOP, SiteKind.MICRO_PRODUCER})


SETTING_CLAIMED = "claimed_own_progress"


def claim_own_progress(ctx: ServiceContext) -> bool:
    """A making site that syncs runs dmdesk: from now on it reports its own work orders'
    progress (``reports_progress``), instead of the owner on its behalf. Done once: if the
    owner later hands the site's progress back to itself, that decision stands. True when the
    flag was set now (it travels to the network with the next push)."""
    with ctx.transaction() as uow:
        if uow.side.is_owner or uow.setting(SETTING_CLAIMED):
            return False
        site = uow.session.scalar(select(m.Site).where(m.Site.code == uow.site_code))
        if site is None or site.kind not in MAKING_KINDS:
            return False
        uow.set_setting(SETTING_CLAIMED, site.code)
        if site.reports_progress:
            return False
        site.reports_progress = True
        uow.session.flush()
        uow.audit("claim_progress", "site", site.id, code=site.code)
        return True
