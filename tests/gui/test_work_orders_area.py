"""The Work orders area through its widgets, over a real database file: create, release and
complete an order and see the stock move; actions the state forbids are disabled, and a stale
one is refused with a message; short stock asks for a reason; progress is checked as typed."""

from __future__ import annotations

import threading
import uuid
from decimal import Decimal
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from dmdesk.db.database import Database
from dmdesk.domain.kinds import MoveReason
from dmdesk.domain.work_order_states import WOAction, WOState
from dmdesk.gui.context import GuiContext
from dmdesk.gui.dialogs.work_order_complete import CompleteDialog
from dmdesk.gui.dialogs.work_order_create import WorkOrderCreateDialog
from dmdesk.gui.dialogs.work_order_progress import ReportProgressDialog
from dmdesk.gui.dialogs.work_order_reason import CancelDialog, OverrideDialog
from dmdesk.gui.views.work_orders import WorkOrdersArea
from dmdesk.services import contacts, customer_orders, products, stock, work_orders
from dmdesk.services.context import ServiceContext
from dmdesk.services.customer_orders import OrderLineSpec
from tests.gui.support import assert_screenshot, click, idle, showing, type_into, window_with
from tests.integration.support import Network, balance, moves_by_reference

D = Decimal
DUE = "2030-06-30"


@pytest.fixture
def area(qtbot: QtBot, gctx: GuiContext, net: Network) -> WorkOrdersArea:
    return showing(qtbot, WorkOrdersArea(gctx), (1060, 760))


def show(area: WorkOrdersArea, wo_id: uuid.UUID) -> None:
    area.set_filters(state=None)
    area.refresh()
    assert area.list.select_id(wo_id)
    assert area.current is not None and area.current.id == wo_id


def enabled(area: WorkOrdersArea) -> set[WOAction]:
    return {action for action, button in area.detail.buttons.items() if button.isEnabled()}


def stocked(ctx: ServiceContext, net: Network) -> None:
    """HQ holds 20 m STEEL and 100 SCREW: enough for 4 frames (11 m, 32 screws)."""
    stock.receive(ctx, net.steel, net.hq_stock, 20)
    stock.receive(ctx, net.screw, net.hq_stock, 100)


def test_create_release_complete_moves_the_stock(qtbot: QtBot, area: WorkOrdersArea,
                                                 gctx: GuiContext, ctx: ServiceContext,
                                                 net: Network, db: Database,
                                                 messages: list[str]) -> None:
    stocked(ctx, net)
    area.create_new()
    dialog = area.dialog
    assert isinstance(dialog, WorkOrderCreateDialog)
    type_into(qtbot, dialog.product, "FRAME")
    assert "Chair frame" in dialog.product_hint.text()
    type_into(qtbot, dialog.quantity, "4")
    dialog.site.setCurrentIndex(dialog.site.findText("HQ", Qt.MatchFlag.MatchStartsWith))
    click(qtbot, dialog.ok_button)
    idle(qtbot, gctx)

    assert area.current is not None
    assert (area.current.number, area.current.state) == ("HQ-WO-00001", WOState.DRAFT)
    assert enabled(area) == {WOAction.RELEASE, WOAction.CANCEL}
    click(qtbot, area.detail.buttons[WOAction.RELEASE])
    idle(qtbot, gctx)
    assert area.current.state == WOState.RELEASED
    assert balance(db, net.steel, net.hq_stock) == (D(20), D(11))

    click(qtbot, area.detail.buttons[WOAction.COMPLETE])
    complete = area.dialog
    assert isinstance(complete, CompleteDialog)
    assert complete.good.text() == "4"
    click(qtbot, complete.ok_button)
    idle(qtbot, gctx)

    assert area.current.state == WOState.DONE
    assert not enabled(area)
    assert balance(db, net.steel, net.hq_stock) == (D(9), D(0))
    assert balance(db, net.screw, net.hq_stock) == (D(68), D(0))
    assert balance(db, net.frame, net.hq_stock) == (D(4), D(0))
    moves = {(mv.product_id, mv.reason, mv.quantity)
             for mv in moves_by_reference(db, "HQ-WO-00001")}
    assert moves == {(net.steel, MoveReason.PRODUCTION_CONSUME, D(-11)),
                     (net.screw, MoveReason.PRODUCTION_CONSUME, D(-32)),
                     (net.frame, MoveReason.PRODUCTION_OUTPUT, D(4))}
    assert any(m.startswith("Completed HQ-WO-00001") for m in messages)
    # The list follows: with the "Open" filter a done order leaves it, the detail stays.
    area.set_filters(state="open")
    assert area.list.model.rowCount() == 0
    assert area.current.number == "HQ-WO-00001"


