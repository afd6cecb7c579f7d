"""Which stock a need takes: walk the slots in the order given, take from each what it has
until the need is met.

One rule for every place that picks stock (reserving at release, consuming at completion,
shipping for a customer order, bringing components in, the job sheet's planned pick list and
the demo builders), so what a draft's job sheet shows is what release then reserves. The
order of the slots is the caller's (oldest lot first, then location code, as the free-stock
query gives them); the rule itself has no preference.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Generic, NamedTuple, TypeVar

Where = TypeVar("Where")  # a location (id or code, or a whole stock key)
Lot = TypeVar("Lot")  # a lot (id or code), or None for stock without one
# Decimals for real quantities; scaled integers on the demo's bulk path.
Qty = TypeVar("Qty", Decimal, int)


class Taken(NamedTuple, Generic[Where, Lot, Qty]):
    takes: list[tuple[Where, Lot, Qty]]  # (location, lot, quantity taken), in slot order
    remainder: Qty  # what the slots could not cover (0 when the need is met)


def take_in_order(slots: Iterable[tuple[Where, Lot, Qty]], need: Qty) -> Taken[Where, Lot, Qty]:
    """Take ``need`` from ``slots`` (location, lot, available), first slot first.

    A slot with nothing available (or less than nothing, when reservations exceed what is
    on hand) is passed over; a need of zero or less takes nothing."""
    takes: list[tuple[Where, Lot, Qty]] = []
    if need > 0:
        for location, lot, available in slots:
            if available <= 0:
                continue
            amount = min(available, need)
            takes.append((location, lot, amount))
            need -= amount
            if need <= 0:  # stop here: a lazy caller's next slot is never read
                break
    # need - need: a zero of the caller's type (Decimal or int), never a Decimal('-0').
    return Taken(takes, need if need > 0 else need - need)
