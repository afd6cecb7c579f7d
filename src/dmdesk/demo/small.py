"""The small demo, built entirely through the services, so it follows every real rule.

Six months of a business are played day by day. Customers order furniture and lamps; each
order line becomes a work order at the maker nearest the customer (produce locally), which is
released a day later (components are made first where they are missing: at that site if it
can, else at the nearest micro-producer and shipped over), started, reported and completed,
and the goods are issued to the customer on the due date. Around that: weekly purchase
receipts when materials fall below their reorder points, finished goods topped up at the
central warehouse by transfer, cycle counts, scrap and the odd adjustment. The last orders are
still open when the history ends, so work orders are found in every state.
"""

from __future__ import annotations

import random
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_CEILING, Decimal
from functools import partial

from sqlalchemy import func, select

from dmdesk.db import models as m
from dmdesk.db.free_stock import FreeSlot, free_at
from dmdesk.db.units import whole_units
from dmdesk.demo.catalog import Catalog, ProductSpec
from dmdesk.demo.clock import DemoClock
from dmdesk.demo.network import CustomerInfo, Network, SiteInfo
from dmdesk.demo.params import ScaleParams
from dmdesk.demo.planning import Plan
from dmdesk.domain.kinds import CustomerOrderState
from dmdesk.domain.progress import Progress
from dmdesk.domain.stock_take import take_in_order
from dmdesk.services import customer_orders, products, stock, work_orders
from dmdesk.services.context import ServiceContext
from dmdesk.services.customer_orders import OrderLineSpec
from dmdesk.services.stock import ReceiptLine, TransferLineSpec

Action = Callable[[], None]
HOLD_REASONS = ("Customer asked to change the fabric; waiting for confirmation.",
                "Machine down for maintenance.", "Waiting for the customer's deposit.")
ADJUST_NOTES = ("Found on the wrong shelf.", "Damaged in handling.",
                "Correction of a receiving error.")


@dataclass
class OpenLine:
    """One customer order line being made to order."""

    order_id: uuid.UUID
    line_id: uuid.UUID
    product: int
    quantity: Decimal
    site: SiteInfo
    due: date
    wo_id: uuid.UUID | None = None


@dataclass
class OpenOrder:
    order_id: uuid.UUID
    number: str
    customer: CustomerInfo
    lines: list[OpenLine] = field(default_factory=list)


