"""`dmdesk package WO-NUMBER... --db PATH --out FILE.zip`: a package for a producer that runs no
dmdesk (issue 14): job sheets (PDF), design files, pick list (.xlsx) and a README in one zip.

A refusal (unknown numbers, done or cancelled orders, orders of several producers) is one line
naming them, exit status 1, and no file written.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path

Handler = Callable[[argparse.Namespace], int]
Key = tuple[str | None, str | None]
EXIT_OK = 0


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser],
             db_argument: Callable[[argparse.ArgumentParser], None]) -> dict[Key, Handler]:
    package = commands.add_parser(
        "package", help="one zip for a producer without dmdesk: job sheets, designs, pick "
                        "list and a README")
    package.add_argument("numbers", nargs="+", metavar="WO-NUMBER", help="work order number")
    db_argument(package)
    package.add_argument("--out", type=Path, required=True, help="the .zip file to write")
    return {("package", None): cmd_package}


def cmd_package(args: argparse.Namespace) -> int:
    from dmdesk.cli import _database_path
    from dmdesk.db.database import open_database
    from dmdesk.documents.producer_package import render_producer_package

    db = open_database(_database_path(args), create=False, upgrade=False)
    try:
        result = render_producer_package(db, args.numbers, Path(args.out))
    finally:
        db.close()
    print(f"Wrote {result.orders} order(s), {result.designs} design file(s) and "
          f"{result.materials} material row(s) to {result.path}.")
    if result.missing_designs:
        print(f"Not included (not synced here yet): the design files of "
              f"{', '.join(result.missing_designs)}.")
    return EXIT_OK
