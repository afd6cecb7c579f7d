"""`dmdesk serve` and `dmdesk server ...`: the sync server and its sites' accounts.

The server's modules (FastAPI, uvicorn, psycopg: the `server` extra) are imported only when
one of these commands runs, so the desktop app works without them.
"""

from __future__ import annotations

import argparse
import os
import ssl
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING

from dmdesk.cli import server_invite

if TYPE_CHECKING:
    from dmdesk.server.storage import Store

Handler = Callable[[argparse.Namespace], int]
Key = tuple[str | None, str | None]
ENV_DB = "DMDESK_SERVER_DB"


def _server_db(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", dest="server_db", default=os.environ.get(ENV_DB),
                        metavar="URL",
                        help="the server's database: a file path or sqlite:///PATH (SQLite, "
                             "WAL), or postgresql://user:pass@host/name (default: "
                             f"${ENV_DB})")


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser],
             db_argument: Callable[[argparse.ArgumentParser], None]) -> dict[Key, Handler]:
    serve = commands.add_parser("serve", help="run the sync server")
    _server_db(serve)
    serve.add_argument("--host", default="127.0.0.1",
                       help="address to listen on (default 127.0.0.1; 0.0.0.0 for all)")
    serve.add_argument("--port", type=int, default=8765, help="port (default 8765; 0: any)")
    serve.add_argument("--certfile", default="", metavar="PEM",
                       help="serve HTTPS with this certificate (chain) file; needs --keyfile")
    serve.add_argument("--keyfile", default="", metavar="PEM",
                       help="the private key of --certfile")

    server = commands.add_parser("server", help="sync server administration: sites, tokens")
    actions = server.add_subparsers(dest="subcommand", metavar="ACTION", required=True)
    add = actions.add_parser("add-site", help="let a site use the server")
    add.add_argument("code", help="the site's code, as in its database (e.g. MP1)")
    add.add_argument("--name", required=True, help="the site's name")
    add.add_argument("--role", required=True,
                     choices=("owner", "site", "producer", "accountant"),
                     help="owner: writes everything; site: its own rows, sees all; producer: "
                          "an outside producer, sees and writes its own work only; "
                          "accountant: reads")
    token = actions.add_parser("token", help="issue a new token for a site (shown once)")
    token.add_argument("code")
    revoke = actions.add_parser("revoke", help="stop a site's token from working")
    revoke.add_argument("code")
    sites = actions.add_parser("sites", help="list the sites and their roles")
    invite = server_invite.add_parser(actions)
    for parser in (add, token, revoke, sites, invite):
        _server_db(parser)
    return {("serve", None): cmd_serve, ("server", "invite"): server_invite.cmd_invite,
            ("server", "add-site"): cmd_add_site,
            ("server", "token"): cmd_token, ("server", "revoke"): cmd_revoke,
            ("server", "sites"): cmd_sites}


def _say(message: str) -> None:
    print(message, flush=True)


def _fail(message: str) -> int:
    print(f"dmdesk: {message}", file=sys.stderr)
    return 1


def _store(args: argparse.Namespace) -> Store | None:
    if not args.server_db:
        _fail(f"say which database the server uses: --db URL (or set ${ENV_DB}).")
        return None
    try:
        from dmdesk.server.storage import open_store
    except ImportError as exc:
        _fail(f"the sync server needs its extra packages ({exc.name} is missing): "
              "pip install 'dmdesk[server]'.")
        return None
    return open_store(args.server_db)


def _admin(args: argparse.Namespace, action: Callable[[Store], str]) -> int:
    store = _store(args)
    if store is None:
        return 1
    from dmdesk.server.admin import AdminError
    try:
        _say(action(store))
    except AdminError as exc:
        return _fail(str(exc))
    finally:
        store.dispose()
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    if not args.server_db:
        return _fail(f"say which database the server uses: --db URL (or set ${ENV_DB}).")
    if bool(args.certfile) != bool(args.keyfile):
        return _fail("HTTPS needs both --certfile and --keyfile.")
    try:
        from dmdesk.server.run import serve
    except ImportError as exc:
        return _fail(f"the sync server needs its extra packages ({exc.name} is missing): "
                     "pip install 'dmdesk[server]'.")
    try:
        serve(args.server_db, args.host, args.port, _say, args.certfile, args.keyfile)
    except (ssl.SSLError, FileNotFoundError) as exc:
        return _fail(f"cannot use the certificate {args.certfile} with key {args.keyfile}: "
                     f"{exc.strerror or exc}.")
    except OSError as exc:
        return _fail(f"cannot listen on {args.host}:{args.port}: {exc.strerror or exc}.")
    return 0


def cmd_add_site(args: argparse.Namespace) -> int:
    from dmdesk.server import admin

    def action(store: Store) -> str:
        site = admin.add_site(store, args.code, args.name, args.role)
        return (f"Added site {site.code} ({site.name}, role {site.role}). Give it a token: "
                f"dmdesk server token {site.code} --db ...")
    return _admin(args, action)


def cmd_token(args: argparse.Namespace) -> int:
    from dmdesk.server import admin

    def action(store: Store) -> str:
        token = admin.issue_token(store, args.code)
        return token
    code = _admin(args, action)
    if code == 0:
        print(f"(the token of site {args.code.upper()}; it is shown only this once and "
              "replaces any earlier one)", file=sys.stderr)
    return code


def cmd_revoke(args: argparse.Namespace) -> int:
    from dmdesk.server import admin

    def action(store: Store) -> str:
        admin.revoke(store, args.code)
        return (f"Revoked the token of site {args.code.upper()}; it is refused from now on. "
                "A new one: dmdesk server token CODE.")
    return _admin(args, action)


def cmd_sites(args: argparse.Namespace) -> int:
    from dmdesk.server import admin

    def action(store: Store) -> str:
        rows = admin.list_sites(store)
        if not rows:
            return "No sites yet: dmdesk server add-site CODE --name NAME --role ROLE"
        lines = [f"{'CODE':6}  {'ROLE':10}  {'TOKEN':8}  NAME"]
        for site in rows:
            state = "revoked" if site.revoked else ("set" if site.has_token else "none")
            lines.append(f"{site.code:6}  {site.role:10}  {state:8}  {site.name}")
        return "\n".join(lines)
    return _admin(args, action)
