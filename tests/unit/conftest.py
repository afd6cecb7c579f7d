"""Fixtures for the unit tests of the pure domain rules (no database, no Qt)."""

from __future__ import annotations

from collections.abc import Iterable

import pytest


class FakeWallClock:
    """A wall clock in milliseconds that a test sets by hand (and may turn backwards)."""

    def __init__(self, start_ms: int = 1_700_000_000_000) -> None:
        self.ms = start_ms

    def __call__(self) -> int:
        return self.ms

    def set(self, ms: int) -> None:
        self.ms = ms

    def play(self, values: Iterable[int]) -> Iterable[int]:
        """Set the clock to each value in turn, yielding it (for loops over a script)."""
        for value in values:
            self.ms = value
            yield value


@pytest.fixture
def wall() -> FakeWallClock:
    return FakeWallClock()
