"""Property test of the stock ledger: random sequences of stock operations on a small network,
checked against an independent model after every step and at the end.

After every sequence: the balance cache equals the ledger per (product, location, lot); the
reserved figures equal the reservations; every move an operation reported exists, unchanged,
and there is no other; each refusal was predicted by the model and wrote nothing at all.
"""

from __future__ import annotations

import itertools
import shutil
import uuid
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from dmdesk.db import models as m
from dmdesk.db.database import Database, open_database
from dmdesk.domain.errors import (
    DomainError,
    IllegalTransitionError,
    InsufficientStockError,
    ValidationError,
)
from dmdesk.services import stock, work_orders
from dmdesk.services.context import ServiceContext
from tests.integration.support import (
    Network,
    assert_cache_matches_ledger,
    audit_chain_problems,
    db_fingerprint,
    ledger_sums,
    reservation_sums,
)

D = Decimal
Key = tuple[uuid.UUID, uuid.UUID, uuid.UUID | None]  # product, location, lot
LOT_CODES = ("A", "B")
OVERRIDE = "prop: go ahead"
ONE = D(1)
SKIPPED = object()  # an operation that had nothing to pick (no transfer, document or order yet)


@dataclass(frozen=True)
class Op:
    """One operation as plain data. ``product``/``location``/``to`` index the network's lists,
    ``lot`` indexes LOT_CODES (None: no lot), ``pick`` chooses an earlier document."""

    kind: str
    product: int = 0
    location: int = 0
    to: int = 0
    qty: D = ONE
    lot: int | None = None
    flag: bool = False  # override for outbound moves, sign for adjustments
    pick: int = 0


quantities = st.one_of(
    st.integers(1, 12).map(D),                              # whole numbers (fit counted units)
    st.integers(1, 12_000).map(lambda n: D(n).scaleb(-3)),  # thousandths
)
products_ix = st.integers(0, 2)   # STEEL (m), SCREW (pcs), FABRIC (m2, by lot)
locations_ix = st.integers(0, 2)  # HQ, MP1, WH stock
lots_ix = st.one_of(st.none(), st.integers(0, 1))


def _stock_op(kind: str, qty: st.SearchStrategy[D] = quantities) -> st.SearchStrategy[Op]:
    return st.builds(Op, kind=st.just(kind), product=products_ix, location=locations_ix,
                     qty=qty, lot=lots_ix, flag=st.booleans())


OPERATIONS = st.one_of(
    # receipts, issues and shipments twice: sequences need stock to do anything interesting
    _stock_op("receive"), _stock_op("receive"), _stock_op("issue"), _stock_op("issue"),
    _stock_op("scrap"), _stock_op("adjust"),
    _stock_op("count", st.one_of(st.just(D(0)), quantities)),
    *[st.builds(Op, kind=st.just("ship"), product=products_ix, location=locations_ix,
                to=locations_ix, qty=quantities, lot=lots_ix, flag=st.booleans())] * 2,
    st.builds(Op, kind=st.just("receive_transfer"), pick=st.integers(0, 50)),
    st.builds(Op, kind=st.just("reverse"), pick=st.integers(0, 50)),
    st.builds(Op, kind=st.just("release"), qty=st.integers(1, 4).map(D),
              location=st.integers(0, 1)),
    st.builds(Op, kind=st.just("cancel"), pick=st.integers(0, 50)),
)

# Every sequence starts from stock at the two making sites and two released work orders, so
# later issues run into reservations (HQ: 12 m STEEL, 11 of them reserved; 40 SCREW, 32
# reserved) and cancellations have something to release.
OPENING = [
    Op("receive", product=0, location=0, qty=D(12)), Op("receive", product=1, location=0,
                                                        qty=D(40)),
    Op("receive", product=0, location=1, qty=D(20)), Op("receive", product=1, location=1,
                                                        qty=D(60)),
    Op("release", qty=D(4), location=0), Op("release", qty=D(2), location=1),
]


