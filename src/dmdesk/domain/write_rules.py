"""Who may write what: one table, read by the sync server and by the app.

The server refuses a pushed op that breaks these rules (``server/oplog.py``); the app checks
every change it is about to record against the same rules, at the same side of the network,
and refuses it before anything is written (``db/ownership.py``), so a site never makes an edit
the server will not take.

Two kinds of rule:

- HOLDER_RULES, for every role that writes (the owner too): the lifecycle of a work order is
  written by its holder only (``domain/lifecycle.py``): the making site when it reports its
  own progress, else the owner. Two sides releasing or completing one order offline would
  take two sets of materials and make two outputs.
- SITE_RULES, for a token of role ``site``: one line per table; a table not listed is the
  owner's. The owner writes everything else; an accountant writes nothing.

"Own" is decided by an Ownership (the server's index of what it learnt from stored ops, or
the app's own database), matching the caller's site code to the ``code`` of site rows.

Pure rules, standard library only.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from dmdesk.domain.kinds import MoveReason, SiteKind
from dmdesk.domain.lifecycle import LIFECYCLE_FIELDS, OWNER

SITE = "site"
PRODUCER = "producer"
ACCOUNTANT = "accountant"

# What the rules ask of a row the caller has seen (``Ownership.row``): for each table, the
# payload column -> the name the rules read it by. Every other row is known by who made it.
KNOWN_FIELDS: dict[str, dict[str, str]] = {
    "site": {"code": "code", "kind": "kind", "reports_progress": "reports_progress"},
    "location": {"site_id": "site_id"},
    "reorder_point": {"site_id": "site_id"},
    "contact": {"site_id": "site_id"},
    "work_order": {"site_id": "site_id"},
    "transfer": {"from_location_id": "ref_id", "to_location_id": "peer_id"},
    "transfer_line": {"transfer_id": "ref_id"},
    "customer_order_line": {"order_id": "ref_id"},
    "wo_material": {"work_order_id": "ref_id"},
    "wo_operation": {"work_order_id": "ref_id"},
}


class Ownership:
    """The questions the rules ask about the caller and the rows it has seen, answered from
    ``row`` alone: the server's index and the app's database differ only in how they read a
    row and how they know what was made here."""

    role: str  # the caller's role: owner, site or accountant ('' = never set up: the owner)
    own_code: str  # the caller's site code, as the network spells it (upper case)

    def row(self, entity: str, entity_id: str) -> Mapping[str, Any] | None:
        raise NotImplementedError

    def made_here(self, entity: str, entity_id: str) -> bool:
        raise NotImplementedError

    def _field(self, entity: str, entity_id: Any, field: str) -> Any:
        if not isinstance(entity_id, str):
            return None
        row = self.row(entity, entity_id)
        return None if row is None else row.get(field)

    def own_site_code(self, code: Any) -> bool:
        return isinstance(code, str) and code.upper() == self.own_code

    def own_site(self, site_id: Any) -> bool:
        return self.own_site_code(self._field("site", site_id, "code"))

    def transit_site(self, site_id: Any) -> bool:
        return bool(self._field("site", site_id, "kind") == SiteKind.IN_TRANSIT)

    def reports_progress(self, site_id: Any) -> bool:
        return bool(self._field("site", site_id, "reports_progress"))

    def own_location(self, location_id: Any) -> bool:
        return self.own_site(self._field("location", location_id, "site_id"))

    def transit_location(self, location_id: Any) -> bool:
        return self.transit_site(self._field("location", location_id, "site_id"))

    def own_work_order(self, work_order_id: Any) -> bool:
        return self.own_site(self._field("work_order", work_order_id, "site_id"))

    def transfer_from_own(self, transfer_id: Any) -> bool:
        return self.own_location(self._field("transfer", transfer_id, "ref_id"))

    def transfer_touches_own(self, transfer_id: Any) -> bool:
        return self.transfer_from_own(transfer_id) or self.own_location(
            self._field("transfer", transfer_id, "peer_id"))


# (what the caller knows, the row's key, the op's payload) -> allowed?
Check = Callable[[Ownership, str, Mapping[str, Any]], bool]


def is_owner_role(role: str) -> bool:
    return role in ("", OWNER)


def never(_o: Ownership, _k: str, _p: Mapping[str, Any]) -> bool:
    return False


def always(_o: Ownership, _k: str, _p: Mapping[str, Any]) -> bool:
    return True


def only(fields: frozenset[str], check: Check) -> Check:
    """``check``, and the update changes nothing but ``fields``."""
    return lambda o, k, p: set(p) <= fields and check(o, k, p)


def either(*checks: Check) -> Check:
    return lambda o, k, p: any(c(o, k, p) for c in checks)


def made_here(entity: str) -> Check:
    return lambda o, k, _p: o.made_here(entity, k)


def known(o: Ownership, entity: str, key: Any, field: str) -> Any:
    """A field of a row the caller has seen (None when it has not)."""
    if not isinstance(key, str):
        return None
    row = o.row(entity, key)
    return None if row is None else row.get(field)


def stays_own(column: str, entity: str, index_field: str) -> Check:
    """The existing row belongs to the caller's site and the update does not move it away."""
    def check(o: Ownership, k: str, p: Mapping[str, Any]) -> bool:
        now = known(o, entity, k, index_field)
        return o.own_site(now) and (column not in p or o.own_site(p[column]))
    return check


