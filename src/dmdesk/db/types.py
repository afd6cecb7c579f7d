"""Column types that keep the data rules: exact numbers, UTC times, compact UUIDs."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import BigInteger, DateTime, Dialect, LargeBinary
from sqlalchemy.types import TypeDecorator

from dmdesk.domain.quantity import (
    MONEY_PLACES,
    MONEY_SCALE,
    QUANTITY_PLACES,
    QUANTITY_SCALE,
    from_scaled,
    to_scaled,
)


class UUIDBytes(TypeDecorator[uuid.UUID]):
    """A UUID stored as 16 bytes: half the size of its text form, which matters at 1M moves."""

    impl = LargeBinary(16)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> bytes | None:
        if value is None:
            return None
        if isinstance(value, uuid.UUID):
            return value.bytes
        if isinstance(value, bytes) and len(value) == 16:
            return value
        raise TypeError(f"expected a UUID, got {type(value).__name__}")

    def process_result_value(self, value: Any, dialect: Dialect) -> uuid.UUID | None:
        return None if value is None else uuid.UUID(bytes=bytes(value))


class _Scaled(TypeDecorator[Decimal]):
    """A Decimal stored as a scaled 64-bit integer, so SQL sums are exact too."""

    impl = BigInteger
    cache_ok = True
    scale = 1
    places = 0

    def process_bind_param(self, value: Any, dialect: Dialect) -> int | None:
        if value is None:
            return None
        if isinstance(value, float):
            raise TypeError("floats are not stored: pass a Decimal")
        return to_scaled(Decimal(value), self.scale)

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        return None if value is None else from_scaled(int(value), self.scale, self.places)


class Qty(_Scaled):
    """A quantity in thousandths."""

    cache_ok = True
    scale = QUANTITY_SCALE
    places = QUANTITY_PLACES


class Money(_Scaled):
    """Money in ten-thousandths."""

    cache_ok = True
    scale = MONEY_SCALE
    places = MONEY_PLACES


class UTCDateTime(TypeDecorator[datetime]):
    """Timestamps are written in UTC and come back timezone-aware; naive input is refused."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if not isinstance(value, datetime) or value.tzinfo is None:
            raise TypeError("timestamps must be timezone-aware datetimes")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)
