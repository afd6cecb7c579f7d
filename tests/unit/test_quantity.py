"""Exact quantities and money: what is accepted, what is refused, and how it is rounded."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dmdesk.domain.errors import DomainError, ValidationError
from dmdesk.domain.quantity import (
    MONEY_SCALE,
    QUANTITY_SCALE,
    format_quantity,
    from_scaled,
    money,
    percent,
    quantity,
    required_with_scrap,
    to_scaled,
    whole_number_required,
)

# --- quantity ------------------------------------------------------------------------------


@pytest.mark.parametrize("value", [0.1, 1.5, 2.0, -3.0, 1e-3])
def test_floats_are_refused(value: float) -> None:
    with pytest.raises(ValidationError, match="floating-point") as caught:
        quantity(value)
    assert caught.value.field == "quantity"


@pytest.mark.parametrize("value", [True, False])
def test_booleans_are_refused_although_they_are_ints(value: bool) -> None:
    with pytest.raises(ValidationError, match="true/false"):
        quantity(value, allow_zero=True)


@pytest.mark.parametrize("value", [
    Decimal("NaN"), Decimal("sNaN"), Decimal("Infinity"), Decimal("-Infinity"),
    "nan", "NaN", "inf", "-inf", "Infinity",
])
def test_nan_and_infinity_are_refused(value: object) -> None:
    with pytest.raises(ValidationError, match="finite"):
        quantity(value, allow_negative=True, allow_zero=True)


@pytest.mark.parametrize("value", ["1.2345", Decimal("0.0001"), "-2.5001", "3.14159"])
def test_more_than_three_places_is_refused(value: object) -> None:
    with pytest.raises(ValidationError, match="more than 3 decimal places"):
        quantity(value, allow_negative=True)


@pytest.mark.parametrize(("value", "expected"), [
    ("1.2340", Decimal("1.234")),         # trailing zeros are not precision
    ("1.23400000", Decimal("1.234")),
    (Decimal("5.000"), Decimal("5")),
    ("1e2", Decimal("100")),
    ("0.001", Decimal("0.001")),
])
def test_trailing_zeros_do_not_count_as_places(value: object, expected: Decimal) -> None:
    assert quantity(value) == expected


@pytest.mark.parametrize("value", [-1, "-0.5", Decimal("-0.001")])
def test_negatives_are_refused_by_default(value: object) -> None:
    with pytest.raises(ValidationError, match="must not be negative"):
        quantity(value)


def test_negatives_are_accepted_when_allowed() -> None:
    assert quantity("-2.5", allow_negative=True) == Decimal("-2.5")
    assert quantity(-7, allow_negative=True) == Decimal(-7)


def test_zero_is_refused_unless_allowed() -> None:
    with pytest.raises(ValidationError, match="greater than zero"):
        quantity(0)
    with pytest.raises(ValidationError, match="greater than zero"):
        quantity("0.000")
    assert quantity(0, allow_zero=True) == 0


@pytest.mark.parametrize(("value", "expected"), [
    ("2.5", Decimal("2.5")), (" 2.5 ", Decimal("2.5")), ("7", Decimal(7)),
    ("0.125", Decimal("0.125")), (Decimal("3.3"), Decimal("3.3")), (12, Decimal(12)),
])
def test_strings_decimals_and_ints_are_accepted(value: object, expected: Decimal) -> None:
    result = quantity(value)
    assert result == expected
    assert isinstance(result, Decimal)
    # Always three places, so the TypeDecorator can store it exactly.
    assert result.as_tuple().exponent == -3


@pytest.mark.parametrize("value", ["abc", "", "  ", "1,5", "2.5.1", "1/2"])
def test_text_that_is_not_a_number_is_refused(value: str) -> None:
    with pytest.raises(ValidationError, match="is not a number"):
        quantity(value)


@pytest.mark.parametrize("value", [None, [1], {"q": 1}, object()])
def test_other_types_are_refused(value: object) -> None:
    with pytest.raises(ValidationError, match="must be a number"):
        quantity(value)


@pytest.mark.parametrize("value", [10**12, "1000000000000", Decimal("1e12"), "-1e15"])
def test_too_large_is_refused(value: object) -> None:
    with pytest.raises(ValidationError, match="too large"):
        quantity(value, allow_negative=True)


def test_largest_accepted_quantity_still_fits_a_64_bit_integer() -> None:
    biggest = quantity("999999999999.999")
    scaled = to_scaled(biggest, QUANTITY_SCALE)
    assert scaled < 2**63 // 1000  # head-room for sums of many rows
    assert from_scaled(scaled, QUANTITY_SCALE, 3) == biggest


def test_what_and_field_name_the_input_in_the_message() -> None:
    with pytest.raises(ValidationError) as caught:
        quantity("-1", what="Good quantity", field="good")
    assert "Good quantity" in str(caught.value)
    assert caught.value.field == "good"
    assert isinstance(caught.value, DomainError)


@given(st.integers(min_value=-(10**15) + 1, max_value=10**15 - 1))
def test_any_thousandth_round_trips_through_text_and_scaled_storage(thousandths: int) -> None:
    text = str(Decimal(thousandths).scaleb(-3))
    number = quantity(text, allow_zero=True, allow_negative=True)
    assert number * 1000 == thousandths
    assert to_scaled(number, QUANTITY_SCALE) == thousandths
    assert from_scaled(thousandths, QUANTITY_SCALE, 3) == number


# --- whole units -----------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["1.5", "0.001", "2.999"])
def test_counted_units_refuse_fractions(value: str) -> None:
    with pytest.raises(ValidationError, match="whole number") as caught:
        whole_number_required(Decimal(value), "pcs")
    assert "pcs" in str(caught.value)
    assert caught.value.field == "quantity"


@pytest.mark.parametrize("value", ["1", "2.000", "-3.000", "0"])
def test_counted_units_accept_whole_numbers(value: str) -> None:
    whole_number_required(Decimal(value), "pcs")


# --- required with scrap ----------------------------------------------------------------------


@pytest.mark.parametrize(("per_unit", "units", "scrap", "expected"), [
    ("2.5", "4", "10", "11.000"),       # exact
    ("0.333", "1", "10", "0.367"),      # 0.3663 rounds UP, not to nearest
    ("0.001", "1", "0.001", "0.002"),   # 0.00100001 -> a whole extra thousandth
    ("1", "3", "0", "3.000"),
    ("0.75", "7", "5", "5.513"),        # 5.5125 -> 5.513 (half-even would give 5.512)
])
def test_required_with_scrap_rounds_up(per_unit: str, units: str, scrap: str,
                                       expected: str) -> None:
    result = required_with_scrap(Decimal(per_unit), Decimal(units), Decimal(scrap))
    assert result == Decimal(expected)
    assert result.as_tuple().exponent == -3


@given(st.integers(1, 10**6), st.integers(1, 10**4), st.integers(0, 99_999))
def test_required_with_scrap_is_never_short(per_unit_milli: int, units: int,
                                            scrap_milli: int) -> None:
    per_unit = Decimal(per_unit_milli).scaleb(-3)
    scrap = Decimal(scrap_milli).scaleb(-3)
    result = required_with_scrap(per_unit, Decimal(units), scrap)
    exact = per_unit * units * (100 + scrap) / 100
    assert result >= exact
    assert result - exact < Decimal("0.001")


# --- money and percentages ----------------------------------------------------------------------


def test_money_has_four_places() -> None:
    assert money("12.3456") == Decimal("12.3456")
    assert money("19.9").as_tuple().exponent == -4
    with pytest.raises(ValidationError, match="more than 4 decimal places"):
        money("0.00001")


def test_money_refuses_floats_nan_and_negatives() -> None:
    with pytest.raises(ValidationError, match="floating-point"):
        money(9.99)
    with pytest.raises(ValidationError, match="finite"):
        money("NaN")
    with pytest.raises(ValidationError, match="must not be negative"):
        money("-1")
    assert money("-1", allow_negative=True) == Decimal(-1)
    assert money(0) == 0  # a free item is fine


@given(st.integers(-(10**15), 10**15))
def test_money_round_trips_through_scaled_storage(units: int) -> None:
    number = money(str(Decimal(units).scaleb(-4)), allow_negative=True)
    assert to_scaled(number, MONEY_SCALE) == units
    assert from_scaled(units, MONEY_SCALE, 4) == number


def test_percent_is_between_zero_and_below_one_hundred() -> None:
    assert percent("0") == 0
    assert percent("99.999") == Decimal("99.999")
    with pytest.raises(ValidationError, match="below 100"):
        percent(100)
    with pytest.raises(ValidationError, match="negative"):
        percent("-1")


# --- scaled storage and display -------------------------------------------------------------------


def test_to_scaled_refuses_to_lose_digits() -> None:
    with pytest.raises(ValidationError, match="cannot be stored exactly"):
        to_scaled(Decimal("1.0005"), QUANTITY_SCALE)
    assert to_scaled(Decimal("1.0005"), MONEY_SCALE) == 10005


@pytest.mark.parametrize(("value", "shown"), [
    ("12.500", "12.5"), ("3.000", "3"), ("0.000", "0"), ("-0.000", "0"), ("10.000", "10"),
    ("1000000.000", "1000000"), ("0.001", "0.001"), ("-2.250", "-2.25"),
])
def test_format_quantity_writes_what_a_person_would(value: str, shown: str) -> None:
    assert format_quantity(Decimal(value)) == shown


@pytest.mark.parametrize(("per_unit", "units", "scrap", "whole", "expected"), [
    ("0.4", "4", "10", True, "2"),       # 1.760 pieces: two, never 1.76
    ("2", "3", "0", True, "6"),          # already whole: unchanged
    ("0.4", "4", "10", False, "1.760"),  # a measured unit keeps its three places
])
def test_required_with_scrap_rounds_counted_units_up_to_whole_ones(
        per_unit: str, units: str, scrap: str, whole: bool, expected: str) -> None:
    result = required_with_scrap(Decimal(per_unit), Decimal(units), Decimal(scrap), whole=whole)
    assert result == Decimal(expected) and str(result) == expected
