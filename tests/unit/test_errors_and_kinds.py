"""Domain errors carry a message for the user and the field it concerns; vocabularies are closed."""

from __future__ import annotations

from decimal import Decimal

from dmdesk.domain.errors import (
    DatabaseRefusedError,
    DomainError,
    DuplicateError,
    IllegalTransitionError,
    InsufficientStockError,
    NotFoundError,
    ReferencedError,
    Shortage,
    ValidationError,
)
from dmdesk.domain.kinds import (
    INBOUND_REASONS,
    MAKING_SITE_KINDS,
    OUTBOUND_REASONS,
    MoveReason,
    SiteKind,
)

D = Decimal


def test_errors_are_domain_errors_with_message_and_field() -> None:
    for cls in (ValidationError, NotFoundError, DuplicateError, IllegalTransitionError,
                ReferencedError, DatabaseRefusedError):
        error = cls("What went wrong.", field="sku")
        assert isinstance(error, DomainError)
        assert str(error) == "What went wrong."
        assert error.message == "What went wrong."
        assert error.field == "sku"


def test_insufficient_stock_lists_the_shortages() -> None:
    error = InsufficientStockError("Short.", shortages=[Shortage("STEEL", D(5), D(2))])
    assert isinstance(error, DomainError)
    assert error.field == "quantity"
    assert error.shortages == [("STEEL", D(5), D(2))] and error.shortages[0].missing == 3
    assert InsufficientStockError("Short.").shortages == []


def test_move_reasons_are_inbound_outbound_or_either() -> None:
    assert not INBOUND_REASONS & OUTBOUND_REASONS
    either = set(MoveReason) - INBOUND_REASONS - OUTBOUND_REASONS
    assert either == {MoveReason.ADJUSTMENT, MoveReason.COUNT}


def test_workshops_and_micro_producers_make_things_warehouses_and_transit_do_not() -> None:
    # Stored kinds are plain strings: membership must hold for them as for the enum.
    assert {str(k) for k in MAKING_SITE_KINDS} == {"own_workshop", "micro_producer"}
    assert "micro_producer" in MAKING_SITE_KINDS
    assert "warehouse" not in MAKING_SITE_KINDS and SiteKind.IN_TRANSIT not in MAKING_SITE_KINDS
