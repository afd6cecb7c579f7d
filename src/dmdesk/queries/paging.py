"""Paged, filtered, sorted lists, in SQL, described once per entity.

A ``ListSpec`` names its columns (key, label, SQL expression), which columns the search box
looks in, which filters exist, and a unique tie-breaker. ``fetch_page`` supports both OFFSET
paging (for jumping) and keyset paging (``after`` the last row's sort key), which stays fast
at the end of a million-row history where OFFSET would walk every row before it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Column as SqlColumn
from sqlalchemy import ColumnElement, Join, Row, Select, func, literal, or_, select, tuple_
from sqlalchemy.orm import QueryableAttribute, Session

from dmdesk.domain.errors import ValidationError

# A mapped attribute (Product.sku) or any SQL expression (on_hand - reserved).
Expr = ColumnElement[Any] | QueryableAttribute[Any]


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    expr: Expr
    kind: str = "text"  # text | qty | money | date | datetime | int | bool | enum
    # What sorting by this column orders by, when not the shown value itself (an indexed
    # stand-in that sorts the same way).
    sort_by: Expr | None = None
    # False where ordering by it would sort the whole table on every page (a million moves
    # by quantity): the list then keeps its current order when this header is clicked.
    sortable: bool = True


@dataclass(frozen=True)
class ListSpec:
    name: str
    base: Callable[[], Select[Any]]
    columns: tuple[Column, ...]
    tie_breaker: Expr
    search: tuple[Expr, ...] = ()
    filters: Mapping[str, Callable[[Any], ColumnElement[bool]]] = field(default_factory=dict)
    default_sort: str = ""
    # How one search word narrows the list, when a plain "any search column contains it"
    # would scan a large table (the ledger searches through its indexes instead).
    search_word: Callable[[str], ColumnElement[bool]] | None = None
    # Per sort column, the same rows as ``base`` joined from the table whose index gives that
    # order (queries/cross_join.py): a keyset page then reads its rows in order and stops,
    # instead of sorting the whole set again for every page.
    base_by_sort: Mapping[str, Callable[[], Select[Any]]] = field(default_factory=dict)

    def column(self, key: str) -> Column:
        for column in self.columns:
            if column.key == key:
                return column
        known = ", ".join(c.key for c in self.columns)
        raise ValidationError(f"The {self.name} list has no column '{key}' (it has: {known}).")


@dataclass(frozen=True)
class Page:
    rows: list[Row[Any]]
    offset: int
    has_more: bool

    @property
    def last_key(self) -> tuple[Any, ...] | None:
        """Pass as ``after`` to get the next page by keyset."""
        if not self.rows:
            return None
        row: tuple[Any, ...] = tuple(self.rows[-1])
        return (row[-2], row[-1])


def contains_pattern(word: str) -> str:
    """A LIKE pattern for "contains word", with the user's % and _ taken literally."""
    escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _filtered(spec: ListSpec, search: str, filters: Mapping[str, Any],
              sort: str = "") -> Select[Any]:
    query = spec.base_by_sort.get(sort, spec.base)()
    for name, value in filters.items():
        if value is None:
            continue
        if name not in spec.filters:
            known = ", ".join(spec.filters) or "none"
            raise ValidationError(f"The {spec.name} list has no filter '{name}' (it has: "
                                  f"{known}).")
        query = query.where(spec.filters[name](value))
    words = search.split()
    for word in words:
        # Each word must appear somewhere: "oak chair" finds "Chair, oak, large".
        if spec.search_word is not None:
            query = query.where(spec.search_word(word))
            continue
        pattern = contains_pattern(word)
        query = query.where(or_(*(col.ilike(pattern, escape="\\") for col in spec.search)))
    return query


def fetch_page(session: Session, spec: ListSpec, *, search: str = "",
               filters: Mapping[str, Any] | None = None, sort: str | None = None,
               descending: bool = False, offset: int = 0, limit: int = 200,
               after: Sequence[Any] | None = None) -> Page:
    """One page of rows: each row has the spec's columns, then the sort value and the id."""
    if limit < 1 or offset < 0:
        raise ValidationError("A page needs a positive size and a non-negative offset.")
    sort_column = spec.column(sort or spec.default_sort or spec.columns[0].key)
    sort_expr = sort_column.sort_by if sort_column.sort_by is not None else sort_column.expr
    base = _filtered(spec, search, filters or {}, sort_column.key)
    columns = [c.expr.label(c.key) for c in spec.columns]
    query: Select[Any] = base.with_only_columns(*columns, sort_expr.label("_sort"),
                                    spec.tie_breaker.label("_id"), maintain_column_froms=True)
    order = (sort_expr.desc(), spec.tie_breaker.desc()) if descending else (
        sort_expr.asc(), spec.tie_breaker.asc())
    if after is not None:
        nullable = _may_be_null(sort_expr, base)
        query = query.where(_after(sort_expr, spec.tie_breaker, after, descending, nullable))
        offset = 0
    page_query = query.order_by(*order).offset(offset).limit(limit + 1)
    rows: list[Row[Any]] = list(session.execute(page_query))
    return Page(rows[:limit], offset, len(rows) > limit)


def _outer_joined(froms: Sequence[Any], inside_outer: bool = False) -> set[Any]:
    """The tables on the optional side of an outer join (their columns may read NULL)."""
    found: set[Any] = set()
    for item in froms:
        if isinstance(item, Join):
            found |= _outer_joined([item.left], inside_outer)
            found |= _outer_joined([item.right], inside_outer or item.isouter or item.full)
        elif inside_outer:
            found.add(item)
    return found


def _may_be_null(sort_expr: Expr, base: Select[Any]) -> bool:
    """False only for a NOT NULL column of a table that no outer join makes optional."""
    column = getattr(sort_expr, "expression", sort_expr)
    if not isinstance(column, SqlColumn) or column.nullable:
        return True
    return column.table in _outer_joined(base.get_final_froms())


def _after(sort_expr: Expr, tie_breaker: Expr, after: Sequence[Any], descending: bool,
           nullable: bool = True) -> ColumnElement[bool]:
    """The rows after ``after`` (the last row's sort value and id) in the list's order.

    SQLite sorts NULL before every value ascending and after every value descending, and a
    comparison with NULL is never true, so a NULL sort value (an order with no due date, a
    balance with no lot) needs its own terms, else the pages would end at the first one. A
    column that cannot be NULL gets the plain row-value comparison, which an index serves
    (the OR would make SQLite walk the index from its end on every descending page)."""
    value, last_id = after
    # Typed binds, so the values go through the same column types (UUIDs, UTC times).
    bound_id = literal(last_id, type_=tie_breaker.type)
    if value is None:
        same = sort_expr.is_(None) & ((tie_breaker < bound_id) if descending
                                      else (tie_breaker > bound_id))
        return same if descending else same | sort_expr.is_not(None)
    key = tuple_(sort_expr, tie_breaker)
    bound = tuple_(literal(value, type_=sort_expr.type), bound_id)
    if not descending:
        return key > bound
    return (key < bound) | sort_expr.is_(None) if nullable else key < bound


def count(session: Session, spec: ListSpec, *, search: str = "",
          filters: Mapping[str, Any] | None = None) -> int:
    query = _filtered(spec, search, filters or {})
    subquery = query.with_only_columns(spec.tie_breaker, maintain_column_froms=True).subquery()
    return int(session.scalar(select(func.count()).select_from(subquery)) or 0)
