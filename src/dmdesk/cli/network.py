"""`dmdesk` subcommands of the network: route, reroute, trace, capacity, reorder.

- ``dmdesk route ORDER-NUMBER --db PATH [--apply]``: the ranked candidate sites for what is still
  open of each line of a customer order (db/line_plan.py), with their reasons; --apply carries
  out the best candidate of each line. A fully planned line is listed with what serves it and
  neither ranked nor planned again.
- ``dmdesk reroute SITE-CODE --db PATH [--apply] [--status offline|paused]``: the proposed moves
  of the site's open work; --apply marks the site and moves every order that has somewhere to go.
- ``dmdesk trace LOT --db PATH``: a lot's genealogy, backward and forward.
- ``dmdesk capacity --db PATH [--weeks N] [--site CODE]``: load per week and late work orders.
- ``dmdesk reorder --db PATH [--site CODE] [--out FILE.xlsx]``: reorder suggestions.

Reading commands leave the file as it was; a database at an older schema is refused with the
hint to run `dmdesk db upgrade`, as the other reading commands do.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from dmdesk.domain.quantity import format_quantity

if TYPE_CHECKING:  # the command line starts fast: the database layers load when used
    from dmdesk.db.database import Database
    from dmdesk.queries.routing import Candidate, LineRouting

Handler = Callable[[argparse.Namespace], int]
Key = tuple[str | None, str | None]
EXIT_OK, EXIT_FAILED = 0, 1


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser],
             db_argument: Callable[[argparse.ArgumentParser], None]) -> dict[Key, Handler]:
    route = commands.add_parser("route", help="rank the sites that could serve each line of a "
                                "customer order, with the reasons")
    route.add_argument("order", metavar="ORDER-NUMBER")
    db_argument(route)
    route.add_argument("--apply", action="store_true",
                       help="create the transfer or work order of each line's best candidate")
    route.add_argument("--top", type=int, default=5, help="candidates shown per line (5)")

    reroute = commands.add_parser("reroute", help="move a site's open work orders to the best "
                                  "other sites (prints the proposal; --apply carries it out)")
    reroute.add_argument("site", metavar="SITE-CODE")
    db_argument(reroute)
    reroute.add_argument("--apply", action="store_true",
                         help="mark the site and move every order that has a proposed site")
    reroute.add_argument("--status", choices=("offline", "paused"), default="offline")
    reroute.add_argument("--reason", default="", help="why (kept in the history)")

    trace = commands.add_parser("trace", help="a lot's genealogy, backward and forward")
    trace.add_argument("lot", metavar="LOT", help="lot code, or SKU/CODE")
    db_argument(trace)

    capacity = commands.add_parser("capacity", help="planned load per site and week, and "
                                   "work orders at risk of being late")
    db_argument(capacity)
    capacity.add_argument("--weeks", type=int, default=6)
    capacity.add_argument("--site", default=None, help="only this site (its code)")

    reorder = commands.add_parser("reorder", help="reorder suggestions (below the reorder "
                                  "point), printed or written to Excel")
    db_argument(reorder)
    reorder.add_argument("--site", default=None, help="only this site (its code)")
    reorder.add_argument("--out", type=Path, default=None, help="write an .xlsx file")
    return {("route", None): cmd_route, ("reroute", None): cmd_reroute,
            ("trace", None): cmd_trace, ("capacity", None): cmd_capacity,
            ("reorder", None): cmd_reorder}


@contextmanager
def _database(args: argparse.Namespace) -> Iterator[Database]:
    from dmdesk.cli import _database_path
    from dmdesk.db.database import open_database

    db = open_database(_database_path(args), create=False, upgrade=False)
    try:
        yield db
    finally:
        db.close()


def _candidate_lines(rank: int, c: Candidate) -> list[str]:
    late = "  LATE" if c.late else ""
    lines = [f"  {rank}. {c.site_code:<6} {c.action:<4}  score {c.score:5.1f}  ready "
             f"{c.ready_date.isoformat()}{late}"]
    lines += [f"       - {reason}" for reason in c.reasons]
    parts = ", ".join(f"{p.name} {p.value:.2f}x{p.weight:.2f}" for p in c.parts)
    lines.append(f"       score parts: {parts}")
    return lines


def format_routing(routing: LineRouting, top: int) -> list[str]:
    lines = [f"{routing.order_number} line {routing.line_no}: "
             f"{format_quantity(routing.quantity)} {routing.unit} {routing.sku} "
             f"({routing.product_name}), due {routing.due_date.isoformat()}, for "
             f"{routing.customer}"]
    if routing.fully_planned:
        return [*lines, f"  {routing.why_none}"]
    lines += [f"  Note: {note}" for note in routing.notes]
    if not routing.candidates:
        lines.append(f"  {routing.why_none}")
    for rank, candidate in enumerate(routing.candidates[:top], start=1):
        lines += _candidate_lines(rank, candidate)
    hidden = len(routing.candidates) - top
    if hidden > 0:
        lines.append(f"  ... and {hidden} more candidate{'s' if hidden > 1 else ''}.")
    return lines


def cmd_route(args: argparse.Namespace) -> int:
    from dmdesk.queries.routing import route_order
    from dmdesk.services.context import ServiceContext
    from dmdesk.services.routing import apply_route

    with _database(args) as db:
        with db.read_session() as session:
            routings = route_order(session, args.order)
        for routing in routings:
            print("\n".join(format_routing(routing, max(args.top, 1))))
        if not args.apply:
            return EXIT_OK
        failed = False
        ctx = ServiceContext(db)
        for routing in routings:
            best = routing.best
            if routing.fully_planned:  # not offered: planning it again would exceed the order
                continue
            if best is None:
                print(f"{routing.order_number} line {routing.line_no}: not routed "
                      f"({routing.why_none})")
                failed = True
                continue
            result = apply_route(ctx, routing.line_id, best.site_id, best.action)
            for message in result.messages:
                print(f"{routing.order_number} line {routing.line_no}: {message}")
    return EXIT_FAILED if failed else EXIT_OK


def cmd_reroute(args: argparse.Namespace) -> int:
    from dmdesk.queries.rerouting import propose_reroute
    from dmdesk.services.context import ServiceContext
    from dmdesk.services.rerouting import RerouteChoice, apply_reroute

    with _database(args) as db:
        with db.read_session() as session:
            proposal = propose_reroute(session, args.site)
        print(f"{proposal.site_code} ({proposal.site_name}, {proposal.status}): "
              f"{len(proposal.moves)} open work order{'s' if len(proposal.moves) != 1 else ''}")
        for move in proposal.moves:
            target = (f"-> {move.best.site_code} (score {move.best.score:.1f}, ready "
                      f"{move.best.ready_date.isoformat()})" if move.best
                      else "-> nowhere")
            print(f"  {move.number}  {format_quantity(move.remaining)} of "
                  f"{format_quantity(move.quantity)} {move.product_sku}, {move.state}, due "
                  f"{move.due_date.isoformat()}  {target}")
            if move.best is None:
                print(f"      {move.why_none}")
            print("".join(f"      progress kept: {p.text}\n" for p in move.progress
                          if p.good or p.scrap), end="")
            print("".join(f"      moves with it: {s.text}\n" for s in move.stock), end="")
        if not args.apply:
            return EXIT_OK
        choices = [RerouteChoice(move.work_order_id, move.best.site_id)
                   for move in proposal.moves if move.best is not None]
        result = apply_reroute(ServiceContext(db), proposal.site_id, choices, args.status,
                               args.reason)
        print(f"{result.site_code} is now {result.status}; moved {len(result.moved)} work "
              f"order{'s' if len(result.moved) != 1 else ''}.")
        for moved in result.moved:
            print(f"  {moved.number}: {moved.from_site} -> {moved.to_site}. "
                  + " ".join(moved.messages))
        for number, why in result.failed:
            print(f"  {number}: not moved: {why}")
        stranded = len(proposal.moves) - len(choices) + len(result.failed)
    return EXIT_FAILED if stranded else EXIT_OK


def cmd_trace(args: argparse.Namespace) -> int:
    from dmdesk.cli.network_trace import format_trace
    from dmdesk.queries.traceability import find_lot, trace_lot

    with _database(args) as db, db.read_session() as session:
        trace = trace_lot(session, find_lot(session, args.lot).lot_id)
    print("\n".join(format_trace(trace)))
    return EXIT_OK


def cmd_capacity(args: argparse.Namespace) -> int:
    from dmdesk.queries.capacity import capacity_plan
    from dmdesk.queries.lookup import find_site

    with _database(args) as db, db.read_session() as session:
        site = find_site(session, args.site).id if args.site else None
        plan = capacity_plan(session, weeks=max(args.weeks, 1), site_id=site)
    for entry in plan:
        print(f"{entry.code} ({entry.name}, {entry.status}): "
              f"{float(entry.weekly_capacity_minutes) / 60:.0f} h a week, backlog "
              f"{float(entry.backlog_minutes) / 60:.1f} h")
        for week in entry.weeks:
            share = f"{week.share:.0%}" if week.share is not None else "no capacity"
            print(f"  week of {week.week_start.isoformat()}: "
                  f"{float(week.planned_minutes) / 60:7.1f} h planned ({share})")
        for risk in entry.at_risk:
            print(f"  AT RISK {risk.number} (due {risk.due_date.isoformat()}): {risk.reason}")
    return EXIT_OK


def cmd_reorder(args: argparse.Namespace) -> int:
    from dmdesk.documents.excel.reorder_export import export_reorder
    from dmdesk.queries.lookup import find_site
    from dmdesk.queries.reorder import reorder_suggestions

    with _database(args) as db:
        if args.out is not None:
            result = export_reorder(db, args.out, site=args.site)
            print(f"Wrote {result.rows} suggestion{'s' if result.rows != 1 else ''} to "
                  f"{result.path}.")
            return EXIT_OK
        with db.read_session() as session:
            site = find_site(session, args.site).id if args.site else None
            suggestions = reorder_suggestions(session, site)
    for s in suggestions:
        source = f" {'from' if s.action == 'transfer' else 'at'} {s.source_site_code}" \
            if s.source_site_code else ""
        print(f"{s.site_code} {s.sku}: {format_quantity(s.available)} available, minimum "
              f"{format_quantity(s.minimum)}; {s.action} {format_quantity(s.quantity)} "
              f"{s.unit}{source}. {s.reason} (forecast {format_quantity(s.forecast_per_month)} "
              f"a month, {s.forecast_method})")
    if not suggestions:
        print("Nothing is below its reorder point.")
    return EXIT_OK
