"""The shape of every pushed op, checked before anything of its batch is stored.

An op the merge cannot apply (an unknown column, a missing name, a float quantity, a naive
timestamp) used to be stored, pulled by every site and kept in its ``sync_deferred`` for ever.
So the server refuses it (422) and the site hears about it at once. What "readable" means is
decided by the desktop's models and the wire codec (dmdesk.sync.codec), the very code the
merge runs, so the server and the merge cannot disagree.

The checks are built once per table (a million stock moves pass here on a first push): one
small function per column, found from the column's type.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from typing import Any

from sqlalchemy import Boolean, Column, Date, Float, Integer, LargeBinary, String

from dmdesk.db.changes import IMMUTABLE_TABLES, LOCAL_TABLES
from dmdesk.db.models import Base
from dmdesk.db.types import UTCDateTime, UUIDBytes, _Scaled
from dmdesk.domain.errors import ValidationError
from dmdesk.server.limits import span
from dmdesk.sync.codec import Convert, TableCodec, codec
from dmdesk.sync.protocol import MAX_CLOCK_SKEW_MS

# A problem with a value, in words ("must be ..."), or None when the value is fine.
ValueCheck = Callable[[Any], str | None]

_HEX_DIGITS = "0123456789abcdef"
_HEX = re.compile(r"(?:[0-9a-f]{2})*").fullmatch
# What HLC.encode writes (dmdesk.domain.hlc): fixed-width ASCII digits, so that stamps sort
# as text. The merge compares stamps as text: "9-0-X" would sort after every real stamp and
# win every merge, so only this form is accepted.
_HLC = re.compile(r"([0-9]{15})-([0-9]{9})-([\x21-\x7e]{1,38})").fullmatch
_INT64 = (-(2**63), 2**63 - 1)
_MAX_DECIMAL_TEXT = 40


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else f"{text[:37]}..."


# --- one check per column type ---------------------------------------------------------------

def _is_hex32(value: Any) -> bool:
    # str.strip with the hex digits is C-fast: nothing is left of 32 lowercase hex digits.
    return isinstance(value, str) and len(value) == 32 and not value.strip(_HEX_DIGITS)


def _uuid(value: Any) -> str | None:
    if _is_hex32(value):
        return None
    return f"must be an id of 32 lowercase hex digits, not {_shown(value)}"


def _scaled(to_db: Convert, places: int) -> ValueCheck:
    def check(value: Any) -> str | None:
        if not isinstance(value, str) or len(value) > _MAX_DECIMAL_TEXT:
            return f"must be a decimal number written as a string (\"1.5\"), not {_shown(value)}"
        try:
            stored = to_db(value)  # what the merge will do with it
        except (ArithmeticError, ValueError, ValidationError):  # Decimal's, the codec's
            return (f"must be a decimal number with at most {places} decimal places, "
                    f"not {_shown(value)}")
        if not _INT64[0] <= stored <= _INT64[1]:
            return f"is too large ({_shown(value)})"
        return None
    return check


def _moment(to_db: Convert) -> ValueCheck:
    def check(value: Any) -> str | None:
        try:
            # The codec's fast path only rearranges text of the right length: parse it too.
            if isinstance(value, str) and datetime.fromisoformat(value).tzinfo is not None:
                to_db(value)
                return None
        except (ValueError, OverflowError):
            pass
        return ("must be an ISO 8601 date and time with its time zone "
                f"(2026-01-31T08:00:00+00:00), not {_shown(value)}")
    return check


def _day(value: Any) -> str | None:
    try:
        if isinstance(value, str) and len(value) == 10:
            date.fromisoformat(value)
            return None
    except ValueError:
        pass
    return f"must be a date written 2026-01-31, not {_shown(value)}"


def _boolean(value: Any) -> str | None:
    return None if isinstance(value, bool) else f"must be true or false, not {_shown(value)}"


def _integer(value: Any) -> str | None:
    if type(value) is int and _INT64[0] <= value <= _INT64[1]:
        return None
    return f"must be a whole number, not {_shown(value)}"


def _number(value: Any) -> str | None:
    # JSON has no NaN or infinity (app.py refuses those), so any int or float is finite.
    if type(value) in (int, float):
        return None
    return f"must be a number, not {_shown(value)}"


def _text(length: int | None) -> ValueCheck:
    def check(value: Any) -> str | None:
        if not isinstance(value, str):
            return f"must be text, not {_shown(value)}"
        if length is not None and len(value) > length:
            return f"is {len(value)} characters long, more than the {length} it may hold"
        return None
    return check


def _hex_bytes(value: Any) -> str | None:
    if isinstance(value, str) and _HEX(value):
        return None
    return f"must be bytes written as lowercase hex digits, not {_shown(value)}"


def _type_check(column: Column[Any], to_db: Convert) -> ValueCheck:
    kind = column.type
    if isinstance(kind, UUIDBytes):
        return _uuid
    if isinstance(kind, _Scaled):
        return _scaled(to_db, kind.places)
    if isinstance(kind, UTCDateTime):
        return _moment(to_db)
    if isinstance(kind, Boolean):
        return _boolean
    if isinstance(kind, Date):
        return _day
    if isinstance(kind, Integer):
        return _integer
    if isinstance(kind, Float):
        return _number
    if isinstance(kind, String):
        return _text(kind.length)
    if isinstance(kind, LargeBinary):
        return _hex_bytes
    # A new column type must say how it travels here, or the server could store rows the
    # merge cannot read; failing when the server starts makes that impossible to miss.
    raise TypeError(f"{column.table.name}.{column.name}: no wire check for {kind!r}")


# --- per table ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class TableShape:
    codec: TableCodec
    checks: Mapping[str, ValueCheck]  # of the values that are not None
    columns: frozenset[str]
    nullable: frozenset[str]
    # What an insert must carry: the merge inserts the payload's columns with plain SQL, and
    # the database has no defaults of its own (the models' defaults are Python-side), so a
    # NOT NULL column left out would fail there; the keys too (the row's identity).
    required: frozenset[str]


@cache
def table_shape(entity: str) -> TableShape | None:
    """The checks of a synced table, or None for a table that does not travel."""
    table = Base.metadata.tables.get(entity)
    if table is None or entity in LOCAL_TABLES:
        return None
    wire = codec(entity)
    checks = {c.name: _type_check(c, wire.to_db[c.name]) for c in table.columns}
    nullable = frozenset(c.name for c in table.columns if c.nullable)
    required = frozenset(c.name for c in table.columns
                         if not c.nullable and c.server_default is None)
    return TableShape(wire, checks, frozenset(checks), nullable, required)


def _key_problem(shape: TableShape, entity_id: str, payload: Mapping[str, Any]) -> str | None:
    """The entity_id must be a key of the table, and a payload's key columns must be it."""
    table = shape.codec
    if table.uuid_key:
        if not _is_hex32(entity_id):
            return f"entity_id must be an id of 32 hex digits for a {table.name} row"
        keys: dict[str, Any] = {table.key[0]: entity_id}
    else:
        try:  # as db.changes writes it: {"key": [...]} as JSON, then hex
            raw = bytes.fromhex(entity_id)
            table.key_values(raw)  # what the merge does with it
            found = json.loads(raw.decode())["key"]
            if not isinstance(found, list):
                raise ValueError
        except (ValidationError, ValueError, KeyError, TypeError):
            return f"entity_id is not a key of {table.name}"
        keys = dict(zip(table.key, found, strict=True))
        for column, value in keys.items():
            if problem := shape.checks[column](value):
                return f"entity_id's {column} {problem}"
    for column, value in keys.items():
        if column in payload and payload[column] != value:
            return (f"field {column} is {_shown(payload[column])}, not the row's key "
                    f"{_shown(value)} (a row's key never changes)")
    return None