def test_illegal_actions_are_disabled_and_a_stale_one_is_refused(
        qtbot: QtBot, area: WorkOrdersArea, gctx: GuiContext, ctx: ServiceContext,
        net: Network, messages: list[str]) -> None:
    wo = work_orders.create_work_order(ctx, net.frame, 2, net.hq, DUE)
    show(area, wo.id)
    assert enabled(area) == {WOAction.RELEASE, WOAction.CANCEL}
    complete = area.detail.buttons[WOAction.COMPLETE]
    qtbot.mouseClick(complete, Qt.MouseButton.LeftButton)  # disabled: nothing opens
    assert area.dialog is None

    work_orders.cancel(ctx, wo.id)  # someone else, behind this pane's back
    click(qtbot, area.detail.buttons[WOAction.RELEASE])  # the stale button
    idle(qtbot, gctx)

    message = area.detail.message
    assert message.isVisible()
    assert message.text().startswith("Cannot release a work order that is cancelled")
    assert "Traceback" not in message.text()
    assert messages[-1] == message.text()
    assert area.current is not None and area.current.state == WOState.CANCELLED
    assert area.detail.state.text() == "cancelled"
    assert not enabled(area)
    # Looking at another order clears the message.
    other = work_orders.create_work_order(ctx, net.frame, 1, net.hq, DUE)
    show(area, other.id)
    assert not area.detail.message.isVisible()


def test_release_short_of_stock_asks_for_a_reason(qtbot: QtBot, area: WorkOrdersArea,
                                                  gctx: GuiContext, ctx: ServiceContext,
                                                  net: Network, db: Database) -> None:
    stock.receive(ctx, net.steel, net.hq_stock, 5)
    wo = work_orders.create_work_order(ctx, net.frame, 4, net.hq, DUE)
    show(area, wo.id)
    assert area.detail.shortage_summary.text() == "Short at HQ: STEEL 6 m, SCREW 32 pcs."

    click(qtbot, area.detail.buttons[WOAction.RELEASE])
    idle(qtbot, gctx)
    dialog = area.dialog
    assert isinstance(dialog, OverrideDialog) and dialog.isVisible()
    table = dialog.shortages
    assert [[table.item(r, c).text() for c in range(4)] for r in range(table.rowCount())] == [
        ["STEEL", "11", "5", "6"], ["SCREW", "32", "0", "32"]]
    assert not dialog.ok_button.isEnabled()  # no reason, no release
    dialog.reject()
    idle(qtbot, gctx)
    assert area.current is not None and area.current.state == WOState.DRAFT

    click(qtbot, area.detail.buttons[WOAction.RELEASE])
    idle(qtbot, gctx)
    dialog = area.dialog
    assert isinstance(dialog, OverrideDialog)
    type_into(qtbot, dialog.reason, "   ")
    assert not dialog.ok_button.isEnabled()
    type_into(qtbot, dialog.reason, "steel and screws arrive on Monday")
    click(qtbot, dialog.ok_button)
    idle(qtbot, gctx)

    assert area.current.state == WOState.RELEASED
    assert area.current.override_reason == "steel and screws arrive on Monday"
    assert area.detail.info.values["override"].text() == "steel and screws arrive on Monday"
    assert balance(db, net.steel, net.hq_stock) == (D(5), D(5))  # what there was, reserved


