"""What the large demo does to stock, written as rows: the bulk twin of the stock and
work-order services.

Each operation writes the rows its service would (a receipt's moves under one number, a
transfer with its lines and its moves through in-transit, a work order with its materials,
operations, consumption, output, output lot and genealogy) and keeps the in-memory stock book
in step. Nothing ever takes more than the book has available, so no balance goes negative
and reserved stock is never used by someone else.
"""

from __future__ import annotations

import random
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from dmdesk.db.ids import new_id
from dmdesk.demo.book import NO_LOT, Key, StockBook
from dmdesk.demo.bulk import BulkWriter, Row
from dmdesk.demo.bulk_catalog import CatalogIds, qty
from dmdesk.demo.catalog import Catalog
from dmdesk.demo.network import Network, SiteInfo
from dmdesk.demo.planning import Plan
from dmdesk.domain.kinds import MoveReason, TransferState
from dmdesk.domain.numbering import DocKind
from dmdesk.domain.quantity import QUANTITY_SCALE
from dmdesk.domain.work_order_states import WOState

UNIT: int = QUANTITY_SCALE  # one piece, as a scaled quantity


@dataclass
class Places:
    """Sites and locations as small integers (the book's keys) and their UUIDs."""

    sites: list[SiteInfo]
    location_ids: list[uuid.UUID]
    site_of_location: list[int]
    receive: list[int]  # per site: where bought material arrives
    output: list[int]  # per site: where output and finished goods go
    transit: int
    warehouse: int

    @staticmethod
    def of(network: Network) -> Places:
        ids: list[uuid.UUID] = []
        site_of: list[int] = []
        index: dict[uuid.UUID, int] = {}
        for n, site in enumerate(network.sites):
            for location_id in site.locations.values():
                index[location_id] = len(ids)
                ids.append(location_id)
                site_of.append(n)
        transit = len(ids)
        ids.append(network.transit_location)
        site_of.append(len(network.sites))  # the in-transit site: not one of ``sites``
        return Places(network.sites, ids, site_of,
                      [index[s.receive_location] for s in network.sites],
                      [index[s.output_location] for s in network.sites], transit,
                      network.sites.index(network.warehouse))


@dataclass(frozen=True)
class Shipment:
    """A shipped transfer: its lines as (destination key, quantity)."""

    id: uuid.UUID
    number: str
    lines: list[tuple[Key, int]]


@dataclass
class WorkOrderPlan:
    """A work order's facts, decided before its rows are written (rows are never updated)."""

    product: int
    units: int
    site: int
    state: WOState
    created: datetime
    due: date
    number: str = ""
    id: uuid.UUID = field(default_factory=new_id)
    released: datetime | None = None
    started: datetime | None = None
    completed: datetime | None = None
    held_from: WOState | None = None
    priority: int = 3
    line_id: uuid.UUID | None = None
    notes: str = ""
    override_reason: str = ""


