"""The demo's clock: it walks through the last months so the data has a history.

Every service stamps rows, audit entries and hybrid-logical-clock stamps with ``ctx.clock()``,
taken once per transaction. The demo hands the services this clock instead of the real one and
moves it forward day by day as the simulated business goes on. It never goes backwards (each
reading is later than the one before, so HLC stamps increase and the audit chain reads in
order) and it ends before the real now, so work done after the demo continues the timeline.
UUIDv7 ids still come from the real clock: they only need to be unique and increasing, which
they are, since the demo's history is written in the order it happens.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

STEP = timedelta(seconds=20)  # between two readings: a few minutes per busy hour
DAY_STARTS_AT = time(7, 30)


class DemoClock:
    def __init__(self, days: int, now: datetime | None = None) -> None:
        real_now = now or datetime.now(UTC)
        # Start at the beginning of a working day ``days`` ago; the last simulated day is
        # yesterday, so the whole history lies in the past.
        self.first_day = (real_now - timedelta(days=days + 1)).date()
        self._current = datetime.combine(self.first_day, DAY_STARTS_AT, UTC)
        self.day = 0

    def __call__(self) -> datetime:
        self._current += STEP
        return self._current

    def peek(self) -> datetime:
        return self._current

    def set_day(self, day: int) -> None:
        """Move to the start of simulated day ``day`` (never back: a busy day runs over)."""
        self.day = day
        start = datetime.combine(self.date_of(day), DAY_STARTS_AT, UTC)
        self._current = max(self._current, start)

    def advance_to(self, moment: datetime) -> None:
        self._current = max(self._current, moment)

    def date_of(self, day: int) -> date:
        return self.first_day + timedelta(days=day)
