"""What a sync asks of this site besides merging (services do the work, as for any change).

- Before pushing and after pulling: a making site that syncs reports its own progress from now
  on (services/sites.py ``claim_own_progress``); a new site learns its own row from its first
  pull, and the claim goes out with the push that ends that sync.
- After pulling: orders the owner moved elsewhere are settled here if this site holds them,
  and, at the owner, split reroutes are reconciled once the old order is final
  (services/reroute_settle.py). Each sentence they return becomes an alert in the Sync area;
  a withdrawn order made anyway (an overshoot) is alerted once, under its own subject.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable
from datetime import UTC, datetime

from dmdesk.db.database import Database
from dmdesk.db.raw_insert import utc_text
from dmdesk.services import reroute_settle, sites
from dmdesk.services.context import ServiceContext
from dmdesk.sync import alerts, restamp
from dmdesk.sync.pull import driver

REROUTE = "reroute"
OVERSHOOT = "overshoot"
ACTOR = "sync"


def before_push(db: Database, clock_ms: Callable[[], int]) -> bool:
    """Unsent changes stamped while the clock ran ahead are stamped again (sync/restamp.py);
    True when this site now claims its own progress (a change to push)."""
    restamp.restamp_future(db, clock_ms)
    return sites.claim_own_progress(ServiceContext(db, actor=ACTOR))


def after_pull(db: Database) -> int:
    """Settle and reconcile split reroutes; returns how many alerts were raised."""
    ctx = ServiceContext(db, actor=ACTOR)
    sites.claim_own_progress(ctx)
    notes = [(REROUTE, f"{REROUTE}:{hashlib.sha256(text.encode()).hexdigest()[:16]}", text)
             for text in reroute_settle.settle_moved(ctx) + reroute_settle.reconcile_splits(ctx)]
    notes += [(OVERSHOOT, overshoot_subject(order_id), text)
              for order_id, text in reroute_settle.overshoots(ctx)]
    if not notes:
        return 0
    now = utc_text(datetime.now(UTC))
    raised = 0
    with db.write_session() as session:
        raw = driver(session)
        for kind, subject, text in notes:
            if kind == OVERSHOOT and alerts.ever_raised(raw, subject):
                continue  # said once: an order done stays done
            raised += alerts.raise_alert(raw, kind, subject, text, now)
    return raised


def overshoot_subject(work_order_id: uuid.UUID) -> str:
    return f"{OVERSHOOT}:{work_order_id.hex}"
