"""Two sites plan the same customer order line while offline (issue 17): each passes its own
check, since each sees only its own plan. After sync both hold both documents and the line
says it is planned beyond the order (LinePlan.over), names both, and refuses any more; there
is no automatic settlement: a person cancels the surplus work order."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from dmdesk.db.database import open_database
from dmdesk.db.line_plan import LinePlan, line_plan
from dmdesk.domain.errors import ValidationError
from dmdesk.queries.routing import route_line
from dmdesk.services import contacts, stock, work_orders
from dmdesk.services.context import ServiceContext
from dmdesk.services.customer_orders import OrderLineSpec, create_customer_order
from dmdesk.services.routing import apply_route
from tests.integration.support import build_network
from tests.sync.support import Site, close_all, join, sync_all
from tests.sync_server_process import RunningServer

DUE = date(2026, 12, 30)
D = Decimal


def plan(site: Site, line_id: uuid.UUID) -> LinePlan:
    with site.db.read_session() as session:
        return line_plan(session, line_id)


def test_a_line_planned_at_two_sites_offline_shows_the_surplus(server: RunningServer,
                                                                tmp_path: Path) -> None:
    db = open_database(tmp_path / "hq.sqlite")
    net = build_network(ServiceContext(db, actor="owner"))
    owner = join(server, tmp_path / "hq.sqlite", "HQ", role="owner", db=db)
    customer = contacts.create_contact(owner.ctx, name="Casa Lda")
    made = create_customer_order(owner.ctx, customer, DUE, [OrderLineSpec(net.chair, 3)])
    [line] = made.line_ids
    owner.sync()
    wh = join(server, tmp_path / "wh.sqlite", "WH")
    wh.sync()
    stock.receive(wh.ctx, net.chair, net.wh_stock, 5)
    try:
        # Offline, each plans the whole line: the warehouse ships it, the owner makes it.
        shipped = apply_route(wh.ctx, line, net.wh, "ship", to_location_id=net.hq_stock)
        wo = work_orders.create_work_order(owner.ctx, net.chair, 3, net.hq, DUE,
                                           customer_order_line_id=line)
        assert plan(wh, line).over == 0 and plan(owner, line).over == 0
        sync_all([owner, wh])

        [transfer] = shipped.transfer_numbers
        for site in (owner, wh):
            seen = plan(site, line)
            assert (seen.planned, seen.open, seen.over) == (D(6), D(0), D(3)), site.code
            assert seen.summary() == (f"6 of 3 pcs planned: {transfer} (3 pcs), {wo.number} "
                                      "(3 pcs); 3 pcs more than ordered"), site.code
            with site.db.read_session() as session:
                assert route_line(session, line).fully_planned
        with pytest.raises(ValidationError, match="is fully planned"):
            work_orders.create_work_order(owner.ctx, net.chair, 1, net.hq, DUE,
                                          customer_order_line_id=line)
        # The owner settles it by cancelling the surplus work order: the line is whole again.
        work_orders.cancel(owner.ctx, wo.id, reason="WH shipped it")
        sync_all([owner, wh])
        for site in (owner, wh):
            assert (plan(site, line).planned, plan(site, line).over) == (D(3), D(0)), site.code
    finally:
        close_all([owner, wh])
