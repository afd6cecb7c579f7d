"""A small network with places, capacities and capabilities, for routing and rerouting tests.

On top of support.build_network (HQ workshop, MP1 CNC shop, WH warehouse; STEEL, SCREW,
FABRIC, FRAME, CHAIR): HQ sits in Lisbon, MP1 in Porto, WH in Leiria, and a second
micro-producer MP2 (an upholsterer that also assembles) in Faro. CHAIR needs assembly and
upholstery (HQ and MP2 have both); FRAME needs laser-cut and welding (no site has both).
Each making site has 40 hours a week.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, timedelta

from dmdesk.services import contacts, sites
from dmdesk.services.context import ServiceContext
from dmdesk.services.customer_orders import OrderLineSpec, create_customer_order
from tests.integration.support import Network, build_network, location_of

LISBON = (38.7223, -9.1393)
PORTO = (41.1579, -8.6291)
LEIRIA = (39.7436, -8.8071)
FARO = (37.0194, -7.9322)
TODAY = date.today()


@dataclass(frozen=True)
class GeoNetwork:
    net: Network
    mp2: uuid.UUID
    mp2_stock: uuid.UUID
    lisbon_customer: uuid.UUID
    porto_customer: uuid.UUID
    nowhere_customer: uuid.UUID  # no coordinates


def build_geo_network(ctx: ServiceContext) -> GeoNetwork:
    net = build_network(ctx)
    for site_id, (lat, lon) in ((net.hq, LISBON), (net.mp, PORTO), (net.wh, LEIRIA)):
        sites.update_site(ctx, site_id, latitude=lat, longitude=lon, weekly_capacity_hours=40)
    mp2 = sites.create_site(ctx, code="MP2", name="Faro upholsterer", kind="micro_producer",
                            capabilities="assembly,upholstery", latitude=FARO[0],
                            longitude=FARO[1], weekly_capacity_hours=40)
    lisbon = contacts.create_contact(ctx, name="Casa Lisboa", latitude=38.75,
                                     longitude=-9.15, address="Lisboa")
    porto = contacts.create_contact(ctx, name="Porto Lounge", latitude=41.16,
                                    longitude=-8.62, address="Porto")
    nowhere = contacts.create_contact(ctx, name="Unmapped Ltd", address="somewhere")
    return GeoNetwork(net, mp2, location_of(ctx.db, mp2), lisbon, porto, nowhere)


def order(ctx: ServiceContext, customer: uuid.UUID, product: uuid.UUID, qty: int,
          days: int = 20) -> tuple[str, uuid.UUID]:
    """A one-line customer order due in ``days``; (number, line id)."""
    made = create_customer_order(ctx, customer, TODAY + timedelta(days=days),
                                 [OrderLineSpec(product, qty)])
    return made.number, made.line_ids[0]