# --- the holder of a work order's lifecycle (every role) ---------------------------------

def holds_site(o: Ownership, site_id: Any) -> bool:
    """Whether the caller holds the lifecycle of orders made at ``site_id``: the site itself
    when it reports its own progress, else the owner (``lifecycle.may_act`` in these terms)."""
    if o.reports_progress(site_id):
        return o.own_site(site_id)
    return is_owner_role(o.role)


def making_site(o: Ownership, work_order_id: Any) -> Any:
    return known(o, "work_order", work_order_id, "site_id")


PRODUCTION_REASONS = frozenset({MoveReason.PRODUCTION_CONSUME.value,
                                MoveReason.PRODUCTION_OUTPUT.value})


@dataclass(frozen=True)
class HolderRule:
    """Which writes of a table are an order's lifecycle, and which order they belong to."""

    applies: Callable[[str, Mapping[str, Any]], bool]  # (op, payload) -> lifecycle?
    order: Callable[[Ownership, str, Mapping[str, Any]], Any]  # (o, key, payload) -> order id


def _updates(entity: str) -> Callable[[str, Mapping[str, Any]], bool]:
    fields = LIFECYCLE_FIELDS[entity]
    return lambda op, p: op == "update" and not fields.isdisjoint(p)


def _wo_applies(op: str, p: Mapping[str, Any]) -> bool:
    # An order is planned as a draft; one inserted further along is a lifecycle write.
    if op == "insert":
        return bool(p.get("state", "draft") != "draft")
    return _updates("work_order")(op, p)


def _child_applies(entity: str) -> Callable[[str, Mapping[str, Any]], bool]:
    updates = _updates(entity)
    inserts = entity == "wo_material"  # release explodes the BOM into material rows
    return lambda op, p: (inserts and op == "insert") or updates(op, p)


def _child_order(entity: str) -> Callable[[Ownership, str, Mapping[str, Any]], Any]:
    return lambda o, k, p: p.get("work_order_id") or known(o, entity, k, "ref_id")


def _move_applies(op: str, p: Mapping[str, Any]) -> bool:
    return op == "insert" and p.get("reason") in PRODUCTION_REASONS \
        and p.get("document_id") is not None


HOLDER_RULES: dict[str, HolderRule] = {
    "work_order": HolderRule(_wo_applies, lambda _o, k, _p: k),
    "wo_material": HolderRule(_child_applies("wo_material"), _child_order("wo_material")),
    "wo_operation": HolderRule(_child_applies("wo_operation"), _child_order("wo_operation")),
    "lot": HolderRule(lambda op, p: op == "insert" and p.get("work_order_id") is not None,
                      lambda _o, _k, p: p.get("work_order_id")),
    "lot_genealogy": HolderRule(lambda op, _p: op == "insert",
                                lambda _o, _k, p: p.get("work_order_id")),
    "stock_move": HolderRule(_move_applies, lambda _o, _k, p: p.get("document_id")),
}


def touches_lifecycle(entity: str, op: str, payload: Mapping[str, Any]) -> bool:
    """Whether this write is part of a work order's lifecycle (decided from the op alone,
    so that the owner's everyday writes are not checked at all)."""
    rule = HOLDER_RULES.get(entity)
    return rule is not None and rule.applies(op, payload)


def lifecycle_order(o: Ownership, entity: str, key: str, payload: Mapping[str, Any]) -> Any:
    """The work order a lifecycle write belongs to."""
    return HOLDER_RULES[entity].order(o, key, payload)


def holder_allows(o: Ownership, entity: str, op: str, key: str,
                  payload: Mapping[str, Any]) -> bool:
    if not touches_lifecycle(entity, op, payload):
        return True
    site = making_site(o, lifecycle_order(o, entity, key, payload))
    if site is None and entity == "work_order":
        site = payload.get("site_id")  # an order inserted past draft: where it is made
    if site is None and entity == "stock_move":
        # A production move whose document is no work order the caller knows is judged by
        # the table's other rules (its location) alone.
        return True
    return holds_site(o, site)


# --- role "site": inserts -----------------------------------------------------------------

