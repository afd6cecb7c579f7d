"""Forecasts on a known series, with figures worked out by hand; great-circle distances."""

from __future__ import annotations

import math
from datetime import date
from decimal import Decimal

import pytest

from dmdesk.domain.errors import ValidationError
from dmdesk.domain.forecast import (
    add_months,
    exponential_smoothing,
    forecast,
    monthly_series,
    moving_average,
)
from dmdesk.domain.geo import distance_km, haversine_km

SERIES = [Decimal(10), Decimal(20), Decimal(30), Decimal(40)]


def test_moving_average_by_hand() -> None:
    assert moving_average(SERIES, 3) == Decimal("30.000")   # (20 + 30 + 40) / 3
    assert moving_average(SERIES, 2) == Decimal("35.000")   # (30 + 40) / 2
    assert moving_average(SERIES, 12) == Decimal("25.000")  # shorter series: all of it
    assert moving_average([Decimal(1), Decimal(1), Decimal(2)], 3) == Decimal("1.333")
    assert moving_average([], 3) == 0


def test_exponential_smoothing_by_hand() -> None:
    # alpha 0.5: 10 -> 15 -> 22.5 -> 31.25
    assert exponential_smoothing(SERIES, Decimal("0.5")) == Decimal("31.250")
    # alpha 0.3: 10 -> 13 -> 18.1 -> 24.67
    assert exponential_smoothing(SERIES, Decimal("0.3")) == Decimal("24.670")
    # alpha 1 is the last value; a one-month series is its own forecast.
    assert exponential_smoothing(SERIES, Decimal(1)) == 40
    assert exponential_smoothing([Decimal(7)]) == 7


def test_forecast_names_its_method() -> None:
    assert forecast(SERIES, "ma", window=2).method == "moving average (2 months)"
    ses = forecast(SERIES, "ses", alpha=Decimal("0.5"))
    assert ses.method == "exponential smoothing (alpha 0.5)"
    assert ses.per_month == Decimal("31.250") and ses.over(3) == Decimal("93.750")


def test_monthly_buckets() -> None:
    points = [(date(2026, 1, 15), Decimal(5)), (date(2026, 1, 31), Decimal(2)),
              (date(2026, 3, 1), Decimal(4)), (date(2025, 12, 31), Decimal(99)),
              (date(2026, 5, 1), Decimal(99))]
    assert monthly_series(points, date(2026, 4, 1), 4) == [7, 0, 4, 0]
    assert add_months(date(2026, 1, 1), -1) == date(2025, 12, 1)
    assert add_months(date(2026, 11, 1), 2) == date(2027, 1, 1)


@pytest.mark.parametrize(("call", "message"), [
    (lambda: moving_average(SERIES, 0), "window must be at least one month"),
    (lambda: exponential_smoothing(SERIES, Decimal(0)), "smoothing factor"),
    (lambda: exponential_smoothing(SERIES, Decimal("1.5")), "smoothing factor"),
    (lambda: forecast(SERIES, "crystal ball"), "Unknown forecast method 'crystal ball'"),
    (lambda: monthly_series([], date(2026, 1, 1), 0), "at least one month"),
])
def test_bad_parameters_are_refused(call: object, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        call()  # type: ignore[operator]


def test_haversine_distances() -> None:
    # One degree of longitude on the equator: 2 pi R / 360.
    assert haversine_km(0, 0, 0, 1) == pytest.approx(2 * math.pi * 6371.0088 / 360)
    assert haversine_km(48.8566, 2.3522, 51.5074, -0.1278) == pytest.approx(343.5, abs=0.5)
    assert haversine_km(38.7223, -9.1393, 41.1579, -8.6291) == pytest.approx(274, abs=1)
    assert haversine_km(10, 20, 10, 20) == 0
    assert haversine_km(0, 0, 0, 180) == pytest.approx(math.pi * 6371.0088)  # antipodes
    assert distance_km((None, 1.0), (0.0, 0.0)) is None
