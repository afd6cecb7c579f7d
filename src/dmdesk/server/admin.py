"""Sites and their tokens: add a site, issue a token (shown once), revoke it, list, look up.

A token is 32 random bytes (``secrets.token_urlsafe``, 256 bits); the server keeps only its
SHA-256. A slow password hash (bcrypt, argon2) exists to make guessing low-entropy passwords
expensive; nobody can guess 256 random bits, fast hash or not, and a fast hash lets every
request look its token up by an indexed column instead of trying each site's hash.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from dataclasses import dataclass
from typing import get_args

from sqlalchemy import func, insert, select, update

from dmdesk.domain.errors import ValidationError
from dmdesk.domain.numbering import check_site_code
from dmdesk.server.scope import ScopeEngine
from dmdesk.server.storage import Store, ops, sites
from dmdesk.sync.protocol import Role

ROLES: tuple[str, ...] = get_args(Role)


class AdminError(Exception):
    """A refused admin command; the message says why."""


@dataclass(frozen=True)
class SiteAccount:
    code: str
    name: str
    role: str
    has_token: bool
    revoked: bool


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _check_code(code: str) -> str:
    try:  # the rule every site's database applies, so the server never admits a code
        return check_site_code(code)  # that a site would refuse to take as its own
    except ValidationError as exc:
        raise AdminError(exc.message) from None


def add_site(store: Store, code: str, name: str, role: str) -> SiteAccount:
    code = _check_code(code)
    if role not in ROLES:
        raise AdminError(f"Role {role!r} is not one of {', '.join(ROLES)}.")
    if not name.strip():
        raise AdminError("Give the site a name (--name).")
    with store.write() as connection:
        if connection.execute(select(sites.c.code).where(sites.c.code == code)).first():
            raise AdminError(f"Site {code} is already on this server.")
        connection.execute(insert(sites).values(
            code=code, name=name.strip(), role=role, token_hash=None, revoked=False,
            created_at_ms=int(time.time() * 1000)))
        if role == "producer":  # what it holds already, served as its first pull
            ceiling = int(connection.execute(select(func.max(ops.c.seq))).scalar() or 0)
            engine = ScopeEngine(connection, [code])
            engine.seed(code, ceiling)
            engine.flush()
    return SiteAccount(code, name.strip(), role, False, False)


def issue_token(store: Store, code: str) -> str:
    """A new token for the site (the old one stops working); returned once, stored hashed."""
    code = _check_code(code)
    token = secrets.token_urlsafe(32)
    with store.write() as connection:
        done = connection.execute(update(sites).where(sites.c.code == code).values(
            token_hash=hash_token(token), revoked=False))
        if done.rowcount != 1:
            raise AdminError(f"There is no site {code} on this server; add it first "
                             "(dmdesk server add-site).")
    return token


def revoke(store: Store, code: str) -> None:
    code = _check_code(code)
    with store.write() as connection:
        done = connection.execute(update(sites).where(sites.c.code == code).values(revoked=True))
        if done.rowcount != 1:
            raise AdminError(f"There is no site {code} on this server.")


def list_sites(store: Store) -> list[SiteAccount]:
    with store.read() as connection:
        rows = connection.execute(select(sites).order_by(sites.c.code)).mappings().all()
    return [SiteAccount(r["code"], r["name"], r["role"], r["token_hash"] is not None,
                        bool(r["revoked"])) for r in rows]


def site_for_token(store: Store, token: str) -> SiteAccount | None:
    """The site a token belongs to (revoked ones too: the caller says why it refuses)."""
    with store.read() as connection:
        row = connection.execute(select(sites).where(
            sites.c.token_hash == hash_token(token))).mappings().first()
    if row is None:
        return None
    return SiteAccount(row["code"], row["name"], row["role"], True, bool(row["revoked"]))
