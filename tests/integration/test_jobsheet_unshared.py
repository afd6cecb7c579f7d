"""Job sheets of orders a producer's database holds without everything they refer to: the
server shares a producer its work orders, and a product or component row may not have
arrived yet. Such an order exists, so it is never called unknown: the sheet is refused with a
message naming the order, what has not been shared and what to do; once the row arrives the
same sheet prints. A making site's row that has not arrived prints as "not shared".

The missing rows are taken out with plain SQL (foreign keys off), as if sync never sent them;
the PDFs are read back with pdftotext."""

from __future__ import annotations

import sqlite3
import subprocess
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest

from dmdesk import cli
from dmdesk.documents.jobsheet.sheet import render_job_sheets
from dmdesk.domain.errors import NotFoundError
from dmdesk.queries.jobsheet import job_sheets_data, job_sheets_refusal
from dmdesk.services import products, stock, work_orders
from dmdesk.services.context import ServiceContext
from tests.helpers import require_tool
from tests.integration.support import Network

DUE = "2030-08-31"


class Unsent:
    """Rows taken out of the database as if sync had not sent them yet, and put back (the
    next sync) by ``arrive``."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self.connection = connection
        connection.execute("PRAGMA foreign_keys=OFF")

    def take(self, table: str, where: str) -> None:
        self.connection.execute(f"CREATE TEMP TABLE kept_{table} AS "
                                f"SELECT * FROM {table} WHERE {where}")
        self.connection.execute(f"DELETE FROM {table} WHERE {where}")
        self.connection.commit()

    def arrive(self, table: str) -> None:
        self.connection.execute(f"INSERT INTO {table} SELECT * FROM temp.kept_{table}")
        self.connection.commit()


@pytest.fixture
def unsent(ctx: ServiceContext) -> Iterator[Unsent]:
    with closing(sqlite3.connect(ctx.db.path)) as connection:
        yield Unsent(connection)


def _text(pdf: Path) -> str:
    return subprocess.run([require_tool("pdftotext"), "-layout", str(pdf), "-"],
                          capture_output=True, text=True, check=True).stdout


def _secret_order(ctx: ServiceContext, network: Network) -> str:
    """A draft order at MP1 for a product the producer has not been sent."""
    secret = products.create_product(ctx, sku="SECRET", name="Unshared part")
    products.add_bom_line(ctx, secret, network.screw, 2)
    return work_orders.create_work_order(ctx, secret, 3, network.mp, DUE).number


def test_an_order_whose_product_is_not_shared_says_so_and_prints_once_it_arrives(
        ctx: ServiceContext, network: Network, unsent: Unsent, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    number = _secret_order(ctx, network)
    unsent.take("product", "sku = 'SECRET'")
    expected = (f"Cannot print the job sheet of {number} yet: its product has not been shared "
                "with this site. Sync again, or ask the owner to share it.")
    with ctx.db.read_session() as session:
        assert job_sheets_refusal(session, [number]) == expected
        with pytest.raises(NotFoundError) as refused:
            job_sheets_data(session, [number])
    assert str(refused.value) == expected
    out = tmp_path / "sheets" / "sheet.pdf"
    out.parent.mkdir()
    with pytest.raises(NotFoundError, match="its product has not been shared"):
        render_job_sheets(ctx.db, [number], out)
    assert cli.main(["jobsheet", number, "--db", str(ctx.db.path), "--out", str(out)]) == 1
    assert expected in capsys.readouterr().err
    assert list(out.parent.iterdir()) == []  # nothing written, not even a temporary file

    unsent.arrive("product")  # the next sync brings it
    with ctx.db.read_session() as session:
        assert job_sheets_refusal(session, [number]) == ""
    assert render_job_sheets(ctx.db, [number], out) == 1
    text = _text(out)
    assert number in text and "SECRET" in text and "Unshared part" in text


def test_a_released_order_missing_a_component_row_names_its_materials(
        ctx: ServiceContext, network: Network, unsent: Unsent, tmp_path: Path) -> None:
    stock.receive(ctx, network.steel, network.mp_stock, 30)
    stock.receive(ctx, network.screw, network.mp_stock, 100)
    made = work_orders.create_work_order(ctx, network.frame, 2, network.mp, DUE)
    work_orders.release(ctx, made.id)
    unsent.take("product", "sku = 'STEEL'")
    with pytest.raises(NotFoundError) as refused:
        render_job_sheets(ctx.db, [made.number], tmp_path / "frame.pdf")
    assert str(refused.value) == (
        f"Cannot print the job sheet of {made.number} yet: some of its materials have not "
        "been shared with this site. Sync again, or ask the owner to share them.")
    unsent.arrive("product")
    assert render_job_sheets(ctx.db, [made.number], tmp_path / "frame.pdf") == 1
    assert "STEEL" in _text(tmp_path / "frame.pdf")


def test_a_draft_whose_bom_names_an_unshared_component_is_refused_too(
        ctx: ServiceContext, network: Network, unsent: Unsent) -> None:
    made = work_orders.create_work_order(ctx, network.chair, 1, network.mp, DUE)
    unsent.take("product", "sku = 'FABRIC'")  # a line of CHAIR's BOM, which drafts list
    with ctx.db.read_session() as session:
        assert "some of its materials have not been shared" in job_sheets_refusal(
            session, [made.number])
        # A released order is judged by its own material lines, not today's BOM: a FRAME
        # order (no fabric) prints.
        frame = work_orders.create_work_order(ctx, network.frame, 1, network.mp, DUE).number
    with ctx.db.read_session() as session:
        assert job_sheets_refusal(session, [frame]) == ""


def test_a_batch_names_every_order_and_unknown_numbers_come_first(
        ctx: ServiceContext, network: Network, unsent: Unsent) -> None:
    first = _secret_order(ctx, network)
    second = work_orders.create_work_order(
        ctx, products.create_product(ctx, sku="OTHER", name="Other part"), 1, network.mp,
        DUE).number
    shared = work_orders.create_work_order(ctx, network.frame, 1, network.mp, DUE).number
    unsent.take("product", "sku IN ('SECRET', 'OTHER')")
    with ctx.db.read_session() as session:
        assert job_sheets_refusal(session, [first, shared, second, first]) == (
            f"Cannot print the job sheets of {first}, {second} yet: what they make or use "
            "has not been shared with this site. Sync again, or ask the owner to share it.")
        assert job_sheets_refusal(session, [first, "MP1-WO-99999"]) == (
            "Unknown work order: MP1-WO-99999.")
        assert job_sheets_refusal(session, [shared]) == ""


def test_a_making_site_not_shared_prints_as_not_shared(
        ctx: ServiceContext, network: Network, unsent: Unsent, tmp_path: Path) -> None:
    """The sheet tells what to make and pick; the site's name is only a fact on it."""
    number = work_orders.create_work_order(ctx, network.frame, 5, network.mp, DUE).number
    unsent.take("site", "code = 'MP1'")
    out = tmp_path / "site.pdf"
    assert render_job_sheets(ctx.db, [number], out) == 1
    text = _text(out)
    assert number in text and "FRAME" in text
    assert "Making site" in text and "not shared" in text and "not shared —" not in text
