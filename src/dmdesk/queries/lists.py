"""The list of every entity, as ``ListSpec``s for ``paging.fetch_page``."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, literal_column, or_, select, type_coerce
from sqlalchemy.orm import aliased

from dmdesk.db import models as m
from dmdesk.db.types import Qty
from dmdesk.queries.cross_join import CrossJoin
from dmdesk.queries.paging import Column, ListSpec, contains_pattern

_site_of_location = aliased(m.Site)

PRODUCTS = ListSpec(
    name="products",
    base=lambda: select(m.Product),
    columns=(
        Column("sku", "SKU", m.Product.sku),
        Column("name", "Name", m.Product.name),
        Column("kind", "Kind", m.Product.kind, "enum"),
        Column("unit", "Unit", m.Product.unit),
        Column("standard_cost", "Standard cost", m.Product.standard_cost, "money"),
        Column("price", "Price", m.Product.price, "money"),
        Column("archived", "Archived", m.Product.archived, "bool"),
    ),
    tie_breaker=m.Product.id,
    search=(m.Product.sku, m.Product.name),
    filters={
        "kind": lambda v: m.Product.kind == v,
        "archived": lambda v: m.Product.archived.is_(bool(v)),
    },
    default_sort="sku",
)

SITES = ListSpec(
    name="sites",
    base=lambda: select(m.Site),
    columns=(
        Column("code", "Code", m.Site.code),
        Column("name", "Name", m.Site.name),
        Column("kind", "Kind", m.Site.kind, "enum"),
        Column("status", "Status", m.Site.status, "enum"),
        Column("capabilities", "Capabilities", m.Site.capabilities),
        Column("weekly_capacity_hours", "Hours / week", m.Site.weekly_capacity_hours, "qty"),
        Column("archived", "Archived", m.Site.archived, "bool"),
    ),
    tie_breaker=m.Site.id,
    search=(m.Site.code, m.Site.name, m.Site.address, m.Site.capabilities),
    filters={
        "kind": lambda v: m.Site.kind == v,
        "status": lambda v: m.Site.status == v,
        "archived": lambda v: m.Site.archived.is_(bool(v)),
    },
    default_sort="code",
)

LOCATIONS = ListSpec(
    name="locations",
    base=lambda: select(m.Location).join(m.Site, m.Site.id == m.Location.site_id),
    columns=(
        Column("site", "Site", m.Site.code),
        Column("code", "Location", m.Location.code),
        Column("name", "Name", m.Location.name),
        Column("kind", "Kind", m.Location.kind, "enum"),
        Column("archived", "Archived", m.Location.archived, "bool"),
    ),
    tie_breaker=m.Location.id,
    search=(m.Site.code, m.Location.code, m.Location.name),
    filters={"site_id": lambda v: m.Location.site_id == v},
    default_sort="site",
)

CONTACTS = ListSpec(
    name="contacts",
    base=lambda: select(m.Contact),
    columns=(
        Column("name", "Name", m.Contact.name),
        Column("kind", "Kind", m.Contact.kind, "enum"),
        Column("role", "Role", m.Contact.role, "enum"),
        Column("email", "E-mail", m.Contact.email),
        Column("phone", "Phone", m.Contact.phone),
        Column("capabilities", "Capabilities", m.Contact.capabilities),
        Column("archived", "Archived", m.Contact.archived, "bool"),
    ),
    tie_breaker=m.Contact.id,
    search=(m.Contact.name, m.Contact.email, m.Contact.address, m.Contact.capabilities),
    filters={
        "role": lambda v: m.Contact.role == v,
        "site_id": lambda v: m.Contact.site_id == v,
        "organisation_id": lambda v: m.Contact.organisation_id == v,
        "archived": lambda v: m.Contact.archived.is_(bool(v)),
    },
    default_sort="name",
)

CUSTOMER_ORDERS = ListSpec(
    name="customer orders",
    base=lambda: select(m.CustomerOrder).join(m.Contact,
                                              m.Contact.id == m.CustomerOrder.customer_id),
    columns=(
        Column("number", "Number", m.CustomerOrder.number),
        Column("customer", "Customer", m.Contact.name),
        Column("due_date", "Due", m.CustomerOrder.due_date, "date"),
        Column("state", "State", m.CustomerOrder.state, "enum"),
        Column("ship_to", "Ship to", m.CustomerOrder.ship_to),
    ),
    tie_breaker=m.CustomerOrder.id,
    search=(m.CustomerOrder.number, m.Contact.name, m.CustomerOrder.ship_to),
    filters={
        "state": lambda v: m.CustomerOrder.state == v,
        "customer_id": lambda v: m.CustomerOrder.customer_id == v,
    },
    default_sort="number",
)

WORK_ORDERS = ListSpec(
    name="work orders",
    # Outer joins: an order whose product or site is not shared (a producer's database) is
    # still listed, with those cells blank.
    base=lambda: (select(m.WorkOrder)
                  .outerjoin(m.Product, m.Product.id == m.WorkOrder.product_id)
                  .outerjoin(m.Site, m.Site.id == m.WorkOrder.site_id)),
    columns=(
        Column("number", "Number", m.WorkOrder.number),
        Column("product", "Product", m.Product.sku),
        Column("product_name", "Name", m.Product.name),
        Column("quantity", "Quantity", m.WorkOrder.quantity, "qty"),
        Column("unit", "Unit", m.Product.unit),
        Column("site", "Site", m.Site.code),
        Column("state", "State", m.WorkOrder.state, "enum"),
        Column("due_date", "Due", m.WorkOrder.due_date, "date"),
        Column("priority", "Priority", m.WorkOrder.priority, "int"),
        Column("good_qty", "Good", m.WorkOrder.good_qty, "qty"),
        Column("scrap_qty", "Scrap", m.WorkOrder.scrap_qty, "qty"),
    ),
    tie_breaker=m.WorkOrder.id,
    search=(m.WorkOrder.number, m.Product.sku, m.Product.name, m.Site.code),
    filters={
        "site_id": lambda v: m.WorkOrder.site_id == v,
        "state": lambda v: m.WorkOrder.state == v,
        "states": lambda v: m.WorkOrder.state.in_(list(v)),
        "product_id": lambda v: m.WorkOrder.product_id == v,
        "due_before": lambda v: m.WorkOrder.due_date < v,
    },
    default_sort="number",
)


def _moves_base() -> Select[Any]:
    return (select(m.StockMove)
            .join(m.Product, m.Product.id == m.StockMove.product_id)
            .join(m.Location, m.Location.id == m.StockMove.location_id)
            .join(_site_of_location, _site_of_location.id == m.Location.site_id)
            .outerjoin(m.Lot, m.Lot.id == m.StockMove.lot_id))


MOVES = ListSpec(
    name="stock moves",
    # Filtered by product or location the ledger is still long; only time order is indexed.
    base=_moves_base,
    columns=(
        # UUIDv7 ids sort in creation order and are indexed (alone and after product or
        # location), so "When" sorts by id: keyset pages stay fast at a million moves.
        Column("created_at", "When", m.StockMove.created_at, "datetime",
               sort_by=m.StockMove.id),
        Column("reference", "Reference", m.StockMove.reference, sortable=False),
        Column("reason", "Reason", m.StockMove.reason, "enum", sortable=False),
        Column("product", "Product", m.Product.sku, sortable=False),
        Column("site", "Site", _site_of_location.code, sortable=False),
        Column("location", "Location", m.Location.code, sortable=False),
        Column("lot", "Lot", m.Lot.code, sortable=False),
        Column("quantity", "Quantity", m.StockMove.quantity, "qty", sortable=False),
        Column("actor", "By", m.StockMove.actor, sortable=False),
        Column("note", "Note", m.StockMove.note, sortable=False),
    ),
    # UUIDv7 ids sort by creation time, so the id is also the natural order of the ledger.
    tie_breaker=m.StockMove.id,
    search=(m.StockMove.reference, m.Product.sku),
    search_word=lambda word: or_(
        # Products whose SKU contains the word (a small table), then their moves by index;
        # or a document reference typed in full.
        m.StockMove.product_id.in_(select(m.Product.id).where(
            m.Product.sku.ilike(contains_pattern(word), escape="\\"))),
        m.StockMove.reference == word.upper()),
    filters={
        "product_id": lambda v: m.StockMove.product_id == v,
        "location_id": lambda v: m.StockMove.location_id == v,
        "site_id": lambda v: m.Location.site_id == v,
        "reason": lambda v: m.StockMove.reason == v,
        "reference": lambda v: m.StockMove.reference == v,
    },
    default_sort="created_at",
)

def _on_hand_rows(query: Select[Any]) -> Select[Any]:
    return query.where((m.StockBalance.on_hand != 0) | (m.StockBalance.reserved != 0))


def _on_hand_base() -> Select[Any]:
    return _on_hand_rows(select(m.StockBalance)
                         .join(m.Product, m.Product.id == m.StockBalance.product_id)
                         .join(m.Location, m.Location.id == m.StockBalance.location_id)
                         .join(m.Site, m.Site.id == m.Location.site_id)
                         .outerjoin(m.Lot, m.Lot.id == m.StockBalance.lot_id))


def _on_hand_by_product() -> Select[Any]:
    """Products in SKU (or name) order, each one's balances by its key: a page reads about its
    own rows, not every balance (20,000 products x 35 locations in the large demo)."""
    products = CrossJoin(m.Product.__table__, m.StockBalance.__table__,
                         m.Product.id == m.StockBalance.product_id)
    return _on_hand_rows(select(m.StockBalance).select_from(products)
                         .join(m.Location, m.Location.id == m.StockBalance.location_id)
                         .join(m.Site, m.Site.id == m.Location.site_id)
                         .outerjoin(m.Lot, m.Lot.id == m.StockBalance.lot_id))


def _on_hand_by_site() -> Select[Any]:
    """Sites in code order, then their locations and each location's balances."""
    sites = CrossJoin(CrossJoin(m.Site.__table__, m.Location.__table__,
                                m.Site.id == m.Location.site_id),
                      m.StockBalance.__table__, m.Location.id == m.StockBalance.location_id)
    return _on_hand_rows(select(m.StockBalance).select_from(sites)
                         .join(m.Product, m.Product.id == m.StockBalance.product_id)
                         .outerjoin(m.Lot, m.Lot.id == m.StockBalance.lot_id))


