"""Demand forecasts from a short monthly series: moving average and simple exponential
smoothing. Pure functions on Decimals, so the figures are exact and testable by hand.

A series is the demand of consecutive months, oldest first. Both methods give a flat forecast:
the demand expected in each coming month.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from dmdesk.domain.errors import ValidationError

PLACES = Decimal("0.001")


def month_start(day: date) -> date:
    return day.replace(day=1)


def add_months(month: date, count: int) -> date:
    """The first day of the month ``count`` months after ``month`` (count may be negative)."""
    index = month.year * 12 + month.month - 1 + count
    return date(index // 12, index % 12 + 1, 1)


def monthly_series(points: Iterable[tuple[date, Decimal]], last_month: date,
                   months: int) -> list[Decimal]:
    """Sum dated quantities into ``months`` monthly buckets ending with ``last_month``
    (included), oldest first; months without demand are zero, points outside are ignored."""
    if months < 1:
        raise ValidationError("A series needs at least one month.", field="months")
    first = add_months(month_start(last_month), -(months - 1))
    buckets = [Decimal(0)] * months
    for day, qty in points:
        index = (day.year - first.year) * 12 + day.month - first.month
        if 0 <= index < months:
            buckets[index] += qty
    return buckets


def moving_average(series: Sequence[Decimal], window: int = 3) -> Decimal:
    """The mean of the last ``window`` months (of all of them if the series is shorter)."""
    if window < 1:
        raise ValidationError("The moving-average window must be at least one month.",
                              field="window")
    if not series:
        return Decimal(0)
    tail = series[-window:]
    return (sum(tail, Decimal(0)) / len(tail)).quantize(PLACES, rounding=ROUND_HALF_UP)


def exponential_smoothing(series: Sequence[Decimal], alpha: Decimal = Decimal("0.3")
                          ) -> Decimal:
    """Simple exponential smoothing: level = alpha * demand + (1 - alpha) * level, starting
    from the first month's demand; the forecast is the last level."""
    if not Decimal(0) < alpha <= Decimal(1):
        raise ValidationError("The smoothing factor must be above 0 and at most 1.",
                              field="alpha")
    if not series:
        return Decimal(0)
    level = series[0]
    for demand in series[1:]:
        level = alpha * demand + (1 - alpha) * level
    return level.quantize(PLACES, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Forecast:
    method: str  # "moving average (3 months)" / "exponential smoothing (alpha 0.3)"
    per_month: Decimal
    series: tuple[Decimal, ...]

    def over(self, months: int) -> Decimal:
        return self.per_month * months


def forecast(series: Sequence[Decimal], method: str = "ses", *, window: int = 3,
             alpha: Decimal = Decimal("0.3")) -> Forecast:
    """The monthly demand forecast by ``method``: "ses" (exponential smoothing) or "ma"."""
    if method == "ma":
        return Forecast(f"moving average ({window} months)", moving_average(series, window),
                        tuple(series))
    if method == "ses":
        return Forecast(f"exponential smoothing (alpha {alpha})",
                        exponential_smoothing(series, alpha), tuple(series))
    raise ValidationError(f"Unknown forecast method {method!r}: use 'ma' or 'ses'.",
                          field="method")
