"""domain.stock_take: a need takes from the slots in the order given until it is met."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from dmdesk.domain.stock_take import take_in_order

D = Decimal


def test_takes_whole_slots_first_then_part_of_the_next_and_stops() -> None:
    slots = [("A", "L1", D("3")), ("B", None, D("5")), ("C", "L2", D("9"))]
    takes, remainder = take_in_order(slots, D("6.5"))
    assert takes == [("A", "L1", D("3")), ("B", None, D("3.5"))]
    assert remainder == 0


def test_what_the_slots_cannot_cover_is_the_remainder() -> None:
    takes, remainder = take_in_order([("A", None, D("2")), ("B", None, D("1.25"))], D("5"))
    assert takes == [("A", None, D("2")), ("B", None, D("1.25"))]
    assert remainder == D("1.75")


def test_empty_and_overdrawn_slots_are_passed_over() -> None:
    slots = [("A", None, D("0")), ("B", None, D("-2")), ("C", None, D("4"))]
    assert take_in_order(slots, D("1")).takes == [("C", None, D("1"))]


def test_no_need_takes_nothing_and_leaves_nothing() -> None:
    for need in (D("0"), D("-3")):
        takes, remainder = take_in_order([("A", None, D("2"))], need)
        assert takes == [] and remainder == 0 and str(remainder) == "0"
    assert take_in_order([], D("4")) == ([], D("4"))


def test_integers_of_the_bulk_path_stay_integers() -> None:
    takes, remainder = take_in_order([(1, 7, 300), (2, -1, 500)], 600)
    assert takes == [(1, 7, 300), (2, -1, 300)] and remainder == 0
    assert all(type(q) is int for *_, q in takes) and type(remainder) is int


def test_a_generator_is_read_only_as_far_as_the_need_goes() -> None:
    read = []

    def slots():  # type: ignore[no-untyped-def]
        for index in range(10):
            read.append(index)
            yield index, None, 2

    assert take_in_order(slots(), 3).takes == [(0, None, 2), (1, None, 1)]
    assert read == [0, 1]


@given(st.lists(st.integers(-5, 20), max_size=12), st.integers(-5, 200))
def test_takes_plus_remainder_make_the_need_and_no_slot_gives_more_than_it_has(
        available: list[int], need: int) -> None:
    slots = [(index, None, amount) for index, amount in enumerate(available)]
    takes, remainder = take_in_order(slots, need)
    taken = sum(q for *_, q in takes)
    assert taken + remainder == max(need, 0)
    assert all(0 < q <= available[i] for i, _, q in takes)
    assert [i for i, *_ in takes] == sorted(i for i, *_ in takes)  # in slot order
    # a remainder only when every slot with stock was emptied
    if remainder > 0:
        assert taken == sum(a for a in available if a > 0)
