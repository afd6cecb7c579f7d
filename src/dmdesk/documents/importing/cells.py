"""Turning cell values (text from CSV; numbers, dates, booleans from .xlsx) into field values.

Each parser returns the clean value or raises CellError with a message for the user. Numbers
stay exact: a float from a workbook cell becomes the Decimal of its shortest repr, i.e. what the
spreadsheet displays (0.1, not 0.1000000000000000055...).

Percentages: a workbook cell formatted as a percentage shows "10%" and holds 0.1; the reader
marks such numbers (``PercentNumber``) and ``as_percent`` reads them as the 10 the user sees.
In CSV text, "10%" and "10" both mean 10 percent.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any


class CellError(Exception):
    """A value that cannot be used; the message is for the user."""


def is_empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def as_text(value: Any, max_len: int = 4000) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        text = "yes" if value else "no"
    elif isinstance(value, float) and value.is_integer():
        text = str(int(value))  # an SKU like 1001 typed into a number cell
    elif isinstance(value, datetime | date):
        text = value.isoformat()
    else:
        text = str(value).strip()
    if len(text) > max_len:
        raise CellError(f"is too long ({len(text)} characters; at most {max_len}).")
    return text


def as_decimal(value: Any) -> Decimal:
    if isinstance(value, bool | datetime | date):
        raise CellError(f"'{value}' is not a number.")
    if isinstance(value, float):
        value = repr(value)
    if isinstance(value, int | Decimal):
        return Decimal(value)
    text = str(value).strip().replace("\u00a0", "").replace(" ", "")
    if text.endswith("%"):
        text = text[:-1]
    try:
        number = Decimal(text)
    except InvalidOperation:
        hint = " (write decimals with a point: 2.5)" if "," in text else ""
        raise CellError(f"'{value}' is not a number{hint}.") from None
    if not number.is_finite():
        raise CellError(f"'{value}' is not a finite number.")
    return number


class PercentNumber(float):
    """A workbook number formatted as a percentage: holds 0.1 where the sheet shows 10%.

    Elsewhere it is the plain number it holds (a quantity cell someone formatted as a
    percentage imports as before); only ``as_percent`` scales it."""

    __slots__ = ()


def as_percent(value: Any) -> Decimal:
    """A percentage as the user sees it: 10 from a cell showing 10% (holding 0.1), from the
    text "10%", or from a plain 10."""
    if isinstance(value, PercentNumber):
        return as_decimal(float(value)) * 100  # via the shortest repr: 0.07 -> 7.00, exact
    return as_decimal(value)


def as_int(value: Any) -> int:
    number = as_decimal(value)
    if number != number.to_integral_value():
        raise CellError(f"'{value}' is not a whole number.")
    return int(number)


_TRUE = {"yes", "y", "true", "t", "1", "x", "ja", "oui", "si", "sí"}
_FALSE = {"no", "n", "false", "f", "0", "", "nein", "non"}


def as_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    text = as_text(value).casefold()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise CellError(f"'{value}' is not yes or no.")
