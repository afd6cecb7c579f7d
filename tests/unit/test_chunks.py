"""db.chunks: long IN (...) lists go out in slices that cover every value once, in order."""

from __future__ import annotations

import sqlite3

from dmdesk.db.chunks import IN_CHUNK, chunked


def test_slices_cover_the_values_in_order_each_at_most_the_size() -> None:
    values = list(range(1001))
    parts = list(chunked(values))
    assert [len(p) for p in parts] == [IN_CHUNK, IN_CHUNK, 1001 - 2 * IN_CHUNK]
    assert [v for p in parts for v in p] == values
    assert list(chunked([], 5)) == []
    assert list(chunked("abcde", 2)) == ["ab", "cd", "e"]


def test_a_chunk_stays_within_sqlites_oldest_bound_parameter_limit() -> None:
    """A chunk is one IN (...) list plus a few other parameters; builds before 3.32 allow 999,
    so a chunk must leave room under that."""
    connection = sqlite3.connect(":memory:")
    connection.execute("CREATE TABLE t (id INTEGER PRIMARY KEY)")
    connection.executemany("INSERT INTO t VALUES (?)", [(i,) for i in range(2500)])
    found = 0
    for part in chunked(list(range(2500))):
        marks = ", ".join("?" for _ in part)
        found += connection.execute(f"SELECT COUNT(*) FROM t WHERE id IN ({marks}) AND id >= ?",
                                    (*part, 0)).fetchone()[0]
    assert found == 2500
    assert IN_CHUNK + 10 <= 999