def test_complete_short_of_stock_asks_for_a_reason(qtbot: QtBot, area: WorkOrdersArea,
                                                   gctx: GuiContext, ctx: ServiceContext,
                                                   net: Network, db: Database) -> None:
    wo = work_orders.create_work_order(ctx, net.frame, 2, net.hq, DUE)
    work_orders.release(ctx, wo.id, override_reason="planned ahead")
    show(area, wo.id)
    click(qtbot, area.detail.buttons[WOAction.COMPLETE])
    complete = area.dialog
    assert isinstance(complete, CompleteDialog)
    assert complete.findChild(QWidget, "short_warning") is not None
    click(qtbot, complete.ok_button)
    idle(qtbot, gctx)
    override = complete.override
    assert override is not None and override.isVisible()
    assert override.shortages.rowCount() == 2
    type_into(qtbot, override.reason, "counted wrong, stock is there")
    click(qtbot, override.ok_button)
    idle(qtbot, gctx)

    assert area.current is not None and area.current.state == WOState.DONE
    moves = moves_by_reference(db, wo.number)
    assert {mv.override_reason for mv in moves if mv.quantity < 0} == {
        "counted wrong, stock is there"}
    assert balance(db, net.frame, net.hq_stock) == (D(2), D(0))


def test_report_progress_is_checked_as_you_type(qtbot: QtBot, area: WorkOrdersArea,
                                                gctx: GuiContext, ctx: ServiceContext,
                                                net: Network) -> None:
    stocked(ctx, net)
    wo = work_orders.create_work_order(ctx, net.frame, 4, net.hq, DUE)
    work_orders.release(ctx, wo.id)
    work_orders.start(ctx, wo.id)
    show(area, wo.id)
    click(qtbot, area.detail.buttons[WOAction.REPORT])
    dialog = area.dialog
    assert isinstance(dialog, ReportProgressDialog)
    assert dialog.operation.currentData() == 10
    good_error, scrap_error = dialog.fields["good"].error, dialog.fields["scrap"].error
    assert not dialog.ok_button.isEnabled() and not good_error.isVisible()

    for typed, expected in (("-1", "must not be negative"), ("abc", "is not a number"),
                            ("5", "more than this operation may still report (4 pcs)"),
                            ("2.5", "must be a whole number")):
        type_into(qtbot, dialog.good, typed)
        assert good_error.isVisible() and expected in good_error.text(), typed
        assert not dialog.ok_button.isEnabled()
    type_into(qtbot, dialog.good, "3")
    type_into(qtbot, dialog.scrap, "2")
    assert scrap_error.isVisible() and "Good plus scrap is 5" in scrap_error.text()
    type_into(qtbot, dialog.scrap, "1")
    assert not good_error.isVisible() and not scrap_error.isVisible()
    assert dialog.ok_button.isEnabled()

    work_orders.hold(ctx, wo.id)  # meanwhile, at the office
    click(qtbot, dialog.ok_button)
    idle(qtbot, gctx)
    assert dialog.isVisible() and dialog.banner.isVisible()
    assert "Cannot report a work order that is on hold" in dialog.banner.text()

    work_orders.resume(ctx, wo.id)
    click(qtbot, dialog.ok_button)
    idle(qtbot, gctx)
    assert area.current is not None
    first = area.current.operations[0]
    assert (first.good, first.scrap) == (D(3), D(1))
    assert area.detail.operations_model.index(1, 5).data() == "3"  # op 20 may now take 3


def test_report_progress_is_unavailable_without_operations(
        qtbot: QtBot, area: WorkOrdersArea, ctx: ServiceContext, net: Network) -> None:
    bare = products.create_product(ctx, sku="STOOL", name="Stool", kind="finished")
    wo = work_orders.create_work_order(ctx, bare, 1, net.hq, DUE)
    work_orders.release(ctx, wo.id)
    work_orders.start(ctx, wo.id)
    show(area, wo.id)
    assert WOAction.REPORT not in enabled(area)
    assert enabled(area) == {WOAction.COMPLETE, WOAction.HOLD, WOAction.CANCEL}


