"""Values between their wire form (JSON, see protocol.py) and the form SQLite stores.

Changes are applied with plain SQL on the driver connection (a million moves go through
here), so each column gets a pair of converters built once from the models: wire -> stored
and stored -> wire. They give exactly what the column types would (UUID as 16 bytes,
decimals as scaled integers, UTC times as SQLAlchemy's text), and the wire form matches
``db.changes.to_json_value`` of the ORM value, so a row read here and a row captured by the
flush hook look the same on the wire.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from functools import cache
from typing import Any

from sqlalchemy import Boolean, Column, Date, LargeBinary

from dmdesk.db import models as m
from dmdesk.db.changes import to_json_value
from dmdesk.db.raw_insert import utc_text
from dmdesk.db.types import UTCDateTime, UUIDBytes, _Scaled
from dmdesk.domain.errors import ValidationError
from dmdesk.domain.quantity import from_scaled, to_scaled

Convert = Callable[[Any], Any]


def _same(value: Any) -> Any:
    return value


def _none_safe(convert: Convert) -> Convert:
    def run(value: Any) -> Any:
        return None if value is None else convert(value)
    return run


def _scaled_pair(kind: _Scaled) -> tuple[Convert, Convert]:
    scale, places = kind.scale, kind.places

    def to_db(value: Any) -> int:
        if isinstance(value, float):
            raise ValidationError(f"{value!r} is a float; decimals travel as strings.")
        return to_scaled(Decimal(str(value)), scale)

    def from_db(value: Any) -> str:
        return str(from_scaled(int(value), scale, places))
    return to_db, from_db


def _time_to_db(value: Any) -> str:
    text = str(value)
    # Fast path for what our own encoder sends (UTC, ISO 8601): rearranged, not parsed; a
    # million moves each carry a timestamp.
    if len(text) == 32 and text.endswith("+00:00") and text[10] == "T" and text[19] == ".":
        return f"{text[:10]} {text[11:26]}"
    if len(text) == 25 and text.endswith("+00:00") and text[10] == "T":
        return f"{text[:10]} {text[11:19]}.000000"
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        raise ValidationError(f"Timestamp {value!r} has no time zone.")
    return utc_text(moment)


def _time_from_db(value: Any) -> str:
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return moment.replace(tzinfo=UTC).isoformat()


def _converters(column: Column[Any]) -> tuple[Convert, Convert]:
    kind = column.type
    if isinstance(kind, UUIDBytes | LargeBinary):
        return bytes.fromhex, lambda v: bytes(v).hex()
    if isinstance(kind, _Scaled):
        return _scaled_pair(kind)
    if isinstance(kind, UTCDateTime):
        return _time_to_db, _time_from_db
    if isinstance(kind, Boolean):
        return lambda v: 1 if v else 0, bool
    if isinstance(kind, Date):
        return str, str
    return _same, _same


@dataclass(frozen=True)
class TableCodec:
    """How one table's rows travel: columns, key, converters, foreign keys."""

    name: str
    columns: tuple[str, ...]
    key: tuple[str, ...]
    to_db: dict[str, Convert]
    from_db: dict[str, Convert]
    # (column, referred table, referred column)
    references: tuple[tuple[str, str, str], ...]
    # column -> stored default, for columns with a plain default in the model
    defaults: dict[str, Any]
    uuid_key: bool

    def key_values(self, entity_id: bytes) -> tuple[Any, ...]:
        """The stored key column values of an outbox ``entity_id`` (see db.changes)."""
        if self.uuid_key:
            return (entity_id,)
        try:
            parts = json.loads(entity_id.decode())["key"]
        except (ValueError, KeyError, TypeError):
            raise ValidationError(f"'{entity_id.hex()}' is not a key of {self.name}.") from None
        if len(parts) != len(self.key):
            raise ValidationError(f"'{entity_id.hex()}' is not a key of {self.name}.")
        return tuple(self.to_db[col](part) for col, part in zip(self.key, parts, strict=True))

    def row_to_db(self, payload: dict[str, Any]) -> dict[str, Any]:
        unknown = payload.keys() - self.to_db.keys()
        if unknown:
            raise ValidationError(f"{self.name} has no column {', '.join(sorted(unknown))}.")
        return {col: self.to_db[col](value) for col, value in payload.items()}

    def with_defaults(self, values: dict[str, Any]) -> dict[str, Any]:
        """An inserted row with the columns a projection left out (a producer receives no
        price) at their plain defaults, as the model would give them."""
        missing = self.defaults.keys() - values.keys()
        if not missing:
            return values
        return {**values, **{name: self.defaults[name] for name in missing}}

    def row_from_db(self, row: dict[str, Any]) -> dict[str, Any]:
        return {col: self.from_db[col](value) for col, value in row.items()}


@cache
def codec(table: str) -> TableCodec:
    model_table = m.Base.metadata.tables.get(table)
    if model_table is None:
        raise ValidationError(f"'{table}' is not a table this version of dmdesk knows.")
    to_db: dict[str, Convert] = {}
    from_db: dict[str, Convert] = {}
    for column in model_table.columns:
        into, out = _converters(column)
        # Non-null UUIDs (keys, required references) skip the None guard: the fast path.
        plain = into is bytes.fromhex and not column.nullable
        to_db[column.name] = into if plain else _none_safe(into)
        from_db[column.name] = _none_safe(out)
    references = tuple(
        (fk.parent.name, fk.column.table.name, fk.column.name)
        for fk in model_table.foreign_keys)
    return TableCodec(
        name=table,
        columns=tuple(c.name for c in model_table.columns),
        key=tuple(c.name for c in model_table.primary_key.columns),
        to_db=to_db, from_db=from_db, references=references,
        defaults={c.name: to_db[c.name](to_json_value(getattr(c.default, "arg", None)))
                  for c in model_table.columns
                  if c.default is not None and c.default.is_scalar},
        uuid_key=len(model_table.primary_key.columns) == 1 and isinstance(
            next(iter(model_table.primary_key.columns)).type, UUIDBytes),
    )


def dumps(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), sort_keys=True)
