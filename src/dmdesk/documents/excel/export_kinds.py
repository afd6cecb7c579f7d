"""The kinds of Excel export, in one table: the export code (documents.excel.exports), the command
line and the Documents area read it. It imports nothing heavy, so ``dmdesk --help`` stays quick.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class PeriodUse(Enum):
    """What a kind does with the period asked for."""

    PERIOD = "period"  # rows within it
    NOW = "now"  # current balances: the period is not used
    AS_AT = "as at"  # balances at its last day (or now without one)
    MASTER = "master"  # master data as it is: the period is not used


@dataclass(frozen=True)
class ExportKind:
    name: str  # as typed: dmdesk export NAME
    title: str
    period: PeriodUse
    note: str  # the About sheet's notes: how the figures are made ({labour_rate} filled in)


KINDS = (
    ExportKind("stock", "Stock on hand", PeriodUse.NOW,
               "Current balances (the period is not used). Available = on hand - reserved."),
    ExportKind("valuation", "Stock valuation", PeriodUse.AS_AT,
               "Value = quantity x the product's current standard cost. Site subtotals and the"
               " grand total are formulas. With an end date (To), quantities are the ledger at"
               " the end of that day; otherwise today's balances."),
    ExportKind("moves", "Stock moves", PeriodUse.PERIOD,
               "Every stock move in the period. Balances: opening = every move before the "
               "period; closing = opening + in - out of the period."),
    ExportKind("workorders", "Work orders", PeriodUse.PERIOD,
               "Orders due within the period. Material cost = consumed x standard cost. Labour"
               " cost = planned minutes (setup + run x quantity) x the site's hourly rate (its"
               " contacts' rate, else {labour_rate} per hour) / 60."),
    ExportKind("producers", "Micro-producers", PeriodUse.PERIOD,
               "Micro-producer sites. On-time and scrap rates count the work orders finished "
               "within the period. Scrap rate = scrap / (good + scrap)."),
    ExportKind("products", "Products", PeriodUse.MASTER,
               "Every product, archived ones marked, in the layout `dmdesk import products` "
               "reads back (the site and period are not used)."),
    ExportKind("bom", "Bills of materials", PeriodUse.MASTER,
               "Every BOM line, in the layout `dmdesk import bom` reads back (the site and "
               "period are not used). Quantity is per one unit of the parent."),
    ExportKind("contacts", "Contacts", PeriodUse.MASTER,
               "Every contact not archived, in the layout `dmdesk import contacts` reads back "
               "(the site and period are not used). Organisations come first, as a person's "
               "organisation must be on an earlier row. Archived contacts are left out (the "
               "importer has no Archived column), except an archived organisation that a "
               "listed person belongs to. Site is the site's code: import into a database that"
               " has those sites."),
)
EXPORT_KINDS = tuple(kind.name for kind in KINDS)
TITLES = {kind.name: kind.title for kind in KINDS}
BY_NAME = {kind.name: kind for kind in KINDS}
