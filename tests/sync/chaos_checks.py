"""What must hold once the chaos is over and every site has synced and settled its conflicts.

Each check returns the problems it found (sentences naming sites, tables and order numbers),
so one run reports every broken invariant at once rather than only the first.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

from dmdesk.db.database import Database
from dmdesk.domain.errors import DomainError
from dmdesk.domain.quantity import QUANTITY_SCALE
from dmdesk.queries.integrity import check_database
from dmdesk.sync import conflicts
from dmdesk.sync.follow_up import OVERSHOOT, overshoot_subject
from dmdesk.sync.protocol import MAX_CLOCK_SKEW_MS
from dmdesk.sync.push import pending_count
from dmdesk.sync.transport import SyncError, wall_ms
from tests.sync.chaos_log import Effect, Expect, Logged, Rows, StateIn, Value
from tests.sync.chaos_support import HOUR_MS, OWNER_CODE, World, refusal_alerts_since
from tests.sync.support import SYNCED_TABLES, Site, table_rows

SETTLE_ROUNDS = 8
Written = dict[tuple[str, uuid.UUID, str], set[Any]]  # values of allowed writes, by field


# --- bringing everyone together ---------------------------------------------------------

def settle_everything(world: World, keep_mine_first: bool) -> list[str]:
    """Full syncs, each site settling the conflicts it was shown (keep mine / keep theirs in
    turn), until nothing is left to settle; then two quiet rounds so everyone has everything."""
    problems: list[str] = []
    for _ in range(SETTLE_ROUNDS):
        shown = 0
        for site in world.all():
            problems += _sync(site)
            for n, conflict in enumerate(conflicts.list_conflicts(site.db)):
                shown += 1
                keep: conflicts.Keep = "local" if (n % 2 == 0) == keep_mine_first else "remote"
                try:
                    conflicts.settle(site.ctx, conflict.id, keep)
                except DomainError as exc:
                    problems.append(f"{site.code} could not settle the conflict on "
                                    f"{conflict.entity} {conflict.label}.{conflict.field}: "
                                    f"{exc.message}")
            problems += _sync(site)
        if not shown:
            break
    for _ in range(2):
        for site in world.all():
            problems += _sync(site)
    return problems


def _sync(site: Site) -> list[str]:
    try:
        site.sync()
    except SyncError as exc:
        return [f"a full sync of {site.code} failed at the end: {exc.message}"]
    return []


# --- reading back -------------------------------------------------------------------------

def _scalar(db: Database, sql: str, *params: Any) -> Any:
    with db.reader.connect() as conn:
        return conn.exec_driver_sql(sql, params).scalar()


def _rows(db: Database, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    with db.reader.connect() as conn:
        return [tuple(row) for row in conn.exec_driver_sql(sql, params)]


def _number(db: Database, work_order_id: bytes) -> str:
    return str(_scalar(db, "SELECT number FROM work_order WHERE id = ?", work_order_id)
               or bytes(work_order_id).hex()[:12])


# --- the invariants -----------------------------------------------------------------------

def identical(sites: Sequence[Site]) -> list[str]:
    first, problems = sites[0], []
    for table in SYNCED_TABLES:
        expected = set(table_rows(first.db, table))
        for other in sites[1:]:
            got = set(table_rows(other.db, table))
            if got != expected:
                problems.append(
                    f"{table} differs between {first.code} and {other.code}: "
                    f"{len(expected - got)} rows only at {first.code}, {len(got - expected)} "
                    f"only at {other.code}{_first_difference(first, other, table)}")
    return problems


def _first_difference(first: Site, other: Site, table: str) -> str:
    """The columns in which the first row that differs differs (rows keyed by their first
    column), for the report."""
    with first.db.reader.connect() as conn:
        columns = [c[1] for c in conn.exec_driver_sql(f"PRAGMA table_info({table})")]
    mine = {row[0]: row for row in table_rows(first.db, table)}
    theirs = {row[0]: row for row in table_rows(other.db, table)}
    for key in sorted(mine.keys() | theirs.keys(), key=repr):
        a, b = mine.get(key), theirs.get(key)
        if a == b:
            continue
        if a is None or b is None:
            return f"; e.g. a row only at {first.code if b is None else other.code}"
        changed = [f"{name} {x!r} / {y!r}" for name, x, y in zip(columns, a, b, strict=True)
                   if x != y and name != "updated_at"]
        label = next((v for n, v in zip(columns, a, strict=True)
                      if n in ("number", "sku", "code")), "")
        return f"; e.g. {label or 'a row'}: {', '.join(changed) or 'updated_at'}"
    return ""


def moves_once(sites: Sequence[Site]) -> list[str]:
    problems, counts = [], {}
    for site in sites:
        total, distinct = _rows(site.db, "SELECT COUNT(*), COUNT(DISTINCT id) FROM stock_move")[0]
        counts[site.code] = total
        if total != distinct:
            problems.append(f"{site.code}: {total - distinct} stock moves are there twice")
    if len(set(counts.values())) > 1:
        problems.append(f"the sites hold different numbers of stock moves: {counts}")
    return problems


def ledger(sites: Sequence[Site]) -> list[str]:
    return [f"{site.code} (dmdesk db check): {problem}"
            for site in sites for problem in check_database(site.db).problems]


def outputs(site: Site) -> list[str]:
    """No order output twice, none output after it was cancelled, none output elsewhere."""
    db, problems = site.db, []
    for order, count in _rows(db, "SELECT document_id, COUNT(*) FROM stock_move WHERE reason = "
                              "'production_output' GROUP BY document_id HAVING COUNT(*) > 1"):
        problems.append(f"{_number(db, order)} has {count} production outputs")
    for (order,) in _rows(db, "SELECT DISTINCT w.id FROM work_order w JOIN stock_move s ON "
                          "s.document_id = w.id AND s.reason = 'production_output' "
                          "WHERE w.state = 'cancelled'"):
        problems.append(f"{_number(db, order)} is cancelled yet has an output")
    for (order,) in _rows(db, "SELECT DISTINCT w.id FROM work_order w JOIN stock_move s ON "
                          "s.document_id = w.id AND s.reason = 'production_output' JOIN "
                          "location l ON l.id = s.location_id WHERE l.site_id <> w.site_id"):
        problems.append(f"{_number(db, order)}'s output is not at its making site")
    return problems


def _made(db: Database, work_order_id: bytes) -> Decimal:
    return Decimal(_scalar(db, "SELECT COALESCE(SUM(quantity), 0) FROM stock_move WHERE "
                           "document_id = ? AND reason = 'production_output'", work_order_id))


def _passed_down(db: Database, order: bytes) -> Decimal:
    """What the orders ``order`` continues made beyond what was counted when they were split:
    when ``order`` was itself split onward by then, its correction went down to the order
    carrying the rest (services/reroute_settle.py), not to ``order``'s quantity."""
    parent = _rows(db, "SELECT r.work_order_id, r.counted_good FROM work_order_reroute r "
                   "JOIN work_order w ON w.id = r.work_order_id WHERE r.to_work_order_id = ? "
                   "AND w.moved_to_id = ?", order, order)
    if not parent:
        return Decimal(0)
    old, counted = parent[0]
    return _made(db, old) - Decimal(counted) + _passed_down(db, old)


