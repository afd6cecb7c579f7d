"""An inner join that SQLite must run with its left side as the outer loop.

SQLite's planner picks the join order by its cost guesses, and for a list sorted by a column of
a small table joined to a large one it often guesses "scan the large table, then sort" on
every page, although walking the small table's index in order yields the rows already sorted
and lets a page stop after its last row. SQLite's documented way to fix the order is CROSS
JOIN (https://sqlite.org/optoverview.html#manual_control_of_query_plans_using_cross_join):
the same rows as JOIN, with the left table outside. Other databases get a plain JOIN.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.selectable import Join


class CrossJoin(Join):
    """``left CROSS JOIN right ON onclause`` on SQLite; ``left JOIN right ON ...`` elsewhere."""

    inherit_cache = True


@compiles(CrossJoin, "sqlite")
def _sqlite_cross_join(join: CrossJoin, compiler: SQLCompiler, **kw: Any) -> str:
    assert join.onclause is not None  # always given: this is an inner join with ON
    kw.pop("asfrom", None)
    linter = kw.pop("from_linter", None)
    if linter is not None:  # the tables are joined: no "cartesian product" warning
        linter.edges.update((left, right) for left in join.left._from_objects
                            for right in join.right._from_objects)
    return (join.left._compiler_dispatch(compiler, asfrom=True, from_linter=linter, **kw)
            + " CROSS JOIN "
            + join.right._compiler_dispatch(compiler, asfrom=True, from_linter=linter, **kw)
            + " ON " + join.onclause._compiler_dispatch(compiler, from_linter=linter, **kw))
