"""Hybrid logical clock (Kulkarni et al.), used to order field edits between sites.

A timestamp is (wall milliseconds, counter, site). It never goes backwards on one site even when
the wall clock does, and after receiving a remote stamp it is greater than that stamp, so
"last writer wins" is well defined across the network. The text form sorts like the stamp.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from dmdesk.domain.errors import ValidationError

# How far a site's clock may be off the server's (as Anki refuses): requests with a clock further
# off are refused, and so are ops stamped further in the future (a site whose clock ran ahead
# must not win every merge afterwards).
MAX_CLOCK_SKEW_MS = 5 * 60 * 1000


@dataclass(frozen=True, order=True)
class HLC:
    wall_ms: int
    counter: int
    site: str

    def encode(self) -> str:
        # Fixed widths, so the text sorts like the stamp: a bulk import can hand out millions
        # of stamps within one transaction's millisecond.
        return f"{self.wall_ms:015d}-{self.counter:09d}-{self.site}"

    @staticmethod
    def decode(text: str) -> HLC:
        try:
            wall, counter, site = text.split("-", 2)
            return HLC(int(wall), int(counter), site)
        except ValueError:
            raise ValidationError(f"'{text}' is not a hybrid logical clock stamp.") from None


def resumable(saved: HLC | None, wall_ms: int) -> HLC | None:
    """The saved stamp to resume a site's clock from, unless it lies further in the future than
    the allowed skew: it was then handed out while this computer's clock ran ahead, the server
    refuses what was stamped so (and reverts it), and resuming from it would stamp every later
    change in the future too. Within the skew the clock resumes as usual (never backwards)."""
    if saved is None or saved.wall_ms > wall_ms + MAX_CLOCK_SKEW_MS:
        return None
    return saved


class HybridClock:
    """Hands out strictly increasing stamps for one site."""

    def __init__(self, site: str, wall_ms: Callable[[], int], last: HLC | None = None) -> None:
        self._site = site
        self._wall_ms = wall_ms
        self._last = last or HLC(0, 0, site)

    @property
    def last(self) -> HLC:
        return self._last

    def now(self) -> HLC:
        wall = self._wall_ms()
        if wall > self._last.wall_ms:
            stamp = HLC(wall, 0, self._site)
        else:
            stamp = HLC(self._last.wall_ms, self._last.counter + 1, self._site)
        self._last = stamp
        return stamp

    def observe(self, remote: HLC) -> HLC:
        """Merge a stamp received from another site; the next local stamp sorts after it."""
        wall = self._wall_ms()
        top = max(wall, self._last.wall_ms, remote.wall_ms)
        if top == self._last.wall_ms == remote.wall_ms:
            counter = max(self._last.counter, remote.counter) + 1
        elif top == self._last.wall_ms:
            counter = self._last.counter + 1
        elif top == remote.wall_ms:
            counter = remote.counter + 1
        else:
            counter = 0
        self._last = HLC(top, counter, self._site)
        return self._last
