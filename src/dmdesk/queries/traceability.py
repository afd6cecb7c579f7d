"""Traceability of lots, through any depth of the genealogy.

- **Backward**: what a lot is made of: the work order that made it (its site, and the design
  file pinned by hash on release), the component lots it consumed, and theirs, down to bought
  lots (with the receipt that brought them in).
- **Forward**: where a lot went: its stock moves (site, location, reason, document), the
  transfers that carried it, and the lots it was built into, and where those went, up to the
  finished goods.

The genealogy is walked first (indexed both ways); then the moves and transfers of every lot
in the trace are read in one query each, so a deep trace costs a handful of queries.
``verify_audit_chain`` lets the app check the audit log's hash chain (queries.integrity).
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from dmdesk.db import models as m
from dmdesk.db.chunks import chunked
from dmdesk.db.database import Database
from dmdesk.domain.errors import NotFoundError, ValidationError
from dmdesk.queries.integrity import audit_chain_intact

MAX_DEPTH = 50  # a genealogy deeper than this is a loop in the data, not a real product


@dataclass(frozen=True)
class LotRef:
    lot_id: uuid.UUID
    code: str
    product_id: uuid.UUID
    sku: str
    product_name: str

    @property
    def label(self) -> str:
        return f"{self.sku} lot {self.code}"


@dataclass(frozen=True)
class Origin:
    """The work order that made a lot."""

    work_order_id: uuid.UUID
    number: str
    site_code: str
    site_name: str
    design_name: str
    design_sha256: str
    completed_at: datetime | None


@dataclass(frozen=True)
class MoveRef:
    at: datetime
    reference: str
    reason: str
    quantity: Decimal
    site_code: str
    location_code: str


@dataclass(frozen=True)
class TransferRef:
    number: str
    from_site: str
    to_site: str
    quantity: Decimal
    state: str


@dataclass(frozen=True)
class BackwardNode:
    lot: LotRef
    quantity: Decimal | None  # how much of it went into the parent (None at the root)
    origin: Origin | None  # None for a bought lot
    receipts: tuple[MoveRef, ...]  # how a bought lot came in
    components: tuple[BackwardNode, ...]


@dataclass(frozen=True)
class ForwardNode:
    lot: LotRef
    quantity: Decimal | None  # how much of the child lot went into this one (None at root)
    moves: tuple[MoveRef, ...]
    transfers: tuple[TransferRef, ...]
    used_in: tuple[ForwardNode, ...]


@dataclass(frozen=True)
class LotTrace:
    lot: LotRef
    backward: BackwardNode
    forward: ForwardNode


def _lot_refs(session: Session, lot_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, LotRef]:
    ids = list(set(lot_ids))
    refs: dict[uuid.UUID, LotRef] = {}
    for chunk in chunked(ids):
        for lot, sku, name in session.execute(
                select(m.Lot, m.Product.sku, m.Product.name)
                .join(m.Product, m.Product.id == m.Lot.product_id)
                .where(m.Lot.id.in_(chunk))):
            refs[lot.id] = LotRef(lot.id, lot.code, lot.product_id, sku, name)
    return refs


def find_lot(session: Session, text: str) -> LotRef:
    """A lot by its code, or by "SKU/CODE" when codes repeat across products."""
    wanted = text.strip()
    query = select(m.Lot.id).join(m.Product, m.Product.id == m.Lot.product_id)
    sku, _slash, code = wanted.rpartition("/")
    ids = list(session.scalars(query.where(m.Lot.code == wanted)))
    if not ids and sku:
        ids = list(session.scalars(query.where(m.Lot.code == code, m.Product.sku == sku)))
    if not ids:
        raise NotFoundError(f"There is no lot {wanted!r}.", field="lot")
    refs = _lot_refs(session, ids)
    if len(ids) > 1:
        options = ", ".join(sorted(f"{r.sku}/{r.code}" for r in refs.values()))
        raise ValidationError(f"Lot code {wanted!r} is used by several products; say which: "
                              f"{options}.", field="lot")
    return refs[ids[0]]


def _walk(session: Session, root: uuid.UUID, column: str
          ) -> dict[uuid.UUID, list[tuple[uuid.UUID, Decimal]]]:
    """The genealogy from ``root``, breadth first: parent -> [(neighbour, quantity)], where a
    neighbour is a component lot (backward) or an output lot (forward)."""
    here, there = ((m.LotGenealogy.output_lot_id, m.LotGenealogy.component_lot_id)
                   if column == "backward" else
                   (m.LotGenealogy.component_lot_id, m.LotGenealogy.output_lot_id))
    edges: dict[uuid.UUID, list[tuple[uuid.UUID, Decimal]]] = defaultdict(list)
    seen = {root}
    frontier = [root]
    for _depth in range(MAX_DEPTH):
        if not frontier:
            break
        found = []
        for chunk in chunked(frontier):
            for parent, neighbour, qty in session.execute(
                    select(here, there, m.LotGenealogy.quantity)
                    .where(here.in_(chunk))
                    .order_by(m.LotGenealogy.id)):
                edges[parent].append((neighbour, qty))
                if neighbour not in seen:
                    seen.add(neighbour)
                    found.append(neighbour)
        frontier = found
    return edges


def _moves(session: Session, lot_ids: list[uuid.UUID]) -> dict[uuid.UUID, list[MoveRef]]:
    result: dict[uuid.UUID, list[MoveRef]] = defaultdict(list)
    for chunk in chunked(lot_ids):
        for move, site, location in session.execute(
                select(m.StockMove, m.Site.code, m.Location.code)
                .join(m.Location, m.Location.id == m.StockMove.location_id)
                .join(m.Site, m.Site.id == m.Location.site_id)
                .where(m.StockMove.lot_id.in_(chunk))
                .order_by(m.StockMove.id)):
            assert move.lot_id is not None
            result[move.lot_id].append(MoveRef(move.created_at, move.reference, move.reason,
                                               move.quantity, site, location))
    return result


_from_location, _to_location = aliased(m.Location), aliased(m.Location)
_from_site, _to_site = aliased(m.Site), aliased(m.Site)


def _transfers(session: Session, lot_ids: list[uuid.UUID]
               ) -> dict[uuid.UUID, list[TransferRef]]:
    result: dict[uuid.UUID, list[TransferRef]] = defaultdict(list)
    for chunk in chunked(lot_ids):
        for line, transfer, src, dst in session.execute(
                select(m.TransferLine, m.Transfer, _from_site.code, _to_site.code)
                .join(m.Transfer, m.Transfer.id == m.TransferLine.transfer_id)
                .join(_from_location, _from_location.id == m.Transfer.from_location_id)
                .join(_from_site, _from_site.id == _from_location.site_id)
                .join(_to_location, _to_location.id == m.Transfer.to_location_id)
                .join(_to_site, _to_site.id == _to_location.site_id)
                .where(m.TransferLine.lot_id.in_(chunk))
                .order_by(m.Transfer.id, m.TransferLine.line_no)):
            assert line.lot_id is not None
            result[line.lot_id].append(TransferRef(transfer.number, src, dst, line.quantity,
                                                   transfer.state))
    return result


def _origins(session: Session, lot_ids: list[uuid.UUID]) -> dict[uuid.UUID, Origin]:
    result = {}
    for chunk in chunked(lot_ids):
        for lot_id, order, code, name, design in session.execute(
                select(m.Lot.id, m.WorkOrder, m.Site.code, m.Site.name, m.DesignFile.name)
                .join(m.WorkOrder, m.WorkOrder.id == m.Lot.work_order_id)
                .join(m.Site, m.Site.id == m.WorkOrder.site_id)
                .outerjoin(m.DesignFile, m.DesignFile.id == m.WorkOrder.design_file_id)
                .where(m.Lot.id.in_(chunk))):
            result[lot_id] = Origin(order.id, order.number, code, name, design or "",
                                    order.design_sha256 or "", order.completed_at)
    return result


def trace_lot(session: Session, lot_id: uuid.UUID) -> LotTrace:
    """The whole trace of a lot, backward and forward (NotFoundError if unknown)."""
    back_edges = _walk(session, lot_id, "backward")
    forward_edges = _walk(session, lot_id, "forward")
    every = {lot_id}
    for edges in (back_edges, forward_edges):
        for parent, neighbours in edges.items():
            every.add(parent)
            every.update(n for n, _q in neighbours)
    lots = _lot_refs(session, every)
    if lot_id not in lots:
        raise NotFoundError(f"Unknown lot: {lot_id}.", field="lot")
    ids = list(every)
    moves, transfers, origins = (_moves(session, ids), _transfers(session, ids),
                                 _origins(session, ids))

    def backward(node: uuid.UUID, qty: Decimal | None, path: frozenset[uuid.UUID]
                 ) -> BackwardNode:
        origin = origins.get(node)
        receipts = () if origin else tuple(mv for mv in moves[node] if mv.reason == "receipt")
        children = tuple(backward(child, q, path | {child})
                         for child, q in back_edges.get(node, []) if child not in path)
        return BackwardNode(lots[node], qty, origin, receipts, children)

    def forward(node: uuid.UUID, qty: Decimal | None, path: frozenset[uuid.UUID]
                ) -> ForwardNode:
        parents = tuple(forward(parent, q, path | {parent})
                        for parent, q in forward_edges.get(node, []) if parent not in path)
        return ForwardNode(lots[node], qty, tuple(moves[node]), tuple(transfers[node]),
                           parents)

    root = frozenset({lot_id})
    return LotTrace(lots[lot_id], backward(lot_id, None, root), forward(lot_id, None, root))


# --- the audit chain -----------------------------------------------------------------------


@dataclass(frozen=True)
class AuditVerification:
    ok: bool
    entries: int
    problems: tuple[str, ...]


def verify_audit_chain(db: Database) -> AuditVerification:
    """Recompute the audit log's hash chain (the first break is reported)."""
    with db.read_session() as session:
        problems, count = audit_chain_intact(session)
    return AuditVerification(not problems, count, tuple(problems))
