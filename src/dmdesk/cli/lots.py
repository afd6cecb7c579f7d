"""`dmdesk lot rename SKU CODE NEW-CODE --db PATH`: give a lot another code.

This is how two sites that made a lot with the same code for the same product while offline
are told apart: the sync merge keeps the other site's lot waiting until one is renamed.
A refusal (no such lot, the code taken, an empty code) is one line and exit status 1.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable

Handler = Callable[[argparse.Namespace], int]
Key = tuple[str | None, str | None]
EXIT_OK = 0


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser],
             db_argument: Callable[[argparse.ArgumentParser], None]) -> dict[Key, Handler]:
    lot = commands.add_parser("lot", help="lots: rename")
    actions = lot.add_subparsers(dest="subcommand", metavar="ACTION", required=True)
    rename = actions.add_parser("rename", help="give a lot another code (unique among the "
                                "product's lots); the change syncs like any other")
    rename.add_argument("sku", metavar="SKU", help="the product's SKU")
    rename.add_argument("code", metavar="CODE", help="the lot's current code")
    rename.add_argument("new_code", metavar="NEW-CODE", help="the code it gets")
    db_argument(rename)
    return {("lot", "rename"): cmd_rename}


def cmd_rename(args: argparse.Namespace) -> int:
    from dmdesk.cli import _database_path
    from dmdesk.db.database import open_database
    from dmdesk.services.context import ServiceContext
    from dmdesk.services.lots import rename_lot_by_code

    db = open_database(_database_path(args), create=False)
    try:
        done = rename_lot_by_code(ServiceContext(db), args.sku, args.code, args.new_code)
    finally:
        db.close()
    print(f"Renamed lot {done.old_code} of {done.sku} to {done.new_code}.")
    return EXIT_OK