ON_HAND = ListSpec(
    name="stock on hand",
    base=_on_hand_base,
    base_by_sort={"product": _on_hand_by_product, "product_name": _on_hand_by_product,
                  "site": _on_hand_by_site},
    columns=(
        Column("product", "Product", m.Product.sku),
        Column("product_name", "Name", m.Product.name),
        Column("site", "Site", m.Site.code),
        Column("location", "Location", m.Location.code),
        Column("lot", "Lot", m.Lot.code),
        Column("on_hand", "On hand", m.StockBalance.on_hand, "qty"),
        Column("reserved", "Reserved", m.StockBalance.reserved, "qty"),
        # Arithmetic on two Qty columns would come back as raw thousandths: say its type.
        Column("available", "Available",
               type_coerce(m.StockBalance.on_hand - m.StockBalance.reserved, Qty()), "qty"),
        Column("unit", "Unit", m.Product.unit),
    ),
    # The balance key is three columns; SQLite's rowid is a single, stable tie-breaker.
    tie_breaker=literal_column("stock_balance.rowid"),
    search=(m.Product.sku, m.Product.name, m.Site.code, m.Location.code, m.Lot.code),
    filters={
        "product_id": lambda v: m.StockBalance.product_id == v,
        "location_id": lambda v: m.StockBalance.location_id == v,
        "site_id": lambda v: m.Location.site_id == v,
        "lot_id": lambda v: m.StockBalance.lot_id == v,
    },
    default_sort="product",
)

