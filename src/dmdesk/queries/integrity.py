"""`dmdesk db check`: is the file sound, does the cache equal the ledger, is the audit intact?"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from dmdesk.db.audit import GENESIS_HASH, audit_hash, audit_record
from dmdesk.db.database import Database
from dmdesk.db.models import AuditEntry
from dmdesk.domain.progress import Progress, no_progress

MAX_LISTED = 20


@dataclass
class CheckReport:
    problems: list[str] = field(default_factory=list)
    checked: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems


def sqlite_integrity(session: Session) -> list[str]:
    rows = [r[0] for r in session.execute(text("PRAGMA integrity_check"))]
    problems = [] if rows == ["ok"] else [f"SQLite integrity: {r}" for r in rows[:MAX_LISTED]]
    fk = session.execute(text("PRAGMA foreign_key_check")).fetchall()
    problems += [f"Broken reference in {r[0]} (row {r[1]}) to {r[2]}" for r in fk[:MAX_LISTED]]
    return problems


# Both sides are computed in SQL on the scaled integers, so the comparison is exact.
_BALANCE_VS_LEDGER = """
WITH ledger AS (
    SELECT product_id, location_id, COALESCE(lot_id, X'') AS lot_key, SUM(quantity) AS qty
    FROM stock_move GROUP BY 1, 2, 3
), held AS (
    SELECT product_id, location_id, COALESCE(lot_id, X'') AS lot_key, SUM(quantity) AS qty
    FROM reservation GROUP BY 1, 2, 3
), keys AS (
    SELECT product_id, location_id, lot_key FROM ledger
    UNION SELECT product_id, location_id, lot_key FROM stock_balance
    UNION SELECT product_id, location_id, lot_key FROM held
)
SELECT hex(k.product_id), hex(k.location_id), hex(k.lot_key),
       COALESCE(l.qty, 0), COALESCE(b.on_hand, 0), COALESCE(h.qty, 0), COALESCE(b.reserved, 0)
FROM keys k
LEFT JOIN ledger l USING (product_id, location_id, lot_key)
LEFT JOIN stock_balance b USING (product_id, location_id, lot_key)
LEFT JOIN held h USING (product_id, location_id, lot_key)
WHERE COALESCE(l.qty, 0) <> COALESCE(b.on_hand, 0) OR COALESCE(h.qty, 0) <> COALESCE(b.reserved, 0)
LIMIT :limit
"""


def balances_match_ledger(session: Session) -> list[str]:
    rows = session.execute(text(_BALANCE_VS_LEDGER), {"limit": MAX_LISTED}).fetchall()
    return [f"Balance cache differs from the ledger for product {p[:8]}… at location {loc[:8]}…"
            f"{' lot ' + lot[:8] + '…' if lot else ''}: ledger {led / 1000}, cache "
            f"{cache / 1000}; reservations {held / 1000}, cached reserved {res / 1000}"
            for p, loc, lot, led, cache, held, res in rows]


def audit_chain_intact(session: Session) -> tuple[list[str], int]:
    """Recompute every hash; the first break is reported (later ones follow from it)."""
    expected_prev = GENESIS_HASH
    count = 0
    for entry in session.scalars(select(AuditEntry).order_by(AuditEntry.seq))\
            .yield_per(5000):
        count += 1
        if entry.prev_hash != expected_prev:
            return [f"Audit chain broken at entry {entry.seq}: it does not follow entry "
                    f"{entry.seq - 1} (an entry was removed or reordered)."], count
        if audit_hash(entry.prev_hash, audit_record(entry)) != entry.hash:
            return [f"Audit chain broken at entry {entry.seq} ({entry.action} {entry.entity} "
                    f"by {entry.actor}): its contents were changed after it was written."], count
        expected_prev = entry.hash
    return [], count


CHECKS = 3  # the steps ``check_database`` reports


def check_database(db: Database, progress: Progress = no_progress) -> CheckReport:
    report = CheckReport()
    steps = iter(range(CHECKS))

    def note(step: str) -> None:
        progress(next(steps), CHECKS, step)

    with db.read_session() as session:
        note("SQLite integrity check")
        report.problems += sqlite_integrity(session)
        note("balance cache against the ledger")
        report.problems += balances_match_ledger(session)
        report.checked["stock moves"] = session.execute(
            text("SELECT COUNT(*) FROM stock_move")).scalar_one()
        note("audit chain")
        problems, count = audit_chain_intact(session)
        report.problems += problems
        report.checked["audit entries"] = count
    return report
