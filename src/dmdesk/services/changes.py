"""What a piece of work changed, as a typed notice: the tables its transactions committed.

Every write transaction records the tables it wrote (db/touched.py; a unit of work shows its own
as ``UnitOfWork.touched``), so whoever ran some work (the GUI's operations, a sync) can say
exactly what changed instead of guessing, and every screen refreshes from the same notice.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from dmdesk.db.touched import listening

__all__ = ["Changes", "recording"]


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
