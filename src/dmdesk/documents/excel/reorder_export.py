"""Reorder suggestions as an Excel workbook (for the buyer and the planner, until purchasing
lives in dmdesk): an About sheet and one "Reorder" sheet with real number cells, a frozen
header and an autofilter (documents.excel.writer). Written to a temporary file and renamed, so
a failure leaves nothing half-written."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from openpyxl import Workbook

from dmdesk import __version__
from dmdesk.documents.excel.exports import ReadableDatabase
from dmdesk.documents.excel.writer import (
    Col,
    Counter,
    TableWriter,
    save_workbook,
    write_about,
    xlsx_target,
)
from dmdesk.queries.lookup import find_site
from dmdesk.queries.reorder import DEFAULT_MONTHS, ReorderSuggestion, reorder_suggestions

COLUMNS = (Col("Site"), Col("SKU"), Col("Product"), Col("Unit"), Col("Available", "qty"),
           Col("Minimum", "qty"), Col("Reorder quantity", "qty"),
           Col("Forecast per month", "qty"), Col("Suggested quantity", "qty"), Col("Action"),
           Col("From / made at"), Col("Why"), Col("Forecast method"))


@dataclass(frozen=True)
class ReorderExport:
    path: Path
    rows: int


def _row(s: ReorderSuggestion) -> tuple[object, ...]:
    return (s.site_code, s.sku, s.name, s.unit, s.available, s.minimum, s.reorder_quantity,
            s.forecast_per_month, s.quantity, s.action, s.source_site_code, s.reason,
            s.forecast_method)


def export_reorder(db: ReadableDatabase, out: Path | str, *, site: str | None = None,
                   today: date | None = None, months: int = DEFAULT_MONTHS,
                   method: str = "ses") -> ReorderExport:
    """Write the reorder suggestions (of one site, by code, or all) to ``out`` (.xlsx)."""
    target = xlsx_target(out)
    with db.read_session() as session:
        site_row = find_site(session, site) if site else None
        suggestions = reorder_suggestions(session, site_row.id if site_row else None,
                                          today=today, months=months, method=method)
        label = f"{site_row.code} — {site_row.name}" if site_row else "All sites"
    workbook = Workbook(write_only=True)
    made = datetime.now(UTC).astimezone()
    write_about(workbook, [
        ("File", "dmdesk export: reorder suggestions", "text"),
        ("Site", label, "text"),
        ("Made", made.replace(tzinfo=None), "datetime"),
        ("Made by", f"dmdesk {__version__}", "text"),
        ("Database", str(db.path), "text"),
        ("Notes", f"Items below their reorder point. Suggested quantity = max(reorder "
                  f"quantity, minimum - available + forecast per month); the forecast runs on "
                  f"the last {months} complete months of customer orders.", "text"),
    ])
    counter = Counter(len(suggestions), None)
    TableWriter(workbook, "Reorder", COLUMNS, counter).write(_row(s) for s in suggestions)
    save_workbook(workbook, target)
    return ReorderExport(target, counter.done)
