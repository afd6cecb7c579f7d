"""The chaos test's random work: each site calls the services as its people would (and as an
older client or a careless one would), while sites go offline, clocks run hours ahead and
syncs are cut short. Every call is logged (chaos_log.py) with what it should leave behind.
"""

from __future__ import annotations

import itertools
import random
import uuid
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from dmdesk.db import models as m
from dmdesk.db.database import Database
from dmdesk.domain.errors import DomainError
from dmdesk.services import customer_orders, products, rerouting, stock, work_orders
from dmdesk.services.customer_orders import OrderLineSpec
from dmdesk.services.stock import TransferLineSpec
from dmdesk.sync.transport import SyncError, wall_ms
from tests.sync.chaos_faults import SyncMode, partial_sync
from tests.sync.chaos_log import Effect, Expect, Logged, Rows, Split, StateIn, Value
from tests.sync.chaos_support import (
    CODES,
    FIRST_DUE,
    HOUR_MS,
    MAKERS,
    OWNER_CODE,
    REPORTS_PROGRESS,
    World,
    holds,
    old_client_edit,
)

OVERRIDE = "chaos test: short stock is fine"
NOT_DRAFT = frozenset({"released", "in_progress", "on_hold", "done", "cancelled"})
STARTED = frozenset({"in_progress", "on_hold", "done", "cancelled"})
SKEW_MS = 3 * HOUR_MS


@dataclass(frozen=True)
class OrderView:
    id: uuid.UUID
    number: str
    state: str
    site_code: str
    quantity: Decimal


def raw_value(db: Database, table: str, row_id: uuid.UUID, column: str) -> Any:
    with db.reader.connect() as conn:
        row = conn.exec_driver_sql(f"SELECT {column} FROM {table} WHERE id = ?",
                                   (row_id.bytes,)).first()
    return None if row is None else row[0]


def outbox_size(db: Database) -> int:
    with db.reader.connect() as conn:
        return int(conn.exec_driver_sql("SELECT COUNT(*) FROM outbox").scalar_one())


def move_ids_of(db: Database, document_id: uuid.UUID) -> set[uuid.UUID]:
    with db.read_session() as session:
        return set(session.scalars(select(m.StockMove.id).where(
            m.StockMove.document_id == document_id)))


def open_orders(db: Database) -> list[OrderView]:
    with db.read_session() as session:
        rows = session.execute(
            select(m.WorkOrder.id, m.WorkOrder.number, m.WorkOrder.state, m.Site.code,
                   m.WorkOrder.quantity)
            .join(m.Site, m.Site.id == m.WorkOrder.site_id)
            .where(m.WorkOrder.state.not_in(("done", "cancelled")))
            .order_by(m.WorkOrder.number))
        return [OrderView(*row) for row in rows]


def operations(db: Database, work_order_id: uuid.UUID
               ) -> list[tuple[uuid.UUID, int, Decimal, Decimal]]:
    with db.read_session() as session:
        return [tuple(row) for row in session.execute(  # type: ignore[misc]
            select(m.WOOperation.id, m.WOOperation.sequence, m.WOOperation.good_qty,
                   m.WOOperation.scrap_qty)
            .where(m.WOOperation.work_order_id == work_order_id)
            .order_by(m.WOOperation.sequence))]


# Which lifecycle actions to try in each state, and how often.
LIFECYCLE = {
    "draft": (("release", 4.0), ("cancel", 0.3)),
    "released": (("start", 3.0), ("complete", 1.0), ("hold", 0.5), ("cancel", 0.3)),
    "in_progress": (("report", 3.0), ("complete", 1.5), ("hold", 0.5), ("cancel", 0.2)),
    "on_hold": (("resume", 2.0), ("cancel", 0.3)),
}


def pick(rng: random.Random, weighted: Iterable[tuple[str, float]]) -> str:
    names, weights = zip(*weighted, strict=True)
    return str(rng.choices(names, weights)[0])


