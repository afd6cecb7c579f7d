"""What a site may write, and what a caller may pull.

The owner writes everything; an accountant only reads. A token of role ``site`` writes its
own rows, the progress of the work orders made at it, and stock moves at its own locations.
"Own" is decided from the ownership index (dmdesk.server.index), which the server learns from
the ops it stores, matching the token's site code to the ``code`` of site rows.

SITE_RULES below is the whole policy for role ``site``, one line per table. A table that is
not listed (products, BOMs, units, design files, and any table added later) is the owner's.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from dmdesk.domain.kinds import SiteKind


class Ownership(Protocol):
    """The questions the rules ask about rows the server has seen."""

    def own_site_code(self, code: Any) -> bool: ...
    def own_site(self, site_id: Any) -> bool: ...
    def transit_site(self, site_id: Any) -> bool: ...
    def own_location(self, location_id: Any) -> bool: ...
    def transit_location(self, location_id: Any) -> bool: ...
    def own_work_order(self, work_order_id: Any) -> bool: ...
    def transfer_touches_own(self, transfer_id: Any) -> bool: ...
    def transfer_from_own(self, transfer_id: Any) -> bool: ...
    def made_here(self, entity: str, entity_id: str) -> bool: ...
    def row(self, entity: str, entity_id: str) -> Mapping[str, Any] | None: ...


# (what the server knows, the row's key, the op's payload) -> allowed?
Check = Callable[[Ownership, str, Mapping[str, Any]], bool]


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


def _known(o: Ownership, entity: str, key: str, field: str) -> Any:
    row = o.row(entity, key)
    return None if row is None else row.get(field)


def stays_own(column: str, entity: str, index_field: str) -> Check:
    """The existing row belongs to the caller's site and the update does not move it away."""
    def check(o: Ownership, k: str, p: Mapping[str, Any]) -> bool:
        now = _known(o, entity, k, index_field)
        return o.own_site(now) and (column not in p or o.own_site(p[column]))
    return check


# --- inserts -----------------------------------------------------------------------------

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


# --- updates -----------------------------------------------------------------------------

def _own_site_row(o: Ownership, k: str, p: Mapping[str, Any]) -> bool:
    return o.own_site(k) and ("code" not in p or o.own_site_code(p["code"]))


def _own_location_row(o: Ownership, k: str, p: Mapping[str, Any]) -> bool:
    return o.own_location(k) and ("site_id" not in p or o.own_site(p["site_id"]))


def _contact_update(o: Ownership, k: str, p: Mapping[str, Any]) -> bool:
    moved_ok = "site_id" not in p or p["site_id"] is None or o.own_site(p["site_id"])
    return moved_ok and (o.made_here("contact", k)
                         or o.own_site(_known(o, "contact", k, "site_id")))


def _transfer_update(o: Ownership, k: str, _p: Mapping[str, Any]) -> bool:
    return o.transfer_touches_own(k)


def _wo_own(o: Ownership, k: str, _p: Mapping[str, Any]) -> bool:
    return o.own_work_order(k)


def _wo_child(entity: str) -> Check:
    def check(o: Ownership, k: str, _p: Mapping[str, Any]) -> bool:
        return o.own_work_order(_known(o, entity, k, "ref_id"))
    return check


def _wo_child_made_here(entity: str) -> Check:
    def check(o: Ownership, k: str, _p: Mapping[str, Any]) -> bool:
        work_order = _known(o, entity, k, "ref_id")
        return o.own_work_order(work_order) and o.made_here("work_order", str(work_order))
    return check


# Planning fields of a work order (product, quantity, site, due date, priority, order line,
# number) belong to the owner; a site reports the rest on the work orders it makes.
WO_PROGRESS = frozenset({
    "state", "held_from", "good_qty", "scrap_qty", "released_at", "started_at",
    "completed_at", "bom_hash", "design_file_id", "design_sha256", "notes",
    "override_reason", "updated_at"})
WO_MATERIAL_PROGRESS = frozenset({"consumed", "updated_at"})
WO_OPERATION_PROGRESS = frozenset({"good_qty", "scrap_qty", "started_at", "finished_at",
                                   "updated_at"})
TRANSFER_RECEIPT = frozenset({"state", "received_at", "note", "updated_at"})


@dataclass(frozen=True)
class Rule:
    insert: Check
    update: Check
    delete: Check


# Renaming a lot it made is how a site settles a clash of lot codes (services/lots.py).
LOT_RENAME = only(frozenset({"code"}), made_here("lot"))

WO_CHANGE = either(
    only(WO_PROGRESS, _wo_own),
    # A work order the site planned itself: any field, as long as it stays at the site.
    lambda o, k, p: o.made_here("work_order", k) and stays_own(
        "site_id", "work_order", "site_id")(o, k, p))

# In words, for a token of role "site" ("own" = belongs to a site row whose code is the
# token's; "made here" = this site pushed the row's insert):
#   site            insert its own site row, or an in-transit site; update its own (code
#                   stays); never delete
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
#   work_order      insert at its own site; on its own work orders only progress fields
#                   (WO_PROGRESS), any field on those made here as long as they stay
#   wo_material,    insert for its own work orders (release explodes the BOM there);
#   wo_operation    progress fields on them; anything on those of work orders made here
#   quality_check   insert for its own work orders (measured where the work is done);
#                   change or delete those made here
#   anything else   the owner's (products, BOMs, units, design files, later tables)
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
                                either(only(WO_MATERIAL_PROGRESS, _wo_child("wo_material")),
                                       _wo_child_made_here("wo_material")),
                                _wo_child_made_here("wo_material")),
    "wo_operation":        Rule(_child_of_own_wo,
                                either(only(WO_OPERATION_PROGRESS, _wo_child("wo_operation")),
                                       _wo_child_made_here("wo_operation")),
                                _wo_child_made_here("wo_operation")),
    "quality_check":       Rule(_child_of_own_wo,      made_here("quality_check"),
                                made_here("quality_check")),
}


def may_write(role: str, ownership: Ownership, entity: str, op: str, key: str,
              payload: Mapping[str, Any]) -> bool:
    if role == "owner":
        return True
    if role != "site":
        return False
    rule = SITE_RULES.get(entity)
    if rule is None:
        return False
    check: Check = {"insert": rule.insert, "update": rule.update, "delete": rule.delete}[op]
    return check(ownership, key, payload)


def may_see(role: str, site_code: str, change: Mapping[Any, Any]) -> bool:
    """Whether a caller pulls this change from the op log. Owners, accountants and own
    workshops see all; a producer never reads the op log directly: it pulls its own feed,
    judged when ops are stored (server/scope.py, policy in domain/read_scope.py).

    ``change`` is the stored row: seq, site (the writer), op_id, entity, entity_id, op,
    payload (JSON text), hlc.
    """
    return role != "producer"