@dataclass
class Model:
    """What the ledger should hold, worked out without the code under test."""

    on_hand: dict[Key, D] = field(default_factory=lambda: defaultdict(D))
    move_quantities: dict[uuid.UUID, D] = field(default_factory=dict)
    overrides: dict[uuid.UUID, str] = field(default_factory=dict)
    # (reference, its lines in move-id order, may it be reversed)
    documents: list[tuple[str, list[tuple[Key, D]], bool]] = field(default_factory=list)
    reversed: set[str] = field(default_factory=set)
    transfers: list[tuple[uuid.UUID, Key, Key, D]] = field(default_factory=list)
    received: set[uuid.UUID] = field(default_factory=set)
    work_orders: list[uuid.UUID] = field(default_factory=list)
    cancelled: set[uuid.UUID] = field(default_factory=set)


class Refused(Exception):  # noqa: N818 - a prediction, not an error
    """The model predicts that the service refuses the operation with ``error``."""

    def __init__(self, error: type[DomainError]) -> None:
        super().__init__(error.__name__)
        self.error = error


class Harness:
    def __init__(self, db: Database, network: Network,
                 note: Callable[[str], object] = lambda _text: None) -> None:
        self.note = note  # hypothesis.event inside the property test: what the runs covered
        self.db = db
        self.ctx = ServiceContext(db, actor="prop")
        self.n = network
        self.products = [network.steel, network.screw, network.fabric]
        self.locations = [network.hq_stock, network.mp_stock, network.wh_stock]
        self.model = Model()

    # helpers -------------------------------------------------------------------------------

    def lot(self, op: Op) -> uuid.UUID | None:
        # Any product may carry a lot when one is given; only FABRIC requires one.
        product = self.products[op.product]
        if op.lot is None:
            return None
        with self.db.read_session() as session:
            return session.scalars(select(m.Lot.id).where(
                m.Lot.product_id == product, m.Lot.code == LOT_CODES[op.lot])).first()

    def key(self, op: Op, location: int | None = None) -> Key:
        return (self.products[op.product],
                self.locations[op.location if location is None else location], self.lot(op))

    def reserved(self, key: Key) -> D:
        product, location, lot = key
        return reservation_sums(self.db).get(
            (product.bytes, location.bytes, lot.bytes if lot else b""), D(0))

    def short(self, lines: list[tuple[Key, D]]) -> bool:
        """Would these moves take a key below what stays reserved there?"""
        net: dict[Key, D] = defaultdict(D)
        for key, qty in lines:
            net[key] += qty
        return any(q < 0 and self.model.on_hand[k] + q < max(self.reserved(k), D(0))
                   for k, q in net.items())

    def whole_only(self, op: Op, qty: D) -> None:
        if self.products[op.product] == self.n.screw and qty != qty.to_integral_value():
            raise Refused(ValidationError)

    def record(self, result: object, lines: list[tuple[Key, D]], reversible: bool,
               override_reason: str = "") -> str:
        assert isinstance(result, stock.MoveResult)
        assert len(result.move_ids) == len(lines)
        for move_id, (key, qty) in zip(result.move_ids, lines, strict=True):
            self.model.move_quantities[move_id] = qty
            self.model.overrides[move_id] = override_reason
            self.model.on_hand[key] += qty
        self.model.documents.append((result.reference, lines, reversible))
        return result.reference

    # one operation ---------------------------------------------------------------------------

    def run(self, op: Op) -> None:
        try:
            self.apply(op)  # a predicted refusal is raised before anything is called
        except Refused as predicted:
            self.note(f"{op.kind} refused ({predicted.error.__name__})")
            before = db_fingerprint(self.db)
            with pytest.raises(DomainError) as caught:
                self.call(op)
            assert isinstance(caught.value, predicted.error), (op, caught.value)
            assert db_fingerprint(self.db) == before, f"the refused {op} wrote something"

    def call(self, op: Op) -> object:
        """The service call for ``op`` alone."""
        product, location = self.products[op.product], self.locations[op.location]
        override = OVERRIDE if op.flag else ""
        if op.kind == "receive":
            code = LOT_CODES[op.lot] if op.lot is not None else None
            return stock.receive(self.ctx, product, location, op.qty, lot_code=code)
        if op.kind == "issue":
            return stock.issue(self.ctx, product, location, op.qty, self.lot(op),
                               override_reason=override)
        if op.kind == "scrap":
            return stock.scrap(self.ctx, product, location, op.qty, self.lot(op),
                               override_reason=override)
        if op.kind == "adjust":
            return stock.adjust(self.ctx, product, location, op.qty if op.flag else -op.qty,
                                note="prop", lot_id=self.lot(op))
        if op.kind == "count":
            return stock.count(self.ctx, product, location, op.qty, lot_id=self.lot(op))
        if op.kind == "ship":
            return stock.ship_transfer(self.ctx, location, self.locations[op.to],
                                       [stock.TransferLineSpec(product, op.qty, self.lot(op))],
                                       override_reason=override)
        if op.kind == "receive_transfer":
            transfer = self.model.transfers[op.pick % len(self.model.transfers)]
            return stock.receive_transfer(self.ctx, transfer[0])
        if op.kind == "reverse":
            document = self.model.documents[op.pick % len(self.model.documents)]
            return stock.reverse(self.ctx, document[0], note="prop")
        if op.kind == "cancel":
            wo = self.model.work_orders[op.pick % len(self.model.work_orders)]
            work_orders.cancel(self.ctx, wo)
            return None
        raise AssertionError(op)

    def apply(self, op: Op) -> None:
        """Predict ``op``: raise Refused, or run it and fold what it did into the model."""
        handler = getattr(self, f"_apply_{op.kind}")
        if handler(op) is SKIPPED:
            self.note(f"{op.kind} skipped (nothing to pick)")
        else:
            self.note(f"{op.kind} done")

    def _apply_receive(self, op: Op) -> None:
        self.whole_only(op, op.qty)
        if self.products[op.product] == self.n.fabric and op.lot is None:
            raise Refused(ValidationError)  # a lot-tracked product needs a lot code
        result = self.call(op)
        self.record(result, [(self.key(op), op.qty)], True)  # the key after the lot exists

    def _apply_outbound(self, op: Op) -> None:
        self.whole_only(op, op.qty)
        line = (self.key(op), -op.qty)
        is_short = self.short([line])
        if is_short and not op.flag:
            raise Refused(InsufficientStockError)
        self.record(self.call(op), [line], True, OVERRIDE if is_short else "")

    _apply_issue = _apply_outbound
    _apply_scrap = _apply_outbound

    def _apply_adjust(self, op: Op) -> None:
        self.whole_only(op, op.qty)
        self.record(self.call(op), [(self.key(op), op.qty if op.flag else -op.qty)], True)

    def _apply_count(self, op: Op) -> None:
        key = self.key(op)
        difference = op.qty - self.model.on_hand[key]
        if difference == 0:
            assert self.call(op) is None  # the books agree: nothing posted
            return
        self.whole_only(op, difference)
        self.record(self.call(op), [(key, difference)], True)

    def _apply_ship(self, op: Op) -> None:
        if op.location == op.to:
            raise Refused(ValidationError)
        self.whole_only(op, op.qty)
        source = self.key(op)
        is_short = self.short([(source, -op.qty)])
        if is_short and not op.flag:
            raise Refused(InsufficientStockError)
        result = self.call(op)
        assert isinstance(result, stock.MoveResult)
        with self.db.read_session() as session:
            transfer = session.scalars(select(m.Transfer).where(
                m.Transfer.number == result.reference)).one()
        transit: Key = (source[0], transfer.transit_location_id, source[2])
        self.record(result, [(source, -op.qty), (transit, op.qty)], False,
                    OVERRIDE if is_short else "")
        self.model.transfers.append((transfer.id, transit, self.key(op, op.to), op.qty))

    def _apply_receive_transfer(self, op: Op) -> object:
        if not self.model.transfers:
            return SKIPPED
        transfer_id, transit, destination, qty = self.model.transfers[
            op.pick % len(self.model.transfers)]
        if transfer_id in self.model.received:
            raise Refused(IllegalTransitionError)
        self.record(self.call(op), [(transit, -qty), (destination, qty)], False)
        self.model.received.add(transfer_id)

    def _apply_reverse(self, op: Op) -> object:
        if not self.model.documents:
            return SKIPPED
        reference, lines, reversible = self.model.documents[op.pick % len(self.model.documents)]
        if not reversible or reference in self.model.reversed:
            raise Refused(IllegalTransitionError)
        opposite = [(key, -qty) for key, qty in lines]
        if self.short(opposite):
            raise Refused(InsufficientStockError)
        # the reversal posts the opposite of the original moves, in the order of their ids
        with self.db.read_session() as session:
            ids = list(session.scalars(select(m.StockMove.id).where(
                m.StockMove.reference == reference)))
        originals = dict(zip(self._reported_ids(reference), opposite, strict=True))
        self.record(self.call(op), [originals[i] for i in sorted(ids)], True)
        self.model.reversed.add(reference)

    def _reported_ids(self, reference: str) -> list[uuid.UUID]:
        with self.db.read_session() as session:
            moves = {mv.id: mv for mv in session.scalars(select(m.StockMove).where(
                m.StockMove.reference == reference))}
        # the ids in the order the operation reported them (the model's line order)
        return [i for i in self.model.move_quantities if i in moves]

    def _apply_release(self, op: Op) -> None:
        site = (self.n.hq, self.n.mp)[op.location]
        created = work_orders.create_work_order(self.ctx, self.n.frame, op.qty, site,
                                               "2030-01-01")
        work_orders.release(self.ctx, created.id, override_reason=OVERRIDE)
        self.model.work_orders.append(created.id)

    def _apply_cancel(self, op: Op) -> object:
        if not self.model.work_orders:
            return SKIPPED
        wo = self.model.work_orders[op.pick % len(self.model.work_orders)]
        if wo in self.model.cancelled:
            raise Refused(IllegalTransitionError)
        self.call(op)
        self.model.cancelled.add(wo)

    # after the sequence ----------------------------------------------------------------------

    def check(self) -> None:
        with self.db.read_session() as session:
            moves = {mv.id: mv for mv in session.scalars(select(m.StockMove))}
            outbox_ids = [uuid.UUID(bytes=e) for e in session.scalars(
                select(m.OutboxOp.entity_id).where(m.OutboxOp.entity == "stock_move"))]
        # no move lost, none extra, none changed; overrides kept where they were needed
        assert set(moves) == set(self.model.move_quantities)
        for move_id, qty in self.model.move_quantities.items():
            assert moves[move_id].quantity == qty
            assert moves[move_id].override_reason == self.model.overrides[move_id]
        assert sorted(outbox_ids) == sorted(moves)  # exactly one outbox row per move
        # the ledger holds what the model says; the cache what the ledger says
        expected = {(p.bytes, loc.bytes, lot.bytes if lot else b""): q
                    for (p, loc, lot), q in self.model.on_hand.items() if q != 0}
        assert {k: q for k, q in ledger_sums(self.db).items() if q != 0} == expected
        assert_cache_matches_ledger(self.db)  # on_hand == SUM(moves), reserved == SUM(res.)
        with self.db.read_session() as session:
            for material in session.scalars(select(m.WOMaterial)):
                held = sum((r.quantity for r in session.scalars(select(m.Reservation).where(
                    m.Reservation.material_id == material.id))), D(0))
                assert D(0) <= held <= material.required
                order = session.get_one(m.WorkOrder, material.work_order_id)
                assert order.state != "cancelled" or held == 0
        assert audit_chain_problems(self.db) == []


_examples = itertools.count()


@pytest.fixture(scope="module")
def example_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("ledger-property")


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ops=st.lists(OPERATIONS, min_size=3, max_size=30))
def test_random_stock_operations_keep_the_ledger_whole(
        network_template: tuple[Path, Network], example_dir: Path, ops: list[Op]) -> None:
    template, network = network_template
    path = example_dir / f"example-{next(_examples)}.sqlite"
    shutil.copyfile(template, path)  # a fresh database per example, without migrating again
    db = open_database(path)
    try:
        harness = Harness(db, network, note=event)
        for op in [*OPENING, *ops]:
            harness.run(op)
        harness.check()
    finally:
        db.close()
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
