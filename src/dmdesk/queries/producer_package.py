"""The read side of a package for a producer that runs no dmdesk (issue 14): the orders' job
sheets, the design file each order was released with (its bytes), the materials to pick, and
whom to report back to.

One package is for one producer, so the orders must all be made at one site, and they must be
open (a done or cancelled order has nothing left to make). Every refusal is raised before any
file is written, naming the orders concerned.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from dmdesk.db import models as m
from dmdesk.domain.errors import ValidationError
from dmdesk.domain.work_order_states import FINAL_STATES
from dmdesk.domain.work_order_states import label as state_label
from dmdesk.queries.jobsheet import JobSheetData, job_sheets_data
from dmdesk.queries.settings import CompanyProfile, company_profile


@dataclass(frozen=True)
class MaterialRow:
    """One material of one order: what the producer picks (all locations and lots summed)."""

    number: str
    sku: str
    name: str
    quantity: Decimal
    unit: str


@dataclass(frozen=True)
class DesignBytes:
    number: str  # the work order
    sku: str
    name: str  # as stored: may hold any characters (the writer makes a safe file name)
    version: int
    sha256: str
    data: bytes | None  # None: the blob has not arrived in this database (by sync)


@dataclass(frozen=True)
class PackageData:
    site_code: str
    site_name: str
    sheets: tuple[JobSheetData, ...]
    designs: tuple[DesignBytes, ...]
    materials: tuple[MaterialRow, ...]
    company: CompanyProfile


def package_data(session: Session, numbers: Sequence[str]) -> PackageData:
    """Everything a package holds; NotFoundError (unknown numbers) or ValidationError (closed
    orders, several producers) before anything else."""
    wanted = list(dict.fromkeys(n.strip() for n in numbers if n.strip()))
    if not wanted:
        raise ValidationError("Give at least one work order number.", field="work order")
    sheets = job_sheets_data(session, wanted)  # names unknown numbers
    _refuse_closed(sheets)
    _refuse_mixed_sites(sheets)
    return PackageData(site_code=sheets[0].site_code, site_name=sheets[0].site_name,
                       sheets=tuple(sheets), designs=tuple(_designs(session, sheets)),
                       materials=tuple(row for s in sheets for row in materials_of(s)),
                       company=company_profile(session))


def _refuse_closed(sheets: Sequence[JobSheetData]) -> None:
    closed = [f"{s.number} ({state_label(s.state)})" for s in sheets if s.state in FINAL_STATES]
    if closed:
        raise ValidationError(
            f"Nothing is left to make on {', '.join(closed)}: leave "
            f"{'it' if len(closed) == 1 else 'them'} out of the package.", field="work order")


def _refuse_mixed_sites(sheets: Sequence[JobSheetData]) -> None:
    by_site: dict[str, list[str]] = {}
    for sheet in sheets:
        by_site.setdefault(sheet.site_code, []).append(sheet.number)
    if len(by_site) > 1:
        listed = "; ".join(f"{code}: {', '.join(nums)}" for code, nums in by_site.items())
        raise ValidationError(
            f"A package goes to one producer, but these orders are made at {len(by_site)} "
            f"sites ({listed}). Make one package per producer.", field="work order")


def materials_of(sheet: JobSheetData) -> list[MaterialRow]:
    """The sheet's pick list with one row per material line (its locations and lots summed)."""
    rows: dict[int, MaterialRow] = {}
    for pick in sheet.pick_list:
        known = rows.get(pick.line_no)
        quantity = pick.quantity + (known.quantity if known else Decimal(0))
        rows[pick.line_no] = MaterialRow(sheet.number, pick.sku, pick.name, quantity, pick.unit)
    return [rows[line] for line in sorted(rows)]


def _designs(session: Session, sheets: Sequence[JobSheetData]) -> list[DesignBytes]:
    """The design each sheet names (pinned at release; a draft's newest) with its blob."""
    hashes = {s.design.sha256 for s in sheets if s.design is not None}
    blobs: dict[str, bytes] = {}
    if hashes:
        rows = session.execute(select(m.FileBlob.sha256, m.FileBlob.data)
                               .where(m.FileBlob.sha256.in_(hashes)))
        blobs = {sha: data for sha, data in rows}
    return [DesignBytes(s.number, s.sku, s.design.name, s.design.version, s.design.sha256,
                        blobs.get(s.design.sha256))
            for s in sheets if s.design is not None]
