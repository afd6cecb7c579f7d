"""Demo data: a believable "design globally, produce locally" business, small or large.

``build_demo(ctx, "small")`` plays six months of the business through the services (a few
hundred products, thousands of stock moves, work orders in every state); ``"large"`` writes
20,000 products, a million stock moves and 50,000 work orders through bulk inserts that keep
the same invariants (balance cache equals the ledger, an outbox row per synced row, the audit
chain intact, numbers that later documents continue).

Content is deterministic for a seed. Ids (UUIDv7) and absolute times are not: the history is
laid over the six months before the day it is built.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, replace

from sqlalchemy import func, select

from dmdesk.db import models as m
from dmdesk.demo.bulk_demo import BulkDemo
from dmdesk.demo.catalog import build_catalog
from dmdesk.demo.clock import DemoClock
from dmdesk.demo.network import build_network
from dmdesk.demo.params import LARGE, PRESETS, SMALL, Scale, ScaleParams
from dmdesk.demo.small import ServiceDemo
from dmdesk.domain.errors import ValidationError
from dmdesk.domain.progress import Progress, no_progress
from dmdesk.services.context import ServiceContext

__all__ = ["LARGE", "SMALL", "DemoSummary", "ScaleParams", "build_demo"]

@dataclass(frozen=True)
class DemoSummary:
    products: int
    moves: int
    work_orders: int
    sites: int
    contacts: int
    customer_orders: int
    seconds: float


def _refuse_non_empty(ctx: ServiceContext) -> None:
    with ctx.db.read_session() as session:
        has_products = session.execute(select(m.Product.id).limit(1)).first() is not None
        has_sites = session.execute(select(m.Site.id).limit(1)).first() is not None
    if has_products or has_sites:
        raise ValidationError(
            "This database already has data (products or sites); the demo is only built into "
            "a new, empty database. Choose a new file name for it.")


def _count(ctx: ServiceContext, model: type[m.Base]) -> int:
    with ctx.db.read_session() as session:
        return int(session.execute(select(func.count()).select_from(model)).scalar_one())


def build_demo(ctx: ServiceContext, scale: Scale,
               progress: Progress | None = None, seed: int = 7, *,
               params: ScaleParams | None = None) -> DemoSummary:
    """Fill the new, empty database behind ``ctx`` with demo data and say what was made.

    ``scale`` picks the path: "small" goes through the services, "large" through bulk
    inserts. ``params`` overrides the preset sizes (tests build a tiny bulk demo this way).
    Raises ValidationError if the database already has products or sites."""
    if scale not in PRESETS:
        raise ValidationError(f"Unknown demo scale '{scale}': choose small or large.",
                              field="scale")
    report = progress or no_progress
    started = time.perf_counter()
    _refuse_non_empty(ctx)
    sizes = params or PRESETS[scale]
    rng = random.Random(seed)
    clock = DemoClock(sizes.days)
    demo_ctx = replace(ctx, clock=clock)
    network = build_network(demo_ctx, rng, sizes.customers, report)
    catalog = build_catalog(rng, sizes.products)
    if scale == "small":
        ServiceDemo(demo_ctx, clock, rng, sizes, catalog, network, report).build()
    else:
        BulkDemo(demo_ctx, clock, rng, sizes, catalog, network, report).build()
    report(1, 1, "done")
    return DemoSummary(
        products=_count(ctx, m.Product), moves=_count(ctx, m.StockMove),
        work_orders=_count(ctx, m.WorkOrder), sites=_count(ctx, m.Site),
        contacts=_count(ctx, m.Contact), customer_orders=_count(ctx, m.CustomerOrder),
        seconds=round(time.perf_counter() - started, 2))
