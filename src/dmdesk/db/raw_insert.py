"""Inserting many rows at driver speed, with values encoded exactly as the column types would.

The ledger writes thousands of moves per call; passing each value through SQLAlchemy's type
processors (UUID -> bytes, Decimal -> scaled integer, datetime -> text) cost a fifth of the
write time. These encoders produce the same stored values (tests read them back through the
ORM), and ``insert_many`` hands them to the driver's executemany directly.
"""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection

from dmdesk.domain.quantity import QUANTITY_SCALE, to_scaled


def uuid_bytes(value: uuid.UUID | None) -> bytes | None:
    return None if value is None else value.bytes


def qty_int(value: Decimal) -> int:
    return to_scaled(value, QUANTITY_SCALE)


def utc_text(value: datetime) -> str:
    """The text SQLAlchemy's SQLite DateTime stores for our UTC timestamps."""
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def insert_many(connection: Connection, table: str, columns: Sequence[str],
                rows: Sequence[Sequence[Any]]) -> None:
    connection.exec_driver_sql(insert_statement(table, columns), list(rows))


def insert_statement(table: str, columns: Sequence[str]) -> str:
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' for _ in columns)})"


def insert_row(raw: sqlite3.Connection | sqlite3.Cursor, table: str,
               values: Mapping[str, Any]) -> None:
    """One row given by column name, through the sync client's raw sqlite3 handle."""
    names = list(values)
    raw.execute(insert_statement(table, names), [values[n] for n in names])