def splits(site: Site) -> list[str]:
    """Each split order: the new order names the old one, the old one is closed, and what
    the old one made plus the new order's quantity covers the original quantity (plus what
    the orders before it made beyond what was counted, when the correction went further)."""
    db, problems = site.db, []
    for old, quantity, state, new, came_from in _rows(
            db, "SELECT id, quantity, state, moved_to_id, rerouted_from_id FROM work_order "
            "WHERE moved_to_id IS NOT NULL"):
        number = _number(db, old)
        if new == came_from:  # a split's new order withdrawn: its old order made it all
            if state not in ("cancelled", "done"):  # done: see overshoots_alerted
                problems.append(f"{number} was withdrawn (its old order made it all) but is "
                                f"still {state}")
            continue
        row = _rows(db, "SELECT rerouted_from_id, quantity FROM work_order WHERE id = ?", new)
        if not row or row[0][0] != old:
            problems.append(f"{number} was split, but its new order does not name it as "
                            "rerouted from")
            continue
        made = _made(db, old) + max(Decimal(0), _passed_down(db, old))
        rest = Decimal(row[0][1])
        if made + rest < Decimal(quantity):
            problems.append(f"{number}: made {made / QUANTITY_SCALE} + "
                            f"{rest / QUANTITY_SCALE} moved on < {quantity / QUANTITY_SCALE}")
        if state not in ("done", "cancelled"):
            problems.append(f"{number} was split but is still {state}")
    return problems