TRANSFERS = ListSpec(
    name="transfers",
    base=lambda: select(m.Transfer),
    columns=(
        Column("number", "Number", m.Transfer.number),
        Column("state", "State", m.Transfer.state, "enum"),
        Column("shipped_at", "Shipped", m.Transfer.shipped_at, "datetime"),
        Column("received_at", "Received", m.Transfer.received_at, "datetime"),
        Column("note", "Note", m.Transfer.note),
    ),
    tie_breaker=m.Transfer.id,
    search=(m.Transfer.number, m.Transfer.note),
    filters={"state": lambda v: m.Transfer.state == v},
    default_sort="number",
)

LOTS = ListSpec(
    name="lots",
    base=lambda: select(m.Lot).join(m.Product, m.Product.id == m.Lot.product_id),
    columns=(
        Column("code", "Lot", m.Lot.code),
        Column("product", "Product", m.Product.sku),
        Column("created_at", "Created", m.Lot.created_at, "datetime"),
    ),
    tie_breaker=m.Lot.id,
    search=(m.Lot.code, m.Product.sku),
    filters={"product_id": lambda v: m.Lot.product_id == v},
    default_sort="code",
)

ALL_LISTS = {spec.name: spec for spec in (PRODUCTS, SITES, LOCATIONS, CONTACTS, CUSTOMER_ORDERS,
                                          WORK_ORDERS, MOVES, ON_HAND, TRANSFERS, LOTS)}
