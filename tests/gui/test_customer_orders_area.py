"""The Customer orders area through its widgets, over a real database file: the detail lists
the lines and the work orders serving them; "Create work order" plans a line (the work order is
linked to it); a new order's lines are typed into a small table that is checked as you type."""

from __future__ import annotations

import uuid
from decimal import Decimal
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from dmdesk.db import models as m
from dmdesk.db.database import Database
from dmdesk.domain.kinds import CustomerOrderState
from dmdesk.gui.context import GuiContext
from dmdesk.gui.dialogs.customer_order_create import PRICE, QUANTITY, SKU, CustomerOrderCreateDialog
from dmdesk.gui.dialogs.work_order_create import WorkOrderCreateDialog
from dmdesk.gui.views.customer_orders import CustomerOrdersArea
from dmdesk.gui.views.work_orders import WorkOrdersArea
from dmdesk.services import contacts, customer_orders, work_orders
from dmdesk.services.context import ServiceContext
from dmdesk.services.customer_orders import CreatedOrder, OrderLineSpec
from tests.gui.support import assert_screenshot, click, idle, showing, window_with
from tests.integration.support import Network

D = Decimal
DUE = "2030-06-30"


@pytest.fixture
def customer(ctx: ServiceContext, net: Network) -> uuid.UUID:
    return contacts.create_contact(ctx, name="Casa Ribeiro, Lda",
                                   address="Rua Augusta 12, Lisboa")


@pytest.fixture
def order(ctx: ServiceContext, net: Network, customer: uuid.UUID) -> CreatedOrder:
    return customer_orders.create_customer_order(
        ctx, customer, DUE, [OrderLineSpec(net.chair, 5), OrderLineSpec(net.frame, 2, "30.5")])


@pytest.fixture
def area(qtbot: QtBot, gctx: GuiContext, net: Network) -> CustomerOrdersArea:
    return showing(qtbot, CustomerOrdersArea(gctx), (1060, 760))


def show(area: CustomerOrdersArea, order_id: uuid.UUID) -> None:
    area.refresh()
    assert area.list.select_id(order_id)
    assert area.current is not None and area.current.id == order_id


def cells(area: CustomerOrdersArea, row: int) -> list[str]:
    model = area.detail.lines_model
    return [model.index(row, column).data() for column in range(model.columnCount())]


def test_detail_lists_lines_and_the_work_orders_serving_them(
        area: CustomerOrdersArea, ctx: ServiceContext, net: Network,
        order: CreatedOrder) -> None:
    served = work_orders.create_work_order(ctx, net.chair, 3, net.hq, DUE,
                                          customer_order_line_id=order.line_ids[0])
    work_orders.release(ctx, served.id, override_reason="test")
    show(area, order.id)
    detail = area.detail
    assert detail.number.text() == order.number
    assert detail.state.text() == "open"
    assert detail.info.values["customer"].text() == "Casa Ribeiro, Lda"
    assert detail.info.values["ship_to"].text() == "Rua Augusta 12, Lisboa"
    assert detail.info.values["total"].text() == "1,306.00"
    assert cells(area, 0) == ["1", "CHAIR", "5 pcs", "249.00", "1,245.00", "3 of 5",
                              "make at HQ", f"{served.number} (released)"]
    assert cells(area, 1) == ["2", "FRAME", "2 pcs", "30.50", "61.00", "0 of 2", "not yet",
                              "none yet"]
    assert not detail.create_wo.isEnabled()  # no line selected yet


