"""Exact quantities and money.

Quantities are stored as integers in thousandths and money in ten-thousandths (see
``dmdesk.db.types``); in Python they are ``Decimal``. Floats are refused outright: a float
such as 0.1 is not the number the user typed, and a ledger must add up to the last digit.
"""

from __future__ import annotations

from decimal import ROUND_CEILING, Decimal, InvalidOperation

from dmdesk.domain.errors import ValidationError

QUANTITY_PLACES = 3
MONEY_PLACES = 4
QUANTITY_SCALE = 10**QUANTITY_PLACES
MONEY_SCALE = 10**MONEY_PLACES
# Largest magnitude that still fits a signed 64-bit integer once scaled, with headroom for sums.
_MAX_ABS = Decimal(10) ** 12

Number = Decimal | int | str


def _to_decimal(value: object, what: str, field: str | None) -> Decimal:
    if isinstance(value, bool | float):
        kind = "a true/false value" if isinstance(value, bool) else "a floating-point number"
        raise ValidationError(
            f"{what} must be an exact number (a Decimal, an integer or text such as '2.5'), "
            f"not {kind} ({value!r}).",
            field=field,
        )
    if isinstance(value, Decimal):
        number = value
    elif isinstance(value, int):
        number = Decimal(value)
    elif isinstance(value, str):
        try:
            number = Decimal(value.strip())
        except InvalidOperation:
            raise ValidationError(f"{what} '{value}' is not a number.", field=field) from None
    else:
        raise ValidationError(
            f"{what} must be a number, not {type(value).__name__}.", field=field
        )
    if not number.is_finite():
        raise ValidationError(f"{what} must be a finite number, not {value}.", field=field)
    if abs(number) >= _MAX_ABS:
        raise ValidationError(f"{what} {value} is too large.", field=field)
    return number


def _check_places(number: Decimal, places: int, what: str, raw: object, field: str | None) -> None:
    exponent = number.normalize().as_tuple().exponent
    if isinstance(exponent, int) and -exponent > places:
        raise ValidationError(
            f"{what} {raw} has more than {places} decimal places; "
            f"round it to at most {places} places.",
            field=field,
        )


def quantity(value: object, *, what: str = "Quantity", field: str | None = "quantity",
             allow_zero: bool = False, allow_negative: bool = False) -> Decimal:
    """Parse a quantity: exact, at most three decimals, positive unless told otherwise."""
    number = _to_decimal(value, what, field)
    _check_places(number, QUANTITY_PLACES, what, value, field)
    if number < 0 and not allow_negative:
        raise ValidationError(f"{what} must not be negative (got {value}).", field=field)
    if number == 0 and not allow_zero:
        raise ValidationError(f"{what} must be greater than zero.", field=field)
    return number.quantize(Decimal(1).scaleb(-QUANTITY_PLACES))


def money(value: object, *, what: str = "Amount", field: str | None = None,
          allow_negative: bool = False) -> Decimal:
    """Parse an amount of money: exact, at most four decimals, not negative by default."""
    number = _to_decimal(value, what, field)
    _check_places(number, MONEY_PLACES, what, value, field)
    if number < 0 and not allow_negative:
        raise ValidationError(f"{what} must not be negative (got {value}).", field=field)
    return number.quantize(Decimal(1).scaleb(-MONEY_PLACES))


def percent(value: object, *, what: str = "Percentage", field: str | None = None) -> Decimal:
    """A percentage between 0 and 100 (inclusive of 0, exclusive of 100), three decimals."""
    number = quantity(value, what=what, field=field, allow_zero=True)
    if number >= 100:
        raise ValidationError(f"{what} must be below 100 (got {value}).", field=field)
    return number


def whole_number_required(number: Decimal, unit: str, what: str = "Quantity") -> None:
    """Counted units (pieces, sets) take whole numbers only."""
    if number != number.to_integral_value():
        raise ValidationError(
            f"{what} {format_quantity(number)} {unit} must be a whole number: "
            f"'{unit}' is counted in whole units.",
            field="quantity",
        )


def to_scaled(number: Decimal, scale: int) -> int:
    """Decimal -> scaled integer, refusing anything that would lose digits."""
    scaled = number * scale
    if scaled != scaled.to_integral_value():
        raise ValidationError(f"{number} cannot be stored exactly (too many decimal places).")
    return int(scaled)


def from_scaled(value: int, scale: int, places: int) -> Decimal:
    return (Decimal(value) / scale).quantize(Decimal(1).scaleb(-places))


def format_quantity(number: Decimal) -> str:
    """'12.500' -> '12.5', '3.000' -> '3': what a person writes."""
    text = f"{number.normalize():f}"
    return text if text != "-0" else "0"


def required_with_scrap(per_unit: Decimal, units: Decimal, scrap_pct: Decimal, *,
                        whole: bool = False) -> Decimal:
    """Component quantity for ``units`` of the parent, allowing for scrap, rounded up: to
    three places, or to a whole number when the component's unit is counted (``whole``).

    Rounding up keeps the pick list from coming up a hair (or a piece) short.
    """
    raw = per_unit * units * (Decimal(100) + scrap_pct) / Decimal(100)
    required = raw.quantize(Decimal(1).scaleb(-QUANTITY_PLACES), rounding=ROUND_CEILING)
    return required.to_integral_value(rounding=ROUND_CEILING) if whole else required
