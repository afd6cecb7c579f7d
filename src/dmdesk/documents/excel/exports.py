"""Excel exports for the accountant and the planners (docs/ARCHITECTURE.md and the README, issue 4).

``export_workbook(db, kind, out, site=..., date_from=..., date_to=..., progress=...)`` writes
one of ``EXPORT_KINDS`` as an .xlsx file:

- ``stock``: on hand / reserved / available per site, location, product and lot (today).
- ``valuation``: quantity x standard cost per product per site, a subtotal per site and a grand
  total as ``=SUM(...)`` formulas with their values stored (see excel_writer). With ``--to``,
  quantities are the ledger at the end of that day; otherwise today's balances.
- ``moves``: every move within the period (sheet "Moves"), and per product and site the opening
  balance (every move before the period), what came in and went out, and the closing balance
  (sheet "Balances"; closing = opening + moves of the period).
- ``workorders``: orders due within the period with state, dates, quantities, material cost
  (consumed x standard cost) and labour cost (planned minutes x the site's hourly rate; see
  ``queries.exports.DEFAULT_LABOUR_RATE``).
- ``producers``: micro-producer sites, their contacts, capabilities, and on-time and scrap rates
  from the work orders finished within the period.
- ``products``, ``bom`` and ``contacts``: master data in the column layout ``dmdesk import``
  reads back, so products, BOMs and contacts can move between databases (and be edited in a
  spreadsheet on the way). Contacts: the importer has no Archived column, so archived contacts
  are left out, except an archived organisation that a contact still belongs to.

Every file starts with an "About" sheet: what it is, for which site and period, made when (local
time, with its UTC offset) and by which dmdesk version. Periods are whole UTC days, inclusive;
timestamps in the sheets are UTC (their headers say so), like the ledger and the site figures.

The file is written to a temporary name beside ``out`` and renamed at the end: a refusal (an
unknown site, bad dates) or a failure leaves no file behind, and never a half-written one.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from itertools import groupby
from pathlib import Path
from typing import Any, Protocol

from openpyxl import Workbook
from sqlalchemy.orm import Session

from dmdesk import __version__
from dmdesk.db import models as m
from dmdesk.documents.excel.export_kinds import BY_NAME, EXPORT_KINDS, TITLES, PeriodUse
from dmdesk.documents.excel.writer import (
    Bold,
    Col,
    Counter,
    Formula,
    FormulaSheet,
    Kind,
    TableWriter,
    discard_workbook,
    save_workbook,
    store_formula_values,
    write_about,
    xlsx_target,
)
from dmdesk.domain.errors import ValidationError
from dmdesk.domain.progress import Progress
from dmdesk.queries import exports as q
from dmdesk.queries.lookup import find_site


class ReadableDatabase(Protocol):
    """What an export needs of ``dmdesk.db.database.Database``."""

    path: Path

    def read_session(self) -> AbstractContextManager[Session]: ...


@dataclass(frozen=True)
class Period:
    """Whole UTC days, both ends included; either end may be open."""

    first: date | None = None
    last: date | None = None

    @property
    def start(self) -> datetime | None:
        return datetime.combine(self.first, time(), UTC) if self.first else None

    @property
    def end(self) -> datetime | None:
        """The instant after the period: midnight (UTC) ending its last day."""
        return datetime.combine(self.last + timedelta(days=1), time(), UTC) if self.last \
            else None

    def describe(self) -> str:
        if self.first and self.last:
            return f"{self.first.isoformat()} to {self.last.isoformat()} (UTC days, inclusive)"
        if self.first:
            return f"from {self.first.isoformat()} (UTC) onwards"
        if self.last:
            return f"up to and including {self.last.isoformat()} (UTC)"
        return "all dates"


def _parse_date(value: str | date | None, option: str) -> date | None:
    if value is None or isinstance(value, date):
        return value
    text = value.strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValidationError(f"{option} {value!r} is not a date: write it as YYYY-MM-DD, "
                              f"e.g. 2026-01-31.", field=option.lstrip("-")) from None


def parse_period(date_from: str | date | None, date_to: str | date | None) -> Period:
    period = Period(_parse_date(date_from, "--from"), _parse_date(date_to, "--to"))
    if period.first and period.last and period.first > period.last:
        raise ValidationError(f"--from {period.first.isoformat()} is after --to "
                              f"{period.last.isoformat()}: the period would be empty.",
                              field="from")
    return period


@dataclass(frozen=True)
class ExportResult:
    path: Path
    kind: str
    rows: int
    sheets: tuple[str, ...]


@dataclass(frozen=True)
class _Job:
    session: Session
    workbook: Workbook
    site: m.Site | None
    period: Period

    @property
    def site_id(self) -> uuid.UUID | None:
        return self.site.id if self.site else None


def export_workbook(db: ReadableDatabase, kind: str, out: Path | str, *,
                    site: str | None = None, date_from: str | date | None = None,
                    date_to: str | date | None = None, progress: Progress | None = None,
                    now: Callable[[], datetime] = lambda: datetime.now(UTC)) -> ExportResult:
    """Write the ``kind`` export to ``out`` (.xlsx). ``progress(done, total, text)`` is called as
    rows are written (from the calling thread). Raises DomainError for bad requests."""
    if kind not in EXPORT_KINDS:
        raise ValidationError(f"Unknown export {kind!r}: choose one of "
                              f"{', '.join(EXPORT_KINDS)}.", field="kind")
    period = parse_period(date_from, date_to)
    target = xlsx_target(out)
    with db.read_session() as session:
        site_ref = find_site(session, site) if site else None
        workbook = Workbook(write_only=True)
        job = _Job(session, workbook, site_ref, period)
        try:
            write_about(workbook, _about_lines(db, kind, job, now()))
            counter, formula_sheets = _WRITERS[kind](job, progress)
            counter.finish()  # the last report may still be answered by Cancel: no file then
        except BaseException:  # cancelled (the progress callback raised) or failed
            discard_workbook(workbook)
            raise
        save_workbook(workbook, target,
                      lambda saved: store_formula_values(saved, formula_sheets))
    return ExportResult(target, kind, counter.done, tuple(workbook.sheetnames))


# --- About -----------------------------------------------------------------------------------

def _period_text(kind: str, period: Period) -> str:
    use = BY_NAME[kind].period
    if use is PeriodUse.MASTER:
        return "not used: master data, as made"
    if use is PeriodUse.NOW:
        return "not used: current balances, as made"
    if use is PeriodUse.AS_AT:
        return (f"as at the end of {period.last.isoformat()} (UTC)" if period.last
                else "current balances, as made")
    return period.describe()


def _about_lines(db: ReadableDatabase, kind: str, job: _Job, made: datetime
                 ) -> list[tuple[str, Any, Kind]]:
    local = made.astimezone()
    offset = local.strftime("%z")
    zone = f"UTC{offset[:3]}:{offset[3:]}" if offset else "UTC"
    site = f"{job.site.code} — {job.site.name}" if job.site else "All sites"
    lines: list[tuple[str, Any, Kind]] = [
        ("File", f"dmdesk export: {TITLES[kind]}", "text"),
        ("Site", site, "text"),
        ("Period", _period_text(kind, job.period), "text"),
    ]
    if job.period.first:
        lines.append(("From", job.period.first, "date"))
    if job.period.last:
        lines.append(("To", job.period.last, "date"))
    lines += [
        ("Made", local.replace(tzinfo=None), "datetime"),
        ("Time zone", f"Made is local time ({zone}); times in the sheets are UTC.", "text"),
        ("Made by", f"dmdesk {__version__}", "text"),
        ("Database", str(db.path), "text"),
        ("Notes", BY_NAME[kind].note.format(labour_rate=q.DEFAULT_LABOUR_RATE), "text"),
    ]
    return lines


# --- the exports -------------------------------------------------------------------------

_Writer = Callable[[_Job, Progress | None], tuple[Counter, Sequence[FormulaSheet]]]

STOCK_COLUMNS = (Col("Site"), Col("Location"), Col("SKU"), Col("Product"), Col("Lot"),
                 Col("On hand", "qty"), Col("Reserved", "qty"), Col("Available", "qty"),
                 Col("Unit"))


def _stock(job: _Job, progress: Progress | None) -> tuple[Counter, Sequence[FormulaSheet]]:
    counter = Counter(q.stock_count(job.session, job.site_id), progress)
    TableWriter(job.workbook, "Stock", STOCK_COLUMNS, counter).write(
        q.stock_rows(job.session, job.site_id))
    return counter, ()


VALUATION_COLUMNS = (Col("Site"), Col("Site name"), Col("SKU"), Col("Product"), Col("Unit"),
                     Col("Quantity", "qty"), Col("Unit cost", "money"), Col("Value", "money"))


def _sum(refs: Sequence[str]) -> str:
    """=SUM(a,b,...) within Excel's 255 arguments a function (nested beyond that)."""
    if len(refs) <= 255:
        return f"SUM({','.join(refs)})"
    chunks = [refs[i:i + 255] for i in range(0, len(refs), 255)]
    return _sum([_sum(chunk) for chunk in chunks])


