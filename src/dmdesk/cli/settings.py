"""`dmdesk settings set KEY VALUE --db PATH` and `dmdesk settings show`: the company's details
that documents print in their header, and the folder backups go to.

    dmdesk settings set company_name "Acme Machining Ltd"
    dmdesk settings set company_address "12 Mill Lane\\nSheffield S1 2AB"   (\\n: a new line)
    dmdesk settings set company_logo logo.png       (a PNG or JPEG file; its bytes are stored)
    dmdesk settings set company_logo ""             (an empty value clears a setting)
    dmdesk settings set backup_folder /mnt/nas/dmdesk   (where backups go; "": beside the db)

A refusal (an unknown key, a file that is not an image, a name too long) is one line and exit
status 1, and the setting stays as it was.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path

from dmdesk.domain.errors import ValidationError

Handler = Callable[[argparse.Namespace], int]
Key = tuple[str | None, str | None]
EXIT_OK = 0
KEYS = ("company_name", "company_address", "company_logo", "backup_folder")


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser],
             db_argument: Callable[[argparse.ArgumentParser], None]) -> dict[Key, Handler]:
    settings = commands.add_parser("settings", help="settings: the company's name, address "
                                   "and logo printed on documents; the backup folder")
    actions = settings.add_subparsers(dest="subcommand", metavar="ACTION", required=True)
    put = actions.add_parser("set", help="set one setting (an empty value clears it)")
    put.add_argument("key", metavar="KEY", help=f"one of {', '.join(KEYS)}")
    put.add_argument("value", metavar="VALUE",
                     help="the text (in an address, \\n starts a new line); for "
                          "company_logo the path of a PNG or JPEG file")
    db_argument(put)
    show = actions.add_parser("show", help="print the company settings")
    db_argument(show)
    return {("settings", "set"): cmd_set, ("settings", "show"): cmd_show}


def cmd_set(args: argparse.Namespace) -> int:
    from dmdesk.cli import _database_path
    from dmdesk.db.database import open_database
    from dmdesk.services import settings
    from dmdesk.services.context import ServiceContext

    if args.key not in KEYS:
        raise ValidationError(f"Unknown setting {args.key!r}: use one of {', '.join(KEYS)}.",
                              field="key")
    logo = _read_logo(args.value) if args.key == "company_logo" else None
    db = open_database(_database_path(args), create=False)
    try:
        ctx = ServiceContext(db)
        if args.key == "company_name":
            name = settings.set_company_name(ctx, args.value)
            print(f"Company name: {name}." if name else "Cleared the company name.")
        elif args.key == "company_address":
            lines = settings.set_company_address(ctx, args.value.replace("\\n", "\n"))
            print(f"Company address: {' / '.join(lines)}." if lines
                  else "Cleared the company address.")
        elif args.key == "backup_folder":
            from dmdesk.services.backups import set_backup_folder

            folder = set_backup_folder(ctx, args.value)
            print(f"Backups of {ctx.db.path} go to {folder}.")
        else:
            digest = settings.set_company_logo(ctx, logo)
            print(f"Company logo: {args.value} (SHA-256 {digest[:12]}…)." if digest
                  else "Cleared the company logo.")
    finally:
        db.close()
    return EXIT_OK


def _read_logo(value: str) -> bytes | None:
    if not value:
        return None
    path = Path(value).expanduser()
    if not path.is_file():
        raise ValidationError(f"There is no logo file at {path}.", field="company_logo")
    return path.read_bytes()


def cmd_show(args: argparse.Namespace) -> int:
    from dmdesk.cli import _database_path
    from dmdesk.db.database import open_database
    from dmdesk.queries.settings import company_profile

    db = open_database(_database_path(args), create=False, upgrade=False)
    try:
        with db.read_session() as session:
            company = company_profile(session)
    finally:
        db.close()
    print(f"company_name: {company.name or '(not set)'}")
    print(f"company_address: {' / '.join(company.address) or '(not set)'}")
    logo = (f"{len(company.logo)} bytes, SHA-256 {company.logo_sha256[:12]}…"
            if company.logo else "(not set)")
    print(f"company_logo: {logo}")
    from dmdesk.db.backup import configured_folder
    from dmdesk.db.backup_daily import backup_usage

    used = backup_usage(db.path)
    print(f"backup_folder: {configured_folder(db.path) or '(not set)'} ({used.count} "
          f"backup(s) in {used.folder}, {used.total_bytes / 1e6:,.1f} MB)")
    return EXIT_OK