def overshoots_alerted(world: World) -> list[str]:
    """A withdrawn order its holder had made anyway (done, with good output) stands, and both
    the owner and its holder were told of the overshoot: never extra output unexplained."""
    owner, problems = world.sites[OWNER_CODE], []
    for order, number, code, reports in _rows(
            owner.db, "SELECT w.id, w.number, s.code, s.reports_progress FROM work_order w "
            "JOIN site s ON s.id = w.site_id WHERE w.moved_to_id = w.rerouted_from_id AND "
            "w.state = 'done' AND w.good_qty > 0"):
        subject = overshoot_subject(uuid.UUID(bytes=bytes(order)))
        for told in dict.fromkeys((OWNER_CODE, code if reports else OWNER_CODE)):
            if not _scalar(world.sites[told].db, "SELECT COUNT(*) FROM sync_alert WHERE "
                           "kind = ? AND subject = ?", OVERSHOOT, subject):
                problems.append(f"{number} was withdrawn but made anyway (done), and "
                                f"{told} has no overshoot alert about it")
    return problems


def nothing_waiting(site: Site) -> list[str]:
    problems = [f"{count} changes still waiting in sync_deferred ({reason})"
                for reason, count in _rows(site.db, "SELECT reason, COUNT(*) FROM "
                                           "sync_deferred GROUP BY reason")]
    if open_conflicts := len(conflicts.list_conflicts(site.db)):
        problems.append(f"{open_conflicts} conflicts still open")
    if pending := pending_count(site.db):
        problems.append(f"{pending} changes still not sent")
    return problems


# --- the log: every acknowledged write arrived, or was reverted with an alert ---------------

def _where(found: dict[str, list[str]]) -> list[str]:
    return [f"{text} (at {', '.join(codes)})" for text, codes in found.items()]


def _missing_at(site: Site, effect: Effect, written: Written) -> str:
    """Why ``effect`` does not stand at ``site`` (empty when it does)."""
    db = site.db
    if isinstance(effect, Rows):
        found = sum(int(_scalar(db, f"SELECT COUNT(*) FROM {effect.table} WHERE id = ?",
                                row.bytes)) for row in effect.ids)
        return (f"{len(effect.ids) - found} of its {effect.table} rows missing"
                if found < len(effect.ids) else "")
    if isinstance(effect, Value):
        now = _scalar(db, f"SELECT {effect.column} FROM {effect.table} WHERE id = ?",
                      effect.row_id.bytes)
        return ("" if now == effect.value or now in written.get(_key(effect), set())
                else f"{effect.table}.{effect.column} is {now!r}, not {effect.value!r} nor a "
                     "later write")
    if isinstance(effect, StateIn):
        state = _scalar(db, "SELECT state FROM work_order WHERE id = ?",
                        effect.work_order_id.bytes)
        return ("" if state in effect.states
                else f"the order is {state}, not {'/'.join(sorted(effect.states))}")
    moved = _scalar(db, "SELECT moved_to_id FROM work_order WHERE id = ?",
                    effect.work_order_id.bytes)
    return "" if moved is not None else "not split (no moved_to_id)"


