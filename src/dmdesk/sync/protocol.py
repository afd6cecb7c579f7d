"""The sync wire protocol, version 1: what a site and the sync server say to each other.

Plain JSON over HTTP, so the server (FastAPI, in dmdesk.server) and the client (dmdesk.sync)
agree on this module and nothing else. Modelled on CouchDB replication: idempotent bulk
writes keyed by the writer's op id, and a pull cursor that is the server's own sequence.

Every request carries:
  ``Authorization: Bearer <token>``          the site's token (the server stores only its hash)
  ``X-Dmdesk-Schema: <schema version>``      the client's Alembic head, e.g. "0004"
  ``X-Dmdesk-Clock: <ms since epoch, UTC>``  the client's wall clock when it sent the request

Endpoints (all under /v1):
  GET  /v1/status   -> {"server": "dmdesk", "protocol": 1, "schema_version": str,
                        "server_time_ms": int, "site": code,
                        "role": "owner"|"site"|"producer"|"accountant"}
  POST /v1/push     body {"ops": [Op, ...]}  (at most MAX_PUSH_OPS ops, MAX_BODY_BYTES bytes)
                    -> 200 {"stored": int, "duplicates": int, "last_op_id": hex, "server_seq": int}
                    The batch is all or nothing: if one op is malformed (422: an op the
                    merge at the sites could not apply, see dmdesk.server.shape; a site
                    row coded like another; an hlc more than MAX_CLOCK_SKEW_MS ahead) or not the
                    caller's to write (403), nothing of the batch is stored. An op already
                    stored for this site (same op_id) counts as a duplicate and is not stored
                    again, so resending a batch whose reply was lost is harmless.
                    A 403 caused by one op names it: {"detail": str, "refused_op": op_id,
                    "reason": "products are the owner's"} (a clause a person understands);
                    the client takes that change back (see below). A 403 without
                    ``refused_op`` refuses the whole request (an accountant's token only
                    reads): an error, nothing is taken back.
  GET  /v1/pull?after=SEQ&limit=N   (N <= MAX_PULL_CHANGES)
                    -> 200 {"changes": [Change, ...], "last_seq": int, "more": bool}
                    Changes with server seq > SEQ, in seq order, excluding the caller's own,
                    filtered by what the caller may see. ``last_seq`` is the cursor to store
                    (it may be past the last change returned when filtered ones were skipped).
  GET  /v1/row?entity=TABLE&id=HEX
                    -> 200 {"entity": str, "entity_id": hex, "exists": bool, "deleted": bool,
                            "fields": {column: [wire value, hlc]}}
                    The row as the network holds it, folded from the op log (the server keeps
                    no rows): the insert's values, each field overwritten by newer edits,
                    newest hlc wins, as every site merges. ``exists``: an insert was stored;
                    ``deleted``: a delete newer than it. Only ops the caller may pull count.
                    A site asks this after a refusal, to set its refused change back to what
                    everyone else holds (server authority, as PowerSync has it): a refused
                    update's fields take the network's values and stamps; a refused insert of
                    a row the network never had is removed (a refused stock move too, with
                    its effect on the balance cache), all without writing the outbox.
  GET  /v1/digest?upto=SEQ
                    -> 200 {"upto": SEQ, "origins": {site code: {"changes": int,
                            "max_seq": int, "moves": int}}}
                    Per origin, the changes the caller may pull with seq <= SEQ (its pull
                    cursor) and how many are stock move inserts; for the caller's own origin,
                    all of its changes (its own ledger is whole here). ``max_seq``: the
                    origin's newest seq the caller may see (above SEQ: there is more to
                    pull). Read from running counts per writer, less the few ops above SEQ:
                    one row per origin, not a scan of the log.
                    Every sync ends with this check: the site compares it with what it has
                    merged (applied, skipped or waiting) per origin and with its ledger.
                    A producer (role "producer") receives only its own work
                    (dmdesk.domain.read_scope): payloads projected (no price, no cost), rows
                    that came into its scope late as catch-up (their older ops, with their own
                    seq, placed before the op that brought them in), and withdrawals.

Withdraw (pulled by producers only): {"seq": int, "origin": "", "op_id": "", "entity": table,
  "entity_id": hex key, "op": "withdraw", "payload": {}, "hlc": "", "schema_version": ""}
  The row is no longer the producer's to hold (a design file of a product none of its work
  orders makes any more, with its bytes): the client deletes it locally, writes no outbox row,
  and drops any cached thumbnail of the bytes.

Op (one row change, as the site's outbox holds it):
  {"op_id": 32 hex (UUIDv7), "entity": table name, "entity_id": hex of the key bytes,
   "op": "insert"|"update"|"delete", "payload": {column: JSON value}, "hlc": str,
   "schema_version": str}
  payload: insert = the whole row; update = the changed columns only; delete = {}.
  Immutable rows (stock_move, lot_genealogy) have an empty outbox payload locally: the client
  reads the row and sends it whole when it pushes.
  Values: UUIDs as 32 hex, decimals as strings, datetimes/dates ISO 8601, bytes as hex
  (dmdesk.db.changes.to_json_value).
Change = Op + {"seq": int, "origin": site code of the writer}.

Errors: {"detail": "a sentence saying what is wrong"} with
  401 missing, unknown or revoked token      403 not allowed for this site or role
  409 schema version differs (the client keeps its outbox and says "upgrade")
  400 clock more than MAX_CLOCK_SKEW_MS off the server's (as Anki refuses)
  413 body too large                         422 malformed body or op
"""

from __future__ import annotations

from typing import Any, Literal, TypedDict

from dmdesk.domain.hlc import MAX_CLOCK_SKEW_MS

__all__ = ["MAX_CLOCK_SKEW_MS"]  # its home is domain/hlc.py; the wire rules name it here too

PROTOCOL_VERSION = 1
API_PREFIX = "/v1"
HEADER_SCHEMA = "X-Dmdesk-Schema"
HEADER_CLOCK = "X-Dmdesk-Clock"

MAX_PUSH_OPS = 1000
MAX_PULL_CHANGES = 5000
MAX_BODY_BYTES = 8 * 1024 * 1024

Role = Literal["owner", "site", "producer", "accountant"]
OpKind = Literal["insert", "update", "delete", "withdraw"]


class Op(TypedDict):
    op_id: str
    entity: str
    entity_id: str
    op: OpKind
    payload: dict[str, Any]
    hlc: str
    schema_version: str


class Change(Op):
    seq: int
    origin: str


class PushReply(TypedDict):
    stored: int
    duplicates: int
    last_op_id: str
    server_seq: int


class PullReply(TypedDict):
    changes: list[Change]
    last_seq: int
    more: bool


class RowReply(TypedDict):
    entity: str
    entity_id: str
    exists: bool
    deleted: bool
    fields: dict[str, list[Any]]  # column -> [wire value, hlc]


class OriginDigest(TypedDict):
    changes: int
    max_seq: int
    moves: int


class DigestReply(TypedDict):
    upto: int
    origins: dict[str, OriginDigest]
