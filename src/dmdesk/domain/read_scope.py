"""What an outside producer (token role ``producer``) receives when it pulls: its own work.

The server decides at pull time (dmdesk.server.scope); this table is the policy, one line per
synced table. A table that is not listed is out of a producer's scope, so the next table
added to the schema stays invisible to producers until someone decides here.

In plain words, for a producer P ("P's work orders" = work orders whose site is P's site row):
  site                 every site, as code and name only (kind and timestamps kept: the
                       in-transit site must stay recognisable, and a site row must insert;
                       the other columns take their defaults at P); P's own site row whole
  location             P's own locations; the in-transit location and the other end of a
                       transfer to or from P (a transfer row refers to both)
  unit                 every unit (code and name: the shared vocabulary of quantities)
  product              the products P's work orders make or consume (their BOM components
                       and materials), and those its stock, lots and transfers hold; never
                       price nor standard_cost (projected out, zero at P)
  bom_line             the lines of the products P's work orders make
  operation            the operations of the products P's work orders make
  design_file          every version of the products P's live work orders make; withdrawn
                       when no live work order at P makes the product any more
  file_blob            the bytes of those design files, withdrawn with them
  contact              P's own organisation and people (contacts whose site is P's), without
                       hourly_rate and without a link to an organisation P does not see
  work_order           P's work orders, live; a work order moved away (site changed, or
                       withdrawn by a split reroute) stays as it stood when it moved,
                       read-only; never customer_order_line_id (orders are out of scope);
                       and the order one of P's orders was moved to (its ``moved_to_id``,
                       set by a split reroute) as a stub: number, site, quantity, the
                       product P made anyway, and the due date and stamps a row must have,
                       nothing else. P settles its own order against that row when it
                       learns of the move (services/reroute_settle.py) and shows it as
                       "moved to SITE". A stub rather than a reference to a row P lacks:
                       ``moved_to_id`` is a foreign key (a dangling one would wait for
                       ever in the merge and fail `dmdesk db check`), and the client then
                       needs no rule of its own about it, so this table stays the one place
                       that decides what P holds. A stub that becomes P's work (rerouted
                       to P) is sent whole then, as any order coming to P
  wo_material          of P's work orders (frozen with a moved order)
  wo_operation         of P's work orders (frozen with a moved order)
  quality_check        of P's work orders (frozen with a moved order)
  lot                  lots of P's work orders, and lots its stock moves and transfers hold
                       (without the work order of another site)
  lot_genealogy        of P's work orders
  stock_move           at P's locations; in transit on a transfer to or from P
  transfer             from or to one of P's locations; never customer_order_line_id
  transfer_line        of those transfers
  never                customer_order, customer_order_line, reorder_point,
                       work_order_reroute (and audit entries, which never sync), and any
                       table not listed here
"""

from __future__ import annotations

from collections.abc import Callable

# Is (table, key hex) in the producer's scope?
ScopeQuery = Callable[[str, str], bool]

# Tables a producer may receive rows of (see the docstring for which rows).
PRODUCER_TABLES = frozenset({
    "site", "location", "unit", "product", "bom_line", "operation", "design_file",
    "file_blob", "contact", "work_order", "wo_material", "wo_operation", "quality_check",
    "lot", "lot_genealogy", "stock_move", "transfer", "transfer_line",
})

# Columns never sent to a producer, whoever the row belongs to: money and costs, and links
# into tables it does not see.
PROJECTED_OUT: dict[str, frozenset[str]] = {
    "product": frozenset({"price", "standard_cost"}),
    "contact": frozenset({"hourly_rate"}),
    "work_order": frozenset({"customer_order_line_id"}),
    "transfer": frozenset({"customer_order_line_id"}),
}

# What a producer sees of a site row that is not its own.
OTHER_SITE_COLUMNS = frozenset({"id", "code", "name", "kind", "created_at", "updated_at"})

# What a producer holds of a work order that continues one of its own moved orders (a stub).
# Edits of other columns of that order are not sent; edits of these are, carrying only these.
STUB_COLUMNS: dict[str, frozenset[str]] = {
    "work_order": frozenset({"id", "number", "site_id", "quantity", "product_id", "due_date",
                             "created_at", "updated_at"}),
}
# The columns of a stub whose change is worth sending (a stamp alone is not).
_STUB_NEWS = frozenset({"number", "site_id", "quantity", "product_id", "due_date"})


def stub(entity: str, payload: dict[str, object]) -> dict[str, object] | None:
    """The payload a producer receives of a stub row's op, or None when it carries nothing
    a stub shows."""
    if not _STUB_NEWS & payload.keys():
        return None
    columns = STUB_COLUMNS[entity]
    return {k: v for k, v in payload.items() if k in columns}


# References that are kept only when the referenced row is in the producer's scope, and sent
# as null otherwise (column -> referenced table).
SCOPED_REFERENCES: dict[str, dict[str, str]] = {
    "contact": {"organisation_id": "contact"},
    "work_order": {"moved_to_id": "work_order", "rerouted_from_id": "work_order",
                   "design_file_id": "design_file"},
    "lot": {"work_order_id": "work_order"},
}


def project(entity: str, payload: dict[str, object], own_site: bool,
            in_scope: ScopeQuery) -> dict[str, object]:
    """The payload a producer receives: money, costs and out-of-scope links taken out."""
    if entity == "site" and not own_site:
        return {k: v for k, v in payload.items() if k in OTHER_SITE_COLUMNS}
    dropped = PROJECTED_OUT.get(entity, frozenset())
    out = {k: v for k, v in payload.items() if k not in dropped}
    for column, table in SCOPED_REFERENCES.get(entity, {}).items():
        value = out.get(column)
        if isinstance(value, str) and not in_scope(table, value):
            out[column] = None
    return out