class BulkOps:
    def __init__(self, writer: BulkWriter, rng: random.Random, catalog: Catalog, plan: Plan,
                 ids: CatalogIds, places: Places, actor: str) -> None:
        self.w, self.rng, self.catalog, self.plan = writer, rng, catalog, plan
        self.ids, self.places, self.actor = ids, places, actor
        self.book = StockBook(places.site_of_location)
        self.site_index = {site.id: n for n, site in enumerate(places.sites)}
        self.lot_ids: list[uuid.UUID] = []
        self.now = datetime.min
        self.moves = 0
        self.work_orders = 0
        self.warehouse_finished: list[int] = []  # finished products sent to the warehouse

    # --- moves and lots -------------------------------------------------------------------

    def move(self, key: Key, quantity: int, reason: MoveReason, reference: str,
             document: uuid.UUID | None = None, note: str = "", override: str = "") -> None:
        product, location, lot = key
        # The book first: if this row fills a batch, the flush and a commit may follow at
        # once, and the balances written then must include it.
        self.book.add(key, quantity)
        self.moves += 1
        self.w.add("stock_move", {
            "id": new_id(), "product_id": self.ids.products[product],
            "location_id": self.places.location_ids[location],
            "lot_id": self.lot_ids[lot] if lot != NO_LOT else None, "quantity": quantity,
            "reason": reason.value, "reference": reference, "document_id": document,
            "note": note, "override_reason": override, "actor": self.actor,
            "created_at": self.now})

    def new_lot(self, product: int, code: str, work_order: uuid.UUID | None = None) -> int:
        lot_id = new_id()
        self.lot_ids.append(lot_id)
        self.w.add("lot", {"id": lot_id, "product_id": self.ids.products[product],
                           "code": code, "work_order_id": work_order, "created_at": self.now})
        return len(self.lot_ids) - 1

    def whole(self, product: int, quantity: int) -> int:
        """Round up to whole units for counted products (pieces are never split)."""
        if self.plan.is_whole(product):
            return -(-quantity // UNIT) * UNIT
        return quantity

    # --- receipts, issues, counts -----------------------------------------------------------

    def purchase(self, site: int, wanted: list[tuple[int, int]], note: str) -> None:
        """One receipt (one number) of several lines into the site's receiving location."""
        reference = self.w.next_number(DocKind.MOVE)
        location = self.places.receive[site]
        for product, quantity in wanted:
            lot = NO_LOT
            if self.catalog.products[product].lot_tracked:
                lot = self.new_lot(product, f"L{self.now:%y%m%d}-{len(self.lot_ids):06d}")
            self.move((product, location, lot), self.whole(product, quantity),
                      MoveReason.RECEIPT, reference, note=note)

    def issue(self, site: int, product: int, quantity: int, note: str,
              reason: MoveReason = MoveReason.ISSUE) -> int:
        """Take up to ``quantity`` out (one number per location and lot, as the issue service
        takes one of each per call); returns how much went."""
        taken = 0
        for key, take in self.book.pick(product, site, quantity):
            self.move(key, -take, reason, self.w.next_number(DocKind.MOVE), note=note)
            taken += take
        return taken

    def correct(self, key: Key, delta: int, reason: MoveReason, note: str) -> bool:
        """A count difference or an adjustment, unless it would eat into reserved stock."""
        if delta == 0 or self.book.on_hand.get(key, 0) + delta < self.book.reserved.get(key, 0):
            return False
        self.move(key, delta, reason, self.w.next_number(DocKind.MOVE), note=note)
        return True

    # --- transfers ---------------------------------------------------------------------------

    def transfer(self, source: int, destination: int, wanted: list[tuple[int, int]],
                 arrival: datetime | None) -> list[Shipment]:
        """Ship ``wanted`` from ``source`` (one transfer per source location, as the service
        ships from one location). ``arrival`` is when it will be received: now (the goods
        move on at once), later (the caller calls ``receive`` then) or never within the
        history (None: still in transit at the end). Rows are written once, so the transfer
        row already says how it ends. Returns the shipments still on the road."""
        by_location: dict[int, list[tuple[Key, int]]] = defaultdict(list)
        for product, quantity in wanted:
            for key, take in self.book.pick(product, source, quantity):
                by_location[key[1]].append((key, take))
        places = self.places
        target = places.output[destination] if destination == places.warehouse \
            else places.receive[destination]
        note = f"{places.sites[source].code} to {places.sites[destination].code}"
        pending = []
        for location, picks in by_location.items():
            shipment = self._ship(location, target, picks, arrival, note)
            if arrival is not None and arrival <= self.now:
                self.receive(shipment)
            else:
                pending.append(shipment)
            if destination == places.warehouse:
                self.warehouse_finished.extend(key[0] for key, _ in picks)
        return pending

    def _ship(self, source: int, target: int, picks: list[tuple[Key, int]],
              arrival: datetime | None, note: str) -> Shipment:
        """One transfer: its rows, and its goods out of the source into in-transit."""
        transfer_id, number = new_id(), self.w.next_number(DocKind.TRANSFER)
        self._transfer_rows(transfer_id, number, source, target, picks, arrival, note)
        for key, take in picks:
            self.move(key, -take, MoveReason.TRANSFER_OUT, number, transfer_id, note=note)
            self.move((key[0], self.places.transit, key[2]), take, MoveReason.TRANSFER_IN,
                      number, transfer_id, note=note)
        return Shipment(transfer_id, number,
                        [((key[0], target, key[2]), take) for key, take in picks])

    def _transfer_rows(self, transfer_id: uuid.UUID, number: str, source: int, target: int,
                       picks: list[tuple[Key, int]], received: datetime | None,
                       note: str) -> None:
        ids = self.places.location_ids
        self.w.add("transfer", {
            "id": transfer_id, "number": number, "from_location_id": ids[source],
            "to_location_id": ids[target], "transit_location_id": ids[self.places.transit],
            "state": (TransferState.RECEIVED if received else TransferState.SHIPPED).value,
            "shipped_at": self.now, "received_at": received, "note": note,
            "created_at": self.now, "updated_at": received or self.now})
        for n, (key, take) in enumerate(picks, start=1):
            self.w.add("transfer_line", {
                "id": new_id(), "transfer_id": transfer_id, "line_no": n,
                "product_id": self.ids.products[key[0]],
                "lot_id": self.lot_ids[key[2]] if key[2] != NO_LOT else None,
                "quantity": take, "created_at": self.now})

    def receive(self, shipment: Shipment) -> None:
        """Out of in-transit, into the destination: each line of the transfer."""
        transit = self.places.transit
        for (product, location, lot), take in shipment.lines:
            self.move((product, transit, lot), -take, MoveReason.TRANSFER_OUT, shipment.number,
                      shipment.id)
            self.move((product, location, lot), take, MoveReason.TRANSFER_IN, shipment.number,
                      shipment.id)

    # --- supply: the bulk twin of the small demo's ensure ---------------------------------------

    def ensure(self, site: int, product: int, quantity: int) -> None:
        """Make ``quantity`` available at ``site``: the warehouse buys materials and sends
        them on; made products are made there if it can, else nearest and shipped over."""
        short = quantity - self.book.available(product, site)
        if short <= 0:
            return
        places, spec = self.places, self.catalog.products[product]
        if not spec.made:
            amount = self.whole(product, max(short, qty(self.catalog.reorder_point(product)[1])))
            if site == places.warehouse:
                self.purchase(site, [(product, amount)], "Purchase for production")
            else:
                self.ensure(places.warehouse, product, amount)
                self.transfer(places.warehouse, site, [(product, amount)], self.now)
            return
        info = places.sites[site]
        maker = self.plan.maker_near(product, info)
        if maker is info:
            units = max(-(-short // UNIT), self.rng.choice((4, 6, 8, 10)))
            self.produce(WorkOrderPlan(product, units, site, WOState.DONE, self.now,
                                       self.now.date() + timedelta(days=3),
                                       notes="Components for stock"))
            return
        maker_index = self.site_index[maker.id]
        self.ensure(maker_index, product, short)
        self.transfer(maker_index, site, [(product, short)], self.now)

    def requirements(self, product: int, units: int) -> list[tuple[int, int, int, int]]:
        """(component, per unit, scrap %, required) per BOM line, all scaled."""
        return [(line.component, qty(line.quantity), qty(line.scrap_pct),
                 qty(self.plan.required(line, Decimal(units))))
                for line in self.catalog.products[product].bom]

    def prepare(self, site: int, product: int, units: int) -> None:
        """Every component of ``units`` of ``product`` available at ``site``; making one can
        use what another needs, so look again until nothing is short."""
        needs = self.requirements(product, units)
        for _attempt in range(5):
            short = [(c, need) for c, _per, _scrap, need in needs
                     if self.book.available(c, site) < need]
            if not short:
                return
            short.sort(key=lambda item: not self.catalog.products[item[0]].made)
            for component, need in short:
                self.ensure(site, component, need)
        raise RuntimeError(f"cannot supply {self.catalog.products[product].sku}")

    # --- work orders -------------------------------------------------------------------------

    def produce(self, order: WorkOrderPlan) -> None:
        """A finished work order: materials consumed, the product output (with a lot of its
        own when it used lots, as completion does), genealogy recorded."""
        self.prepare(order.site, order.product, order.units)
        order.number = order.number or self.w.next_number(DocKind.WORK_ORDER)
        scrap = 1 if order.units >= 3 and self.rng.random() < 0.1 else 0
        good = (order.units - scrap) * UNIT
        order.completed = self.now
        order.started = order.started or self.now - timedelta(hours=self.rng.randint(3, 30))
        order.released = order.released or order.started - timedelta(hours=self.rng.randint(2,
                                                                                          40))
        order.created = min(order.created, order.released)
        self.work_order_rows(order, good=good, scrap=scrap * UNIT, consumed=True)
        lots = self._consume(order)
        spec = self.catalog.products[order.product]
        out_lot = NO_LOT
        if spec.lot_tracked or lots:
            out_lot = self.new_lot(order.product, order.number, order.id)
            for lot, amount in sorted(lots.items()):
                self.w.add("lot_genealogy", {
                    "id": new_id(), "output_lot_id": self.lot_ids[out_lot],
                    "component_lot_id": self.lot_ids[lot], "work_order_id": order.id,
                    "quantity": amount, "created_at": self.now})
        self.move((order.product, self.places.output[order.site], out_lot), good,
                  MoveReason.PRODUCTION_OUTPUT, order.number, order.id)

    def _consume(self, order: WorkOrderPlan) -> dict[int, int]:
        lots: dict[int, int] = defaultdict(int)
        for component, _per, _scrap, need in self.requirements(order.product, order.units):
            picks = self.book.pick(component, order.site, need)
            if sum(take for _, take in picks) != need:
                raise RuntimeError("prepare left a component short")  # a bug, not data
            for key, take in picks:
                self.move(key, -take, MoveReason.PRODUCTION_CONSUME, order.number, order.id)
                if key[2] != NO_LOT:
                    lots[key[2]] += take
        return lots

    def short_for(self, order: WorkOrderPlan) -> bool:
        """Whether the making site lacks any of the order's materials."""
        return any(self.book.available(component, order.site) < need
                   for component, _per, _scrap, need in self.requirements(order.product,
                                                                          order.units))

    def reserve(self, order: WorkOrderPlan, material_ids: list[uuid.UUID]) -> None:
        """Reserve what the site has for each material, as release does (all of it, unless
        the order was released short)."""
        needs = self.requirements(order.product, order.units)
        for material_id, (component, _per, _scrap, need) in zip(material_ids, needs,
                                                                strict=True):
            picks = self.book.pick(component, order.site, need)
            for key, take in picks:
                self.book.reserve(key, take)
                self.w.add("reservation", {
                    "id": new_id(), "material_id": material_id,
                    "product_id": self.ids.products[component],
                    "location_id": self.places.location_ids[key[1]],
                    "lot_id": self.lot_ids[key[2]] if key[2] != NO_LOT else None,
                    "quantity": take, "created_at": order.released})

    def work_order_rows(self, order: WorkOrderPlan, good: int = 0, scrap: int = 0,
                        consumed: bool = False, materials: bool = True) -> list[uuid.UUID]:
        """The work order, its operations and (once released) its materials; returns the
        material ids."""
        order.number = order.number or self.w.next_number(DocKind.WORK_ORDER)
        self.work_orders += 1
        released = order.released is not None
        operations = self.catalog.products[order.product].operations
        if order.started is not None and order.completed is None and len(operations) == 1:
            good = self._partial(order)  # the order's good is its last operation's
        pinned = self.ids.pinned[order.product]
        updated = max(t for t in (order.created, order.released, order.started,
                                  order.completed) if t is not None)
        self.w.add("work_order", self._order_row(order, pinned.bom_hash if released else None,
                                                 pinned.design_id if released else None,
                                                 pinned.design_sha256 if released else None,
                                                 good, scrap, updated))
        self._operation_rows(order, good, scrap, updated)
        if not (released and materials):
            return []
        ids = []
        for n, (component, per, scrap_pct, need) in enumerate(
                self.requirements(order.product, order.units), start=1):
            ids.append(new_id())
            self.w.add("wo_material", {
                "id": ids[-1], "work_order_id": order.id, "line_no": n,
                "product_id": self.ids.products[component], "quantity_per_unit": per,
                "scrap_pct": scrap_pct, "required": need,
                "consumed": need if consumed else 0,
                "created_at": order.released, "updated_at": updated})
        return ids

    def _order_row(self, order: WorkOrderPlan, bom: str | None, design: uuid.UUID | None,
                   sha: str | None, good: int, scrap: int, updated: datetime) -> Row:
        return {
            "id": order.id, "number": order.number,
            "product_id": self.ids.products[order.product], "quantity": order.units * UNIT,
            "site_id": self.places.sites[order.site].id, "due_date": order.due,
            "priority": order.priority, "customer_order_line_id": order.line_id,
            "state": order.state.value,
            "held_from": order.held_from.value if order.held_from else None,
            "bom_hash": bom, "design_file_id": design, "design_sha256": sha,
            "good_qty": good, "scrap_qty": scrap, "released_at": order.released,
            "started_at": order.started, "completed_at": order.completed,
            "notes": order.notes, "override_reason": order.override_reason,
            "created_at": order.created, "updated_at": updated}

    def _operation_rows(self, order: WorkOrderPlan, good: int, scrap: int,
                        updated: datetime) -> None:
        """Operations as reported: all of them on a finished order (scrap on the first),
        half of the first on one in progress, nothing before that."""
        operations = self.catalog.products[order.product].operations
        for n, op in enumerate(operations, start=1):
            row: dict[str, Any] = {
                "id": new_id(), "work_order_id": order.id, "sequence": n * 10,
                "name": op.name, "capability": op.capability,
                "setup_minutes": qty(op.setup_minutes), "run_minutes": qty(op.run_minutes),
                "good_qty": 0, "scrap_qty": 0, "started_at": None, "finished_at": None,
                "created_at": order.created, "updated_at": updated}
            if order.completed is not None:
                row.update(good_qty=good, scrap_qty=scrap if n == 1 else 0,
                           started_at=order.started, finished_at=order.completed)
            elif order.started is not None and n == 1:
                row.update(good_qty=self._partial(order), started_at=order.started)
            self.w.add("wo_operation", row)

    @staticmethod
    def _partial(order: WorkOrderPlan) -> int:
        """What an order in progress has reported on its first operation: half of it."""
        return order.units // 2 * UNIT

    def write_balances(self) -> None:
        """Upsert the balance rows of every key changed since the last commit (the hook the
        demo gives the writer): the cache then equals the ledger in every transaction."""
        lots, places, products = self.lot_ids, self.places.location_ids, self.ids.products
        rows = [{"product_id": products[key[0]], "location_id": places[key[1]],
                 "lot_key": lots[key[2]].bytes if key[2] != NO_LOT else b"",
                 "lot_id": lots[key[2]] if key[2] != NO_LOT else None,
                 "on_hand": on_hand, "reserved": reserved}
                for key, on_hand, reserved in self.book.take_dirty()]
        self.w.upsert("stock_balance", rows, ("product_id", "location_id", "lot_key"))
