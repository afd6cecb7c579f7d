"""`dmdesk sync`: set up, run, and settle conflicts of this site's sync with the server."""

from __future__ import annotations

import argparse
import sys
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path

Handler = Callable[[argparse.Namespace], int]
Key = tuple[str | None, str | None]


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser],
             db_argument: Callable[[argparse.ArgumentParser], None]) -> dict[Key, Handler]:
    parser = commands.add_parser(
        "sync", help="push this site's changes to the sync server, then pull the others'")
    db_argument(parser)
    parser.add_argument("--setup", nargs=2, metavar=("URL", "TOKEN"),
                        help="check the server and store its address and this site's token")
    parser.add_argument("--ca-file", default="", metavar="PEM",
                        help="with --setup: also trust this certificate authority (a server "
                             "with a private certificate), stored for later syncs")
    parser.add_argument("--status", action="store_true",
                        help="show the server, last sync, pending changes, conflicts, alerts")
    parser.add_argument("--full-resync", action="store_true",
                        help="sync, then pull every change again from the start (fixes what "
                             "the end-of-sync check reports missing; what is here is skipped)")
    parser.add_argument("--conflicts", action="store_true", help="list open conflicts")
    parser.add_argument("--keep-mine", metavar="CONFLICT", type=uuid.UUID,
                        help="settle a conflict keeping this site's value")
    parser.add_argument("--keep-theirs", metavar="CONFLICT", type=uuid.UUID,
                        help="settle a conflict keeping the other site's value")
    return {("sync", None): cmd_sync}


def cmd_sync(args: argparse.Namespace) -> int:
    from dmdesk.db.database import open_database
    from dmdesk.paths import default_database_path

    path = Path(args.db).expanduser() if args.db else default_database_path()
    db = open_database(path, create=False)
    try:
        return _run(db, args)
    finally:
        db.close()


def _run(db: object, args: argparse.Namespace) -> int:
    from dmdesk.db.database import Database
    from dmdesk.services.context import ServiceContext
    from dmdesk.sync import client, conflicts, state
    from dmdesk.sync.transport import SyncError

    assert isinstance(db, Database)
    try:
        if args.setup:
            url, token = args.setup
            info = client.setup(db, url, token, ca_file=args.ca_file)
            _say(f"Set up: {info.url}, site {info.site} ({info.role}), schema "
                 f"{info.schema_version}. Run `dmdesk sync --db {db.path}` to sync.")
            return 0
        if args.status:
            _print_status(state.overview(db))
            return 0
        if args.conflicts:
            _print_conflicts(conflicts.list_conflicts(db))
            return 0
        if args.keep_mine or args.keep_theirs:
            keep: conflicts.Keep = "local" if args.keep_mine else "remote"
            value = conflicts.settle(ServiceContext(db), args.keep_mine or args.keep_theirs,
                                     keep)
            _say(f"Settled: kept {value!r}; it reaches the other sites at the next sync.")
            return 0

        def progress(done: int, total: int, step: str) -> None:
            _say(f"  {step}: {done}/{total}" if total else f"  {step}: {done}")

        report = client.run_sync(db, progress=progress, full_resync=args.full_resync)
        _say(f"Synced in {report.seconds:.1f} s: {report.summary()}.")
        if report.conflicts or report.alerts or report.refused or report.gaps:
            _say("See them with `dmdesk sync --status` / `--conflicts`, or in the Sync area.")
        return 0
    except SyncError as exc:
        print(f"dmdesk: {exc}", file=sys.stderr)
        return 1


def _print_status(view: object) -> None:
    from dmdesk.sync.state import Overview

    assert isinstance(view, Overview)
    if not view.configured:
        print("Sync: not set up (dmdesk sync --setup URL TOKEN).")
    else:
        print(f"Server: {view.server_url} as {view.site_code} ({view.role})")
    when = view.last_sync_at.isoformat(timespec="seconds") if view.last_sync_at else "never"
    print(f"Last sync: {when} {view.last_result}")
    if view.last_error:
        print(f"Last error: {view.last_error}")
    print(f"Pending changes: {view.pending}; open conflicts: {view.open_conflicts}; "
          f"alerts: {view.open_alerts}; changes waiting: {view.deferred}")


def _print_conflicts(items: Sequence[object]) -> None:
    from dmdesk.sync.conflicts import ConflictView

    if not items:
        print("No open conflicts.")
    for item in items:
        assert isinstance(item, ConflictView)
        print(f"{item.id}  {item.entity} {item.label}: {item.field}: mine {item.local_value!r}"
              f" / {item.origin}'s {item.remote_value!r}")
