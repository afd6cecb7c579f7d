"""The bulk path's stock book: on hand and reserved per (product, location, lot), in memory.

The bulk demo decides every move against this book (never taking more than is available, so
no balance goes negative) and writes the book out as the ``stock_balance`` cache at the end,
so the cache equals the ledger by construction. Quantities are scaled integers (thousandths).
Products, locations and lots are small integers here; the writer maps them to UUIDs.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from dmdesk.domain.stock_take import take_in_order

NO_LOT = -1
Key = tuple[int, int, int]  # product, location, lot (NO_LOT for stock without a lot)


class StockBook:
    def __init__(self, site_of_location: list[int]) -> None:
        self.site_of_location = site_of_location
        self.on_hand: dict[Key, int] = {}
        self.reserved: dict[Key, int] = {}
        # Keys per (product, site), oldest first: what picking walks through (FIFO).
        self._at_site: dict[tuple[int, int], list[Key]] = defaultdict(list)
        self._listed: set[Key] = set()  # keys in _at_site (emptied ones are dropped)
        self.keys: list[Key] = []  # every key ever stocked, for random counts and scrap
        self.dirty: set[Key] = set()  # changed since the cache was last written

    def add(self, key: Key, quantity: int) -> None:
        if key not in self.on_hand:
            self.keys.append(key)
        if key not in self._listed:
            self._at_site[key[0], self.site_of_location[key[1]]].append(key)
            self._listed.add(key)
        self.on_hand[key] = self.on_hand.get(key, 0) + quantity
        self.dirty.add(key)

    def available_at(self, key: Key) -> int:
        return self.on_hand.get(key, 0) - self.reserved.get(key, 0)

    def available(self, product: int, site: int) -> int:
        return sum(max(self.available_at(k), 0) for k in self._at_site.get((product, site), ()))

    def pick(self, product: int, site: int, quantity: int) -> list[tuple[Key, int]]:
        """Where ``quantity`` can be taken from (available stock only, oldest keys first);
        less than asked when the site has less."""
        keys = self._at_site.get((product, site), [])
        # Lots used up earlier stay in the list until here: drop them (FIFO empties the
        # front first), so picking does not slow down as lots come and go.
        while keys and self.on_hand[keys[0]] == 0 and self.reserved.get(keys[0], 0) == 0:
            self._listed.discard(keys.pop(0))
        # A generator: the walk stops at the first keys that cover the need (FIFO).
        slots = ((location, lot, self.available_at((p, location, lot)))
                 for p, location, lot in keys)
        return [((product, location, lot), take)
                for location, lot, take in take_in_order(slots, quantity).takes]

    def reserve(self, key: Key, quantity: int) -> None:
        self.reserved[key] = self.reserved.get(key, 0) + quantity
        self.dirty.add(key)

    def take_dirty(self) -> Iterator[tuple[Key, int, int]]:
        """(key, on hand, reserved) of every key changed since the last call."""
        dirty, self.dirty = self.dirty, set()
        for key in sorted(dirty):
            yield key, self.on_hand.get(key, 0), self.reserved.get(key, 0)