def _left_at(site: Site, entry: Logged, effect: Effect) -> str:
    """What of ``effect`` was not undone at ``site`` (empty when nothing)."""
    db = site.db
    if isinstance(effect, Rows) and site.code != entry.site and any(
            _scalar(db, f"SELECT 1 FROM {effect.table} WHERE id = ?", row.bytes)
            for row in effect.ids):
        return f"its {effect.table} rows arrived"
    if isinstance(effect, Value):
        now = _scalar(db, f"SELECT {effect.column} FROM {effect.table} WHERE id = ?",
                      effect.row_id.bytes)
        if now == effect.value:
            return f"{effect.table}.{effect.column} is still {now!r}"
    return ""


def _stands(world: World, entry: Logged, written: Written) -> list[str]:
    found: dict[str, list[str]] = {}
    for effect in entry.effects:
        for site in world.all():
            if text := _missing_at(site, effect, written):
                found.setdefault(text, []).append(site.code)
    return _where(found)


def _undone(world: World, entry: Logged) -> list[str]:
    found: dict[str, list[str]] = {}
    for effect in entry.effects:
        for site in world.all():
            if text := _left_at(site, entry, effect):
                found.setdefault(text, []).append(site.code)
    return _where(found)


def _key(effect: Value) -> tuple[str, uuid.UUID, str]:
    return (effect.table, effect.row_id, effect.column)


def log_kept(world: World, log: Sequence[Logged]) -> list[str]:
    """Each acknowledged write: ARRIVE ones stand everywhere (a field may hold a later write
    instead); REFUSE ones were undone everywhere and alerted at the writer; EITHER ones one
    of the two."""
    written: Written = {}
    for entry in log:
        for effect in entry.effects:
            if isinstance(effect, Value):
                written.setdefault(_key(effect), set())
                if entry.expect is not Expect.REFUSE:
                    written[_key(effect)].add(effect.value)
    problems = []
    for entry in log:
        if entry.refused:
            continue
        stands = _stands(world, entry, written)
        if entry.expect is Expect.ARRIVE:
            if stands:
                problems.append(f"{entry}: acknowledged but lost: {'; '.join(stands[:3])}")
            continue
        undone = _undone(world, entry)
        alerted = refusal_alerts_since(world.sites[entry.site].db, entry.at) > 0
        if entry.expect is Expect.REFUSE and (undone or not alerted):
            reasons = (["not reverted: " + "; ".join(undone[:3])] if undone else []) + (
                [] if alerted else [f"no refusal alert at {entry.site}"])
            problems.append(f"{entry}: acknowledged locally, but {', '.join(reasons)}")
        elif entry.expect is Expect.EITHER and stands and (undone or not alerted):
            problems.append(f"{entry}: neither arrived ({'; '.join(stands[:2])}) nor was "
                            "reverted with an alert")
    return problems


def at_each_site(sites: Sequence[Site], check: Callable[[Site], list[str]]) -> list[str]:
    """``check`` at every site, each problem said once with the sites that have it."""
    where: dict[str, list[str]] = {}
    for site in sites:
        for problem in check(site):
            where.setdefault(problem, []).append(site.code)
    return [f"{problem} (at {', '.join(codes)})" for problem, codes in where.items()]


def no_future_stamps(sites: Sequence[Site]) -> list[str]:
    """The server refuses ops stamped in the future, so a clock that ran ahead at one site
    never drags the others' clocks (and last-writer-wins) hours ahead."""
    problems = []
    for site in sites:
        newest = _scalar(site.db, "SELECT MAX(hlc) FROM sync_clock") or ""
        ahead = int(newest[:15] or 0) - wall_ms()
        if ahead > MAX_CLOCK_SKEW_MS:
            problems.append(f"{site.code} holds a stamp {ahead / HOUR_MS:.1f} h in the future "
                            f"({newest}): a future-stamped op got through")
    return problems


def every_problem(world: World, log: Sequence[Logged], skewed: set[str]) -> list[str]:
    """Every invariant; ``skewed`` are the sites whose clock ran ahead at some time."""
    sites = world.all()
    return (identical(sites) + moves_once(sites) + ledger(sites)
            + at_each_site(sites, outputs) + at_each_site(sites, splits)
            + overshoots_alerted(world)
            + at_each_site(sites, nothing_waiting)
            + no_future_stamps([site for site in sites if site.code not in skewed])
            + log_kept(world, log))