def test_create_work_order_from_a_line_links_it(qtbot: QtBot, area: CustomerOrdersArea,
                                                gctx: GuiContext, ctx: ServiceContext,
                                                db: Database, net: Network,
                                                order: CreatedOrder, screenshots: Path) -> None:
    first = work_orders.create_work_order(ctx, net.chair, 2, net.mp, DUE,
                                         customer_order_line_id=order.line_ids[0])
    show(area, order.id)
    assert area.detail.select_line(order.line_ids[0])
    assert area.detail.hint.text() == f"Line 1: 2 of 5 pcs planned: {first.number} (2 pcs)."
    click(qtbot, area.detail.create_wo)
    dialog = area.dialog
    assert isinstance(dialog, WorkOrderCreateDialog)
    assert dialog.product.text() == "CHAIR"
    assert dialog.quantity.text() == "3"  # what is not planned yet
    assert dialog.line_plan.text() == (f"2 of 5 pcs planned: {first.number} (2 pcs); 3 pcs "
                                       "left to plan.")
    dialog.quantity.setText("4")  # more than is left: wrong next to the field, OK disabled
    assert not dialog.ok_button.isEnabled()
    assert dialog.fields["quantity"].error.text() == (
        f"{order.number}/1 has 3 pcs left to plan (2 of 5 pcs planned: {first.number} "
        "(2 pcs)).")
    dialog.grab().save(str(screenshots / "work-order-for-a-line.png"))
    dialog.quantity.setText("3")
    assert dialog.due.date().toPython().isoformat() == DUE
    assert dialog.line.text().startswith(f"{order.number}/1 — CHAIR × 5")
    dialog.site.setCurrentIndex(dialog.site.findText("HQ", Qt.MatchFlag.MatchStartsWith))
    click(qtbot, dialog.ok_button)
    idle(qtbot, gctx)

    with db.read_session() as session:
        made = session.scalars(select(m.WorkOrder).where(
            m.WorkOrder.customer_order_line_id == order.line_ids[0])
            .order_by(m.WorkOrder.number)).all()
    assert [(wo.quantity, wo.site_id) for wo in made] == [(D(2), net.mp), (D(3), net.hq)]
    assert made[1].due_date.isoformat() == DUE
    assert area.detail.selected_line() is not None  # the line stays selected
    assert cells(area, 0)[5:] == ["5 of 5", "make at HQ, MP1",
                                  f"{made[0].number} (draft)\n{made[1].number} (draft)"]


def test_work_orders_area_creates_for_a_line_too(qtbot: QtBot, gctx: GuiContext,
                                                 ctx: ServiceContext, db: Database,
                                                 net: Network, order: CreatedOrder) -> None:
    area = showing(qtbot, WorkOrdersArea(gctx))
    dialog = area.create_for_line(order.line_ids[1])
    assert isinstance(dialog, WorkOrderCreateDialog)
    assert (dialog.product.text(), dialog.quantity.text()) == ("FRAME", "2")
    click(qtbot, dialog.ok_button)
    idle(qtbot, gctx)
    assert area.current is not None
    assert area.current.customer_order_line_id == order.line_ids[1]
    assert area.detail.info.values["customer_order"].text() == (
        f"{order.number} line 2 — Casa Ribeiro, Lda")