class ServiceDemo:
    def __init__(self, ctx: ServiceContext, clock: DemoClock, rng: random.Random,
                 params: ScaleParams, catalog: Catalog, network: Network,
                 progress: Progress) -> None:
        self.ctx, self.clock, self.rng, self.params = ctx, clock, rng, params
        self.catalog, self.network, self.progress = catalog, network, progress
        with ctx.reading() as session:
            self.plan = Plan(catalog, network, whole_units(session))
        self.ids: list[uuid.UUID] = []
        self.agenda: dict[int, list[Action]] = defaultdict(list)
        self.lot_serial = 0
        self.finished = [p.index for p in catalog.products if p.kind == "finished"]
        self._free: dict[tuple[uuid.UUID, int], list[FreeSlot]] = {}
        self._free_as_of = clock.peek()

    # --- the run --------------------------------------------------------------------------

    def build(self) -> None:
        with self._one_transaction():
            self._write_catalog()
            self._reorder_points()
        self.clock.set_day(1)
        with self._one_transaction():
            self._opening_stock()
        self._plan_orders()
        for day in range(2, self.params.days):
            self.clock.set_day(day)
            with self._one_transaction():
                for action in self.agenda.pop(day, []):
                    action()
                self._routine(day)
            if day % 10 == 0:
                self.progress(day, self.params.days, "history")
        with self._one_transaction():
            self._showcase(self.params.days - 1)
            self._top_up_moves()

    @contextmanager
    def _one_transaction(self) -> Iterator[None]:
        """Run what follows through the services as one batch (services/context.py): every
        call is checked, captured and audited as alone, but a day commits once."""
        outside = self.ctx
        with outside.batch() as self.ctx:
            try:
                yield
            finally:
                self.ctx = outside

    # --- catalogue ------------------------------------------------------------------------

    def _write_catalog(self) -> None:
        total = len(self.catalog.products)
        for spec in self.catalog.products:
            self.ids.append(products.create_product(
                self.ctx, sku=spec.sku, name=spec.name, kind=spec.kind, unit=spec.unit,
                description=spec.description, standard_cost=spec.cost, price=spec.price,
                lot_tracked=spec.lot_tracked))
            if spec.index % 50 == 0:
                self.progress(spec.index, total, "products")
        for spec in self.catalog.products:
            self._write_structure(spec)
            if spec.index % 50 == 0:
                self.progress(spec.index, total, "bills of materials")

    def _write_structure(self, spec: ProductSpec) -> None:
        pid = self.ids[spec.index]
        for line in spec.bom:
            products.add_bom_line(self.ctx, pid, self.ids[line.component], line.quantity,
                                  line.scrap_pct)
        for op in spec.operations:
            products.add_operation(self.ctx, pid, name=op.name, capability=op.capability,
                                   setup_minutes=op.setup_minutes, run_minutes=op.run_minutes)
        for design in spec.designs:
            products.add_design_file(self.ctx, pid, design.name, design.data, design.media_type)

    def _reorder_points(self) -> None:
        warehouse = self.network.warehouse
        for spec in self.catalog.products:
            minimum, quantity = self.catalog.reorder_point(spec.index)
            where = [warehouse] if spec.made else self.plan.users.get(spec.index, [])
            if spec.made and spec.kind != "finished":
                continue  # components are made on demand, not stocked to a minimum
            for site in where:
                products.set_reorder_point(self.ctx, self.ids[spec.index], site.id, minimum,
                                           quantity)

    # --- stock helpers ----------------------------------------------------------------------

    def _stock(self, site: SiteInfo, product: int) -> list[FreeSlot]:
        """The free stock at a site, in the order the services pick (db.free_stock).

        Kept until the next write: every service call reads the demo's clock once, so a
        clock that has moved on means stock may have changed (planning asks the same
        questions many times between two writes)."""
        if self._free_as_of != self.clock.peek():
            self._free.clear()
            self._free_as_of = self.clock.peek()
        key = (site.id, product)
        if key not in self._free:
            with self.ctx.reading() as session:
                self._free[key] = free_at(session, site.id, self.ids[product])
        return self._free[key]

    def available(self, site: SiteInfo, product: int) -> Decimal:
        return sum((slot.free for slot in self._stock(site, product)), Decimal(0))

    def _pick(self, site: SiteInfo, product: int, quantity: Decimal
              ) -> list[tuple[uuid.UUID, uuid.UUID | None, Decimal]]:
        """Where to take ``quantity`` from (available stock only, oldest lots first)."""
        return take_in_order([slot.by_id for slot in self._stock(site, product)],
                             quantity).takes

    def _whole(self, product: int, quantity: Decimal) -> Decimal:
        if self.plan.is_whole(product):
            return quantity.to_integral_value(rounding=ROUND_CEILING)
        return quantity.quantize(Decimal("0.001"), rounding=ROUND_CEILING)

    def _lot_code(self, product: int) -> str | None:
        if not self.catalog.products[product].lot_tracked:
            return None
        self.lot_serial += 1
        return f"L{self.clock.peek():%y%m%d}-{self.lot_serial:04d}"

    # --- supply: buy, make, ship -------------------------------------------------------------

    def purchase(self, site: SiteInfo, wanted: dict[int, Decimal], note: str) -> None:
        lines = [ReceiptLine(self.ids[p], site.receive_location, self._whole(p, qty),
                             self._lot_code(p)) for p, qty in sorted(wanted.items()) if qty > 0]
        if lines:
            stock.receive_many(self.ctx, lines, note=note)

    def ensure(self, site: SiteInfo, product: int, quantity: Decimal) -> None:
        """Make ``quantity`` available at ``site``: buy it, make it there, or make it at the
        nearest maker and ship it over."""
        short = quantity - self.available(site, product)
        if short <= 0:
            return
        spec = self.catalog.products[product]
        if not spec.made:
            _minimum, batch = self.catalog.reorder_point(product)
            self.purchase(site, {product: max(short, batch)}, "Urgent purchase for production")
        elif self.plan.can_make(site, product):
            # A batch for a few weeks of work, as a workshop would make: enough for this
            # need and the next ones.
            batch = max(self._whole(product, short * 4),
                        Decimal(self.rng.choice((20, 24, 30, 40))))
            self.produce(site, product, batch, note="Batch for stock")
        else:
            # Shipped with some to spare, so the next order does not wait for a transfer.
            maker = self.plan.maker_near(product, site)
            amount = self._whole(product, short * 2)
            self.ensure(maker, product, amount)
            self.ship(maker, site, [(product, amount)], receive=True)

    def prepare(self, site: SiteInfo, product: int, units: Decimal) -> None:
        """Have every component of ``units`` of ``product`` available at ``site``. Making one
        component can use material another needs, so check again until nothing is short."""
        spec = self.catalog.products[product]
        for _attempt in range(4):
            short = [(line.component, self.plan.required(line, units)) for line in spec.bom
                     if self.available(site, line.component) < self.plan.required(line, units)]
            if not short:
                return
            short.sort(key=lambda item: not self.catalog.products[item[0]].made)
            for component, need in short:
                self.ensure(site, component, need)

    def produce(self, site: SiteInfo, product: int, quantity: Decimal, note: str) -> None:
        """A whole work order in one go (for components needed now)."""
        due = self.clock.peek().date() + timedelta(days=3)
        created = work_orders.create_work_order(self.ctx, self.ids[product], quantity, site.id,
                                               due, notes=note)
        self.prepare(site, product, quantity)
        work_orders.release(self.ctx, created.id)
        work_orders.start(self.ctx, created.id)
        self._report(created.id, product, quantity, everything=True)
        work_orders.complete(self.ctx, created.id, output_location_id=site.output_location)

    def _report(self, wo_id: uuid.UUID, product: int, quantity: Decimal,
                everything: bool) -> None:
        """Report operations in order; now and then a unit is scrapped on the first one."""
        good = quantity
        for n in range(len(self.catalog.products[product].operations)):
            scrap = Decimal(1) if n == 0 and good >= 3 and self.rng.random() < 0.1 else Decimal(0)
            if not everything:  # work in progress: part of the first operation only
                partial = (good / 2).to_integral_value()
                if partial > 0:
                    work_orders.report_progress(self.ctx, wo_id, (n + 1) * 10, good=partial)
                return
            good -= scrap
            work_orders.report_progress(self.ctx, wo_id, (n + 1) * 10, good=good, scrap=scrap,
                                       finished=True)

    def ship(self, source: SiteInfo, destination: SiteInfo,
             wanted: list[tuple[int, Decimal]], receive: bool) -> None:
        """Ship from ``source`` to ``destination`` (one transfer per source location)."""
        by_location: dict[uuid.UUID, list[TransferLineSpec]] = defaultdict(list)
        for product, quantity in wanted:
            for location, lot, take in self._pick(source, product, quantity):
                by_location[location].append(TransferLineSpec(self.ids[product], take, lot))
        target = destination.receive_location
        if destination is self.network.warehouse:
            target = destination.output_location  # finished goods aisle
        for location, lines in by_location.items():
            shipped = stock.ship_transfer(self.ctx, location, target, lines,
                                          note=f"{source.code} to {destination.code}")
            transfer_id = self._transfer_id(shipped.reference)
            if receive:
                stock.receive_transfer(self.ctx, transfer_id)
            else:
                self._later(2, partial(self._receive, transfer_id))

    def _receive(self, transfer_id: uuid.UUID) -> None:
        stock.receive_transfer(self.ctx, transfer_id)

    def _transfer_id(self, number: str) -> uuid.UUID:
        with self.ctx.reading() as session:
            return session.execute(select(m.Transfer.id).where(m.Transfer.number == number)
                                   ).scalar_one()

    # --- opening stock and customer orders ---------------------------------------------------

    def _opening_stock(self) -> None:
        """Every site starts with one reorder quantity of its materials, the warehouse with a
        few of every third finished product."""
        for site in self.network.sites:
            wanted = {p: self.catalog.reorder_point(p)[1]
                      for p, users in sorted(self.plan.users.items())
                      if site in users and not self.catalog.products[p].made}
            self.purchase(site, wanted, "Opening stock")
        for product in self.finished[::3]:
            self.ensure(self.network.warehouse, product, Decimal(self.rng.randint(2, 5)))

    def _plan_orders(self) -> None:
        # Business is growing: more orders in recent months than at the start.
        last = self.params.days - 1
        days = sorted(2 + int((last - 2) * self.rng.random() ** 0.7)
                      for _ in range(self.params.customer_orders))
        for day in days:
            self.agenda[day].append(self._new_order)

    def _new_order(self) -> None:
        customer = self.rng.choice(self.network.customers)
        today = self.clock.peek().date()
        due = today + timedelta(days=self.rng.randint(12, 30))
        picked = self.rng.sample(self.finished, k=self.rng.randint(1, 3))
        specs = [OrderLineSpec(self.ids[p], Decimal(self.rng.randint(1, 6))) for p in picked]
        created = customer_orders.create_customer_order(self.ctx, customer.id, due, specs)
        order = OpenOrder(created.id, created.number, customer)
        cancelled = self.rng.random() < 0.06
        for product, spec, line_id in zip(picked, specs, created.line_ids, strict=True):
            makers = self.plan.makers[product]
            site = self.network.nearest(makers, customer.latitude, customer.longitude)
            line = OpenLine(created.id, line_id, product, Decimal(spec.quantity), site,
                            due - timedelta(days=2))
            order.lines.append(line)
            line.wo_id = work_orders.create_work_order(
                self.ctx, self.ids[product], line.quantity, site.id, line.due,
                priority=self.rng.choice((2, 3, 3, 3, 4)), customer_order_line_id=line_id,
                notes=f"For {created.number}, {customer.name}").id
            self._later(self.rng.randint(1, 3), partial(self._release, line))
        if cancelled:
            self._later(self.rng.randint(2, 5), lambda: self._cancel_order(order))
        else:
            self._later((due - today).days, lambda: self._deliver(order))

    def _later(self, days: int, action: Action) -> None:
        self.agenda[self.clock.day + days].append(action)

    def _state(self, wo_id: uuid.UUID) -> str:
        with self.ctx.reading() as session:
            return session.execute(select(m.WorkOrder.state).where(m.WorkOrder.id == wo_id)
                                   ).scalar_one()

    def _release(self, line: OpenLine) -> None:
        assert line.wo_id is not None
        if self._state(line.wo_id) != "draft":
            return  # cancelled meanwhile
        self.prepare(line.site, line.product, line.quantity)
        work_orders.release(self.ctx, line.wo_id)
        if self.rng.random() < 0.08:
            work_orders.hold(self.ctx, line.wo_id, self.rng.choice(HOLD_REASONS))
            self._later(self.rng.randint(2, 5), lambda: self._resume(line))
        else:
            self._later(self.rng.randint(1, 3), lambda: self._start(line))

    def _resume(self, line: OpenLine) -> None:
        assert line.wo_id is not None
        if self._state(line.wo_id) == "on_hold":
            work_orders.resume(self.ctx, line.wo_id)
            self._later(1, lambda: self._start(line))

    def _start(self, line: OpenLine) -> None:
        assert line.wo_id is not None
        if self._state(line.wo_id) != "released":
            return
        work_orders.start(self.ctx, line.wo_id)
        self._report(line.wo_id, line.product, line.quantity, everything=False)
        self._later(self.rng.randint(2, 5), lambda: self._complete(line))

    def _complete(self, line: OpenLine) -> None:
        assert line.wo_id is not None
        if self._state(line.wo_id) != "in_progress":
            return
        self._report_rest(line)
        work_orders.complete(self.ctx, line.wo_id, output_location_id=line.site.output_location)

    def _report_rest(self, line: OpenLine) -> None:
        """Report what is left of each operation after the partial report at start."""
        assert line.wo_id is not None
        with self.ctx.reading() as session:
            ops = session.execute(select(m.WOOperation.sequence, m.WOOperation.good_qty,
                                         m.WOOperation.scrap_qty)
                                  .where(m.WOOperation.work_order_id == line.wo_id)
                                  .order_by(m.WOOperation.sequence)).all()
        ceiling = line.quantity
        for sequence, good, scrap in ops:
            rest = ceiling - good - scrap
            if rest > 0:
                work_orders.report_progress(self.ctx, line.wo_id, sequence, good=rest,
                                           finished=True)
            ceiling = good + max(rest, Decimal(0))

    def _deliver(self, order: OpenOrder) -> None:
        """Issue each line to the customer from where it was made; late goods wait a day."""
        pending = [line for line in order.lines if line.wo_id is not None]
        if any(self._state(line.wo_id) != "done" for line in pending if line.wo_id):
            self._later(1, lambda: self._deliver(order))
            return
        for line in pending:
            # Goods made for the order may have gone to the warehouse meanwhile: make more.
            self.ensure(line.site, line.product, line.quantity)
            for location, lot, take in self._pick(line.site, line.product, line.quantity):
                stock.issue(self.ctx, self.ids[line.product], location, take, lot,
                            note=f"Delivered to {order.customer.name} ({order.number})")
            line.wo_id = None  # delivered: a second call finds nothing to do
        if all(line.wo_id is None for line in order.lines):
            customer_orders.set_customer_order_state(self.ctx, order.order_id,
                                                     CustomerOrderState.FULFILLED)

    def _cancel_order(self, order: OpenOrder) -> None:
        for line in order.lines:
            if line.wo_id is not None and self._state(line.wo_id) not in ("done", "cancelled"):
                work_orders.cancel(self.ctx, line.wo_id, "Customer cancelled the order")
        customer_orders.set_customer_order_state(self.ctx, order.order_id,
                                                 CustomerOrderState.CANCELLED)

    # --- the daily routine --------------------------------------------------------------------

    def _routine(self, day: int) -> None:
        for n, site in enumerate(self.network.sites):
            if day % 7 == n % 7:
                self._replenish(site)
        if day % 7 == 3:
            self._top_up_warehouse()
        self._cycle_count(5)
        if day % 2 == 0:
            self._scrap()
        else:
            self._shop_sale()
        if day % 9 == 0:
            self._adjust()

    def _replenish(self, site: SiteInfo) -> None:
        """The weekly purchase: every material below its reorder point at the site."""
        wanted = {}
        for product, users in sorted(self.plan.users.items()):
            if site in users and not self.catalog.products[product].made:
                minimum, quantity = self.catalog.reorder_point(product)
                if self.available(site, product) < minimum:
                    wanted[product] = quantity
        self.purchase(site, wanted, f"Weekly purchase for {site.code}")

    def _top_up_warehouse(self) -> None:
        """Finished goods below their minimum at the warehouse: make some and ship them."""
        warehouse = self.network.warehouse
        for product in self.finished:
            minimum, quantity = self.catalog.reorder_point(product)
            if self.available(warehouse, product) >= minimum or self.rng.random() < 0.7:
                continue
            maker = self.plan.maker_near(product, warehouse)
            self.ensure(maker, product, quantity)
            self.ship(maker, warehouse, [(product, quantity)], receive=False)

    def _shop_sale(self) -> None:
        """A sale from the warehouse's stock (the web shop): what is there, up to three."""
        warehouse = self.network.warehouse
        product = self.rng.choice(self.finished)
        for location, lot, take in self._pick(warehouse, product,
                                              Decimal(self.rng.randint(1, 3))):
            stock.issue(self.ctx, self.ids[product], location, take, lot,
                        note="Web shop order")

    def _random_balance(self, making_only: bool = False
                        ) -> tuple[uuid.UUID, uuid.UUID, uuid.UUID | None, Decimal, Decimal,
                                   str] | None:
        """(product, location, lot, on hand, reserved, unit) of a random stocked row."""
        where = [m.StockBalance.on_hand > 0, m.Location.kind == "internal"]
        if making_only:
            where.append(m.Location.site_id != self.network.warehouse.id)
        with self.ctx.reading() as session:
            joined = (select(func.count()).select_from(m.StockBalance)
                      .join(m.Location, m.Location.id == m.StockBalance.location_id)
                      .where(*where))
            count = session.execute(joined).scalar_one()
            if not count:
                return None
            row = session.execute(
                select(m.StockBalance.product_id, m.StockBalance.location_id,
                       m.StockBalance.lot_id, m.StockBalance.on_hand, m.StockBalance.reserved,
                       m.Product.unit)
                .join(m.Product, m.Product.id == m.StockBalance.product_id)
                .join(m.Location, m.Location.id == m.StockBalance.location_id)
                .where(*where)
                .order_by(m.StockBalance.product_id, m.StockBalance.location_id,
                          m.StockBalance.lot_key)
                .offset(self.rng.randrange(count)).limit(1)).one()
        return row[0], row[1], row[2], row[3], row[4], row[5]

    def _delta(self, unit: str) -> Decimal:
        if unit in self.plan.whole_units:
            return Decimal(self.rng.choice((-2, -1, 1, 1, 2)))
        return Decimal(self.rng.randint(-800, 800)) / 1000 or Decimal("0.25")

    def _cycle_count(self, shelves: int) -> None:
        """Count a few shelves, as one count document: most counts agree; the rest are off
        by a little (never below what is reserved, so released work keeps its stock)."""
        lines: dict[tuple[uuid.UUID, uuid.UUID, uuid.UUID | None], stock.CountLine] = {}
        for _ in range(shelves):
            found = self._random_balance()
            if found is None:
                return
            product, location, lot, on_hand, reserved, unit = found
            counted = on_hand if self.rng.random() < 0.4 else on_hand + self._delta(unit)
            if counted < reserved:
                counted = on_hand
            lines[product, location, lot] = stock.CountLine(product, location, counted, lot)
        with self.ctx.transaction() as uow:
            stock.record_counts(uow, list(lines.values()), note="Cycle count")

    def _scrap(self) -> None:
        found = self._random_balance(making_only=True)
        if found is None:
            return
        product, location, lot, on_hand, reserved, unit = found
        amount = min(abs(self._delta(unit)), on_hand - reserved)
        if amount > 0:
            stock.scrap(self.ctx, product, location, amount, lot,
                        note=self.rng.choice(("Damaged in handling.", "Failed inspection.",
                                              "Offcut too small to use.")))

    def _adjust(self) -> None:
        found = self._random_balance()
        if found is None:
            return
        product, location, lot, on_hand, reserved, unit = found
        delta = self._delta(unit)
        if on_hand + delta >= reserved:
            stock.adjust(self.ctx, product, location, delta, self.rng.choice(ADJUST_NOTES), lot)

    # --- the end of the story ----------------------------------------------------------------

    def _showcase(self, day: int) -> None:
        """Orders taken on the last day, left in each open state on purpose, so the lists
        show every state whatever the dice did: a draft, a released order (reserved), one in
        progress, one on hold, one cancelled after release, and one released short with the
        planner's reason; and a transfer still in transit."""
        self.clock.set_day(day)
        customer = self.network.customers[0]
        lisbon = self.network.by_code["LIS"]
        for n, state in enumerate(("draft", "released", "in_progress", "on_hold", "cancelled",
                                   "released_short")):
            product = self.finished[n % len(self.finished)]
            site = lisbon if self.plan.can_make(lisbon, product) else self.plan.makers[product][0]
            # The short one asks for more than any site keeps, so its release needs a reason.
            quantity = Decimal(400 if state == "released_short" else 2)
            created = customer_orders.create_customer_order(
                self.ctx, customer.id, self.clock.peek().date() + timedelta(days=21),
                [OrderLineSpec(self.ids[product], quantity)])
            wo = work_orders.create_work_order(self.ctx, self.ids[product], quantity, site.id,
                                              self.clock.peek().date() + timedelta(days=19),
                                              customer_order_line_id=created.line_ids[0],
                                              notes=f"For {created.number}, {customer.name}")
            self._advance(wo.id, site, product, quantity, state)
        # And goods on the road to the warehouse: shipped today, received after the end.
        warehouse = self.network.warehouse
        product = self.finished[0]
        maker = self.plan.maker_near(product, warehouse)
        self.ensure(maker, product, Decimal(2))
        self.ship(maker, warehouse, [(product, Decimal(2))], receive=False)

    def _advance(self, wo_id: uuid.UUID, site: SiteInfo, product: int, quantity: Decimal,
                 state: str) -> None:
        if state == "draft":
            return
        if state == "released_short":
            work_orders.release(self.ctx, wo_id, override_reason="Parts arrive Tuesday; "
                               "released so the workshop can start cutting.")
            return
        self.prepare(site, product, quantity)
        work_orders.release(self.ctx, wo_id)
        if state == "in_progress":
            work_orders.start(self.ctx, wo_id)
            self._report(wo_id, product, quantity, everything=False)
        elif state == "on_hold":
            work_orders.start(self.ctx, wo_id)
            work_orders.hold(self.ctx, wo_id, HOLD_REASONS[0])
        elif state == "cancelled":
            work_orders.cancel(self.ctx, wo_id, "Customer chose another model")

    def move_count(self) -> int:
        with self.ctx.reading() as session:
            return int(session.execute(select(func.count()).select_from(m.StockMove)
                                       ).scalar_one())

    def _top_up_moves(self) -> None:
        """If the story made fewer moves than asked, the last day ends with deliveries of
        materials to the warehouse until it has."""
        warehouse = self.network.warehouse
        raws = [p.index for p in self.catalog.products if not p.made]
        missing = self.params.moves - self.move_count()
        while missing > 0:
            batch = raws[:min(missing, len(raws))]
            self.purchase(warehouse, {p: self.catalog.reorder_point(p)[1] for p in batch},
                          "Stock for the new season")
            missing -= len(batch)
