"""The check that ends every sync: does this site hold what the server says it should?

One request (GET /v1/digest at the pull cursor) gives, per origin site, how many changes the
server has that this site may pull, and how many of all of them are stock moves. This site
compares, per origin, what it merged (``sync_origin``, counted in each pull's transaction)
plus what waits in ``sync_deferred``; and its ledger (stock moves here, plus moves waiting,
against the network's plus its own not sent yet). O(origins) on this side; Anki ends its
syncs with a sanity check the same way.

A difference is said in one sentence, kept as an alert until a check passes again, and fixed
by a full resync (``reset_pull`` then pull everything again; merging is idempotent: rows
already here are skipped, missing ones go back in).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from dmdesk.db.database import Database
from dmdesk.db.raw_insert import utc_text
from dmdesk.sync import alerts
from dmdesk.sync.pull import current_cursor, driver
from dmdesk.sync.transport import Transport

DIGEST = "digest"
LEDGER = "ledger"
# In sync_origin: counts were not kept when this site last pulled (it pulled with a dmdesk
# before them): its next sync pulls everything again to count (migration 0007).
RECOUNT = "?"
FIX = ("run a full resync (Sync area, or `dmdesk sync --full-resync`), which pulls every "
       "change again and skips what is already here.")


def reset_pull(db: Database) -> None:
    """Start pulling from the beginning: cursor 0, counts and waiting changes forgotten
    (every one of them comes again)."""
    with db.write_session() as session:
        raw = driver(session)
        raw.execute("UPDATE sync_state SET pull_cursor = 0 WHERE id = 1")
        raw.execute("DELETE FROM sync_origin")
        raw.execute("DELETE FROM sync_deferred")


def needs_recount(db: Database) -> bool:
    with db.reader.connect() as conn:
        return conn.exec_driver_sql("SELECT 1 FROM sync_origin WHERE origin = ?",
                                    (RECOUNT,)).first() is not None


@dataclass(frozen=True)
class Gap:
    subject: str  # an origin's code, or LEDGER
    held: int
    expected: int

    def sentence(self) -> str:
        if self.subject == LEDGER:
            what, of = "stock moves", "the network's"
        elif not self.subject:  # a producer's withdrawals (server/scope.py) have no origin
            what, of = "withdrawals", "the server's"
        else:
            what, of = "changes", f"{self.subject}'s"
        if self.held < self.expected:
            missing = self.expected - self.held
            return (f"This site holds {self.held:,} of {of} {self.expected:,} {what}; "
                    f"{missing:,} {'is' if missing == 1 else 'are'} missing: {FIX}")
        return (f"This site holds {self.held:,} of {of} {what}, but the server has "
                f"{self.expected:,}: {FIX}")


@dataclass
class DigestCheck:
    gaps: list[Gap] = field(default_factory=list)
    origins: int = 0
    new_alerts: int = 0

    @property
    def ok(self) -> bool:
        return not self.gaps

    def sentence(self) -> str:
        return " ".join(gap.sentence() for gap in self.gaps)


def _local_counts(db: Database) -> tuple[str, dict[str, int], int, int]:
    """This site's code, what it holds per origin, its moves (with those waiting), and its
    own moves not sent yet."""
    with db.reader.connect() as conn:
        run = conn.exec_driver_sql
        site = run("SELECT site_code FROM sync_state WHERE id = 1").scalar() or ""
        held = {str(o): int(n) for o, n in run("SELECT origin, merged FROM sync_origin")}
        for origin, count in run(
                "SELECT json_extract(change, '$.origin'), COUNT(*) FROM sync_deferred "
                "GROUP BY 1"):
            held[str(origin)] = held.get(str(origin), 0) + int(count)
        moves = int(run("SELECT COUNT(*) FROM stock_move").scalar_one())
        moves += int(run(
            "SELECT COUNT(*) FROM sync_deferred WHERE json_extract(change, '$.entity') = "
            "'stock_move' AND json_extract(change, '$.op') = 'insert'").scalar_one())
        unsent = int(run(
            "SELECT COUNT(*) FROM outbox WHERE pushed_at IS NULL AND entity = 'stock_move' "
            "AND op = 'insert'").scalar_one())
    return str(site), held, moves, unsent


def check(db: Database, transport: Transport) -> DigestCheck:
    """Compare with the server's digest; raise, refresh or clear the alerts it implies."""
    reply = transport.digest(current_cursor(db))
    site, held, moves, unsent = _local_counts(db)
    result = DigestCheck(origins=len(reply["origins"]))
    for origin in sorted(set(reply["origins"]) | set(held)):
        if origin in (site, RECOUNT):
            continue
        server = reply["origins"].get(origin)
        expected = int(server["changes"]) if server else 0
        if held.get(origin, 0) != expected:
            result.gaps.append(Gap(origin, held.get(origin, 0), expected))
    network_moves = sum(int(o["moves"]) for o in reply["origins"].values()) + unsent
    if moves != network_moves:
        result.gaps.append(Gap(LEDGER, moves, network_moves))
    result.new_alerts = _alert(db, result)
    return result


def _alert(db: Database, result: DigestCheck) -> int:
    now = utc_text(datetime.now(UTC))
    subjects = {f"{DIGEST}:{gap.subject}": gap.sentence() for gap in result.gaps}
    with db.write_session() as session:
        raw = driver(session)
        for (subject,) in raw.execute(
                "SELECT subject FROM sync_alert WHERE kind = ? AND cleared_at IS NULL",
                (DIGEST,)).fetchall():
            if subject not in subjects:
                alerts.clear_alert(raw, subject, now)
        return sum(alerts.raise_alert(raw, DIGEST, subject, message, now)
                   for subject, message in subjects.items())