def test_new_order_lines_are_checked_as_you_type(qtbot: QtBot, area: CustomerOrdersArea,
                                                 gctx: GuiContext, db: Database,
                                                 customer: uuid.UUID) -> None:
    area.create_new()
    dialog = area.dialog
    assert isinstance(dialog, CustomerOrderCreateDialog)
    assert dialog.customer.currentData() == customer
    assert not dialog.ok_button.isEnabled()  # one blank line: nothing to order yet

    dialog.lines.item(0, SKU).setText("chair")
    assert [dialog.cell(0, c) for c in (SKU, QUANTITY, PRICE)] == ["CHAIR", "1", "249.00"]
    assert dialog.ok_button.isEnabled()
    dialog.lines.item(0, QUANTITY).setText("1.5")
    assert dialog.lines_error.isVisible()
    assert dialog.lines_error.text().startswith("Line 1: Quantity 1.5 pcs must be a whole")
    assert not dialog.ok_button.isEnabled()
    dialog.lines.item(0, QUANTITY).setText("4")
    row = dialog.add_line("NOPE", "2")
    assert dialog.lines_error.text() == "Line 2: no product has the SKU 'NOPE'."
    dialog.lines.item(row, SKU).setText("FRAME")
    dialog.lines.item(row, PRICE).setText("-3")
    assert "Line 2: Unit price must not be negative" in dialog.lines_error.text()
    dialog.lines.item(row, PRICE).setText("35")
    assert not dialog.lines_error.isVisible() and dialog.ok_button.isEnabled()
    dialog.ship_to.setText("Praça do Comércio 1, Lisboa")  # keyClicks takes ASCII only
    click(qtbot, dialog.ok_button)
    idle(qtbot, gctx)

    assert area.current is not None and area.current.number == "HQ-CO-00001"
    with db.read_session() as session:
        saved = session.scalars(select(m.CustomerOrder)).one()
        lines = [(ln.line_no, ln.quantity, ln.unit_price) for ln in saved.lines]
    assert saved.ship_to == "Praça do Comércio 1, Lisboa"
    assert lines == [(1, D(4), D("249.00")), (2, D(2), D(35))]


def test_state_filter_and_closed_orders(area: CustomerOrdersArea, ctx: ServiceContext,
                                        order: CreatedOrder, net: Network,
                                        customer: uuid.UUID) -> None:
    done = customer_orders.create_customer_order(ctx, customer, DUE,
                                                 [OrderLineSpec(net.chair, 1)])
    customer_orders.set_customer_order_state(ctx, done.id, CustomerOrderState.FULFILLED)
    area.refresh()
    assert area.list.model.rowCount() == 1  # open ones by default
    area.state_filter.setCurrentIndex(area.state_filter.findData(None))
    assert area.list.model.rowCount() == 2
    show(area, done.id)
    assert area.detail.select_line(done.line_ids[0])
    assert not area.detail.create_wo.isEnabled()
    assert area.detail.hint.text() == "The order is fulfilled: no new work orders."


def test_lines_model_passes_the_model_tester(qtmodeltester: ModelTester,
                                             area: CustomerOrdersArea,
                                             order: CreatedOrder) -> None:
    show(area, order.id)
    assert area.detail.lines_model.rowCount() == 2
    qtmodeltester.check(area.detail.lines_model)


def test_screenshot_of_the_customer_orders_area(qtbot: QtBot, gctx: GuiContext,
                                                ctx: ServiceContext, net: Network,
                                                customer: uuid.UUID, screenshots: Path) -> None:
    other = contacts.create_contact(ctx, name="Hotel Miradouro", address="Rua do Alecrim 5")
    customer_orders.create_customer_order(ctx, other, "2030-05-30",
                                          [OrderLineSpec(net.chair, 12)])
    shown = customer_orders.create_customer_order(
        ctx, customer, "2030-06-20",
        [OrderLineSpec(net.chair, 6), OrderLineSpec(net.frame, 4, "45"),
         OrderLineSpec(net.chair, 2, "229")],
        notes="Deliver to the back entrance; call before.")
    first = work_orders.create_work_order(ctx, net.chair, 4, net.hq, "2030-06-15",
                                         customer_order_line_id=shown.line_ids[0])
    work_orders.release(ctx, first.id, override_reason="fabric arrives Tuesday")
    work_orders.create_work_order(ctx, net.chair, 2, net.mp, "2030-06-15",
                                 customer_order_line_id=shown.line_ids[0])
    work_orders.create_work_order(ctx, net.frame, 4, net.mp, "2030-06-12",
                                 customer_order_line_id=shown.line_ids[1])
    area = CustomerOrdersArea(gctx)
    window = window_with(qtbot, gctx, "Customer orders", area)
    assert area.list.select_id(shown.id)
    assert area.detail.select_line(shown.line_ids[2])
    qtbot.wait(50)
    assert_screenshot(window, screenshots / "customer-orders-area.png")
