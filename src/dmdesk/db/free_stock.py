"""Stock free to take at a site: on hand less reserved, per location and lot, in the order
work takes it.

The one query behind reserving at release, consuming at completion, shipping and bringing in
components for a customer order, the draft job sheet's pick list and the demo builder (it
lives in db/ because both the write side, services, and the read side, queries, need it and
neither may import the other). Only open internal locations count: a transit location is
stock on the road, and the ledger refuses moves at a closed (archived) one.

Order: oldest lot first (``lot_key`` is the lot's UUIDv7, time-ordered; stock without a lot
first), then location code. ``domain.stock_take.take_in_order`` walks the slots in this order.
"""

from __future__ import annotations

import functools
import uuid
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal
from typing import Any, NamedTuple

from sqlalchemy import Executable, bindparam, select
from sqlalchemy.orm import Session

from dmdesk.db import models as m
from dmdesk.db.chunks import chunked
from dmdesk.domain.kinds import LocationKind


class FreeSlot(NamedTuple):
    location_id: uuid.UUID
    location_code: str
    lot_id: uuid.UUID | None
    lot_code: str | None
    free: Decimal  # more than zero

    @property
    def by_id(self) -> tuple[uuid.UUID, uuid.UUID | None, Decimal]:
        """(location id, lot id, free): a slot for domain.stock_take, to write with."""
        return self.location_id, self.lot_id, self.free

    @property
    def by_code(self) -> tuple[str, str | None, Decimal]:
        """(location code, lot code, free): a slot for domain.stock_take, to show."""
        return self.location_code, self.lot_code, self.free


# Free slots per (site, product), in the order work takes them.
FreeStock = dict[tuple[uuid.UUID, uuid.UUID], list[FreeSlot]]


@functools.cache
def _query() -> Executable:
    balance = m.StockBalance
    return (select(m.Location.site_id, balance.product_id, balance.location_id,
                   m.Location.code, balance.lot_id, m.Lot.code, balance.on_hand,
                   balance.reserved)
            .join(m.Location, m.Location.id == balance.location_id)
            .outerjoin(m.Lot, m.Lot.id == balance.lot_id)
            .where(m.Location.site_id.in_(bindparam("sites", expanding=True)),
                   m.Location.kind == LocationKind.INTERNAL,
                   m.Location.archived.is_(False),
                   balance.product_id.in_(bindparam("products", expanding=True)))
            .order_by(balance.lot_key, m.Location.code))


def free_stock(session: Session, site_ids: Iterable[uuid.UUID],
               product_ids: Iterable[uuid.UUID]) -> FreeStock:
    """The free slots of every product at every site asked for (pairs with none are absent).

    Runs through the session (so pending ORM changes are flushed first, as in any service
    read); one query per chunk of products."""
    sites = list(dict.fromkeys(site_ids))
    products = list(dict.fromkeys(product_ids))
    result: FreeStock = defaultdict(list)
    if not sites:
        return result
    for part in chunked(products):
        params: dict[str, Any] = {"sites": sites, "products": list(part)}
        for site_id, product_id, location_id, location, lot_id, lot, on_hand, reserved in (
                session.execute(_query(), params)):
            free = on_hand - reserved
            if free > 0:
                result[(site_id, product_id)].append(
                    FreeSlot(location_id, location, lot_id, lot, free))
    return result


def free_at(session: Session, site_id: uuid.UUID, product_id: uuid.UUID) -> list[FreeSlot]:
    """The free slots of one product at one site, in the order work takes them."""
    return free_stock(session, [site_id], [product_id]).get((site_id, product_id), [])
