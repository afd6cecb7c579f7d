"""What a piece of work changed, as a typed notice: the tables its transactions committed.

Every write transaction (a unit of work's, ``ServiceContext.transaction``, and the sync's raw
ones alike) records the tables it wrote (db/touched.py), so whoever ran some work (the GUI's
operations, a sync) can say exactly what changed instead of guessing, and every screen
refreshes from the same notice.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from dmdesk.db.touched import listening

__all__ = ["CONTACTS", "CUSTOMER_ORDERS", "PRODUCTS", "QUALITY_CHECKS", "SITES", "STOCK",
           "SYNC", "WORK_ORDERS", "Changes", "recording"]

# The tables behind each thing a screen shows, from which screens compose what they show
# (their ``SHOWS``): a notice touching any of them concerns the screen.
SITES = frozenset({"site", "location"})
CONTACTS = frozenset({"contact"})
PRODUCTS = frozenset({"product", "unit", "bom_line", "operation", "reorder_point",
                      "design_file", "file_blob"})
STOCK = frozenset({"stock_move", "stock_balance", "reservation", "lot", "lot_genealogy",
                   "transfer", "transfer_line"})
WORK_ORDERS = frozenset({"work_order", "wo_material", "wo_operation", "work_order_reroute"})
CUSTOMER_ORDERS = frozenset({"customer_order", "customer_order_line"})
QUALITY_CHECKS = frozenset({"quality_check"})
SYNC = frozenset({"sync_state", "sync_conflict", "sync_alert", "sync_deferred", "outbox"})


@dataclass(frozen=True)
class Changes:
    """The tables some work wrote, and who asked for it (an area that reloads itself after its
    own operation, knowing what to select, need not reload a second time)."""

    tables: frozenset[str] = frozenset()
    initiator: object | None = None

    def touches(self, tables: Iterable[str]) -> bool:
        return not self.tables.isdisjoint(tables)

    def __bool__(self) -> bool:
        return bool(self.tables)


@contextmanager
def recording() -> Iterator[set[str]]:
    """The tables of every transaction committed on this thread while open (nested recordings
    each get everything committed inside them); a rolled-back transaction adds nothing."""
    with listening() as tables:
        yield tables
