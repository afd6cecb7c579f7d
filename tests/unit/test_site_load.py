"""A site's queued work: minutes due on or before a date, and work added while planning."""

from __future__ import annotations

from datetime import date

from dmdesk.queries.network_snapshot import SiteLoad

D1, D2, D3 = date(2030, 1, 1), date(2030, 1, 8), date(2030, 1, 15)


def test_before_sums_work_due_up_to_the_date() -> None:
    load = SiteLoad([D1, D2], [60.0, 150.0])  # 60 min due D1, 90 min due D2
    assert load.before(date(2029, 12, 31)) == 0
    assert load.before(D1) == 60 and load.before(D2) == 150 and load.before(D3) == 150


def test_added_work_counts_from_its_due_date_on() -> None:
    load = SiteLoad([D1, D3], [60.0, 150.0])
    load.add(D2, 30.0)
    assert load.dues == [D1, D2, D3]
    assert load.totals == [60.0, 90.0, 180.0]
    load.add(date(2029, 12, 1), 10.0)  # earlier than everything: everything moves
    assert load.before(D1) == 70 and load.before(D3) == 190
    empty = SiteLoad()
    empty.add(D2, 5.0)
    assert empty.before(D2) == 5 and empty.before(D1) == 0
