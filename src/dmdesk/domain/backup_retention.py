"""Which backups to keep, by age: the newest of each of the last 7 days that have one, and the
newest of each of the last 4 weeks that have one (as restic's --keep-daily/--keep-weekly).

Days and ISO weeks are counted in local time, where a person's "today" is. Counting days that
have a backup (not calendar days) means a database that rarely changes keeps its older states
too, and the number kept is bounded (at most daily + weekly files), so the disk they use is.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from datetime import date, datetime

KEEP_DAILY = 7
KEEP_WEEKLY = 4


def local_day(stamp: datetime) -> date:
    return stamp.astimezone().date()


def _iso_week(stamp: datetime) -> tuple[int, int]:
    year, week, _ = stamp.astimezone().isocalendar()
    return year, week


def _newest_per_bucket(newest_first: list[datetime], bucket: Callable[[datetime], Hashable],
                       count: int) -> set[datetime]:
    kept: set[datetime] = set()
    seen: set[Hashable] = set()
    for stamp in newest_first:
        key = bucket(stamp)
        if key in seen:
            continue
        if len(seen) == count:
            break
        seen.add(key)
        kept.add(stamp)
    return kept


def stamps_to_keep(stamps: Iterable[datetime], *, daily: int = KEEP_DAILY,
                   weekly: int = KEEP_WEEKLY) -> set[datetime]:
    """The backup times (timezone-aware) to keep; the others may be deleted."""
    newest_first = sorted(set(stamps), reverse=True)
    return (_newest_per_bucket(newest_first, local_day, daily)
            | _newest_per_bucket(newest_first, _iso_week, weekly))
