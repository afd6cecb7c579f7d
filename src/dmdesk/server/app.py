"""The sync server's HTTP API (FastAPI): /v1/status, /v1/push, /v1/pull, /v1/row, /v1/digest.

Every /v1 request is checked in this order: token (401), schema version (409), clock (400),
then the body (413 before it is read when too large, 422 when malformed or when an op is one
the merge could not apply: dmdesk.server.shape) and the rules (403).
"""

from __future__ import annotations

import dataclasses
import json
import re
import time
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Header, HTTPException, Query, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from dmdesk.server import admin, compression, network_view, oplog, shape
from dmdesk.server.limits import BodySizeLimit, describe_skew
from dmdesk.server.schemas import (
    DigestOut,
    ErrorOut,
    OpIn,
    PullOut,
    PushIn,
    PushOut,
    RefusedOut,
    RowOut,
    StatusOut,
)
from dmdesk.server.storage import Store
from dmdesk.sync.protocol import (
    API_PREFIX,
    HEADER_CLOCK,
    HEADER_SCHEMA,
    MAX_BODY_BYTES,
    MAX_CLOCK_SKEW_MS,
    MAX_PULL_CHANGES,
    PROTOCOL_VERSION,
)

ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorOut, "description": text} for code, text in (
        (400, "clock too far off the server's, or a header missing"),
        (401, "missing, unknown or revoked token"),
        (403, "not allowed for this site or role"),
        (409, "schema version differs from the server's"),
        (413, "body too large"),
        (422, "malformed body or op"))}
PUSH_ERRORS = {**ERRORS, 403: {"model": RefusedOut, "description": (
    "not allowed for this site or role; refused_op names the op when one op is the cause")}}
MAX_SEQ = 2**63 - 1
ENTITY = r"^[a-z][a-z0-9_]{0,39}$"
ENTITY_ID = r"^(?:[0-9a-f]{2}){1,256}$"


def _unauthorized(message: str) -> HTTPException:
    return HTTPException(401, message, headers={"WWW-Authenticate": "Bearer"})


def _site(store: Store, authorization: str | None) -> admin.SiteAccount:
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise _unauthorized("Send the site's token as 'Authorization: Bearer <token>'.")
    account = admin.site_for_token(store, token.strip())
    if account is None:
        raise _unauthorized("This token is not known to the server: check it, or ask the "
                            "owner for a new one (dmdesk server token CODE).")
    if account.revoked:
        raise _unauthorized(f"The token of site {account.code} was revoked: ask the owner "
                            "for a new one (dmdesk server token CODE).")
    return account


def _check_schema(server_version: str, client_version: str | None) -> None:
    if client_version is None or not client_version.strip():
        raise HTTPException(400, f"Send the database schema version in the {HEADER_SCHEMA} "
                                 "header.")
    if client_version.strip() != server_version:
        raise HTTPException(409, (
            f"This site's database has schema {client_version.strip()} and the server has "
            f"schema {server_version}: install the same dmdesk version on both (upgrade the "
            "older one, then run `dmdesk db upgrade`) and sync again; the site's changes "
            "are kept until then."))


# ASCII digits only: int() also takes '１２３', '1_000' and ' +5', which no clock sends.
_CLOCK_TEXT = re.compile(r"-?[0-9]+").fullmatch
_FAR_MS = 10**18  # more than 18 digits is millions of years off: no need for the exact value


def _check_clock(client_clock: str | None) -> None:
    text = client_clock or ""
    if not _CLOCK_TEXT(text):
        raise HTTPException(400, f"Send the computer's clock in the {HEADER_CLOCK} header, "
                                 "as milliseconds since 1970-01-01 UTC (digits only).")
    digits = text.lstrip("-")
    client_ms = int(text) if len(digits) <= 18 else -_FAR_MS if text[0] == "-" else _FAR_MS
    skew = client_ms - int(time.time() * 1000)
    if abs(skew) > MAX_CLOCK_SKEW_MS:
        raise HTTPException(400, describe_skew(skew))


def caller(
    request: Request,
    authorization: Annotated[str | None, Header()] = None,
    schema: Annotated[str | None, Header(alias=HEADER_SCHEMA)] = None,
    clock: Annotated[str | None, Header(alias=HEADER_CLOCK)] = None,
) -> admin.SiteAccount:
    """The site calling, once its token, schema version and clock are checked."""
    account = _site(request.app.state.store, authorization)
    _check_schema(request.app.state.schema_version, schema)
    _check_clock(clock)
    return account


Caller = Annotated[admin.SiteAccount, Depends(caller)]