def _valuation(job: _Job, progress: Progress | None
               ) -> tuple[Counter, Sequence[FormulaSheet]]:
    rows = q.valuation_rows(job.session, job.site_id, job.period.end)
    counter = Counter(len(rows) + len({row.site for row in rows}) + 1, progress)
    writer = TableWriter(job.workbook, "Valuation", VALUATION_COLUMNS, counter)
    value_col = "H"

    def lines() -> Any:
        # Row numbers follow the writer's: the header is row 1, the first line row 2.
        row_no = 1
        subtotals: list[str] = []
        grand = Decimal(0)
        for site, site_rows in groupby(rows, key=lambda r: r.site):
            first = row_no + 1
            total = Decimal(0)
            for row in site_rows:
                row_no += 1
                total += row.value
                yield (row.site, row.site_name, row.sku, row.name, row.unit, row.quantity,
                       row.unit_cost, row.value)
            row_no += 1
            subtotals.append(f"{value_col}{row_no}")
            grand += total
            yield Bold((site, f"Total {site}", None, None, None, None, None,
                         Formula(f"=SUM({value_col}{first}:{value_col}{row_no - 1})",
                                 total)))
        formula = f"={_sum(subtotals)}" if subtotals else "=0"
        yield Bold(("", "Grand total", None, None, None, None, None,
                     Formula(formula, grand)))

    writer.write(lines())
    return counter, writer.formula_sheets


