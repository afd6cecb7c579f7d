"""The `dmdesk` command: the desktop app, and headless subcommands for scripts and checks.

This is a composition root: it opens the database and hands it to the code that needs it.
Subcommands never import Qt, so they run on a server with no display.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from dmdesk import __version__
from dmdesk.cli import imports, init, join, lots, network, package, server, settings, sync
from dmdesk.documents.excel.export_kinds import EXPORT_KINDS
from dmdesk.domain.errors import DomainError

# Each group of subcommands lives in its own module with a `register(commands, db_argument)`
# that adds its parsers and returns its handlers, keyed like COMMANDS below.
EXTENSIONS = (init, imports, lots, sync, join, network, server, settings, package)

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def _db_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", type=Path, default=None,
                        help="database file (default: $DMDESK_DB, else dmdesk.sqlite in the "
                             "user data folder)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="dmdesk", description="Plan, make and stock across a network of workshops.")
    parser.add_argument("--version", action="version", version=f"dmdesk {__version__}")
    _db_argument(parser)
    parser.add_argument("--demo", action="store_true",
                        help="open the demo database (built on first use)")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    demo = commands.add_parser("demo", help="build a demo network into a new database")
    _db_argument(demo)
    demo.add_argument("--scale", choices=("small", "large"), default="small")

    db = commands.add_parser("db", help="database maintenance")
    db_commands = db.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    for name, text in (("upgrade", "upgrade the schema (after a backup)"),
                       ("check", "integrity, balance cache against ledger, audit chain")):
        _db_argument(db_commands.add_parser(name, help=text))
    backup = db_commands.add_parser("backup", help="copy the database safely, even while open")
    _db_argument(backup)
    backup.add_argument("--out", type=Path, default=None,
                        help="target file (default: a timestamped copy in the backup folder, "
                             "older copies then kept by age: 7 daily, 4 weekly)")
    backup.add_argument("--folder", type=Path, default=None,
                        help="backup folder for this copy (default: the one set with `dmdesk "
                             "settings set backup_folder`, else NAME.backups beside the "
                             "database)")

    jobsheet = commands.add_parser(
        "jobsheet", help="print work orders' job sheets to one PDF (one sheet each)")
    jobsheet.add_argument("numbers", nargs="+", metavar="NUMBER", help="work order number")
    _db_argument(jobsheet)
    jobsheet.add_argument("--out", type=Path, required=True, help="the PDF file to write")
    jobsheet.add_argument("--page-size", choices=("A4", "Letter"), default=None,
                          help="paper size (default: Letter in the US and Canada, else A4, "
                               "from the locale)")

    export = commands.add_parser("export", help="write an Excel workbook (.xlsx) of stock, "
                                 "valuation, moves, work orders, producers, products, BOMs, "
                                 "contacts or reorder suggestions")
    export.add_argument("kind", choices=(*EXPORT_KINDS, "reorder"))
    _db_argument(export)
    export.add_argument("--out", type=Path, required=True, help="the .xlsx file to write")
    export.add_argument("--site", default=None, help="only this site (its code)")
    export.add_argument("--from", dest="date_from", default=None, metavar="DATE",
                        help="first day of the period, YYYY-MM-DD (UTC)")
    export.add_argument("--to", dest="date_to", default=None, metavar="DATE",
                        help="last day of the period, YYYY-MM-DD (UTC, included)")
    for extension in EXTENSIONS:
        COMMANDS.update(extension.register(commands, _db_argument))
    return parser


def _database_path(args: argparse.Namespace) -> Path:
    from dmdesk.paths import default_database_path

    return Path(args.db).expanduser() if args.db else default_database_path()


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def cmd_demo(args: argparse.Namespace) -> int:
    from dmdesk.db.database import open_database
    from dmdesk.demo import build_demo
    from dmdesk.demo.unfinished import begin, finish
    from dmdesk.services.context import ServiceContext

    path = _database_path(args)
    fresh = not path.exists()
    if fresh:  # marked until built, so `dmdesk --demo` never opens an interrupted build
        begin(path)
    db = open_database(path)
    try:
        started = time.perf_counter()

        def progress(done: int, total: int, step: str) -> None:
            _say(f"  {step}: {done}/{total}" if total else f"  {step}")

        summary = build_demo(ServiceContext(db), args.scale, progress=progress)
        if fresh:
            finish(path)
        _say(f"Built the {args.scale} demo in {path} in {time.perf_counter() - started:.1f} s: "
             f"{summary.sites} sites, {summary.products} products, {summary.moves} stock "
             f"moves, {summary.work_orders} work orders.")
    finally:
        db.close()
    return EXIT_OK


def cmd_db_upgrade(args: argparse.Namespace) -> int:
    from dmdesk.db.database import inspect_file, open_database

    path = _database_path(args)
    before = inspect_file(path).revision
    db = open_database(path, create=False)
    try:
        if before == db.schema_version:
            _say(f"{path} is up to date (schema {db.schema_version}).")
        else:
            _say(f"Upgraded {path} from schema {before or 'none'} to {db.schema_version}; "
                 f"backup: {db.backup_path}.")
    finally:
        db.close()
    return EXIT_OK


def cmd_db_check(args: argparse.Namespace) -> int:
    from dmdesk.db.database import open_database
    from dmdesk.queries.integrity import check_database

    path = _database_path(args)
    db = open_database(path, create=False, upgrade=False)
    try:
        report = check_database(db, progress=lambda _done, _total, step: _say(
            f"checking {step}..."))
    finally:
        db.close()
    counted = ", ".join(f"{n} {what}" for what, n in report.checked.items())
    if report.ok:
        print(f"OK: {path} passed every check ({counted}).")
        return EXIT_OK
    print(f"FAILED: {path} has {len(report.problems)} problem(s):")
    for problem in report.problems:
        print(f"  - {problem}")
    return EXIT_FAILED


def cmd_db_backup(args: argparse.Namespace) -> int:
    from dmdesk.db.backup import backup_to
    from dmdesk.db.backup_daily import backup_usage, rotating_backup
    from dmdesk.db.database import inspect_file

    path = _database_path(args).resolve()
    if not inspect_file(path).exists_with_data:
        raise DomainError(f"There is no database at {path} to back up.")
    if args.out:
        print(f"Backed up {path} to {backup_to(path, Path(args.out).expanduser())}.")
        return EXIT_OK
    folder = Path(args.folder).expanduser().resolve() if args.folder else None
    target = rotating_backup(path, "manual", folder=folder)
    used = backup_usage(path, target.parent)
    print(f"Backed up {path} to {target}; {used.count} backup(s) of it in {used.folder} use "
          f"{used.total_bytes / 1e6:,.1f} MB.")
    return EXIT_OK


def cmd_jobsheet(args: argparse.Namespace) -> int:
    from dmdesk.db.database import open_database
    from dmdesk.documents.jobsheet.sheet import render_job_sheets

    path = _database_path(args)
    out = Path(args.out).expanduser()
    db = open_database(path, create=False, upgrade=False)
    try:
        pages = render_job_sheets(db, args.numbers, out, page_size=args.page_size)
    finally:
        db.close()
    count = len(args.numbers)
    print(f"Wrote {count} job sheet{'s' if count > 1 else ''} ({pages} page"
          f"{'s' if pages > 1 else ''}) to {out}.")
    return EXIT_OK


def cmd_export(args: argparse.Namespace) -> int:
    from dmdesk.db.database import open_database
    from dmdesk.documents.excel.exports import export_workbook, parse_period

    if args.kind == "reorder":  # suggestions as of today (the period is not used)
        return network.cmd_reorder(args)
    parse_period(args.date_from, args.date_to)  # refuse bad dates before opening anything
    path = _database_path(args)
    db = open_database(path, create=False, upgrade=False)
    try:
        result = export_workbook(db, args.kind, args.out, site=args.site,
                                 date_from=args.date_from, date_to=args.date_to)
    finally:
        db.close()
    print(f"Wrote {result.rows} rows ({', '.join(result.sheets)}) to {result.path}.")
    return EXIT_OK


def _no_display() -> bool:
    if sys.platform in ("win32", "darwin") or os.environ.get("QT_QPA_PLATFORM"):
        return False
    return not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def cmd_gui(args: argparse.Namespace) -> int:
    if _no_display():
        _say("dmdesk: no display found, so the desktop window cannot open. Set "
             "QT_QPA_PLATFORM=offscreen to run it without a screen, or use the command-line "
             "subcommands (dmdesk --help: demo, db upgrade|check|backup).")
        return EXIT_USAGE
    path = _database_path(args)
    kind = "open"
    if args.demo and not args.db:
        path = path.with_name("demo.sqlite")
        # Built by the app, on its worker, behind a window with progress and Cancel; opened
        # as it is only when a build finished (gui/app.py prepare_demo).
        kind = "demo"
    from dmdesk.gui.app import run

    # With no --db and no DMDESK_DB, a first run (no database yet) gets the welcome dialog.
    chosen = bool(args.db or args.demo or os.environ.get("DMDESK_DB"))
    return run(path, explicit=chosen, kind=kind)


COMMANDS: dict[tuple[str | None, str | None], Callable[[argparse.Namespace], int]] = {
    ("demo", None): cmd_demo,
    ("db", "upgrade"): cmd_db_upgrade,
    ("db", "check"): cmd_db_check,
    ("db", "backup"): cmd_db_backup,
    ("jobsheet", None): cmd_jobsheet,
    ("export", None): cmd_export,
    (None, None): cmd_gui,
}


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    # Nested subcommands store their action as `db_command` (dmdesk db ...) or `subcommand`.
    action = getattr(args, "db_command", None) or getattr(args, "subcommand", None)
    handler = COMMANDS[(args.command, action)]
    try:
        return handler(args)
    except DomainError as exc:
        print(f"dmdesk: {exc}", file=sys.stderr)
        return EXIT_FAILED
    except (FileExistsError, PermissionError, IsADirectoryError) as exc:
        print(f"dmdesk: {exc}", file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        print("dmdesk: interrupted; nothing half-written was kept.", file=sys.stderr)
        return 130


