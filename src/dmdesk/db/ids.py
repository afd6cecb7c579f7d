"""UUIDv7 identifiers: time-ordered, so rows made offline at two sites never collide and
new rows append to the end of every index instead of landing at random pages."""

from __future__ import annotations

import uuid

import uuid6


def new_id() -> uuid.UUID:
    value = uuid6.uuid7()
    return uuid.UUID(bytes=value.bytes)
