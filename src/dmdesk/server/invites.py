"""`dmdesk server invite`: a new token for a site, packed with the server's public address
into one line the owner sends to the producer (see dmdesk.sync.invite)."""

from __future__ import annotations

from sqlalchemy import select

from dmdesk.server import admin
from dmdesk.server.storage import Store, sites
from dmdesk.sync import invite
from dmdesk.sync.transport import SyncError


def _account(store: Store, code: str) -> admin.SiteAccount | None:
    with store.read() as connection:
        row = connection.execute(select(sites).where(sites.c.code == code)).mappings().first()
    if row is None:
        return None
    return admin.SiteAccount(row["code"], row["name"], row["role"],
                             row["token_hash"] is not None, bool(row["revoked"]))


def make_invite(store: Store, code: str, public_url: str, name: str = "",
                role: str = "") -> tuple[admin.SiteAccount, str]:
    """The site (added first when ``name`` and ``role`` are given and it is not there yet)
    and its invite. The site's earlier token stops working, as with `server token`."""
    try:
        url = invite.check_url(public_url)
    except SyncError as exc:
        raise admin.AdminError(str(exc)) from None
    code = code.strip().upper()
    account = _account(store, code)
    if account is None:
        if not (name and role):
            raise admin.AdminError(
                f"There is no site {code} on this server: add it with `dmdesk server add-site "
                f"{code} --name NAME --role site`, or give --name and --role to this command.")
        account = admin.add_site(store, code, name, role)
    elif role and role != account.role:
        raise admin.AdminError(f"Site {code} is already on this server with role "
                               f"{account.role}, not {role}: leave out --role.")
    token = admin.issue_token(store, code)
    return account, invite.encode(invite.Invite(url, token, account.code))