def test_hold_resume_and_cancel(qtbot: QtBot, area: WorkOrdersArea, gctx: GuiContext,
                                ctx: ServiceContext, net: Network, db: Database) -> None:
    stocked(ctx, net)
    wo = work_orders.create_work_order(ctx, net.frame, 4, net.hq, DUE)
    work_orders.release(ctx, wo.id)
    show(area, wo.id)
    click(qtbot, area.detail.buttons[WOAction.HOLD])
    idle(qtbot, gctx)
    assert area.current is not None and area.current.state == WOState.ON_HOLD
    assert area.detail.state.text() == "on hold"
    assert enabled(area) == {WOAction.RESUME, WOAction.CANCEL}
    click(qtbot, area.detail.buttons[WOAction.RESUME])
    idle(qtbot, gctx)
    assert area.current.state == WOState.RELEASED

    click(qtbot, area.detail.buttons[WOAction.CANCEL])
    dialog = area.dialog
    assert isinstance(dialog, CancelDialog)
    type_into(qtbot, dialog.reason, "customer withdrew")
    click(qtbot, dialog.ok_button)
    idle(qtbot, gctx)
    assert area.current.state == WOState.CANCELLED
    assert balance(db, net.steel, net.hq_stock) == (D(20), D(0))  # reservation released


def test_create_form_says_what_is_wrong_next_to_the_field(qtbot: QtBot, area: WorkOrdersArea,
                                                          net: Network) -> None:
    area.create_new()
    dialog = area.dialog
    assert isinstance(dialog, WorkOrderCreateDialog)
    product_error = dialog.fields["product"].error
    for typed, expected in (("NOPE", "No product has the SKU 'NOPE'."),
                            ("STEEL", "STEEL is a raw material: it is bought, not made.")):
        type_into(qtbot, dialog.product, typed)
        assert product_error.isVisible() and product_error.text() == expected
    type_into(qtbot, dialog.product, "frame")  # SKUs are found whatever the case
    assert not product_error.isVisible()
    quantity_error = dialog.fields["quantity"].error
    type_into(qtbot, dialog.quantity, "1.5")
    assert "must be a whole number" in quantity_error.text()
    type_into(qtbot, dialog.quantity, "0")
    assert "greater than zero" in quantity_error.text()
    type_into(qtbot, dialog.quantity, "2")
    type_into(qtbot, dialog.line, "HQ-CO-99999/1")
    assert dialog.fields["line"].error.text() == "No customer order line HQ-CO-99999/1."
    assert not dialog.ok_button.isEnabled()
    dialog.line.clear()
    assert dialog.ok_button.isEnabled()
    assert [dialog.site.itemText(i)[:3] for i in range(dialog.site.count())] == ["HQ ", "MP1"]


def test_a_form_closed_while_its_submit_waits_still_reports_the_result(
        qtbot: QtBot, area: WorkOrdersArea, gctx: GuiContext, net: Network,
        messages: list[str]) -> None:
    area.create_new()
    dialog = area.dialog
    assert isinstance(dialog, WorkOrderCreateDialog)
    type_into(qtbot, dialog.product, "FRAME")
    type_into(qtbot, dialog.quantity, "1")
    gate = threading.Event()
    gctx.runner.run(lambda _p: gate.wait(10))  # the worker is busy with something else
    click(qtbot, dialog.ok_button)
    dialog.reject()  # the user gives up waiting; the create is already queued
    gate.set()
    idle(qtbot, gctx)
    assert area.current is not None and area.current.number == "HQ-WO-00001"
    assert messages[-1] == "Created work order HQ-WO-00001."


