"""Field validators shared by the create/edit services: each returns the clean value or raises
a ValidationError that names the field."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any

from dmdesk.domain.errors import ValidationError
from dmdesk.domain.quantity import money, quantity

Validator = Callable[[Any, str], Any]


def text(max_len: int, *, required: bool = False) -> Validator:
    def check(value: Any, field: str) -> str:
        if value is None:
            value = ""
        if not isinstance(value, str):
            raise ValidationError(f"{field} must be text, not {type(value).__name__}.",
                                  field=field)
        cleaned: str = value.strip()
        if required and not cleaned:
            raise ValidationError(f"{field} is required.", field=field)
        if len(cleaned) > max_len:
            raise ValidationError(f"{field} is too long ({len(cleaned)} characters; at most "
                                  f"{max_len}).", field=field)
        return cleaned
    return check


def choice(enum: type[StrEnum]) -> Validator:
    def check(value: Any, field: str) -> str:
        try:
            return enum(value).value
        except ValueError:
            options = ", ".join(e.value for e in enum)
            raise ValidationError(f"{field} '{value}' is not one of: {options}.",
                                  field=field) from None
    return check


def coordinate(limit: float) -> Validator:
    def check(value: Any, field: str) -> float | None:
        if value is None or value == "":
            return None
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise ValidationError(f"{field} '{value}' is not a number.", field=field) from None
        if math.isnan(number) or not -limit <= number <= limit:
            raise ValidationError(f"{field} must be between -{limit} and {limit}.", field=field)
        return number
    return check


def qty(*, allow_zero: bool = True) -> Validator:
    def check(value: Any, field: str) -> Decimal:
        return quantity(value, what=field, field=field, allow_zero=allow_zero)
    return check


def amount() -> Validator:
    def check(value: Any, field: str) -> Decimal:
        return money(value, what=field, field=field)
    return check


def integer(low: int, high: int) -> Validator:
    def check(value: Any, field: str) -> int:
        if isinstance(value, bool) or not isinstance(value, int | str):
            raise ValidationError(f"{field} must be a whole number.", field=field)
        try:
            number = int(value)
        except ValueError:
            raise ValidationError(f"{field} '{value}' is not a whole number.",
                                  field=field) from None
        if not low <= number <= high:
            raise ValidationError(f"{field} must be between {low} and {high}.", field=field)
        return number
    return check


def flag() -> Validator:
    def check(value: Any, field: str) -> bool:
        if not isinstance(value, bool):
            raise ValidationError(f"{field} must be true or false.", field=field)
        return value
    return check


def a_date() -> Validator:
    def check(value: Any, field: str) -> date:
        if isinstance(value, date):
            return value
        if isinstance(value, str):
            try:
                return date.fromisoformat(value.strip())
            except ValueError:
                pass
        raise ValidationError(f"{field} '{value}' is not a date (use YYYY-MM-DD).",
                              field=field)
    return check


def tags() -> Validator:
    """A set of short lowercase words (capabilities), stored sorted and comma-separated."""
    def check(value: Any, field: str) -> str:
        items: Iterable[Any] = value.split(",") if isinstance(value, str) else value or []
        words = sorted({str(item).strip().lower() for item in items if str(item).strip()})
        for word in words:
            if not all(ch.isalnum() or ch in "-_" for ch in word) or len(word) > 40:
                raise ValidationError(f"{field}: '{word}' is not a valid tag (letters, digits, "
                                      "- and _ only).", field=field)
        return ",".join(words)
    return check


def clean(spec: dict[str, Validator], values: dict[str, Any], *, what: str,
          require: Iterable[str] = ()) -> dict[str, Any]:
    """Validate ``values`` against ``spec``; unknown names and missing required ones refused."""
    unknown = set(values) - set(spec)
    if unknown:
        raise ValidationError(f"A {what} has no field {', '.join(sorted(unknown))}.")
    missing = [name for name in require if name not in values]
    if missing:
        raise ValidationError(f"A {what} needs {', '.join(missing)}.", field=missing[0])
    return {name: spec[name](value, name) for name, value in values.items()}