BALANCE_COLUMNS = (Col("Site"), Col("SKU"), Col("Product"), Col("Unit"),
                   Col("Opening", "qty"), Col("In", "qty"), Col("Out", "qty"),
                   Col("Net", "qty"), Col("Closing", "qty"))
MOVE_COLUMNS = (Col("When (UTC)", "datetime"), Col("Reference"), Col("Reason"), Col("SKU"),
                Col("Site"), Col("Location"), Col("Lot"), Col("Quantity", "qty"), Col("By"),
                Col("Note"))


def _moves(job: _Job, progress: Progress | None) -> tuple[Counter, Sequence[FormulaSheet]]:
    start, end = job.period.start, job.period.end
    balances = q.period_balances(job.session, job.site_id, start, end)
    total = q.move_count(job.session, job.site_id, start, end) + len(balances)
    counter = Counter(total, progress)
    TableWriter(job.workbook, "Balances", BALANCE_COLUMNS, counter).write(
        (b.site, b.sku, b.name, b.unit, b.opening, b.received, b.issued, b.net, b.closing)
        for b in balances)
    TableWriter(job.workbook, "Moves", MOVE_COLUMNS, counter).write(
        q.move_rows(job.session, job.site_id, start, end))
    return counter, ()


WORK_ORDER_COLUMNS = (
    Col("Number"), Col("SKU"), Col("Product"), Col("Site"), Col("State"), Col("Due", "date"),
    Col("Released (UTC)", "datetime"), Col("Started (UTC)", "datetime"),
    Col("Completed (UTC)", "datetime"), Col("Quantity", "qty"), Col("Good", "qty"),
    Col("Scrap", "qty"), Col("Unit"), Col("Material cost", "money"),
    Col("Labour minutes", "qty"), Col("Labour rate / h", "money"), Col("Labour cost", "money"),
    Col("Total cost", "money"))


def _work_orders(job: _Job, progress: Progress | None
                 ) -> tuple[Counter, Sequence[FormulaSheet]]:
    first, last = job.period.first, job.period.last
    counter = Counter(q.work_order_count(job.session, job.site_id, first, last), progress)
    TableWriter(job.workbook, "Work orders", WORK_ORDER_COLUMNS, counter).write(
        (w.number, w.sku, w.name, w.site, w.state, w.due_date, w.released_at, w.started_at,
         w.completed_at, w.quantity, w.good, w.scrap, w.unit, w.material_cost,
         w.labour_minutes, w.labour_rate, w.labour_cost, w.total_cost)
        for w in q.work_order_rows(job.session, job.site_id, first, last))
    return counter, ()


