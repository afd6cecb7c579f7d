"""`dmdesk server invite CODE --url PUBLIC-URL`: the one line a producer pastes to join."""

from __future__ import annotations

import argparse
import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from dmdesk.server.storage import Store

ENV_URL = "DMDESK_SERVER_URL"


def add_parser(actions: argparse._SubParsersAction[argparse.ArgumentParser]
               ) -> argparse.ArgumentParser:
    parser = actions.add_parser(
        "invite", help="a new token for a site, with the server's address, as one line to "
                       "paste into `dmdesk join` or the app's Join a network…")
    parser.add_argument("code", help="the site's code (e.g. MP3)")
    parser.add_argument("--url", default=os.environ.get(ENV_URL), metavar="PUBLIC-URL",
                        help="the address the site reaches the server at, e.g. "
                             f"https://sync.example.com (default: ${ENV_URL})")
    parser.add_argument("--name", default="", help="add the site first, with this name, "
                                                   "if it is not on the server yet")
    parser.add_argument("--role", default=None, choices=("owner", "site", "accountant"),
                        help="the role of a site added here (with --name)")
    return parser


def cmd_invite(args: argparse.Namespace) -> int:
    from dmdesk.cli.server import _admin, _fail

    if not args.url:
        return _fail(f"say the address sites reach this server at: --url "
                     f"https://sync.example.com (or set ${ENV_URL}).")

    def action(store: Store) -> str:
        from dmdesk.server.invites import make_invite

        site, text = make_invite(store, args.code, args.url, args.name, args.role or "")
        return (f"Invite for site {site.code} ({site.name}, role {site.role}) at "
                f"{args.url.rstrip('/')}. It holds a new token: any earlier token of "
                f"{site.code} stops working. Send it privately; the producer pastes it into "
                "`dmdesk join INVITE --db PATH` or the app's Join a network….\n" + text)
    return _admin(args, action)
