"""The closed vocabularies of the data model."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from enum import StrEnum


class SiteKind(StrEnum):
    OWN_WORKSHOP = "own_workshop"
    MICRO_PRODUCER = "micro_producer"
    WAREHOUSE = "warehouse"
    IN_TRANSIT = "in_transit"


# The kinds of site that make things: work orders go to these, routing ranks only these.
MAKING_SITE_KINDS: tuple[SiteKind, ...] = (SiteKind.OWN_WORKSHOP, SiteKind.MICRO_PRODUCER)


class SiteStatus(StrEnum):
    ACTIVE = "active"
    PAUSED = "paused"
    OFFLINE = "offline"


class LocationKind(StrEnum):
    INTERNAL = "internal"
    TRANSIT = "transit"


class ProductKind(StrEnum):
    RAW_MATERIAL = "raw_material"
    COMPONENT = "component"
    FINISHED = "finished"


class ContactKind(StrEnum):
    ORGANISATION = "organisation"
    PERSON = "person"


class ContactRole(StrEnum):
    CUSTOMER = "customer"
    PRODUCER = "producer"
    SUPPLIER = "supplier"
    OTHER = "other"


class CustomerOrderState(StrEnum):
    OPEN = "open"
    FULFILLED = "fulfilled"
    CANCELLED = "cancelled"


class TransferState(StrEnum):
    SHIPPED = "shipped"
    RECEIVED = "received"


class MoveReason(StrEnum):
    """Why stock moved. Each move row changes one (product, location, lot) by a signed amount."""

    RECEIPT = "receipt"
    ISSUE = "issue"
    TRANSFER_OUT = "transfer_out"
    TRANSFER_IN = "transfer_in"
    PRODUCTION_CONSUME = "production_consume"
    PRODUCTION_OUTPUT = "production_output"
    SCRAP = "scrap"
    ADJUSTMENT = "adjustment"
    COUNT = "count"


# Reasons whose moves add to stock / take from it; adjustment and count may go either way.
INBOUND_REASONS = frozenset({MoveReason.RECEIPT, MoveReason.TRANSFER_IN,
                             MoveReason.PRODUCTION_OUTPUT})
OUTBOUND_REASONS = frozenset({MoveReason.ISSUE, MoveReason.TRANSFER_OUT,
                              MoveReason.PRODUCTION_CONSUME, MoveReason.SCRAP})

CAPABILITIES = ("cnc", "welding", "sewing", "upholstery", "3d-print", "assembly", "painting",
                "laser-cut", "woodwork", "finishing")


# The network has one in-transit site, which the first shipment anywhere makes. Every site
# makes the very same rows (these ids, these timestamps), so two sites that ship before they
# ever sync make one row, not two rows coded alike that would clash for ever; the sync server
# takes the second insert as a duplicate.
TRANSIT_SITE_ID = uuid.UUID("00000000-0000-7000-8000-000000007101")
TRANSIT_LOCATION_ID = uuid.UUID("00000000-0000-7000-8000-000000007102")
TRANSIT_CREATED_AT = datetime(2000, 1, 1, tzinfo=UTC)
