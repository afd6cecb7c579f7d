"""The large demo: six months of a busy network, written through the bulk writer.

The story is the small demo's, at scale. Customer orders come in (more of them lately); each
line is made to order at the maker nearest the customer and delivered from there; orders
still open at the end leave work orders drafted, released (with reservations), in progress or
on hold. Between them, the network makes components and finished goods for stock (finished
goods go to the central warehouse, which sells them in its web shop), the warehouse buys
materials and sends them on to the sites, and shelves are counted, scrapped and adjusted.
Each day does its share of the target moves and work orders, so both end exactly on target.
"""

from __future__ import annotations

import random
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from functools import partial

from dmdesk.db.ids import new_id
from dmdesk.db.units import whole_units
from dmdesk.demo.book import Key
from dmdesk.demo.bulk import BulkWriter
from dmdesk.demo.bulk_catalog import money, qty, write_catalog
from dmdesk.demo.bulk_ops import UNIT, BulkOps, Places, Shipment, WorkOrderPlan
from dmdesk.demo.catalog import Catalog
from dmdesk.demo.clock import DemoClock
from dmdesk.demo.network import CustomerInfo, Network
from dmdesk.demo.params import ScaleParams
from dmdesk.demo.planning import Plan
from dmdesk.domain.kinds import CustomerOrderState, MoveReason, ProductKind
from dmdesk.domain.numbering import DocKind
from dmdesk.domain.progress import Progress
from dmdesk.domain.work_order_states import WOState
from dmdesk.services.context import ServiceContext

Action = Callable[[], None]
WORKING_DAY = timedelta(hours=10)
TIMELINE_SHARE = 0.85  # of the work orders; the rest are planned (draft) batches at the end
HOLD_REASONS = ("Customer asked to change the fabric; waiting for confirmation.",
                "Machine down for maintenance.", "Waiting for the customer's deposit.")
ADJUST_NOTES = ("Found on the wrong shelf.", "Damaged in handling.",
                "Correction of a receiving error.")
# Filler events: (name, weight). Weights are the share of moves wanted from each kind divided
# by the moves one event makes, so receipts (~20 lines) and transfers (~8 lines, 4 moves
# each) are rarer events than single-move counts.
FILLERS = (("purchase", 1.75), ("replenish", 0.94), ("sale", 10.0), ("count", 10.0),
           ("scrap", 4.0), ("adjust", 3.0), ("sample", 3.0))