def _site_insert(o: Ownership, _k: str, p: Mapping[str, Any]) -> bool:
    # Its own site row; or the shared in-transit site, which a site's first shipment makes.
    return p.get("kind") == SiteKind.IN_TRANSIT or o.own_site_code(p.get("code"))


def _location_insert(o: Ownership, _k: str, p: Mapping[str, Any]) -> bool:
    return o.own_site(p.get("site_id")) or o.transit_site(p.get("site_id"))


def _site_id_own(o: Ownership, _k: str, p: Mapping[str, Any]) -> bool:
    return o.own_site(p.get("site_id"))


def _contact_insert(o: Ownership, _k: str, p: Mapping[str, Any]) -> bool:
    return p.get("site_id") is None or o.own_site(p.get("site_id"))


def _order_line_insert(o: Ownership, _k: str, p: Mapping[str, Any]) -> bool:
    return o.made_here("customer_order", str(p.get("order_id")))


def _lot_insert(o: Ownership, _k: str, p: Mapping[str, Any]) -> bool:
    return p.get("work_order_id") is None or o.own_work_order(p.get("work_order_id"))


def _genealogy_insert(o: Ownership, _k: str, p: Mapping[str, Any]) -> bool:
    return o.own_work_order(p.get("work_order_id"))


def _move_insert(o: Ownership, _k: str, p: Mapping[str, Any]) -> bool:
    # At its own location; or in transit, for a transfer it ships or receives.
    location = p.get("location_id")
    return o.own_location(location) or (
        o.transit_location(location) and o.transfer_touches_own(p.get("document_id")))


def _transfer_insert(o: Ownership, _k: str, p: Mapping[str, Any]) -> bool:
    return o.own_location(p.get("from_location_id"))


def _transfer_line_insert(o: Ownership, _k: str, p: Mapping[str, Any]) -> bool:
    return o.transfer_from_own(p.get("transfer_id"))


def _child_of_own_wo(o: Ownership, _k: str, p: Mapping[str, Any]) -> bool:
    return o.own_work_order(p.get("work_order_id"))


# --- role "site": updates -----------------------------------------------------------------

def _own_site_row(o: Ownership, k: str, p: Mapping[str, Any]) -> bool:
    # Its own row, reports_progress included (a site says itself that it reports).
    return o.own_site(k) and ("code" not in p or o.own_site_code(p["code"]))


def _own_location_row(o: Ownership, k: str, p: Mapping[str, Any]) -> bool:
    return o.own_location(k) and ("site_id" not in p or o.own_site(p["site_id"]))


def _contact_update(o: Ownership, k: str, p: Mapping[str, Any]) -> bool:
    moved_ok = "site_id" not in p or p["site_id"] is None or o.own_site(p["site_id"])
    return moved_ok and (o.made_here("contact", k)
                         or o.own_site(known(o, "contact", k, "site_id")))


def _transfer_update(o: Ownership, k: str, _p: Mapping[str, Any]) -> bool:
    return o.transfer_touches_own(k)


def _wo_own(o: Ownership, k: str, _p: Mapping[str, Any]) -> bool:
    return o.own_work_order(k)


def _wo_child(entity: str) -> Check:
    def check(o: Ownership, k: str, _p: Mapping[str, Any]) -> bool:
        return o.own_work_order(known(o, entity, k, "ref_id"))
    return check


def _wo_child_made_here(entity: str) -> Check:
    def check(o: Ownership, k: str, _p: Mapping[str, Any]) -> bool:
        work_order = known(o, entity, k, "ref_id")
        return o.own_work_order(work_order) and o.made_here("work_order", str(work_order))
    return check


# What a site may change on the orders it makes but did not plan: their lifecycle (when it
# holds it, HOLDER_RULES) and notes. Planning fields (product, quantity, site, due date,
# priority, order line, number, where it was moved) belong to whoever planned the order.
_BOOKKEEPING = frozenset({"updated_at"})
WO_SITE_FIELDS = LIFECYCLE_FIELDS["work_order"] | {"notes"} | _BOOKKEEPING
WO_MATERIAL_SITE_FIELDS = LIFECYCLE_FIELDS["wo_material"] | _BOOKKEEPING
WO_OPERATION_SITE_FIELDS = LIFECYCLE_FIELDS["wo_operation"] | _BOOKKEEPING
TRANSFER_RECEIPT = frozenset({"state", "received_at", "note", "updated_at"})


@dataclass(frozen=True)
class Rule:
    insert: Check
    update: Check
    delete: Check


# Renaming a lot it made is how a site settles a clash of lot codes (services/lots.py).
LOT_RENAME = only(frozenset({"code"}), made_here("lot"))

WO_CHANGE = either(
    only(WO_SITE_FIELDS, _wo_own),
    # A work order the site planned itself: any field, as long as it stays at the site.
    lambda o, k, p: o.made_here("work_order", k) and stays_own(
        "site_id", "work_order", "site_id")(o, k, p))

