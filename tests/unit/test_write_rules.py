"""The write-rule table (domain/write_rules.py), over an in-memory Ownership.

Sites: LIS (the caller when it is a site), POR (another site); each has a location and a work
order. Whether each reports its own progress is drawn by hypothesis.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from dmdesk.domain.lifecycle import LIFECYCLE_FIELDS, Actor, may_act
from dmdesk.domain.write_rules import (
    HOLDER_RULES,
    OPS,
    SITE_RULES,
    Ownership,
    holds_site,
    may_write,
    touches_lifecycle,
)

SITES = {"s-lis": "LIS", "s-por": "POR", "s-hq": "HQ"}


@dataclass
class World(Ownership):
    """What the caller knows: rows by (entity, key) with the rules' fields, and what it made."""

    code: str
    role: str
    reporting: set[str] = field(default_factory=set)
    made: set[tuple[str, str]] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.own_code = self.code
        self.rows: dict[tuple[str, str], dict[str, Any]] = {}
        for site_id, code in SITES.items():
            self.rows[("site", site_id)] = {"code": code, "kind": "own_workshop",
                                            "reports_progress": site_id in self.reporting}
            site = code.lower()
            self.rows[("location", f"l-{site}")] = {"site_id": site_id}
            self.rows[("work_order", f"wo-{site}")] = {"site_id": site_id}
            self.rows[("wo_material", f"m-{site}")] = {"ref_id": f"wo-{site}"}
            self.rows[("wo_operation", f"op-{site}")] = {"ref_id": f"wo-{site}"}

    def made_here(self, entity: str, entity_id: str) -> bool:
        return (entity, entity_id) in self.made

    def row(self, entity: str, entity_id: str) -> Mapping[str, Any] | None:
        return self.rows.get((entity, entity_id))


reporting_sets = st.sets(st.sampled_from(sorted(SITES)))
roles = st.sampled_from(["owner", "", "site", "accountant", "admin", "SITE", "reader"])
ops = st.sampled_from([*OPS, "upsert", ""])
keys = st.sampled_from(["s-lis", "l-lis", "wo-lis", "wo-por", "m-por", "op-lis", "x"])
values = st.one_of(st.none(), st.booleans(), st.sampled_from(
    ["s-lis", "s-por", "l-lis", "l-por", "wo-lis", "wo-por", "LIS", "draft", "released",
     "production_output", "receipt", "10"]))
payloads = st.dictionaries(st.sampled_from(
    ["id", "name", "code", "site_id", "location_id", "work_order_id", "document_id", "state",
     "reason", "good_qty", "consumed", "due_date", "quantity", "notes", "updated_at"]),
    values, max_size=5)
owner_tables = st.sampled_from(["product", "bom_line", "unit", "design_file", "operation",
                                "file_blob", "work_order_reroute", "future_table", ""])


@given(role=roles, entity=st.one_of(owner_tables, st.sampled_from(sorted(SITE_RULES))),
       op=ops, key=keys, payload=payloads, reporting=reporting_sets)
def test_anything_not_listed_is_refused(role: str, entity: str, op: str, key: str,
                                        payload: dict[str, Any], reporting: set[str]) -> None:
    world = World("LIS", role, reporting)
    allowed = may_write(role, world, entity, op, key, payload)
    if role not in ("owner", "", "site"):
        assert not allowed  # an accountant, or a role nobody defined, writes nothing
    if op not in OPS:
        assert not allowed
    if role == "site" and entity not in SITE_RULES:
        assert not allowed  # products, BOMs, design files and later tables: the owner's


@given(entity=st.one_of(owner_tables, st.sampled_from(sorted(SITE_RULES))),
       op=st.sampled_from(OPS), key=keys, payload=payloads, reporting=reporting_sets)
def test_the_owner_writes_everything_but_the_lifecycle_it_does_not_hold(
        entity: str, op: str, key: str, payload: dict[str, Any], reporting: set[str]) -> None:
    world = World("HQ", "owner", reporting)
    allowed = may_write("owner", world, entity, op, key, payload)
    if not touches_lifecycle(entity, op, payload):
        assert allowed
    if not allowed:
        assert entity in HOLDER_RULES and reporting - {"s-hq"}


@given(role=st.sampled_from(["owner", "", "site", "accountant"]), own=st.booleans(),
       reports=st.booleans())