def _payload_problem(shape: TableShape, op: str, payload: Mapping[str, Any]) -> str | None:
    # The hot path (every stock move of a first push): set comparisons in C, one call per
    # value, nothing else.
    if op == "delete":
        return None if not payload else "a delete carries no fields"
    keys = payload.keys()
    if not keys <= shape.columns:
        unknown = sorted(keys - shape.columns)[:5]
        return f"{shape.codec.name} has no column {', '.join(unknown)} in this version of dmdesk"
    checks, nullable = shape.checks, shape.nullable
    for column, value in payload.items():
        if value is None:
            if column not in nullable:
                return f"field {column} may not be empty (null)"
        elif problem := checks[column](value):
            return f"field {column} {problem}"
    if op == "insert" and not keys >= shape.required:
        missing = sorted(shape.required - keys)[:5]
        return f"field {', '.join(missing)} is missing (an insert carries the whole row)"
    return None


def _hlc_problem(hlc: str, now_ms: int) -> str | None:
    found = _HLC(hlc)
    if found is None:
        return (f"its clock stamp (hlc) {_shown(hlc)} is not of the form "
                "001765000000000-000000000-SITE written by dmdesk")
    ahead = int(found.group(1)) - now_ms
    if ahead > MAX_CLOCK_SKEW_MS:
        return (f"it is stamped {span(ahead)} ahead of the server's clock (hlc {hlc}), more "
                f"than {MAX_CLOCK_SKEW_MS // 60000} min: a change from the future would win "
                "every merge; set that computer's clock right")
    return None


def problem(entity: str, op: str, entity_id: str, payload: Mapping[str, Any], hlc: str,
            now_ms: int) -> str | None:
    """Why the merge could not apply this op as it is, in words, or None."""
    if entity in LOCAL_TABLES:
        return f"table {entity} stays on its site and is never synced"
    shape = table_shape(entity)
    if shape is None:
        return f"{entity} is not a table this version of dmdesk syncs"
    if entity in IMMUTABLE_TABLES and op != "insert":
        return f"{entity} rows are never changed or deleted (post a reversal instead)"
    return (_hlc_problem(hlc, now_ms) or _key_problem(shape, entity_id, payload)
            or _payload_problem(shape, op, payload))
