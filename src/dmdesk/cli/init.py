"""`dmdesk init --db PATH --site CODE --name NAME`: a new, empty database for one site.

    dmdesk init --db lisbon.sqlite --site LIS --name "Lisbon workshop"
    dmdesk init --db wh.sqlite --site WH --name "Central warehouse" --kind warehouse

A refusal (the file exists, a bad code, an empty name) is one line and exit status 1, and
no file is left behind.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable

from dmdesk.domain.kinds import SiteKind

Handler = Callable[[argparse.Namespace], int]
Key = tuple[str | None, str | None]
EXIT_OK = 0


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser],
             db_argument: Callable[[argparse.ArgumentParser], None]) -> dict[Key, Handler]:
    init = commands.add_parser("init", help="create a new, empty database for one site")
    db_argument(init)
    init.add_argument("--site", required=True, metavar="CODE",
                      help="this site's code: 2 to 6 letters or digits, starting with a letter "
                           "(numbers its documents: LIS-WO-00001)")
    init.add_argument("--name", required=True, help="this site's name")
    init.add_argument("--kind", choices=[str(k) for k in SiteKind if k != SiteKind.IN_TRANSIT],
                      default=str(SiteKind.OWN_WORKSHOP), help="what the site is "
                      "(default: own_workshop)")
    return {("init", None): cmd_init}


def cmd_init(args: argparse.Namespace) -> int:
    from dmdesk.cli import _database_path
    from dmdesk.services.new_database import create_database

    path = create_database(_database_path(args), args.site, args.name, SiteKind(args.kind))
    print(f"Created {path} for site {args.site.strip().upper()} ({args.name.strip()}). "
          f"Open it with: dmdesk --db {path}")
    return EXIT_OK
