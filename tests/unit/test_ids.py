"""UUIDv7 ids: RFC 9562 layout, strictly increasing, and no drift ahead of the clock under a
bulk load."""

from __future__ import annotations

import itertools
import time
import uuid

from dmdesk.db.ids import new_id


def test_ids_are_version_7_with_the_rfc_variant() -> None:
    value = new_id()
    assert value.version == 7
    assert value.variant == uuid.RFC_4122


def test_ids_strictly_increase_and_never_repeat() -> None:
    ids = [new_id() for _ in range(50_000)]
    assert all(a.int < b.int for a, b in itertools.pairwise(ids))


def test_a_bulk_load_does_not_push_timestamps_into_the_future() -> None:
    ids = [new_id() for _ in range(200_000)]
    stamped_ms = ids[-1].int >> 80
    now_ms = time.time_ns() // 1_000_000
    # One id per millisecond (as some generators do) would be 200 s ahead here.
    assert stamped_ms <= now_ms + 50
