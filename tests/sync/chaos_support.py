"""The chaos test's world (the owner HQ, own workshops LIS and POR, outside producers AVC and
PRF, each a real SQLite file syncing through a real server process) and the small adapters
that name behaviour still being built, so each is one place to fix when it lands.

Adapters (``# ADAPTER``) cover: switching a site's ``reports_progress``, the kinds of alert
a refused (reverted) change leaves, and reading a split reroute's two orders.
"""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select

from dmdesk.db import models as m
from dmdesk.db.database import Database, open_database
from dmdesk.db.raw_insert import utc_text
from dmdesk.domain.errors import DomainError
from dmdesk.domain.lifecycle import OWNER, Actor, may_act
from dmdesk.services import contacts, products, sites, stock
from dmdesk.services.context import ServiceContext, utc_now
from dmdesk.services.stock import TransferLineSpec
from dmdesk.sync.client import SyncReport
from dmdesk.sync.transport import wall_ms
from tests.sync.support import Site, join
from tests.sync_server_process import RunningServer

HOUR_MS = 3_600_000
OWNER_CODE = "HQ"
WORKSHOPS = ("LIS", "POR")
PRODUCERS = ("AVC", "PRF")
MAKERS = (*WORKSHOPS, *PRODUCERS)
CODES = (OWNER_CODE, *MAKERS)
# The sites that run dmdesk and report their own progress; PRF's work the owner records.
REPORTS_PROGRESS = frozenset({"LIS", "POR", "AVC"})
CAPABILITIES = "laser-cut,welding,assembly"
FIRST_DUE = date(2027, 3, 1)


# --- adapters: behaviour being built elsewhere, named in one place --------------------------

def set_reports_progress(ctx: ServiceContext, site_id: uuid.UUID, on: bool) -> None:  # ADAPTER
    """The owner says whether a site reports its own progress: through the sites service
    when it knows the field, else straight on the row (still captured for sync)."""
    try:
        sites.update_site(ctx, site_id, reports_progress=on)
    except DomainError:  # the service does not take the field yet
        with ctx.transaction() as uow:
            uow.get(m.Site, site_id, "site").reports_progress = on
            uow.session.flush()


# The alert kinds a change refused by the server (and reverted here) leaves at its site.
REFUSAL_ALERT_KINDS = ("refused", "reverted")  # ADAPTER


def refusal_alerts_since(db: Database, since: datetime) -> int:  # ADAPTER
    with db.reader.connect() as conn:
        marks = ", ".join("?" for _ in REFUSAL_ALERT_KINDS)
        return int(conn.exec_driver_sql(
            f"SELECT COUNT(*) FROM sync_alert WHERE kind IN ({marks}) AND detected_at >= ?",
            (*REFUSAL_ALERT_KINDS, utc_text(since))).scalar_one())


def split_target(db: Database, work_order_id: uuid.UUID) -> uuid.UUID | None:  # ADAPTER
    """The order a split reroute carried the remainder on in (``moved_to_id``), if any."""
    with db.read_session() as session:
        return session.scalar(select(m.WorkOrder.moved_to_id).where(
            m.WorkOrder.id == work_order_id))


def old_client_edit(ctx: ServiceContext, model: type[m.Base], row_id: uuid.UUID,
                    **values: Any) -> None:
    """What an older dmdesk without today's up-front checks writes: the row changed in a unit
    of work (so change capture sends it) with no service rule in the way."""
    with ctx.transaction() as uow:
        row = uow.get(model, row_id, model.__tablename__)
        for name, value in values.items():
            setattr(row, name, value)
        uow.session.flush()


# --- who may act on a work order ------------------------------------------------------------

def actor_of(code: str) -> Actor:
    return Actor(code, OWNER if code == OWNER_CODE else "site")


def holds(db: Database, code: str, work_order_id: uuid.UUID) -> bool:
    """Whether ``code`` holds the order's lifecycle, as its own database sees it now."""
    with db.read_session() as session:
        row = session.execute(
            select(m.Site.code, m.Site.reports_progress)
            .join(m.WorkOrder, m.WorkOrder.site_id == m.Site.id)
            .where(m.WorkOrder.id == work_order_id)).one()
    return may_act(actor_of(code), row[0], bool(row[1]))


# --- the world ------------------------------------------------------------------------------

