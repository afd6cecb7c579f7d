"""The app does not offer what the write rules would refuse: the lifecycle buttons of an order
this database does not hold are disabled with the reason, and at a site's database the
product's Edit, Archive, BOM and operation buttons are disabled with theirs."""

from __future__ import annotations

import uuid

from pytestqt.qtbot import QtBot
from sqlalchemy import text

from dmdesk.domain.lifecycle import Actor, why_not
from dmdesk.domain.work_order_states import WOAction
from dmdesk.gui.context import GuiContext
from dmdesk.gui.views.products import ProductsArea
from dmdesk.gui.views.work_orders import WorkOrdersArea
from dmdesk.services import sites, work_orders
from dmdesk.services.context import ServiceContext
from tests.gui.support import showing
from tests.integration.support import Network

DUE = "2030-06-30"


def become_site(ctx: ServiceContext, code: str) -> None:
    """This database syncs as site ``code`` (what setting up sync leaves behind)."""
    sites.set_local_site(ctx, code)
    with ctx.db.write_session() as session:
        session.execute(text("DELETE FROM outbox"))  # what it holds came from the network
        session.execute(text(
            "INSERT INTO sync_state (id, server_url, token, site_code, role, pull_cursor, "
            "last_result, last_error) VALUES (1, 'http://127.0.0.1:1', 't', :c, 'site', 0, "
            "'', '')"), {"c": code})


def shown_order(qtbot: QtBot, gctx: GuiContext, wo_id: uuid.UUID) -> WorkOrdersArea:
    area = showing(qtbot, WorkOrdersArea(gctx), (1060, 760))
    area.set_filters(state=None)
    area.refresh()
    assert area.list.select_id(wo_id)
    assert area.current is not None and area.current.id == wo_id
    return area


def test_release_is_disabled_with_the_reason_when_another_side_holds_the_order(
        qtbot: QtBot, gctx: GuiContext, ctx: ServiceContext, net: Network) -> None:
    order = work_orders.create_work_order(ctx, net.frame, 2, net.mp, DUE)
    sites.update_site(ctx, net.mp, reports_progress=True)
    area = shown_order(qtbot, gctx, order.id)
    release = area.detail.buttons[WOAction.RELEASE]
    reason = why_not(Actor("HQ"), order.number, "MP1", True)
    assert not release.isEnabled()
    assert release.toolTip() == reason
    assert not any(button.isEnabled() for button in area.detail.buttons.values())
    assert area.detail.holder_note.isVisible() and area.detail.holder_note.text() == reason
    # Once MP1 no longer reports its own progress, the owner holds the order again.
    sites.update_site(ctx, net.mp, reports_progress=False)
    area.refresh()
    assert release.isEnabled() and not area.detail.holder_note.isVisible()
    assert "Pin the BOM" in release.toolTip()


def test_a_sites_database_sees_products_read_only(qtbot: QtBot, gctx: GuiContext,
                                                  ctx: ServiceContext, net: Network) -> None:
    area = showing(qtbot, ProductsArea(gctx), (1060, 760))
    area.open_product(net.chair)
    assert area.detail.header_view.edit_button.isEnabled()
    assert area.new_button.isEnabled()
    become_site(ctx, "MP1")
    area.refresh()
    header = area.detail.header_view
    reason = "Products are the owner's: this site (MP1) cannot change CHAIR."
    assert not header.edit_button.isEnabled() and header.edit_button.toolTip() == reason
    assert not header.archive_button.isEnabled()
    assert header.read_only_note.isVisible() and header.read_only_note.text() == reason
    bar = area.detail.bom_tab
    writes = [b for b in bar.findChildren(type(header.edit_button))
              if b.objectName() in ("bom_add", "bom_edit", "bom_remove")]
    assert len(writes) == 3 and not any(b.isEnabled() for b in writes)
    add_op = area.detail.operations_tab.findChild(type(header.edit_button), "operation_add")
    assert add_op is not None and not add_op.isEnabled() and add_op.toolTip() == reason
    assert not area.new_button.isEnabled()
    assert area.new_button.toolTip() == ("Products are the owner's: this site (MP1) cannot "
                                         "add one.")
