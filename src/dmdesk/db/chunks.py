"""Long ``IN (...)`` lists sent in pieces.

SQLite refuses a statement with more bound parameters than its limit (999 in builds before
3.32, which some platforms still ship), and a long list costs the planner too; every read or
write that takes ids by the thousand sends them ``IN_CHUNK`` at a time through ``chunked``.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TypeVar

T = TypeVar("T")

IN_CHUNK = 400  # values per IN (...), well under SQLite's bound-parameter limit


def chunked(values: Sequence[T], size: int = IN_CHUNK) -> Iterator[Sequence[T]]:
    """``values`` in consecutive slices of at most ``size`` (none for an empty sequence)."""
    for start in range(0, len(values), size):
        yield values[start:start + size]
