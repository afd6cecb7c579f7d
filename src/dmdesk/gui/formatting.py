"""How values look in the app: exact quantities without trailing zeros, money with two places,
times in the user's local zone, stored words (enum values, tag lists) as people say them."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from PySide6.QtCore import QCoreApplication, QDate

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


# Every stored enum value, as people say it. Marked for translation under the "enum" context
# (QCoreApplication.translate("enum", ...) finds them); unknown values fall back to spaces.
_ENUM_TEXT = {
    "own_workshop": "own workshop",
    "micro_producer": "micro producer",
    "warehouse": "warehouse",
    "in_transit": "in transit",
    "active": "active",
    "paused": "paused",
    "offline": "offline",
    "internal": "internal",
    "transit": "transit",
    "organisation": "organisation",
    "person": "person",
    "customer": "customer",
    "producer": "producer",
    "supplier": "supplier",
    "other": "other",
    "draft": "draft",
    "released": "released",
    "in_progress": "in progress",
    "on_hold": "on hold",
    "done": "done",
    "cancelled": "cancelled",
}


def enum_label(value: object) -> str:
    """``micro_producer`` -> "micro producer" (translated); empty for None."""
    if value is None or value == "":
        return ""
    raw = str(value)
    return QCoreApplication.translate("enum", _ENUM_TEXT.get(raw, raw.replace("_", " ")))


def enum_items(enum: type[StrEnum], exclude: Iterable[str] = ()) -> list[tuple[str, Any]]:
    """(label, value) pairs for a combo box, in the enum's order."""
    skip = set(exclude)
    return [(enum_label(item.value), item.value) for item in enum if item.value not in skip]


def tags_label(value: object) -> str:
    """The stored tag list ``cnc,laser-cut`` (or a tuple of tags) as "cnc, laser-cut"."""
    if isinstance(value, str):
        tags: Iterable[object] = value.split(",")
    elif isinstance(value, Iterable):
        tags = value
    else:
        return ""
    return ", ".join(str(tag).strip() for tag in tags if str(tag).strip())


def pages_text(count: int) -> str:
    """"1 page", "3 pages" (translated), not "3 page(s)"."""
    if count == 1:
        return QCoreApplication.translate("count", "1 page")
    return QCoreApplication.translate("count", "{0} pages").format(count)
