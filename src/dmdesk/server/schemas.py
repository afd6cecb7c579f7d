"""Request and response bodies of the sync API (protocol v1), as published in /openapi.json."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from dmdesk.sync.protocol import MAX_PUSH_OPS

Hex32 = Annotated[str, Field(pattern=r"^[0-9a-f]{32}$", description="32 hex digits")]


class OpIn(BaseModel):
    """One row change, as a site's outbox holds it (see dmdesk.sync.protocol.Op)."""

    model_config = ConfigDict(extra="ignore")

    op_id: Hex32
    entity: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,39}$", description="table name")]
    entity_id: Annotated[str, Field(pattern=r"^(?:[0-9a-f]{2}){1,256}$",
                                    description="hex of the row's key bytes")]
    op: Literal["insert", "update", "delete"]
    payload: dict[str, Any]
    hlc: Annotated[str, Field(pattern=r"^[\x21-\x7e]{1,64}$", description="HLC stamp")]
    schema_version: Annotated[str, Field(pattern=r"^[\x21-\x7e]{1,40}$")]


# A batch the server stores, published in /openapi.json (fuzzers start from it, too).
EXAMPLE_PUSH: Any = {"ops": [{
    "op_id": "01939e5c2c6a7c3b8f3e0e7d5a1b2c3d", "entity": "site",
    "entity_id": "01939e5c2c6a7c3b8f3e0e7d5a1b2c3e", "op": "update",
    "payload": {"name": "Workshop North", "updated_at": "2026-01-31T08:00:00+00:00"},
    "hlc": "001769846400000-000000000-HQ", "schema_version": "0005"}]}


class PushIn(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [EXAMPLE_PUSH]})

    ops: Annotated[list[OpIn], Field(max_length=MAX_PUSH_OPS)]


class ChangeOut(BaseModel):
    seq: int
    origin: str
    op_id: str
    entity: str
    entity_id: str
    op: Literal["insert", "update", "delete"]
    payload: dict[str, Any]
    hlc: str
    schema_version: str


class PushOut(BaseModel):
    stored: int
    duplicates: int
    last_op_id: str
    server_seq: int


class PullOut(BaseModel):
    changes: list[ChangeOut]
    last_seq: int
    more: bool


class StatusOut(BaseModel):
    server: Literal["dmdesk"]
    protocol: int
    schema_version: str
    server_time_ms: int
    site: str
    role: Literal["owner", "site", "producer", "accountant"]


class ErrorOut(BaseModel):
    detail: str


class RefusedOut(ErrorOut):
    """A push refused because of one op: which one, and why in a clause (see protocol.py)."""

    refused_op: str = ""
    reason: str = ""


class RowOut(BaseModel):
    entity: str
    entity_id: str
    exists: bool
    deleted: bool
    fields: dict[str, tuple[Any, str]]


class OriginOut(BaseModel):
    changes: int
    max_seq: int
    moves: int


class DigestOut(BaseModel):
    upto: int
    origins: dict[str, OriginOut]