def test_the_holder_is_lifecycle_may_act_in_the_tables_terms(role: str, own: bool,
                                                            reports: bool) -> None:
    world = World("LIS" if own else "HQ", role, {"s-lis"} if reports else set())
    actor = Actor(world.code, role)
    assert holds_site(world, "s-lis") == may_act(actor, "LIS", reports)


@given(reporting=reporting_sets, fields=st.sets(
    st.sampled_from(sorted(LIFECYCLE_FIELDS["work_order"])), min_size=1))
def test_lifecycle_of_an_order_is_written_by_its_holder_only(reporting: set[str],
                                                             fields: set[str]) -> None:
    payload = dict.fromkeys(fields, "x")
    site_may = may_write("site", World("LIS", "site", reporting), "work_order", "update",
                         "wo-lis", payload)
    owner_may = may_write("owner", World("HQ", "owner", reporting), "work_order", "update",
                          "wo-lis", payload)
    assert site_may == ("s-lis" in reporting)
    assert owner_may == ("s-lis" not in reporting)
    # Never both: that is what makes two releases of one order impossible.
    assert not (site_may and owner_may)
    # A site never writes the lifecycle of another site's order.
    assert not may_write("site", World("LIS", "site", reporting), "work_order", "update",
                         "wo-por", payload)


@given(reporting=reporting_sets)
def test_materials_lots_genealogy_and_production_moves_follow_the_holder(
        reporting: set[str]) -> None:
    holds = "s-lis" in reporting
    site, owner = World("LIS", "site", reporting), World("HQ", "owner", reporting)
    writes = [
        ("wo_material", "insert", "new", {"work_order_id": "wo-lis", "product_id": "p"}),
        ("wo_material", "update", "m-lis", {"consumed": "3"}),
        ("wo_operation", "update", "op-lis", {"good_qty": "3"}),
        ("lot", "insert", "new", {"work_order_id": "wo-lis", "code": "L1"}),
        ("lot_genealogy", "insert", "new", {"work_order_id": "wo-lis"}),
        ("stock_move", "insert", "new", {"location_id": "l-lis", "reason": "production_output",
                                         "document_id": "wo-lis"}),
    ]
    for entity, op, key, payload in writes:
        assert may_write("site", site, entity, op, key, payload) == holds, (entity, op)
        assert may_write("owner", owner, entity, op, key, payload) == (not holds), (entity, op)
    # A production move at its own location, for another site's order: never.
    other = {"location_id": "l-lis", "reason": "production_consume", "document_id": "wo-por"}
    assert not may_write("site", site, "stock_move", "insert", "new", other)


def test_planning_is_the_owners_or_the_planning_sites() -> None:
    site = World("LIS", "site", {"s-lis"})
    planning = {"due_date": "2027-01-01", "priority": 1}
    assert not may_write("site", site, "work_order", "update", "wo-lis", planning)
    site.made.add(("work_order", "wo-lis"))
    assert may_write("site", site, "work_order", "update", "wo-lis", planning)
    # ... as long as the order stays at the site.
    assert not may_write("site", site, "work_order", "update", "wo-lis", {"site_id": "s-por"})
    assert may_write("owner", World("HQ", "owner", {"s-lis"}), "work_order", "update",
                     "wo-lis", planning)
    # Notes stay writable by the making site.
    assert may_write("site", World("LIS", "site"), "work_order", "update", "wo-lis",
                     {"notes": "late steel"})


def test_reports_progress_is_said_by_the_owner_or_the_site_itself() -> None:
    says = {"reports_progress": True}
    assert may_write("site", World("LIS", "site"), "site", "update", "s-lis", says)
    assert not may_write("site", World("LIS", "site"), "site", "update", "s-por", says)
    assert may_write("owner", World("HQ", "owner"), "site", "update", "s-por", says)
    assert not may_write("accountant", World("HQ", "accountant"), "site", "update", "s-por",
                         says)


def test_an_order_planned_as_a_draft_is_planning_one_inserted_further_along_is_not() -> None:
    owner = World("HQ", "owner", {"s-lis"})
    draft = {"site_id": "s-lis", "state": "draft", "good_qty": "0"}
    assert may_write("owner", owner, "work_order", "insert", "new", draft)
    assert not may_write("owner", owner, "work_order", "insert", "new",
                         {**draft, "state": "released"})
