"""Who makes what, and where it is used: shared by both demo builders."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from dmdesk.demo.catalog import BomSpec, Catalog
from dmdesk.demo.network import Network, SiteInfo
from dmdesk.domain.quantity import required_with_scrap


class Plan:
    def __init__(self, catalog: Catalog, network: Network, whole_units: frozenset[str]
                 ) -> None:
        self.catalog = catalog
        self.network = network
        self.whole_units = whole_units  # db.units.whole_units of the database being filled
        # Sites able to do every operation of a made product, in network order.
        self.makers: dict[int, list[SiteInfo]] = {}
        # Sites that consume a product: the makers of the products it goes into.
        self.users: dict[int, list[SiteInfo]] = defaultdict(list)
        for spec in catalog.products:
            if not spec.made:
                continue
            makers = network.makers({op.capability for op in spec.operations})
            if not makers:
                raise RuntimeError(f"no site can make {spec.sku}")  # a catalogue bug
            self.makers[spec.index] = makers
            for line in spec.bom:
                users = self.users[line.component]
                users.extend(s for s in makers if s not in users)

    def can_make(self, site: SiteInfo, product: int) -> bool:
        return site in self.makers.get(product, ())

    def maker_near(self, product: int, site: SiteInfo) -> SiteInfo:
        """Where to make ``product`` for ``site``: there if it can, else the nearest maker."""
        makers = self.makers[product]
        if site in makers:
            return site
        return self.network.nearest(makers, site.latitude, site.longitude)

    def is_whole(self, product: int) -> bool:
        """Is ``product`` counted in whole numbers (pieces are never split)?"""
        return self.catalog.products[product].unit in self.whole_units

    def required(self, line: BomSpec, units: Decimal) -> Decimal:
        """A material's requirement for ``units`` of the parent, as release computes it."""
        return required_with_scrap(line.quantity, units, line.scrap_pct,
                                   whole=self.is_whole(line.component))
