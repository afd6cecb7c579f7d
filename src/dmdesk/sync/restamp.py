"""Changes stamped while this computer's clock ran ahead, stamped again before they are sent.

The server refuses ops stamped further in the future than the allowed skew (a site whose clock
ran ahead must not win every merge afterwards, nor drag every clock forward). Once the clock is
right again (the server checks the clock of every request), the work this site did meanwhile is
still real: its unsent changes get new stamps from the right time, in their order, and the
field clocks they set follow. Nothing is lost and nothing is sent from the future.
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
    """Stamp again every unsent change stamped beyond the skew; returns how many."""
    now_ms = clock_ms()
    limit = HLC(now_ms + MAX_CLOCK_SKEW_MS, 0, "").encode()
    with db.write_session() as session:
        raw = driver(session)
        rows = raw.execute(
            "SELECT seq, hlc, entity, entity_id FROM outbox WHERE pushed_at IS NULL AND hlc > ? "
            "ORDER BY seq", (limit,)).fetchall()
        if not rows:
            return 0
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
            f"{len(rows)} change{'s' if len(rows) != 1 else ''} made while this computer's "
            "clock ran ahead were stamped again with the right time before being sent.",
            utc_text(datetime.now(UTC)))
    return len(rows)
