"""Producer mode: whether this database belongs to a producer (its sync role), which site that
is, and the transfers in and out of it.

A producer's database holds what the server shares with it: its own site's orders and stock,
and only the products, sites and fields it needs (no prices or costs). The app shows it the
areas a producer works in (gui/producer_mode.py); the role is read once, when the window opens.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, aliased

from dmdesk.db import models as m
from dmdesk.db.models_sync import SyncState
from dmdesk.queries.paging import Column, ListSpec

PRODUCER_ROLE = "producer"
SETTING_SITE = "local_site_code"  # the local site's code (services/context.py writes it)


@dataclass(frozen=True)
class ProducerScope:
    """The producer's own site: ``site_id`` None while its row has not arrived by sync."""

    site_code: str
    site_name: str
    site_id: uuid.UUID | None


def producer_scope(session: Session) -> ProducerScope | None:
    """The producer's site when this database's sync role is producer, else None."""
    state = session.execute(select(SyncState.role, SyncState.site_code)).first()
    if state is None or state.role != PRODUCER_ROLE:
        return None
    code = state.site_code or session.scalar(
        select(m.Setting.value).where(m.Setting.key == SETTING_SITE)) or ""
    site = session.execute(select(m.Site.id, m.Site.name).where(m.Site.code == code)).first()
    if site is None:
        return ProducerScope(code, "", None)
    return ProducerScope(code, site.name, site.id)


_from_location, _to_location = aliased(m.Location), aliased(m.Location)
_from_site, _to_site = aliased(m.Site), aliased(m.Site)

# Transfers with the sites they go from and to; a site the producer cannot see (its row not
# shared) leaves its code empty, which the list shows as blank, not as an error.
SITE_TRANSFERS = ListSpec(
    name="site transfers",
    base=lambda: (select(m.Transfer)
                  .outerjoin(_from_location, _from_location.id == m.Transfer.from_location_id)
                  .outerjoin(_from_site, _from_site.id == _from_location.site_id)
                  .outerjoin(_to_location, _to_location.id == m.Transfer.to_location_id)
                  .outerjoin(_to_site, _to_site.id == _to_location.site_id)),
    columns=(
        Column("number", "Number", m.Transfer.number),
        Column("state", "State", m.Transfer.state, "enum"),
        Column("from_site", "From", _from_site.code),
        Column("to_site", "To", _to_site.code),
        Column("shipped_at", "Shipped", m.Transfer.shipped_at, "datetime"),
        Column("received_at", "Received", m.Transfer.received_at, "datetime"),
        Column("note", "Note", m.Transfer.note),
    ),
    tie_breaker=m.Transfer.id,
    search=(m.Transfer.number, m.Transfer.note, _from_site.code, _to_site.code),
    filters={
        "site_id": lambda v: or_(_from_location.site_id == v, _to_location.site_id == v),
        "state": lambda v: m.Transfer.state == v,
    },
    default_sort="number",
)
