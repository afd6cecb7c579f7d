"""`dmdesk join INVITE --db PATH`: a producer's new database, joined to the network and
synced for the first time, from the one line the owner sent (`dmdesk server invite`)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

Handler = Callable[[argparse.Namespace], int]
Key = tuple[str | None, str | None]


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser],
             db_argument: Callable[[argparse.ArgumentParser], None]) -> dict[Key, Handler]:
    parser = commands.add_parser(
        "join", help="join a network with an invite: a new database for your site, synced")
    parser.add_argument("invite", metavar="INVITE",
                        help="the invite (dmdesk-invite:...), or - to read it from the input "
                             "(keeps the token out of the shell's history)")
    db_argument(parser)
    parser.add_argument("--ca-file", default="", metavar="PEM",
                        help="also trust this certificate authority (a server with a private "
                             "certificate); the operating system's certificates are always "
                             "trusted")
    return {("join", None): cmd_join}


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def cmd_join(args: argparse.Namespace) -> int:
    from dmdesk.paths import default_database_path
    from dmdesk.sync.join import join
    from dmdesk.sync.transport import SyncError

    text = sys.stdin.read() if args.invite == "-" else args.invite
    path = Path(args.db).expanduser() if args.db else default_database_path()

    def progress(done: int, total: int, step: str) -> None:
        _say(f"  {step}: {done}/{total}" if total else f"  {step}: {done}")

    try:
        result = join(text, path, progress=progress, ca_file=args.ca_file)
    except SyncError as exc:
        print(f"dmdesk: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("dmdesk: join interrupted; a database it had begun is removed.", file=sys.stderr)
        return 130
    report = result.report
    print(f"Joined {result.url} as site {result.site} ({result.role}) in "
          f"{report.seconds:.1f} s: {result.path}, {report.summary()}.", flush=True)
    return 0