# In words. For every role that writes, the owner too (HOLDER_RULES): the lifecycle of a
# work order (LIFECYCLE_FIELDS of work_order, wo_material, wo_operation; inserting its
# materials, which release does; an order inserted past draft; the lots and lot genealogy it
# makes; its production_consume / production_output moves) is written by its holder only:
# the making site when site.reports_progress, else the owner.
#
# For a token of role "site" ("own" = belongs to a site row whose code is the token's;
# "made here" = this site pushed the row's insert):
#   site            insert its own site row, or an in-transit site; update its own (code
#                   stays; reports_progress is its to say); never delete
#   location        at its own site (or the in-transit site); update own ones
#   reorder_point   at its own site
#   contact         insert with no site or its own; change those made here or at its site
#   customer_order  insert any; change and delete the ones made here (lines likewise)
#   lot             insert, for no work order or its own; rename (the code only) those made
#                   here, to settle two lots coded alike; never delete
#   lot_genealogy   insert, for its own work orders; never change
#   stock_move      insert at its own locations, or in transit for a transfer it ships or
#                   receives; never change (the ledger is insert-only)
#   transfer        insert from its own location; either end may update state, receipt
#                   date and note; lines only by the shipping site
#   work_order      insert at its own site; on its own work orders only lifecycle fields and
#                   notes (WO_SITE_FIELDS), any field on those made here as long as they stay
#   wo_material,    insert for its own work orders (release explodes the BOM there);
#   wo_operation    lifecycle fields on them; anything on those of work orders made here
#   quality_check   insert for its own work orders (measured where the work is done);
#                   change or delete those made here
#   anything else   the owner's (products, BOMs, units, design files, later tables)
# The owner writes everything but what HOLDER_RULES keep for a reporting site; an accountant
# writes nothing.
SITE_RULES: dict[str, Rule] = {
    #  table                   insert                  update                   delete
    "site":                Rule(_site_insert,          _own_site_row,           never),
    "location":            Rule(_location_insert,      _own_location_row,       never),
    "reorder_point":       Rule(_site_id_own,
                                stays_own("site_id", "reorder_point", "site_id"),
                                stays_own("site_id", "reorder_point", "site_id")),
    "contact":             Rule(_contact_insert,       _contact_update,
                                made_here("contact")),
    "customer_order":      Rule(always,                made_here("customer_order"),
                                made_here("customer_order")),
    "customer_order_line": Rule(_order_line_insert,    made_here("customer_order_line"),
                                made_here("customer_order_line")),
    "lot":                 Rule(_lot_insert,           LOT_RENAME,              never),
    "lot_genealogy":       Rule(_genealogy_insert,     never,                   never),
    "stock_move":          Rule(_move_insert,          never,                   never),
    "transfer":            Rule(_transfer_insert,
                                only(TRANSFER_RECEIPT, _transfer_update),  never),
    "transfer_line":       Rule(_transfer_line_insert, never,                   never),
    "work_order":          Rule(_site_id_own,          WO_CHANGE,
                                made_here("work_order")),
    "wo_material":         Rule(_child_of_own_wo,
                                either(only(WO_MATERIAL_SITE_FIELDS, _wo_child("wo_material")),
                                       _wo_child_made_here("wo_material")),
                                _wo_child_made_here("wo_material")),
    "wo_operation":        Rule(_child_of_own_wo,
                                either(only(WO_OPERATION_SITE_FIELDS,
                                            _wo_child("wo_operation")),
                                       _wo_child_made_here("wo_operation")),
                                _wo_child_made_here("wo_operation")),
    "quality_check":       Rule(_child_of_own_wo,      made_here("quality_check"),
                                made_here("quality_check")),
}
OPS = ("insert", "update", "delete")


def site_rule_allows(o: Ownership, entity: str, op: str, key: str,
                     payload: Mapping[str, Any]) -> bool:
    rule = SITE_RULES.get(entity)
    if rule is None or op not in OPS:
        return False
    check: Check = {"insert": rule.insert, "update": rule.update, "delete": rule.delete}[op]
    return check(o, key, payload)


def may_write(role: str, ownership: Ownership, entity: str, op: str, key: str,
              payload: Mapping[str, Any]) -> bool:
    """Whether a caller of ``role`` may write this op ('' is a database never set up for
    sync: the whole network on its own, so the owner)."""
    if role == PRODUCER:
        role = SITE  # a producer writes as a site does (the server also keeps it in its scope)
    if not (is_owner_role(role) or role == SITE):
        return False
    if not holder_allows(ownership, entity, op, key, payload):
        return False
    if is_owner_role(role):
        return op in OPS
    return site_rule_allows(ownership, entity, op, key, payload)
