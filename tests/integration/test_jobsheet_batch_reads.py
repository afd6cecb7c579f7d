"""Job sheets read their data set-based: a batch of orders costs a few queries, not a few per
order, and gives each order exactly the sheet it gets on its own."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event, select

from dmdesk.db import models as m
from dmdesk.queries.jobsheet import job_sheets_data
from dmdesk.services import products, stock, work_orders
from dmdesk.services.context import ServiceContext
from tests.integration.support import Network

DUE = "2030-06-30"


def _orders(ctx: ServiceContext, network: Network) -> list[str]:
    """Released, draft (with and without stock), and one serving no customer: a mix."""
    stock.receive(ctx, network.steel, network.hq_stock, 30)
    stock.receive(ctx, network.screw, network.hq_stock, 100)
    stock.receive(ctx, network.fabric, network.hq_stock, "1", lot_code="F-100")
    products.add_design_file(ctx, network.frame, "frame.pdf", b"%PDF-1.4 not really",
                             media_type="application/pdf")
    numbers = []
    for quantity in (1, 2, 3):
        created = work_orders.create_work_order(ctx, network.frame, quantity, network.hq, DUE,
                                               notes=f"batch {quantity}")
        numbers.append(created.number)
    work_orders.release(ctx, _id(ctx, numbers[0]))
    numbers.append(work_orders.create_work_order(ctx, network.chair, 2, network.hq, DUE).number)
    return numbers


def _id(ctx: ServiceContext, number: str) -> Any:
    with ctx.db.read_session() as session:
        return session.scalar(select(m.WorkOrder.id).where(m.WorkOrder.number == number))


def test_a_batch_reads_in_a_few_queries_and_matches_each_order_alone(
        ctx: ServiceContext, network: Network) -> None:
    numbers = _orders(ctx, network)
    with ctx.db.read_session() as session:
        alone = [job_sheets_data(session, [number])[0] for number in numbers]
        statements: list[str] = []

        def count(*args: Any) -> None:
            statements.append(args[2])

        engine = session.get_bind()
        event.listen(engine, "before_cursor_execute", count)
        try:
            together = job_sheets_data(session, numbers * 3)
        finally:
            event.remove(engine, "before_cursor_execute", count)
    assert together == alone * 3
    assert len(statements) <= 9, statements
    released, *drafts = together[:4]
    assert released.pick_list_reserved and not any(d.pick_list_reserved for d in drafts)
    assert [s.notes for s in together[:3]] == ["batch 1", "batch 2", "batch 3"]
    assert all(s.design is not None and s.design.image == b"%PDF-1.4 not really"
               for s in together[:3])
    assert together[3].design is None