def create_app(store: Store, schema_version: str) -> FastAPI:
    app = FastAPI(title="dmdesk sync server", version=str(PROTOCOL_VERSION),
                  description="Offline-first sync between dmdesk sites (protocol v1; see "
                              "dmdesk.sync.protocol).")
    compression.install(app, MAX_BODY_BYTES)  # inside the wire-size limit, added next
    app.add_middleware(BodySizeLimit, max_bytes=MAX_BODY_BYTES)
    app.state.store, app.state.schema_version = store, schema_version


    @app.get(f"{API_PREFIX}/status", response_model=StatusOut, responses=ERRORS)
    def status(account: Caller) -> dict[str, Any]:
        return {"server": "dmdesk", "protocol": PROTOCOL_VERSION,
                "schema_version": schema_version, "server_time_ms": int(time.time() * 1000),
                "site": account.code, "role": account.role}

    @app.post(f"{API_PREFIX}/push", response_model=PushOut, responses=PUSH_ERRORS)
    def push(body: PushIn, account: Caller) -> Any:
        now_ms = int(time.time() * 1000)
        batch = [_checked(position, op, now_ms) for position, op in enumerate(body.ops)]
        try:
            return dict(oplog.push(store, account, batch))
        except oplog.ForbiddenError as exc:
            if not exc.op_id:
                raise HTTPException(403, str(exc)) from None
            return JSONResponse({"detail": str(exc), "refused_op": exc.op_id,
                                 "reason": exc.reason}, 403)
        except oplog.ClashError as exc:
            raise HTTPException(422, str(exc)) from None

    @app.get(f"{API_PREFIX}/row", response_model=RowOut, responses=ERRORS)
    def row(account: Caller,
            entity: Annotated[str, Query(pattern=ENTITY)],
            entity_id: Annotated[str, Query(alias="id", pattern=ENTITY_ID)],
            ) -> dict[str, Any]:
        return dict(network_view.row_state(store, account, entity, entity_id))

    @app.get(f"{API_PREFIX}/digest", response_model=DigestOut, responses=ERRORS)
    def digest(account: Caller,
               upto: Annotated[int, Query(ge=0, le=MAX_SEQ)] = 0) -> dict[str, Any]:
        return dict(network_view.digest(store, account, upto))

    @app.get(f"{API_PREFIX}/pull", response_model=PullOut, responses=ERRORS)
    def pull(account: Caller,
             after: Annotated[int, Query(ge=0, le=MAX_SEQ)] = 0,
             limit: Annotated[int, Query(ge=1, le=MAX_PULL_CHANGES)] = MAX_PULL_CHANGES,
             ) -> Response:
        # Bytes straight from the store (the response model above is what they hold).
        return Response(oplog.pull_json(store, account, after, limit),
                        media_type="application/json")

    app.add_exception_handler(RequestValidationError, _malformed)  # type: ignore[arg-type]
    app.add_exception_handler(StarletteHTTPException, _http_error)  # type: ignore[arg-type]
    return app


def _checked(position: int, op: OpIn, now_ms: int) -> oplog.IncomingOp:
    """What the schema cannot say: the op is one the merge at every site can apply
    (dmdesk.server.shape), and its payload is JSON that can be stored as it is."""
    incoming = oplog.IncomingOp(op.op_id, op.entity, op.entity_id, op.op, op.payload, op.hlc,
                                op.schema_version, "")
    try:
        text = json.dumps(op.payload, allow_nan=False, separators=(",", ":"))
    except ValueError:
        problem: str | None = "the payload holds a number JSON cannot carry (NaN or infinity)"
    else:
        problem = shape.problem(op.entity, op.op, op.entity_id, op.payload, op.hlc, now_ms)
    if problem:
        raise HTTPException(422, oplog.malformed(position, incoming, problem))
    return dataclasses.replace(incoming, payload_json=text)


def _malformed(_request: Request, exc: RequestValidationError) -> JSONResponse:
    problems = []
    for error in exc.errors()[:5]:
        if error.get("type") == "json_invalid":
            where = error.get("loc", ("", "?"))[-1]
            problems.append(f"the body is not valid JSON (at character {where})")
            continue
        where = ".".join(str(part) for part in error.get("loc", ()) if part != "body")
        problems.append(f"{where or 'body'}: {error.get('msg', 'invalid')}")
    more = len(exc.errors()) - len(problems)
    text = "; ".join(problems) + (f"; and {more} more" if more > 0 else "")
    return JSONResponse({"detail": f"Malformed request ({text}). Nothing was stored."}, 422)


async def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
    # FastAPI answers 400 to a body its JSON parser gave up on (nested too deeply, say);
    # for this API a body that cannot be read is malformed: 422, like any other.
    if exc.status_code == 400 and exc.detail == "There was an error parsing the body":
        return JSONResponse({"detail": "Malformed request: the body could not be read as "
                                       "JSON (nested too deeply?). Nothing was stored."}, 422)
    return await http_exception_handler(request, exc)
