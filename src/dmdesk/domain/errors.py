"""Domain errors: every refusal a user can act on is one of these.

Each carries a message written for the person at the keyboard (what is wrong and, where
possible, what to do), and an optional ``field`` so a form can show it next to the input.
"""

from __future__ import annotations

from decimal import Decimal
from typing import NamedTuple


class DomainError(Exception):
    """A request that the rules refuse. Nothing has been written when this is raised."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field

    def __str__(self) -> str:
        return self.message


class ValidationError(DomainError):
    """A value is malformed: wrong type, negative, too precise, missing."""


class NotFoundError(DomainError):
    """A reference names something that does not exist."""


class DuplicateError(DomainError):
    """A value that must be unique is already taken."""


class IllegalTransitionError(DomainError):
    """A state change the state table does not allow."""


class Shortage(NamedTuple):
    """What one product lacks: how much is wanted and how much there is to take."""

    sku: str
    required: Decimal
    available: Decimal

    @property
    def missing(self) -> Decimal:
        return self.required - self.available


class InsufficientStockError(DomainError):
    """Taking more than is available without an override reason."""

    def __init__(self, message: str, *, shortages: list[Shortage] | None = None):
        super().__init__(message, field="quantity")
        self.shortages = shortages or []  # for dialogs that list them


class ReferencedError(DomainError):
    """Deleting a row that other rows still refer to (archive it instead)."""


class NotYoursError(DomainError):
    """A change this side of the network may not make (domain/write_rules.py): the sync
    server would refuse it, so the app refuses it first."""


class DatabaseRefusedError(DomainError):
    """The database file cannot be opened safely (newer schema, not a dmdesk file...)."""
