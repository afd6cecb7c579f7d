"""How values look in the app: exact quantities without trailing zeros, money with two places,
times in the user's local zone."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from PySide6.QtCore import QDate

from dmdesk.domain.quantity import format_quantity

NUMERIC_KINDS = frozenset({"qty", "money", "int"})


def display(value: Any, kind: str) -> str:
    if value is None:
        return ""
    if kind == "qty" and isinstance(value, Decimal):
        return format_quantity(value)
    if kind == "money" and isinstance(value, Decimal):
        return f"{value:,.2f}"
    if kind == "bool":
        return "✓" if value else ""
    if isinstance(value, datetime):
        # Stored in UTC, shown in the user's zone; ISO order reads the same in every locale.
        return value.astimezone().strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str):
        # Stored vocabulary ("micro_producer", "in_progress") reads as words.
        return value.replace("_", " ") if kind == "enum" else value
    return str(value)


def to_qdate(day: date) -> QDate:
    """A QDate for a Python date (not every PySide6 release takes a date in QDate())."""
    return QDate(day.year, day.month, day.day)