# Every run goes through each scenario and fault early (step: what, where); more of each
# come at random later.
SCRIPT: dict[int, tuple[str, str]] = {
    1: ("create", "LIS"), 2: ("create", "AVC"), 3: ("create", "PRF"), 4: ("sync", OWNER_CODE),
    5: ("sync", "LIS"), 6: ("sync", "AVC"), 7: ("sync", "PRF"), 8: ("offline", ""),
    10: ("both sides", ""), 12: (SyncMode.KILLED_CLIENT, ""), 15: ("rename_product", ""),
    17: ("skew", ""), 20: ("due_date", ""), 22: (SyncMode.KILLED_SERVER, ""),
    25: ("both sides", ""), 28: ("rename_product", ""), 31: ("due_date", ""),
}
SCRIPTED_STEPS = max(SCRIPT)


class Chaos:
    """Random steps (work or a sync at one site) from one seeded generator."""

    def __init__(self, world: World, rng: random.Random, *, client_kills: int = 2,
                 server_kills: int = 1) -> None:
        self.world, self.rng = world, rng
        self.ever_skewed: set[str] = set()
        self.log: list[Logged] = []
        self.problems: list[str] = []  # seen during the run, reported with the end checks
        self.counts: Counter[str] = Counter()
        self.step = 0
        self.kills = {SyncMode.KILLED_CLIENT: client_kills, SyncMode.KILLED_SERVER: server_kills}
        self.offline_until: dict[str, int] = {}
        self.skewed_until: dict[str, int] = {}
        self.reroute_wanted = ""  # an offline site whose work the owner should move
        self.favourite: dict[str, uuid.UUID] = {}  # an offline site keeps at the moved order
        self._n = itertools.count(1)

    # --- the loop ---------------------------------------------------------------------------

    def run_step(self) -> None:
        self.step += 1
        forced, code = SCRIPT.get(self.step, ("", ""))
        self._seasons(forced)
        if forced == "create":
            self.create_order(OWNER_CODE, code)
        elif forced == "sync":
            self.sync_step(code, SyncMode.FULL)
        elif forced in self.kills:
            code = self.rng.choice([c for c in CODES if c not in self.offline_until
                                    and c not in self.world.skew_ms])
            self.sync_step(code, SyncMode(forced))
        elif forced == "both sides":
            self.both_sides()
        elif forced in ("rename_product", "due_date"):
            getattr(self, f"do_{forced}")(self._busy_maker())
        else:
            code = self.rng.choices(CODES, (3, 2, 2, 2, 1))[0]
            if self.rng.random() < 0.3 and code not in self.offline_until:
                self.sync_step(code)
            else:
                self.work_step(code)

    def _busy_maker(self, among: Iterable[str] = MAKERS) -> str:
        """A making site with open work of its own (any, when none has)."""
        busy = [code for code in among if any(
            o.site_code == code for o in open_orders(self.world.sites[code].db))]
        return self.rng.choice(busy or sorted(among))

    def _seasons(self, forced: str) -> None:
        """Sites go offline and come back; a clock runs hours ahead and is put right."""
        for code, until in list(self.offline_until.items()):
            if self.step >= until:
                del self.offline_until[code]
                self.favourite.pop(code, None)
        for code, until in list(self.skewed_until.items()):
            if self.step >= until:
                del self.skewed_until[code]
                self.world.skew_ms.pop(code)
        if not self.offline_until and (forced == "offline" or self.rng.random() < 0.05):
            code = self._busy_maker(sorted(REPORTS_PROGRESS))
            self.offline_until[code] = self.step + self.rng.randint(10, 30)
            self.reroute_wanted = code
            self.counts["site offline"] += 1
        if not self.skewed_until and (forced == "skew" or self.rng.random() < 0.03):
            code = self.rng.choice(MAKERS)
            self.ever_skewed.add(code)
            self.skewed_until[code] = self.step + self.rng.randint(6, 16)
            self.world.skew_ms[code] = SKEW_MS
            self.counts["clock ahead"] += 1

    def end_seasons(self) -> None:
        self.offline_until.clear()
        self.skewed_until.clear()
        self.world.skew_ms.clear()

    # --- syncing ----------------------------------------------------------------------------

    def sync_step(self, code: str, mode: SyncMode | None = None) -> None:
        modes = [(SyncMode.FULL, 4.0), (SyncMode.PUSH_ONLY, 1.5), (SyncMode.PULL_ONLY, 1.5),
                 (SyncMode.PAGED, 1.5), (SyncMode.CANCELLED, 1.5)]
        skewed = code in self.world.skew_ms
        if not skewed:  # the `dmdesk sync` process reads the real clock
            modes += [(kind, 0.4) for kind, left in self.kills.items() if left > 0]
        mode = mode or SyncMode(pick(self.rng, modes))
        if mode in self.kills:
            self.kills[mode] -= 1
        if skewed and self.rng.random() < 0.5:
            self._sync_with_clock_ahead(code)
            return
        # A skewed site whose header is right still sends ops stamped hours ahead.
        outcome = partial_sync(self.world, code, mode, self.rng, wall_ms)
        self.counts[f"sync {mode}: {outcome}"] += 1

    def _sync_with_clock_ahead(self, code: str) -> None:
        try:
            self.world.sync(code, clock_ms=self.world.clock_ms(code))
        except SyncError as exc:
            self.counts[f"sync with clock ahead: refused {exc.status}"] += 1
            return
        self.problems.append(f"step {self.step}: the server took a sync from {code} whose "
                             "clock header was 3 h ahead")

    # --- work -------------------------------------------------------------------------------

    def work_step(self, code: str) -> None:
        if code == OWNER_CODE:
            if self.reroute_wanted:
                self.reroute_offline_work()
                return
            choices = [("create_order", 2.5), ("lifecycle", 4.0), ("plan", 1.5),
                       ("reroute", 1.0), ("product", 1.0), ("customer_order", 0.7),
                       ("edit_customer_order", 0.7), ("receive", 1.0), ("issue", 0.6),
                       ("ship", 0.6), ("receive_transfer", 0.8)]
        else:
            choices = [("lifecycle", 6.0), ("receive", 1.5), ("issue", 0.8), ("ship", 0.8),
                       ("receive_transfer", 1.5), ("notes", 0.7), ("rename_product", 0.4),
                       ("due_date", 0.4), ("customer_order", 0.3),
                       ("edit_customer_order", 0.4)]
        getattr(self, f"do_{pick(self.rng, choices)}")(code)

    def act(self, code: str, what: str, expect: Expect, call: Callable[[], Any],
            effects: Callable[[Any], Iterable[Effect]] = lambda _result: ()) -> Any:
        """Make one service call at ``code`` and log it with what it should leave behind."""
        db = self.world.sites[code].db
        if code in self.world.skew_ms and expect is Expect.ARRIVE:
            expect = Expect.EITHER
        before, at = outbox_size(db), datetime.now(UTC)
        try:
            result = call()
        except DomainError as exc:
            if outbox_size(db) != before:
                self.problems.append(f"step {self.step}: {code} {what} was refused "
                                     f"({exc.message}) yet wrote to the outbox")
            self.log.append(Logged(self.step, code, what, expect, at, refused=exc.message))
            self.counts[f"{expect} refused up front"] += 1
            return None
        self.log.append(Logged(self.step, code, what, expect, at, tuple(effects(result))))
        self.counts[f"{expect} written"] += 1
        return result

    def n(self) -> int:
        return next(self._n)

    # --- work orders ------------------------------------------------------------------------

    def do_create_order(self, code: str) -> None:
        self.create_order(code, self.rng.choice(MAKERS))

    def create_order(self, code: str, maker: str) -> None:
        qty = self.rng.randint(2, 6)
        due = FIRST_DUE + timedelta(days=self.rng.randint(0, 60))
        self.act(code, f"creates an order at {maker}", Expect.ARRIVE,
                 lambda: work_orders.create_work_order(
                     self.world.ctx(code), self.world.product["FRAME"], qty,
                     self.world.site_id[maker], due),
                 lambda made: [Rows("work_order", (made.id,))])

    def _an_order(self, code: str, own_only: bool = False) -> OrderView | None:
        orders = open_orders(self.world.sites[code].db)
        favourite = self.favourite.get(code)
        if favourite and self.rng.random() < 0.7:
            orders = [o for o in orders if o.id == favourite] or orders
        elif code == OWNER_CODE and self.rng.random() < 0.5:
            orders = [o for o in orders if o.site_code == "PRF"] or orders
        elif code != OWNER_CODE and (own_only or self.rng.random() < 0.9):
            orders = [o for o in orders if o.site_code == code]
        return self.rng.choice(orders) if orders else None

    def do_lifecycle(self, code: str) -> None:
        order = self._an_order(code)
        if order is not None:
            self.lifecycle(code, order)

    def lifecycle(self, code: str, order: OrderView, action: str | None = None) -> None:
        db = self.world.sites[code].db
        action = action or pick(self.rng, LIFECYCLE[order.state])
        expect = Expect.ARRIVE if holds(db, code, order.id) else Expect.REFUSE
        what = f"{action} {order.number} (at {order.site_code})"
        ctx = self.world.ctx(code)
        if action == "release":
            self.act(code, what, expect,
                     lambda: work_orders.release(ctx, order.id, override_reason=OVERRIDE),
                     lambda _r: [StateIn(order.id, NOT_DRAFT)])
        elif action == "start":
            self.act(code, what, expect, lambda: work_orders.start(ctx, order.id),
                     lambda _r: [StateIn(order.id, STARTED)])
        elif action == "report":
            self._report(code, order, expect)
        elif action == "complete":
            before = move_ids_of(db, order.id)
            self.act(code, what, expect,
                     lambda: work_orders.complete(ctx, order.id, override_reason=OVERRIDE),
                     lambda _r: [Rows("stock_move", tuple(move_ids_of(db, order.id) - before)),
                                 StateIn(order.id, frozenset({"done"}))])
        elif action == "cancel":
            self.act(code, what, expect, lambda: work_orders.cancel(ctx, order.id, "chaos"),
                     lambda _r: [StateIn(order.id, frozenset({"cancelled"}))])
        else:  # hold, resume: the state moves on later; only the refusal is checked
            call = {"hold": lambda: work_orders.hold(ctx, order.id, "chaos"),
                    "resume": lambda: work_orders.resume(ctx, order.id)}[action]
            self.act(code, what, expect, call)

    def _report(self, code: str, order: OrderView, expect: Expect) -> None:
        db = self.world.sites[code].db
        ops = operations(db, order.id)
        if not ops:
            return
        index = self.rng.randrange(len(ops))
        op_id, sequence, good, scrap = ops[index]
        ceiling = order.quantity if index == 0 else ops[index - 1][2]
        room = int(ceiling - good - scrap)
        made = self.rng.randint(0, room) if room > 0 else 0
        wasted = 1 if room > made and self.rng.random() < 0.2 else 0
        finished = made + wasted == room
        if made + wasted == 0 and not finished:
            return
        self.act(code, f"report {made}+{wasted} on op {sequence} of {order.number}", expect,
                 lambda: work_orders.report_progress(self.world.ctx(code), order.id, sequence,
                                                    good=made, scrap=wasted,
                                                    finished=finished),
                 lambda _r: [Value("wo_operation", op_id, column,
                                   raw_value(db, "wo_operation", op_id, column))
                             for column, added in (("good_qty", made), ("scrap_qty", wasted))
                             if added])

    def both_sides(self) -> None:
        """The owner and the making site both try to move one order along (only the making
        site may: it reports its own progress)."""
        held = [o for o in open_orders(self.world.sites[OWNER_CODE].db)
                if o.site_code in REPORTS_PROGRESS]
        if not held:
            return
        order = self.rng.choice(held)
        for code in self.rng.sample((OWNER_CODE, order.site_code), 2):
            mine = [o for o in open_orders(self.world.sites[code].db) if o.id == order.id]
            if mine:
                action = "complete" if mine[0].state in ("released", "in_progress") else None
                self.lifecycle(code, mine[0], action)

    def do_plan(self, code: str) -> None:
        order = self._an_order(code)
        if order is None:
            return
        self._edit_order(code, order, Expect.ARRIVE, "plans", work_orders.update_work_order,
                         due_date=FIRST_DUE + timedelta(days=self.rng.randint(0, 90)),
                         priority=self.rng.randint(1, 5))

    def _edit_order(self, code: str, order: OrderView, expect: Expect, verb: str,
                    edit: Callable[..., None], **changes: Any) -> None:
        db = self.world.sites[code].db
        self.act(code, f"{verb} {order.number} {sorted(changes)}", expect,
                 lambda: edit(self.world.ctx(code), order.id, **changes),
                 lambda _r: [Value("work_order", order.id, name,
                                   raw_value(db, "work_order", order.id, name))
                             for name in changes])

    def do_notes(self, code: str) -> None:
        order = self._an_order(code, own_only=True)
        if order is None or code not in REPORTS_PROGRESS:
            return
        self._edit_order(code, order, Expect.ARRIVE, "notes on", work_orders.update_work_order,
                         notes=f"{code} note {self.n()}")

    def do_due_date(self, code: str) -> None:
        """A making site moves the owner's planned due date: not its field."""
        order = self._an_order(code, own_only=True)
        if order is None:
            return
        due = FIRST_DUE + timedelta(days=100 + self.n())
        if self.rng.random() < 0.5:
            self._edit_order(code, order, Expect.REFUSE, "moves the due date of",
                             work_orders.update_work_order, due_date=due)
        else:
            self._edit_order(code, order, Expect.REFUSE, "(old client) moves the due date of",
                             lambda ctx, wo, **c: old_client_edit(ctx, m.WorkOrder, wo, **c),
                             due_date=due)

    def reroute_offline_work(self) -> None:
        """The owner moves work off a site that went offline (it has not synced since), while
        that site keeps working on it."""
        code, self.reroute_wanted = self.reroute_wanted, ""
        away = {o.id for o in open_orders(self.world.sites[code].db)}
        orders = [o for o in open_orders(self.world.sites[OWNER_CODE].db)
                  if o.site_code == code and o.id in away]
        if orders:
            order = self.rng.choice(orders)
            self.favourite[code] = order.id
            self._reroute(order)

    def do_reroute(self, _code: str) -> None:
        order = self._an_order(OWNER_CODE)
        if order is not None:
            self._reroute(order)

    def _reroute(self, order: OrderView) -> None:
        owner = self.world.sites[OWNER_CODE].db
        target = self.rng.choice([c for c in MAKERS if c != order.site_code])
        to_site = self.world.site_id[target]
        owner_holds = holds(owner, OWNER_CODE, order.id)
        self.counts["reroute of an order the owner holds" if owner_holds
                    else "reroute of an order a site holds"] += 1
        self.act(OWNER_CODE, f"reroutes {order.number} {order.site_code}->{target}",
                 Expect.ARRIVE,
                 lambda: rerouting.reroute_work_order(self.world.ctx(OWNER_CODE), order.id,
                                                      to_site, reason="chaos"),
                 lambda _r: [Value("work_order", order.id, "site_id", to_site.bytes)]
                 if owner_holds else [Split(order.id, to_site)])

    # --- products ---------------------------------------------------------------------------

    def do_product(self, code: str) -> None:
        name = self.rng.choice(("FRAME", "STEEL", "SCREW"))
        self._edit_product(code, name, Expect.ARRIVE, products.update_product,
                           description=f"v{self.n()}")

    def do_rename_product(self, code: str) -> None:
        """A site renames a product: the owner's to change."""
        name = self.rng.choice(("FRAME", "STEEL"))
        if self.rng.random() < 0.5:
            self._edit_product(code, name, Expect.REFUSE, products.update_product,
                               name=f"{code} name {self.n()}")
        else:
            self._edit_product(code, name, Expect.REFUSE,
                               lambda ctx, pid, **c: old_client_edit(ctx, m.Product, pid, **c),
                               name=f"{code} old-client name {self.n()}")

    def _edit_product(self, code: str, sku: str, expect: Expect, edit: Callable[..., None],
                      **changes: Any) -> None:
        product_id = self.world.product[sku]
        db = self.world.sites[code].db
        how = " (old client)" if edit is not products.update_product else ""
        self.act(code, f"edits {sku}{how} {sorted(changes)}", expect,
                 lambda: edit(self.world.ctx(code), product_id, **changes),
                 lambda _r: [Value("product", product_id, name,
                                   raw_value(db, "product", product_id, name))
                             for name in changes])

    # --- customer orders --------------------------------------------------------------------

    def do_customer_order(self, code: str) -> None:
        lines = [OrderLineSpec(self.world.product["FRAME"], self.rng.randint(1, 8))]
        due = FIRST_DUE + timedelta(days=self.rng.randint(10, 90))
        self.act(code, "takes a customer order", Expect.ARRIVE,
                 lambda: customer_orders.create_customer_order(
                     self.world.ctx(code), self.world.customer, due, lines,
                     notes=f"{code} order {self.n()}"),
                 lambda made: [Rows("customer_order", (made.id,)),
                               Rows("customer_order_line", tuple(made.line_ids))])

    def do_edit_customer_order(self, code: str) -> None:
        db = self.world.sites[code].db
        with db.read_session() as session:
            orders = list(session.execute(select(m.CustomerOrder.id, m.CustomerOrder.number)
                                          .where(m.CustomerOrder.state == "open")))
        if not orders:
            return
        order_id, number = self.rng.choice(orders)
        own = code == OWNER_CODE or number.startswith(f"{code}-")
        self.act(code, f"edits customer order {number}",
                 Expect.ARRIVE if own else Expect.REFUSE,
                 lambda: customer_orders.update_customer_order(
                     self.world.ctx(code), order_id, notes=f"{code} edit {self.n()}"),
                 lambda _r: [Value("customer_order", order_id, "notes",
                                   raw_value(db, "customer_order", order_id, "notes"))])

    # --- stock ------------------------------------------------------------------------------

    def _raw_material(self) -> str:
        return self.rng.choice(("STEEL", "SCREW", "SCREW", "FABRIC"))

    def do_receive(self, code: str) -> None:
        sku = self._raw_material()
        lot = f"{code}-L{self.n()}" if sku == "FABRIC" else None
        self.act(code, f"receives {sku}", Expect.ARRIVE,
                 lambda: stock.receive(self.world.ctx(code), self.world.product[sku],
                                       self.world.stock_at[code], self.rng.randint(1, 40),
                                       lot_code=lot),
                 lambda result: [Rows("stock_move", tuple(result.move_ids))])

    def do_issue(self, code: str) -> None:
        sku = self.rng.choice(("STEEL", "SCREW"))
        self.act(code, f"issues {sku}", Expect.ARRIVE,
                 lambda: stock.issue(self.world.ctx(code), self.world.product[sku],
                                     self.world.stock_at[code], self.rng.randint(1, 25),
                                     override_reason=OVERRIDE),
                 lambda result: [Rows("stock_move", tuple(result.move_ids))])

    def do_ship(self, code: str) -> None:
        sku = self.rng.choice(("STEEL", "SCREW"))
        to = self.rng.choice([c for c in CODES if c != code])
        self.act(code, f"ships {sku} to {to}", Expect.ARRIVE,
                 lambda: stock.ship_transfer(
                     self.world.ctx(code), self.world.stock_at[code], self.world.stock_at[to],
                     [TransferLineSpec(self.world.product[sku], self.rng.randint(1, 10))],
                     override_reason=OVERRIDE),
                 lambda result: [Rows("stock_move", tuple(result.move_ids))])

    def do_receive_transfer(self, code: str) -> None:
        db = self.world.sites[code].db
        with db.read_session() as session:
            waiting = list(session.scalars(select(m.Transfer.id).where(
                m.Transfer.state == "shipped",
                m.Transfer.to_location_id == self.world.stock_at[code])))
        if waiting:
            transfer = self.rng.choice(waiting)
            self.act(code, "receives a transfer", Expect.ARRIVE,
                     lambda: stock.receive_transfer(self.world.ctx(code), transfer),
                     lambda result: [Rows("stock_move", tuple(result.move_ids))])