PRODUCER_COLUMNS = (
    Col("Code"), Col("Name"), Col("Status"), Col("Address"), Col("Capabilities"),
    Col("Hours / week", "qty"), Col("Contacts", "int"), Col("Finished orders", "int"),
    Col("On time", "int"), Col("On-time rate", "pct"), Col("Good", "qty"),
    Col("Scrap", "qty"), Col("Scrap rate", "pct"))
CONTACT_COLUMNS = (
    Col("Site"), Col("Name"), Col("Organisation"), Col("Role"), Col("E-mail"), Col("Phone"),
    Col("Capabilities"), Col("Lead time (days)", "int"), Col("Hourly rate", "money"))


def _producers(job: _Job, progress: Progress | None
               ) -> tuple[Counter, Sequence[FormulaSheet]]:
    producers = q.producer_rows(job.session, job.site_id, job.period.start, job.period.end)
    contacts = q.producer_contact_rows(job.session, job.site_id)
    counter = Counter(len(producers) + len(contacts), progress)
    TableWriter(job.workbook, "Producers", PRODUCER_COLUMNS, counter).write(
        (p.code, p.name, p.status, p.address, p.capabilities, p.weekly_capacity_hours,
         p.contacts, p.finished, p.on_time, p.on_time_rate, p.good, p.scrap, p.scrap_rate)
        for p in producers)
    TableWriter(job.workbook, "Producer contacts", CONTACT_COLUMNS, counter).write(
        (c.site, c.name, c.organisation, c.role, c.email, c.phone, c.capabilities,
         c.lead_time_days, c.hourly_rate) for c in contacts)
    return counter, ()


PRODUCT_COLUMNS = (Col("SKU"), Col("Name"), Col("Unit"), Col("Kind"), Col("Description"),
                   Col("Standard cost", "money"), Col("Price", "money"), Col("Lot tracked"),
                   Col("Archived"))
BOM_COLUMNS = (Col("Parent SKU"), Col("Parent name"), Col("Component SKU"),
               Col("Component name"), Col("Quantity", "qty"), Col("Unit"),
               Col("Scrap %", "qty"), Col("Sequence", "int"), Col("Notes"))


def _products(job: _Job, progress: Progress | None) -> tuple[Counter, Sequence[FormulaSheet]]:
    counter = Counter(q.product_count(job.session), progress)
    TableWriter(job.workbook, "Products", PRODUCT_COLUMNS, counter).write(
        q.product_rows(job.session))
    return counter, ()


def _bom(job: _Job, progress: Progress | None) -> tuple[Counter, Sequence[FormulaSheet]]:
    counter = Counter(q.bom_count(job.session), progress)
    TableWriter(job.workbook, "BOM", BOM_COLUMNS, counter).write(q.bom_rows(job.session))
    return counter, ()


# The headers are the contacts importer's column labels (importing/kind_contacts.FIELDS).
CONTACT_IMPORT_COLUMNS = (
    Col("Name"), Col("Kind"), Col("Role"), Col("Organisation"), Col("Site"), Col("E-mail"),
    Col("Phone"), Col("Address"), Col("Latitude", "coord"), Col("Longitude", "coord"),
    Col("Capabilities"), Col("Lead time (days)", "int"), Col("Hourly rate", "money"),
    Col("Notes"))


def _contacts(job: _Job, progress: Progress | None) -> tuple[Counter, Sequence[FormulaSheet]]:
    counter = Counter(q.contact_count(job.session), progress)
    TableWriter(job.workbook, "Contacts", CONTACT_IMPORT_COLUMNS, counter).write(
        q.contact_rows(job.session))
    return counter, ()


# The code of each kind in documents.excel.export_kinds.KINDS (tests check the two name the same).
_WRITERS: dict[str, _Writer] = {
    "stock": _stock,
    "valuation": _valuation,
    "moves": _moves,
    "workorders": _work_orders,
    "producers": _producers,
    "products": _products,
    "bom": _bom,
    "contacts": _contacts,
}
