"""Producer scopes, decided by the server as ops are stored (policy: domain/read_scope.py).

For every producer token, each stored op is judged once, at push time, in the push's
transaction: whether the producer sees it (then a ``server_feed`` row points at it, with the
payload projected when money or out-of-scope links must go), and whether it grows or shrinks
the producer's scope (``server_scope``). When work comes to a producer, the rows it needs
that were stored long before are queued in its feed at the place of the op that brought them
(catch-up: referenced rows first); when work leaves, the work order and its children are
frozen as they stood and the design files it no longer needs get "withdraw" entries. A pull
by a producer then reads its feed by an index range, so its cost follows what it receives.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, RowMapping, delete, insert, select

from dmdesk.db.chunks import chunked
from dmdesk.domain.kinds import SiteKind
from dmdesk.domain.read_scope import (
    PRODUCER_TABLES,
    PROJECTED_OUT,
    SCOPED_REFERENCES,
    project,
    stub,
)
from dmdesk.server.storage import feed, ops, owners, scope_rows, sites

# "stub": a work order that continues one of the producer's moved orders (read_scope.py).
LIVE, FROZEN, MADE, USED, STUB = "live", "frozen", "made", "used", "stub"
# Keys per preload query: two IN lists of up to this many values each, with the producers,
# stay under SQLite's 999 bound parameters.
SCOPE_CHUNK = 300
CHILDREN = ("wo_material", "wo_operation", "quality_check")
_REFERS = (("work_order_id", "work_order"), ("product_id", "product"),
           ("parent_id", "product"), ("transfer_id", "transfer"), ("document_id", "transfer"),
           ("moved_to_id", "work_order"))
_PROJECTED = frozenset({"site", *PROJECTED_OUT, *SCOPED_REFERENCES})


@dataclass(frozen=True)
class StoredOp:
    seq: int
    origin: str
    entity: str
    entity_id: str
    op: str
    payload: Mapping[str, Any]


def blob_key(sha256: str) -> str:
    """The entity_id of a file_blob row (a text key, as dmdesk.db.changes writes it)."""
    return json.dumps({"key": [sha256]}, separators=(",", ":"), sort_keys=True).encode().hex()


def producer_codes(connection: Connection) -> list[str]:
    return list(connection.execute(select(sites.c.code).where(
        sites.c.role == "producer")).scalars())


class ScopeEngine:
    """Judges ops for every producer over one write transaction; ``flush`` writes it all."""

    def __init__(self, connection: Connection, producers: Iterable[str]) -> None:
        self._c = connection
        self.producers = list(producers)
        self._state: dict[tuple[str, str, str], str | None] = {}
        self._dirty: set[tuple[str, str, str]] = set()
        self._feed: list[dict[str, Any]] = []
        self._owner_rows: dict[tuple[str, str], RowMapping | None] = {}
        self._site_ids: dict[str, frozenset[str]] = {}

    # --- what the server knows -------------------------------------------------------------

    def _owner(self, entity: str, key: Any) -> RowMapping | None:
        if not isinstance(key, str):
            return None
        if (entity, key) not in self._owner_rows:
            self._owner_rows[(entity, key)] = self._c.execute(select(owners).where(
                owners.c.entity == entity, owners.c.entity_id == key)).mappings().first()
        return self._owner_rows[(entity, key)]

    def _field(self, entity: str, key: Any, column: str) -> Any:
        row = self._owner(entity, key)
        return None if row is None else row[column]

    def _children(self, entity: str, column: str, value: str) -> list[RowMapping]:
        return list(self._c.execute(select(owners).where(
            owners.c.entity == entity, owners.c[column] == value)).mappings())

    def _sites_of(self, producer: str) -> frozenset[str]:
        if producer not in self._site_ids:
            found = self._c.execute(select(owners.c.entity_id, owners.c.code).where(
                owners.c.entity == "site")).all()
            self._site_ids[producer] = frozenset(
                key for key, code in found if str(code or "").upper() == producer)
        return self._site_ids[producer]

    def _own_location(self, producer: str, location: Any) -> bool:
        return self._field("location", location, "site_id") in self._sites_of(producer)

    def _transit_location(self, location: Any) -> bool:
        site = self._field("location", location, "site_id")
        return bool(self._field("site", site, "kind") == SiteKind.IN_TRANSIT)

    # --- the producer's scope --------------------------------------------------------------

    def preload(self, keys: Iterable[tuple[str, str]]) -> None:
        wanted = sorted({k for k in keys if k[0] in PRODUCER_TABLES})
        for chunk in chunked(wanted, SCOPE_CHUNK):
            for producer in self.producers:
                for entity, key in chunk:
                    self._state.setdefault((producer, entity, key), None)
            query = select(scope_rows).where(
                scope_rows.c.site.in_(self.producers),
                scope_rows.c.entity.in_({e for e, _ in chunk}),
                scope_rows.c.entity_id.in_({k for _, k in chunk}))
            for row in self._c.execute(query).mappings():
                self._state[(row["site"], row["entity"], row["entity_id"])] = row["state"]

    def preload_ops(self, stored: Iterable[StoredOp]) -> None:
        """Fetch in a few queries the scope rows a batch's ops will be asked about: their
        own, and the work orders, products and transfers they refer to."""
        keys: list[tuple[str, str]] = []
        for op in stored:
            keys.append((op.entity, op.entity_id))
            for column, entity in _REFERS:
                value = op.payload.get(column)
                if isinstance(value, str):
                    keys.append((entity, value))
        self.preload(keys)

    def state(self, producer: str, entity: str, key: Any) -> str | None:
        if not isinstance(key, str):
            return None
        found = (producer, entity, key)
        if found not in self._state:
            self._state[found] = self._c.execute(select(scope_rows.c.state).where(
                scope_rows.c.site == producer, scope_rows.c.entity == entity,
                scope_rows.c.entity_id == key)).scalar()
        return self._state[found]

    def _set(self, producer: str, entity: str, key: str, state: str | None) -> None:
        self._state[(producer, entity, key)] = state
        self._dirty.add((producer, entity, key))

    def _emit(self, producer: str, at_seq: int, seq: int, entity: str, key: str,
              payload: Mapping[str, Any] | str, as_stub: bool = False) -> None:
        projected = None
        if as_stub:
            original = json.loads(payload) if isinstance(payload, str) else dict(payload)
            shown_stub = stub(entity, original)
            if shown_stub is None:
                return  # nothing a stub shows: not sent
            projected = json.dumps(shown_stub, separators=(",", ":"), sort_keys=True)
        elif entity in _PROJECTED:
            original = json.loads(payload) if isinstance(payload, str) else dict(payload)
            shown = project(entity, original, key in self._sites_of(producer),
                            lambda table, ref: self.state(producer, table, ref) is not None)
            if shown != original:
                projected = json.dumps(shown, separators=(",", ":"), sort_keys=True)
        self._feed.append({"site": producer, "at_seq": at_seq, "seq": seq, "kind": "op",
                           "entity": entity, "entity_id": key, "payload": projected})

    def _withdraw(self, producer: str, at_seq: int, entity: str, key: str) -> None:
        self._set(producer, entity, key, None)
        self._feed.append({"site": producer, "at_seq": at_seq, "seq": None, "kind": "withdraw",
                           "entity": entity, "entity_id": key, "payload": None})

    def _add(self, producer: str, entity: str, key: str, state: str, at_seq: int,
             before_only: bool = False) -> None:
        """Put a row in scope; its stored ops up to ``at_seq`` come as catch-up."""
        self._set(producer, entity, key, state)
        query = select(ops.c.seq, ops.c.payload).where(
            ops.c.entity == entity, ops.c.entity_id == key, ops.c.site != producer,
            ops.c.seq < at_seq if before_only else ops.c.seq <= at_seq).order_by(ops.c.seq)
        for seq, payload in self._c.execute(query):
            self._emit(producer, at_seq, int(seq), entity, key, payload)

    def _add_stub(self, producer: str, key: Any, at_seq: int) -> None:
        """The order one of the producer's orders was moved to, as a stub (read_scope.py):
        its ops up to ``at_seq`` come now, projected to the stub's columns."""
        if not isinstance(key, str) or self.state(producer, "work_order", key) is not None:
            return
        self.ensure_product(producer, self._field("work_order", key, "product_id"), False,
                            at_seq)
        self._set(producer, "work_order", key, STUB)
        query = select(ops.c.seq, ops.c.payload).where(
            ops.c.entity == "work_order", ops.c.entity_id == key, ops.c.site != producer,
            ops.c.seq <= at_seq).order_by(ops.c.seq)
        for seq, payload in self._c.execute(query):
            self._emit(producer, at_seq, int(seq), "work_order", key, payload, as_stub=True)

    # --- growing the scope -----------------------------------------------------------------

    def _ensure(self, producer: str, entity: str, key: Any, at_seq: int) -> None:
        if isinstance(key, str) and self.state(producer, entity, key) is None:
            self._add(producer, entity, key, LIVE, at_seq)

    def _ensure_lot(self, producer: str, lot: Any, at_seq: int) -> None:
        if isinstance(lot, str) and self.state(producer, "lot", lot) is None:
            self.ensure_product(producer, self._field("lot", lot, "product_id"), False, at_seq)
            self._add(producer, "lot", lot, LIVE, at_seq)

    def ensure_product(self, producer: str, product: Any, made: bool, at_seq: int) -> None:
        if not isinstance(product, str):
            return
        state = self.state(producer, "product", product)
        if state is None:
            self._add(producer, "product", product, MADE if made else USED, at_seq)
        elif made and state == USED:
            self._set(producer, "product", product, MADE)
        else:
            return
        if not made:
            return
        for line in self._children("bom_line", "parent_id", product):
            self.ensure_product(producer, line["product_id"], False, at_seq)
            self._ensure(producer, "bom_line", line["entity_id"], at_seq)
        for operation in self._children("operation", "parent_id", product):
            self._ensure(producer, "operation", operation["entity_id"], at_seq)
        for design in self._children("design_file", "parent_id", product):
            if design["extra"]:
                self._ensure(producer, "file_blob", blob_key(design["extra"]), at_seq)
            self._ensure(producer, "design_file", design["entity_id"], at_seq)

    def _enter_work_order(self, producer: str, key: str, product: Any, at_seq: int,
                          before_only: bool) -> None:
        self.ensure_product(producer, product, True, at_seq)
        self._add(producer, "work_order", key, LIVE, at_seq, before_only)

    def _enter_children(self, producer: str, key: str, at_seq: int) -> None:
        for entity in CHILDREN:
            for child in self._children(entity, "parent_id", key):
                if entity == "wo_material":
                    self.ensure_product(producer, child["product_id"], False, at_seq)
                if self.state(producer, entity, child["entity_id"]) != LIVE:
                    self._add(producer, entity, child["entity_id"], LIVE, at_seq)

    # --- shrinking it ------------------------------------------------------------------------

    def _leave(self, producer: str, key: str, product: Any, at_seq: int) -> None:
        """Work left the producer: freeze the order as it stood; withdraw design files of a
        product no live order there makes any more."""
        self._set(producer, "work_order", key, FROZEN)
        for entity in CHILDREN:
            for child in self._children(entity, "parent_id", key):
                if self.state(producer, entity, child["entity_id"]) is not None:
                    self._set(producer, entity, child["entity_id"], FROZEN)
        if not isinstance(product, str):
            return
        for other in self._children("work_order", "product_id", product):
            if self.state(producer, "work_order", other["entity_id"]) == LIVE:
                return
        if self.state(producer, "product", product) == MADE:
            self._set(producer, "product", product, USED)
        hashes = set()
        for design in self._children("design_file", "parent_id", product):
            if self.state(producer, "design_file", design["entity_id"]) is not None:
                self._withdraw(producer, at_seq, "design_file", design["entity_id"])
                hashes.add(design["extra"])
        for sha in hashes:
            still = any(self.state(producer, "design_file", d["entity_id"]) is not None
                        for d in self._children("design_file", "extra", sha))
            if sha and not still and self.state(producer, "file_blob", blob_key(sha)):
                self._withdraw(producer, at_seq, "file_blob", blob_key(sha))

    # --- judging one op ---------------------------------------------------------------------

    def apply(self, stored: Iterable[StoredOp]) -> None:
        for op in stored:
            if op.entity in PRODUCER_TABLES:
                for producer in self.producers:
                    self._judge(producer, op)

    def _judge(self, producer: str, op: StoredOp) -> None:
        sees = self._sees(producer, op)
        if sees and op.origin != producer:
            self._emit(producer, op.seq, op.seq, op.entity, op.entity_id, op.payload)

    def _sees(self, producer: str, op: StoredOp) -> bool:
        entity, key, p, seq = op.entity, op.entity_id, op.payload, op.seq
        if entity in ("site", "unit"):
            return True
        if entity == "stock_move":
            location = p.get("location_id")
            if not (self._own_location(producer, location) or (
                    self._transit_location(location)
                    and self.state(producer, "transfer", p.get("document_id")))):
                return False
            self.ensure_product(producer, p.get("product_id"), False, seq)
            self._ensure_lot(producer, p.get("lot_id"), seq)
            return True
        if entity == "lot_genealogy":
            if self.state(producer, "work_order", p.get("work_order_id")) != LIVE:
                return False
            self._ensure_lot(producer, p.get("output_lot_id"), seq)
            self._ensure_lot(producer, p.get("component_lot_id"), seq)
            return True
        if entity == "work_order":
            return self._work_order(producer, op)
        state = self.state(producer, entity, key)
        if state == FROZEN:
            return False
        if state is not None:
            if entity == "wo_material" and "product_id" in p:
                self.ensure_product(producer, p["product_id"], False, seq)
            return True
        return self._enters(producer, op)

    def _work_order(self, producer: str, op: StoredOp) -> bool:
        key, p, seq = op.entity_id, op.payload, op.seq
        state = self.state(producer, "work_order", key)
        site = p["site_id"] if "site_id" in p else self._field("work_order", key, "site_id")
        product = p.get("product_id") or self._field("work_order", key, "product_id")
        here = site in self._sites_of(producer) and p.get("moved_to_id") is None
        if state == LIVE:
            if not here:
                # The order it continues in comes first, so the move keeps its reference.
                self._add_stub(producer, p.get("moved_to_id"), seq)
                self._emit_now(producer, op)  # the move itself: the order shows as moved
                self._leave(producer, key, product, seq)
                return False
            if "product_id" in p:
                self.ensure_product(producer, product, True, seq)
            return True
        if state == STUB and not here:
            if op.origin != producer:
                self._emit(producer, seq, seq, "work_order", key, p, as_stub=True)
            return False
        if state == FROZEN and "site_id" not in p:
            return False  # moved away (a split keeps the site): back only by a move back
        if not here:
            return False
        self._enter_work_order(producer, key, product, seq, before_only=True)
        self._emit_now(producer, op)
        self._enter_children(producer, key, seq)
        return False

    def _emit_now(self, producer: str, op: StoredOp) -> None:
        if op.origin != producer:
            self._emit(producer, op.seq, op.seq, op.entity, op.entity_id, op.payload)

    def _enters(self, producer: str, op: StoredOp) -> bool:
        entity, key, p, seq = op.entity, op.entity_id, op.payload, op.seq
        own = self._sites_of(producer)
        before = op.op != "insert"  # an edit bringing a row in: its earlier ops catch up
        if entity in ("location", "contact"):
            if p.get("site_id") not in own:
                return False
        elif entity in CHILDREN or entity == "lot":
            work_order = p.get("work_order_id") or self._field(entity, key, "parent_id")
            if self.state(producer, "work_order", work_order) != LIVE:
                return False
            self.ensure_product(producer, p.get("product_id"), False, seq)
        elif entity in ("bom_line", "operation", "design_file"):
            product = p.get("parent_id") or p.get("product_id") \
                or self._field(entity, key, "parent_id")
            if self.state(producer, "product", product) != MADE:
                return False
            if entity == "bom_line":
                self.ensure_product(producer, p.get("component_id"), False, seq)
            if entity == "design_file" and isinstance(p.get("sha256"), str):
                self._ensure(producer, "file_blob", blob_key(p["sha256"]), seq)
        elif entity == "transfer":
            ends = [p.get("from_location_id"), p.get("to_location_id")]
            if not any(self._own_location(producer, end) for end in ends):
                return False
            for location in (*ends, p.get("transit_location_id")):
                self._ensure(producer, "location", location, seq)
        elif entity == "transfer_line":
            transfer = p.get("transfer_id") or self._field(entity, key, "parent_id")
            if self.state(producer, "transfer", transfer) is None:
                return False
            self.ensure_product(producer, p.get("product_id"), False, seq)
            self._ensure_lot(producer, p.get("lot_id"), seq)
        else:
            return False  # products and blobs come in with what refers to them
        if before:
            self._add(producer, entity, key, LIVE, seq, before_only=True)
        else:
            self._set(producer, entity, key, LIVE)
        return True

    # --- a producer added to a server that already holds data ----------------------------

    def seed(self, producer: str, ceiling: int) -> None:
        """Everything the producer's scope holds now, as catch-up at ``ceiling``."""
        for row in self._c.execute(select(ops.c.seq, ops.c.entity, ops.c.entity_id,
                                          ops.c.payload, ops.c.site).where(
                ops.c.entity.in_(("site", "unit")), ops.c.seq <= ceiling).order_by(ops.c.seq)):
            if row.site != producer:
                self._emit(producer, ceiling, int(row.seq), row.entity, row.entity_id,
                           row.payload)
        own = self._sites_of(producer)
        for entity in ("location", "contact"):
            for row in self._c.execute(select(owners.c.entity_id).where(
                    owners.c.entity == entity, owners.c.site_id.in_(own))):
                self._add(producer, entity, row.entity_id, LIVE, ceiling)
        for order in self._c.execute(select(owners).where(
                owners.c.entity == "work_order", owners.c.site_id.in_(own))).mappings():
            self._enter_work_order(producer, order["entity_id"], order["product_id"], ceiling,
                                   before_only=False)
            self._enter_children(producer, order["entity_id"], ceiling)
        self._seed_transfers(producer, ceiling)
        self._seed_ledger(producer, ceiling)

    def _seed_transfers(self, producer: str, ceiling: int) -> None:
        for row in self._c.execute(select(owners).where(owners.c.entity == "transfer"))\
                .mappings().all():
            ends = (row["parent_id"], row["peer_site_id"])
            if not any(self._own_location(producer, end) for end in ends):
                continue
            for location in (*ends, row["extra"]):
                self._ensure(producer, "location", location, ceiling)
            self._add(producer, "transfer", row["entity_id"], LIVE, ceiling)
            for line in self._children("transfer_line", "parent_id", row["entity_id"]):
                self.ensure_product(producer, line["product_id"], False, ceiling)
                self._ensure_lot(producer, line["extra"], ceiling)
                self._add(producer, "transfer_line", line["entity_id"], LIVE, ceiling)

    def _seed_ledger(self, producer: str, ceiling: int) -> None:
        """Stock moves at its locations (and genealogy of its orders), read from the log."""
        query = select(ops.c.seq, ops.c.entity, ops.c.entity_id, ops.c.payload, ops.c.site)\
            .where(ops.c.entity.in_(("stock_move", "lot_genealogy")), ops.c.seq <= ceiling,
                   ops.c.site != producer).order_by(ops.c.seq)
        for row in self._c.execute(query).all():
            stored = StoredOp(ceiling, row.site, row.entity, row.entity_id, "insert",
                              json.loads(row.payload))
            if self._sees(producer, stored):
                self._emit(producer, ceiling, int(row.seq), row.entity, row.entity_id,
                           row.payload)

    # --- writing -----------------------------------------------------------------------------

    def flush(self) -> None:
        keys = sorted(self._dirty)
        for producer, entity, key in keys:
            self._c.execute(delete(scope_rows).where(
                scope_rows.c.site == producer, scope_rows.c.entity == entity,
                scope_rows.c.entity_id == key))
        rows = [{"site": p, "entity": e, "entity_id": k, "state": state}
                for (p, e, k) in keys if (state := self._state[(p, e, k)]) is not None]
        if rows:
            self._c.execute(insert(scope_rows), rows)
        if self._feed:
            self._c.execute(insert(feed), self._feed)
        self._dirty.clear()
        self._feed.clear()