def test_filters_by_site_and_state(area: WorkOrdersArea, ctx: ServiceContext,
                                   net: Network) -> None:
    at_hq = work_orders.create_work_order(ctx, net.frame, 1, net.hq, DUE)
    at_mp = work_orders.create_work_order(ctx, net.frame, 1, net.mp, DUE)
    work_orders.cancel(ctx, at_mp.id)
    area.refresh()
    assert area.list.model.rowCount() == 1  # "Open" by default: the cancelled one is hidden
    area.set_filters(state=None)
    assert area.list.model.rowCount() == 2
    area.set_filters(site_id=net.mp, state=None)
    assert [area.list.model.row_id(r) for r in range(area.list.model.rowCount())] == [at_mp.id]
    area.set_filters(state=WOState.DRAFT.value)
    assert [area.list.model.row_id(r) for r in range(area.list.model.rowCount())] == [at_hq.id]
    state_column = [c.key for c in area.list.model.spec.columns].index("state")
    area.set_filters(state=None)
    texts = {area.list.model.index(r, state_column).data()
             for r in range(area.list.model.rowCount())}
    assert texts == {"draft", "cancelled"}


def test_detail_models_pass_the_model_tester(qtmodeltester: ModelTester, area: WorkOrdersArea,
                                             ctx: ServiceContext, net: Network) -> None:
    stocked(ctx, net)
    wo = work_orders.create_work_order(ctx, net.chair, 2, net.hq, DUE)
    show(area, wo.id)
    assert area.detail.materials_model.rowCount() == 3
    qtmodeltester.check(area.detail.materials_model)
    qtmodeltester.check(area.detail.operations_model)


def _screenshot_data(ctx: ServiceContext, net: Network) -> uuid.UUID:
    """A few orders in different states; returns the one to show (released, short, in a
    customer order, with a design file and progress)."""
    stock.receive(ctx, net.steel, net.hq_stock, 30)
    stock.receive(ctx, net.screw, net.hq_stock, 60)
    stock.receive(ctx, net.fabric, net.hq_stock, "0.5", lot_code="FAB-24-07")
    products.add_design_file(ctx, net.chair, "lounge-chair.step", b"ISO-10303-21;")
    customer = contacts.create_contact(ctx, name="Casa Ribeiro, Lda",
                                       address="Rua Augusta 12, Lisboa")
    order = customer_orders.create_customer_order(ctx, customer, "2030-06-20",
                                                  [OrderLineSpec(net.chair, 4)])
    frames = work_orders.create_work_order(ctx, net.frame, 4, net.hq, "2030-06-10", priority=2)
    work_orders.release(ctx, frames.id)
    work_orders.start(ctx, frames.id)
    work_orders.report_progress(ctx, frames.id, 10, good=4)
    work_orders.report_progress(ctx, frames.id, 20, good=3, scrap=1)
    work_orders.complete(ctx, frames.id)
    chairs = work_orders.create_work_order(ctx, net.chair, 4, net.hq, "2030-06-18", priority=1,
                                          customer_order_line_id=order.line_ids[0])
    work_orders.release(ctx, chairs.id, override_reason="fabric arrives Tuesday")
    work_orders.start(ctx, chairs.id)
    work_orders.report_progress(ctx, chairs.id, 10, good=2)
    work_orders.create_work_order(ctx, net.frame, 6, net.mp, "2030-07-01")
    held = work_orders.create_work_order(ctx, net.frame, 2, net.hq, "2030-07-15")
    work_orders.release(ctx, held.id, override_reason="testing")
    work_orders.hold(ctx, held.id)
    return chairs.id


def test_screenshot_of_the_work_orders_area(qtbot: QtBot, gctx: GuiContext,
                                            ctx: ServiceContext, net: Network,
                                            screenshots: Path) -> None:
    shown = _screenshot_data(ctx, net)
    area = WorkOrdersArea(gctx)
    window = window_with(qtbot, gctx, "Work orders", area)
    assert area.list.select_id(shown)
    assert area.current is not None and area.current.state == WOState.IN_PROGRESS
    assert area.detail.materials_model.rowCount() == 3
    qtbot.wait(50)
    assert_screenshot(window, screenshots / "work-orders-area.png")