class Pace:
    """Keeps a total (moves, work orders) on its target while planned events add to it.

    The customer orders' events are planned ahead; what each kind of event (taking an
    order, making it, delivering it...) will make is estimated from what those of its kind
    made so far (a guess until a few have run). Fillers only go up to the day's share of the
    target, less that estimate, so the history ends on target instead of overshooting in its
    busy end.
    """

    def __init__(self, target: int, guesses: dict[str, float]) -> None:
        self.target = target
        self.guesses = guesses
        self.runs: Counter[str] = Counter()
        self.made: Counter[str] = Counter()

    def record(self, kind: str, made: int) -> None:
        self.runs[kind] += 1
        self.made[kind] += made

    def rate(self, kind: str) -> float:
        if self.runs[kind] >= 3:
            return self.made[kind] / self.runs[kind]
        return self.guesses.get(kind, 0.0)

    def room(self, day: int, days: int, pending: Counter[str]) -> int:
        still_to_come = sum(count * self.rate(kind) for kind, count in pending.items())
        return min(self.target * (day + 1) // days, self.target - int(still_to_come))


@dataclass
class OrderPlan:
    id: uuid.UUID
    customer: CustomerInfo
    created: int
    due: int
    cancel: int | None
    lines: list[tuple[uuid.UUID, WorkOrderPlan]] = field(default_factory=list)
    number: str = ""


class BulkDemo:
    def __init__(self, ctx: ServiceContext, clock: DemoClock, rng: random.Random,
                 params: ScaleParams, catalog: Catalog, network: Network,
                 progress: Progress) -> None:
        self.ctx, self.clock, self.rng, self.params = ctx, clock, rng, params
        self.catalog, self.network, self.progress = catalog, network, progress
        with ctx.db.read_session() as session:
            self.plan = Plan(catalog, network, whole_units(session))
        self.places = Places.of(network)
        self.agenda: dict[int, list[tuple[str, Action]]] = defaultdict(list)
        self.finished = [p.index for p in catalog.products if p.kind == ProductKind.FINISHED]
        self.made = [p.index for p in catalog.products if p.made]
        self.raws = [p.index for p in catalog.products if not p.made]
        self.site_raws = {n: [p for p in self.raws if site in self.plan.users.get(p, ())]
                          for n, site in enumerate(network.sites)}
        self.day = 0
        self.day_start = datetime.min.replace(tzinfo=UTC)
        self.day_moves = (0, 1)  # moves at the start of the day, moves the day should make
        # Before any has run: making an order may make every made part of it; releasing,
        # most of them; moves are about five per work order plus transfers.
        parts = self._made_parts()
        self.order_pace = Pace(int(params.work_orders * TIMELINE_SHARE),
                               {"produce": 1 + parts, "release": parts, "cancel": 1})
        self.move_pace = Pace(params.moves, {"produce": 8 * (1 + parts), "release": 8 * parts,
                                             "deliver": 2, "receive": 4})

    def _made_parts(self) -> float:
        """How many made products (sub-assemblies, components) a finished one has."""
        def parts(index: int) -> set[int]:
            found: set[int] = set()
            for line in self.catalog.products[index].bom:
                if self.catalog.products[line.component].made:
                    found |= {line.component} | parts(line.component)
            return found
        return sum(len(parts(p)) for p in self.finished) / max(len(self.finished), 1)

    def build(self) -> None:
        with BulkWriter(self.ctx, self.clock) as writer:
            self.w = writer
            ids = write_catalog(writer, self.catalog, self.plan, self.clock(), self.progress)
            self.ops = BulkOps(writer, self.rng, self.catalog, self.plan, ids, self.places,
                               self.ctx.actor)
            self.ops.now = self.clock.peek()
            writer.before_commit.append(self.ops.write_balances)
            self._plan_orders()
            self._history()
            self._planned_batches()

    # --- time -------------------------------------------------------------------------------

    def at(self, day: int, hour: int) -> datetime:
        return datetime.combine(self.clock.date_of(day), time(hour, self.rng.randrange(60)),
                                UTC)

    def tick(self) -> None:
        """The time of the next event: through the working day as its moves get done."""
        start, quota = self.day_moves
        done = min(max(self.ops.moves - start, 0), quota)
        moment = self.day_start + WORKING_DAY * (done / quota)
        self.ops.now = max(moment, self.ops.now + timedelta(milliseconds=1))

    # --- customer orders ---------------------------------------------------------------------

    def _plan_orders(self) -> None:
        last = self.params.days - 1
        # Business is growing: more orders lately than six months ago.
        days = sorted(int(last * self.rng.random() ** 0.8)
                      for _ in range(self.params.customer_orders))
        for day in days:
            due = day + self.rng.randint(12, 30)
            cancel = day + self.rng.randint(2, 5) if self.rng.random() < 0.04 else None
            order = OrderPlan(new_id(), self.rng.choice(self.network.customers), day, due,
                              cancel if cancel is not None and cancel <= last else None)
            for product in self.rng.sample(self.finished, k=min(3, self.rng.randint(1, 3),
                                                               len(self.finished))):
                order.lines.append((new_id(), self._line_order(order, product, last)))
            self._schedule(order, last)

    def _line_order(self, order: OrderPlan, product: int, last: int) -> WorkOrderPlan:
        """The work order of one order line, with the state it will be in at the end."""
        makers = self.plan.makers[product]
        site = self.network.nearest(makers, order.customer.latitude, order.customer.longitude)
        release = order.created + self.rng.randint(1, 3)
        start = release + self.rng.randint(1, 3)
        plan = WorkOrderPlan(product, self.rng.randint(1, 6), self.network.sites.index(site),
                             WOState.DRAFT, self.at(order.created, 9),
                             self.clock.date_of(order.due - 2),
                             priority=self.rng.choice((2, 3, 3, 3, 4)))
        stop = order.cancel if order.cancel is not None else last
        if release <= stop:
            plan.released, plan.state = self.at(release, 8), WOState.RELEASED
        if start <= stop:
            plan.started, plan.state = self.at(start, 8), WOState.IN_PROGRESS
        if order.cancel is not None:
            plan.state = WOState.CANCELLED
        elif order.due - 2 <= last:
            plan.state = WOState.DONE
        elif plan.released is not None and self.rng.random() < 0.1:
            plan.held_from, plan.state = plan.state, WOState.ON_HOLD
        return plan

    def _schedule(self, order: OrderPlan, last: int) -> None:
        self.agenda[order.created].append(("take", lambda: self._take_order(order)))
        for _line_id, plan in order.lines:
            if plan.state == WOState.DONE:
                self.agenda[order.due - 2].append(("produce", partial(self.ops.produce, plan)))
            elif plan.state == WOState.CANCELLED:
                assert order.cancel is not None
                self.agenda[order.cancel].append(("cancel", partial(self._cancel, plan)))
            elif plan.released is not None:
                day = (plan.released.date() - self.clock.first_day).days
                self.agenda[day].append(("release", partial(self._release, plan)))
        if order.cancel is None and order.due <= last:
            self.agenda[order.due].append(("deliver", lambda: self._deliver(order)))

    def _order_state(self, order: OrderPlan) -> tuple[CustomerOrderState, datetime]:
        last = self.params.days - 1
        if order.cancel is not None:
            return CustomerOrderState.CANCELLED, self.at(order.cancel, 11)
        if order.due <= last:
            return CustomerOrderState.FULFILLED, self.at(order.due, 16)
        return CustomerOrderState.OPEN, self.ops.now

    def _take_order(self, order: OrderPlan) -> None:
        """The order and its lines (rows carry their final state), and its draft orders."""
        self.tick()
        order.number = self.w.next_number(DocKind.CUSTOMER_ORDER)
        state, updated = self._order_state(order)
        customer = order.customer
        self.w.add("customer_order", {
            "id": order.id, "number": order.number, "customer_id": customer.id,
            "ship_to": customer.address, "ship_latitude": customer.latitude,
            "ship_longitude": customer.longitude, "due_date": self.clock.date_of(order.due),
            "state": state.value, "notes": "", "created_at": self.ops.now,
            "updated_at": max(updated, self.ops.now)})
        for n, (line_id, plan) in enumerate(order.lines, start=1):
            spec = self.catalog.products[plan.product]
            self.w.add("customer_order_line", {
                "id": line_id, "order_id": order.id, "line_no": n,
                "product_id": self.ops.ids.products[plan.product], "quantity": plan.units * UNIT,
                "unit_price": money(spec.price), "created_at": self.ops.now,
                "updated_at": self.ops.now})
            plan.line_id, plan.notes = line_id, f"For {order.number}, {customer.name}"
            plan.number = self.w.next_number(DocKind.WORK_ORDER)
            if plan.state == WOState.DRAFT:
                self.ops.work_order_rows(plan)

    def _cancel(self, plan: WorkOrderPlan) -> None:
        """Cancelled: the order keeps its materials list if it had been released, but its
        reservations went back (so none are written)."""
        self.tick()
        self.ops.work_order_rows(plan)

    def _release(self, plan: WorkOrderPlan) -> None:
        """Release an order that stays open: components made ready (one in twenty is
        released short, with the planner's reason), then reserved."""
        self.tick()
        if self.rng.random() >= 0.05:
            self.ops.prepare(plan.site, plan.product, plan.units)
        if plan.state == WOState.ON_HOLD:
            plan.notes += f" On hold: {self.rng.choice(HOLD_REASONS)}"
        if self.ops.short_for(plan):
            plan.override_reason = "Components arrive this week; released so the shop can start."
        self.ops.reserve(plan, self.ops.work_order_rows(plan))

    def _deliver(self, order: OrderPlan) -> None:
        self.tick()
        for _line_id, plan in order.lines:
            self.ops.ensure(plan.site, plan.product, plan.units * UNIT)
            self.ops.issue(plan.site, plan.product, plan.units * UNIT,
                           f"Delivered to {order.customer.name} ({order.number})")

    # --- the days ----------------------------------------------------------------------------

    def _history(self) -> None:
        days = self.params.days
        for day in range(days):
            self.day = day
            self.day_start = datetime.combine(self.clock.date_of(day), time(7, 30), UTC)
            self.w.checkpoint(self.day_start)
            self.day_moves = (self.ops.moves, max(self.params.moves // days, 1))
            self._run_agenda(day)
            pending = Counter(kind for actions in self.agenda.values() for kind, _ in actions)
            room = self.order_pace.room(day, days, pending)
            while self.ops.work_orders < room:
                self._make_to_stock()
            quota = self.move_pace.room(day, days, pending)
            while self.ops.moves < quota:
                self._filler(quota - self.ops.moves, last_day=day == days - 1)
            if day % 5 == 0:
                self.progress(day, days, "history")

    def _run_agenda(self, day: int) -> None:
        for kind, action in self.agenda.pop(day, []):
            moves, orders = self.ops.moves, self.ops.work_orders
            action()
            self.move_pace.record(kind, self.ops.moves - moves)
            self.order_pace.record(kind, self.ops.work_orders - orders)

    def _make_to_stock(self) -> None:
        """A batch for stock somewhere in the network; finished goods go to the warehouse."""
        self.tick()
        product = self.rng.choice(self.made)
        site = self.rng.choice(self.plan.makers[product])
        index = self.network.sites.index(site)
        finished = self.catalog.products[product].kind == ProductKind.FINISHED
        units = self.rng.randint(2, 8) if finished else self.rng.choice((4, 6, 8, 10, 12))
        plan = WorkOrderPlan(product, units, index, WOState.DONE, self.ops.now,
                             self.ops.now.date() + timedelta(days=self.rng.randint(1, 5)),
                             notes="Stock replenishment")
        if self.rng.random() < 0.03:
            plan.state, plan.notes = WOState.CANCELLED, "Stock replenishment; plan changed"
            self.ops.work_order_rows(plan)
            return
        self.ops.produce(plan)
        if finished and index != self.places.warehouse:
            self._ship(index, self.places.warehouse, [(product, units * UNIT)])

    def _ship(self, source: int, destination: int, wanted: list[tuple[int, int]]) -> None:
        """A transfer that arrives a day or two later (or after the history ends)."""
        when = self.day + self.rng.randint(1, 2)
        arrival = self.at(when, 10) if when < self.params.days else None
        for shipment in self.ops.transfer(source, destination, wanted, arrival):
            if arrival is not None:
                self.agenda[when].append(("receive", partial(self._receive, shipment)))

    def _receive(self, shipment: Shipment) -> None:
        self.tick()
        self.ops.receive(shipment)

    def _filler(self, remaining: int, last_day: bool) -> None:
        self.tick()
        if last_day and remaining <= 40:  # end exactly on target: one receipt of the rest
            lines = self.rng.sample(self.raws, k=min(remaining, len(self.raws)))
            self.ops.purchase(self.places.warehouse, [(p, self._reorder(p)) for p in lines],
                              "Stock for the new season")
            return
        kind = self.rng.choices([k for k, _ in FILLERS], [w for _, w in FILLERS])[0]
        events: dict[str, Action] = {
            "purchase": self._purchase, "replenish": self._replenish, "count": self._count,
            "scrap": self._scrap, "adjust": self._adjust, "sample": self._sample}
        if kind == "sale":
            if not self._sale():
                self._count()  # nothing in the web shop's stock: count a shelf instead
            return
        events[kind]()

    # --- filler events -------------------------------------------------------------------------

    def _reorder(self, product: int) -> int:
        return qty(self.catalog.reorder_point(product)[1])

    def _purchase(self) -> None:
        lines = self.rng.sample(self.raws, k=min(len(self.raws), self.rng.randint(8, 30)))
        self.ops.purchase(self.places.warehouse,
                          [(p, self._reorder(p) * self.rng.choice((1, 2))) for p in lines],
                          "Weekly purchase")

    def _replenish(self) -> None:
        """The warehouse sends a site materials it uses (buying first what it lacks)."""
        site = self.rng.choice([n for n in self.site_raws if self.site_raws[n]])
        raws = self.site_raws[site]
        picked = self.rng.sample(raws, k=min(len(raws), self.rng.randint(3, 10)))
        warehouse = self.places.warehouse
        wanted = [(p, self._reorder(p)) for p in picked]
        short = [(p, q) for p, q in wanted if self.ops.book.available(p, warehouse) < q]
        if short:
            self.ops.purchase(warehouse, short, "Purchase for the sites")
        self._ship(warehouse, site, wanted)

    def _sale(self) -> bool:
        if not self.ops.warehouse_finished:
            return False
        product = self.rng.choice(self.ops.warehouse_finished)
        taken = self.ops.issue(self.places.warehouse, product,
                               self.rng.randint(1, 3) * UNIT, "Web shop order")
        return taken > 0

    def _random_key(self) -> Key | None:
        """A stocked shelf at a real site (not in transit), or None after a few tries."""
        book = self.ops.book
        for _ in range(5 if book.keys else 0):
            key = self.rng.choice(book.keys)
            if key[1] != self.places.transit and book.on_hand.get(key, 0) > 0:
                return key
        return None

    def _delta(self, key: Key) -> int:
        if self.plan.is_whole(key[0]):
            return self.rng.choice((-2, -1, 1, 1, 2)) * UNIT
        return self.rng.choice((-1, 1)) * self.rng.randint(50, 800)

    def _count(self) -> None:
        key = self._random_key()
        if key is not None and self.rng.random() >= 0.4:  # the others agree with the books
            self.ops.correct(key, self._delta(key), MoveReason.COUNT, "Cycle count")

    def _adjust(self) -> None:
        key = self._random_key()
        if key is not None:
            self.ops.correct(key, self._delta(key), MoveReason.ADJUSTMENT,
                             self.rng.choice(ADJUST_NOTES))

    def _scrap(self) -> None:
        key = self._random_key()
        if key is None or self.ops.places.site_of_location[key[1]] == self.places.warehouse:
            return
        amount = min(abs(self._delta(key)), self.ops.book.available_at(key))
        if amount > 0:
            self.ops.move(key, -amount, MoveReason.SCRAP, self.w.next_number(DocKind.MOVE),
                          note=self.rng.choice(("Damaged in handling.", "Failed inspection.",
                                                "Offcut too small to use.")))

    def _sample(self) -> None:
        product = self.rng.choice(self.raws)
        self.ops.issue(self.places.warehouse, product, self.ops.whole(product, 500),
                       "Samples for the design studio")

    # --- the end -------------------------------------------------------------------------------

    def _planned_batches(self) -> None:
        """Draft batches planned for the coming weeks, up to the work-order target."""
        last = self.params.days - 1
        while self.ops.work_orders < self.params.work_orders:
            product = self.rng.choice(self.made)
            site = self.rng.choice(self.plan.makers[product])
            self.ops.work_order_rows(WorkOrderPlan(
                product, self.rng.choice((4, 6, 8, 10)), self.network.sites.index(site),
                WOState.DRAFT, self.at(last, 17),
                self.clock.date_of(last + self.rng.randint(7, 28)), notes="Planned batch"))

