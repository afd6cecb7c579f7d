"""The hybrid logical clock: never backwards on one site, always after what it has seen."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dmdesk.domain.errors import ValidationError
from dmdesk.domain.hlc import HLC, HybridClock
from tests.unit.conftest import FakeWallClock


def test_stamps_follow_the_wall_clock_when_it_moves_forward(wall: FakeWallClock) -> None:
    clock = HybridClock("LIS", wall)
    first = clock.now()
    wall.set(wall.ms + 5)
    second = clock.now()
    assert first == HLC(1_700_000_000_000, 0, "LIS")
    assert second == HLC(1_700_000_000_005, 0, "LIS")
    assert clock.last == second


def test_stamps_in_the_same_millisecond_count_up(wall: FakeWallClock) -> None:
    clock = HybridClock("LIS", wall)
    stamps = [clock.now() for _ in range(3)]
    assert [s.counter for s in stamps] == [0, 1, 2]
    assert stamps == sorted(stamps)


def test_monotonic_even_when_the_wall_clock_goes_backwards(wall: FakeWallClock) -> None:
    clock = HybridClock("LIS", wall)
    stamps = [clock.now() for _ in wall.play([1000, 1000, 400, 50, 999, 1001, 10, 1001])]
    for earlier, later in itertools.pairwise(stamps):
        assert later > earlier
        assert later.encode() > earlier.encode()
    # while the wall clock lagged, the stamps stayed on the highest wall time seen
    assert stamps[2].wall_ms == 1000
    assert stamps[-1].wall_ms == 1001


def test_a_clock_resumed_from_a_saved_stamp_does_not_go_backwards(wall: FakeWallClock) -> None:
    saved = HLC(wall.ms + 60_000, 7, "LIS")  # saved while the clock was a minute ahead
    clock = HybridClock("LIS", wall, last=saved)
    assert clock.now() > saved


@pytest.mark.parametrize("remote_offset", [-10_000, 0, 10_000])
def test_observe_orders_after_the_remote_stamp(wall: FakeWallClock, remote_offset: int) -> None:
    clock = HybridClock("LIS", wall)
    local = clock.now()
    remote = HLC(wall.ms + remote_offset, 3, "POR")
    merged = clock.observe(remote)
    assert merged > remote
    assert merged > local
    assert merged.site == "LIS"
    assert clock.now() > merged


def test_observe_of_a_stamp_from_the_future_keeps_later_stamps_after_it(
        wall: FakeWallClock) -> None:
    clock = HybridClock("LIS", wall)
    remote = HLC(wall.ms + 3_600_000, 41, "POR")
    assert clock.observe(remote) == HLC(remote.wall_ms, 42, "LIS")
    assert clock.now() == HLC(remote.wall_ms, 43, "LIS")


def test_observe_with_equal_wall_times_takes_the_larger_counter(wall: FakeWallClock) -> None:
    clock = HybridClock("LIS", wall)
    clock.now()
    clock.now()  # counter 1
    merged = clock.observe(HLC(wall.ms, 9, "ZZZ"))
    assert merged == HLC(wall.ms, 10, "LIS")
    merged = clock.observe(HLC(wall.ms, 2, "AAA"))
    assert merged == HLC(wall.ms, 11, "LIS")


def test_encode_decode_round_trip() -> None:
    stamp = HLC(1_700_000_000_123, 45, "POR2")
    assert stamp.encode() == "001700000000123-000000045-POR2"
    assert HLC.decode(stamp.encode()) == stamp
    assert HLC.decode("000000000000001-000000000-A-B") == HLC(1, 0, "A-B")


def test_text_order_is_stamp_order_past_a_hundred_thousand_ticks() -> None:
    low, high = HLC(5, 99_999, "A"), HLC(5, 100_000, "A")
    assert low < high and low.encode() < high.encode()


@pytest.mark.parametrize("text", ["", "abc", "1-2", "x-1-LIS", "1-y-LIS"])
def test_decode_refuses_what_is_not_a_stamp(text: str) -> None:
    with pytest.raises(ValidationError, match="not a hybrid logical clock stamp"):
        HLC.decode(text)


STAMPS = st.builds(HLC, st.integers(0, 10**15 - 1), st.integers(0, 99_999),
                   st.from_regex(r"\A[A-Z][A-Z0-9]{1,5}\Z"))


@given(st.lists(STAMPS, min_size=2, max_size=20))
def test_the_text_form_sorts_like_the_stamp(stamps: list[HLC]) -> None:
    assert sorted(stamps, key=HLC.encode) == sorted(stamps)


Step = tuple[int, tuple[int, str] | None]  # (wall ms, None for now() or (skew, site) to observe)


@given(st.lists(st.tuples(
    st.integers(0, 10**13),
    st.one_of(st.none(), st.tuples(st.integers(-500, 500), st.sampled_from(["AAA", "ZZZ"]))),
), min_size=1, max_size=40))
def test_random_clock_histories_stay_strictly_increasing(script: list[Step]) -> None:
    wall = FakeWallClock(0)
    clock = HybridClock("LIS", wall)
    previous = clock.last
    for wall_ms, remote_spec in script:
        wall.set(wall_ms)
        if remote_spec is None:
            stamp = clock.now()
        else:
            skew, site = remote_spec
            remote = HLC(max(wall_ms + skew, 0), abs(skew) % 50, site)
            stamp = clock.observe(remote)
            assert stamp > remote
        assert stamp > previous
        assert stamp.encode() > previous.encode()
        previous = stamp
