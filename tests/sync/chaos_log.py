"""The chaos test's log: each service call a site made, and what it should leave behind.

- ARRIVE: allowed by the rules, so present at every site at the end (unless a later write
  of the same field replaced it);
- REFUSE: the rules forbid it (a site renaming a product, a non-holder completing an order):
  refused up front with a DomainError, or, if written locally anyway, refused by the server
  and reverted at the site with an alert;
- EITHER: stamped by a clock hours ahead: it arrives, or it is reverted with an alert.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any


class Expect(StrEnum):
    ARRIVE = "arrive"
    REFUSE = "refuse"
    EITHER = "either"


@dataclass(frozen=True)
class Rows:
    """Rows the call inserted."""

    table: str
    ids: tuple[uuid.UUID, ...]


@dataclass(frozen=True)
class Value:
    """A column the call set, with the value as the writer's database stored it."""

    table: str
    row_id: uuid.UUID
    column: str
    value: Any


@dataclass(frozen=True)
class StateIn:
    """Where the order's state must end up once this call stands."""

    work_order_id: uuid.UUID
    states: frozenset[str]


@dataclass(frozen=True)
class Split:
    """A reroute of an order another site held: it must have been split to ``to_site_id``."""

    work_order_id: uuid.UUID
    to_site_id: uuid.UUID


Effect = Rows | Value | StateIn | Split


@dataclass
class Logged:
    step: int
    site: str
    what: str
    expect: Expect
    at: datetime
    effects: tuple[Effect, ...] = ()
    refused: str = ""  # the DomainError's message when the service refused up front

    def __str__(self) -> str:
        return f"step {self.step} {self.site} {self.what} [{self.expect}]"
