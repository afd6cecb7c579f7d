"""Changes stamped while this computer's clock ran ahead, stamped again before they are sent.

The server refuses ops stamped further in the future than the allowed skew (a site whose clock
ran ahead must not win every merge afterwards, nor drag every clock forward). Once the clock is
right again (the server checks the clock of every request), the work this site did meanwhile is
still real: its unsent changes get new stamps from the right time, in their order, and the
field clocks they set follow. Nothing is lost and nothing is sent from the future.

The changes made after the first one from the future are stamped again too, even those the
right clock stamped: once the clock is right the site resumes from the wall clock (see
``hlc.resumable``), so a later edit of the same field carries an older stamp than the edit
from the future, and stamping only that one again would put it last and undo the later edit
everywhere (a release at 05:53 overtaking the start made at 02:54).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from dmdesk.db.database import Database
from dmdesk.db.raw_insert import utc_text
from dmdesk.domain.hlc import HLC, MAX_CLOCK_SKEW_MS, HybridClock
from dmdesk.services.context import DEFAULT_SITE_CODE, SETTING_HLC, SETTING_SITE
from dmdesk.sync import alerts
from dmdesk.sync.pull import driver, read_setting

KIND = "restamped"


def restamp_future(db: Database, clock_ms: Callable[[], int]) -> int:
    """Stamp again, in their order, every unsent change from the first one stamped beyond the
    skew on; returns how many were stamped beyond it."""
    now_ms = clock_ms()
    limit = HLC(now_ms + MAX_CLOCK_SKEW_MS, 0, "").encode()
    with db.write_session() as session:
        raw = driver(session)
        ahead = raw.execute("SELECT count(*), min(seq) FROM outbox WHERE pushed_at IS NULL "
                            "AND hlc > ?", (limit,)).fetchone()
        if not ahead[0]:
            return 0
        rows = raw.execute(
            "SELECT seq, hlc, entity, entity_id FROM outbox WHERE pushed_at IS NULL AND seq >= ? "
            "ORDER BY seq", (ahead[1],)).fetchall()
        site = read_setting(raw, SETTING_SITE) or DEFAULT_SITE_CODE
        clock = HybridClock(site, lambda: now_ms)
        for seq, old, entity, entity_id in rows:
            new = clock.now().encode()
            raw.execute("UPDATE outbox SET hlc = ? WHERE seq = ?", (new, seq))
            raw.execute("UPDATE sync_clock SET hlc = ? WHERE entity = ? AND entity_id = ? AND "
                        "hlc = ?", (new, entity, entity_id, old))
        raw.execute("INSERT OR REPLACE INTO setting (key, value) VALUES (?, ?)",
                    (SETTING_HLC, clock.last.encode()))
        alerts.raise_alert(
            raw, KIND, f"{KIND}:{rows[0][0]}",
            f"{ahead[0]} change{'s' if ahead[0] != 1 else ''} made while this computer's "
            "clock ran ahead were stamped again with the right time before being sent.",
            utc_text(datetime.now(UTC)))
    return int(ahead[0])