@dataclass
class World:
    server: RunningServer
    tmp: Path
    sites: dict[str, Site]
    site_id: dict[str, uuid.UUID]
    stock_at: dict[str, uuid.UUID]  # each site's STOCK location
    product: dict[str, uuid.UUID]
    customer: uuid.UUID
    skew_ms: dict[str, int] = field(default_factory=dict)  # a clock running ahead, by site

    def ctx(self, code: str) -> ServiceContext:
        skew = timedelta(milliseconds=self.skew_ms.get(code, 0))
        clock: Callable[[], datetime] = (lambda: utc_now() + skew) if skew else utc_now
        return ServiceContext(self.sites[code].db, actor=f"user@{code}", clock=clock)

    def clock_ms(self, code: str) -> Callable[[], int]:
        skew = self.skew_ms.get(code, 0)
        return (lambda: wall_ms() + skew) if skew else wall_ms

    def sync(self, code: str, **options: Any) -> SyncReport:
        return self.sites[code].sync(**options)

    def all(self) -> list[Site]:
        return [self.sites[code] for code in CODES]

    def path(self, code: str) -> Path:
        return self.tmp / f"{code}.sqlite"


def _location(db: Database, site_id: uuid.UUID) -> uuid.UUID:
    with db.read_session() as session:
        return session.scalars(select(m.Location.id).where(
            m.Location.site_id == site_id, m.Location.code == sites.DEFAULT_LOCATION)).one()


def _catalogue(ctx: ServiceContext) -> dict[str, uuid.UUID]:
    steel = products.create_product(ctx, sku="STEEL", name="Steel tube", kind="raw_material",
                                    unit="m", standard_cost="4.25")
    screw = products.create_product(ctx, sku="SCREW", name="Screw M6", kind="raw_material",
                                    unit="pcs", standard_cost="0.05")
    fabric = products.create_product(ctx, sku="FABRIC", name="Fabric", kind="raw_material",
                                     unit="m2", lot_tracked=True)
    frame = products.create_product(ctx, sku="FRAME", name="Chair frame", kind="component",
                                    unit="pcs", price="40.00")
    products.add_bom_line(ctx, frame, steel, "2.5", scrap_pct="10")
    products.add_bom_line(ctx, frame, screw, 8)
    products.add_operation(ctx, frame, name="Cut tubes", capability="laser-cut", run_minutes=5)
    products.add_operation(ctx, frame, name="Weld frame", capability="welding", run_minutes=12)
    return {"STEEL": steel, "SCREW": screw, "FABRIC": fabric, "FRAME": frame}


def _owner_network(ctx: ServiceContext) -> dict[str, uuid.UUID]:
    site_id = {OWNER_CODE: sites.create_site(ctx, code=OWNER_CODE, name="Head office",
                                             kind="own_workshop", capabilities=CAPABILITIES)}
    sites.set_local_site(ctx, OWNER_CODE)
    for code in MAKERS:
        kind = "own_workshop" if code in WORKSHOPS else "micro_producer"
        site_id[code] = sites.create_site(ctx, code=code, name=f"Site {code}", kind=kind,
                                          capabilities=CAPABILITIES)
        set_reports_progress(ctx, site_id[code], code in REPORTS_PROGRESS)
    return site_id


def _blank_databases(tmp: Path) -> None:
    """An empty database at the current schema for each site: migrated once, then copied
    (migrating five files from nothing takes seconds the test can spend on chaos)."""
    template = tmp / "blank.sqlite"
    open_database(template).close()  # closing the last connection folds the WAL in
    for code in CODES:
        shutil.copyfile(template, tmp / f"{code}.sqlite")
    template.unlink()


def build_world(server: RunningServer, tmp: Path) -> World:
    """The owner sets the network up and syncs; each other site joins, stocks up and syncs."""
    _blank_databases(tmp)
    db = open_database(tmp / f"{OWNER_CODE}.sqlite")
    ctx = ServiceContext(db, actor="owner")
    site_id = _owner_network(ctx)
    product = _catalogue(ctx)
    stock_at = {code: _location(db, sid) for code, sid in site_id.items()}
    customer = contacts.create_contact(ctx, name="Hotel chain", role="customer")
    stock.receive(ctx, product["STEEL"], stock_at[OWNER_CODE], "500")
    stock.receive(ctx, product["SCREW"], stock_at[OWNER_CODE], "2000")
    # The first shipment makes the shared in-transit site, at the owner's.
    stock.ship_transfer(ctx, stock_at[OWNER_CODE], stock_at["LIS"],
                        [TransferLineSpec(product["STEEL"], "20")])
    owner = join(server, tmp / f"{OWNER_CODE}.sqlite", OWNER_CODE, role="owner", db=db)
    owner.sync()
    world = World(server, tmp, {OWNER_CODE: owner}, site_id, stock_at, product, customer)
    for code in MAKERS:
        site = join(server, world.path(code), code)
        world.sites[code] = site
        site.sync()
        stock.receive(world.ctx(code), product["STEEL"], stock_at[code], "60")
        stock.receive(world.ctx(code), product["SCREW"], stock_at[code], "300")
        site.sync()
    owner.sync()
    return world
