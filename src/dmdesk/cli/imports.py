"""`dmdesk import KIND FILE --db PATH [--dry-run] [--update] [--map FIELD=COLUMN ...]`.

``--update`` (products only): a row whose SKU exists updates that product instead of being a
duplicate; the output says how many would be / were created, updated (which fields) and left
unchanged.

Problems are printed one per line (row, column, reason), at most PROBLEM_LINES of them and then
how many more; any problem means exit status 1 and nothing written.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from dmdesk.documents.importing import Problem

Handler = Callable[[argparse.Namespace], int]
Key = tuple[str | None, str | None]
PROBLEM_LINES = 50
IMPORT_KINDS = ("products", "bom", "contacts", "counts")


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser],
             db_argument: Callable[[argparse.ArgumentParser], None]) -> dict[Key, Handler]:
    parser = commands.add_parser(
        "import", help="import products, BOM lines, contacts or stock counts from .xlsx/.csv "
                       "(all rows or none)")
    parser.add_argument("kind", choices=IMPORT_KINDS)
    parser.add_argument("file", type=Path, help="the .xlsx or .csv file")
    db_argument(parser)
    parser.add_argument("--dry-run", action="store_true",
                        help="check every row and say what would be written; write nothing")
    parser.add_argument("--update", action="store_true",
                        help="products: a row whose SKU exists updates that product (only the "
                             "columns the file has; an empty cell keeps the value) instead of "
                             "being a duplicate")
    parser.add_argument("--map", action="append", default=[], metavar="FIELD=COLUMN",
                        help="read FIELD from COLUMN (its header or letter), overriding the "
                             "guess from the headers; repeatable")
    return {("import", None): cmd_import}


def _progress(done: int, total: int, text: str) -> None:
    if done and done % 10_000 == 0:
        print(f"  {text}: {done:,}/{total:,} rows", file=sys.stderr, flush=True)


def cmd_import(args: argparse.Namespace) -> int:
    from dmdesk.db.database import open_database
    from dmdesk.documents.importing import ImportRefusedError, check_file, import_file
    from dmdesk.documents.importing.columns import parse_overrides
    from dmdesk.paths import default_database_path
    from dmdesk.services.context import ServiceContext

    overrides = parse_overrides(args.map)
    path = Path(args.db).expanduser() if args.db else default_database_path()
    db = open_database(path, create=False)
    try:
        if args.dry_run:
            result = check_file(db, args.kind, args.file, overrides=overrides,
                                progress=_progress, update=args.update)
            if not result.ok:
                return _refused(result.problems, result.problem_count)
            if result.plan is not None:
                print(f"Dry run: {args.file.name} {result.plan.describe(done=False)} "
                      f"({result.rows} rows checked, no problems); nothing was written.")
                return 0
            print(f"Dry run: {result.summary} in {args.file.name} would be imported "
                  f"({result.rows} rows checked, no problems); nothing was written.")
            return 0
        try:
            result = import_file(ServiceContext(db), args.kind, args.file, overrides=overrides,
                                 progress=_progress, update=args.update)
        except ImportRefusedError as refused:
            return _refused(refused.problems, refused.count)
        if result.plan is not None:
            print(f"Imported {args.file.name}: {result.plan.describe(done=True)}; took "
                  f"{result.seconds:.1f} s.")
            return 0
        print(f"Imported {result.summary} from {args.file.name} in {result.seconds:.1f} s.")
        return 0
    finally:
        db.close()


def _refused(problems: Sequence[Problem], count: int) -> int:
    from dmdesk.documents.importing import problem_lines

    print(f"The file has {count} problem{'s' if count != 1 else ''}; nothing was imported:",
          file=sys.stderr)
    for line in problem_lines(list(problems), count, PROBLEM_LINES):
        print(f"  {line}", file=sys.stderr)
    return 1
