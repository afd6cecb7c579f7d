"""Finding cycles in a BOM graph without recursion (a file can chain 100,000 lines deep)."""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from typing import TypeVar

K = TypeVar("K", bound=Hashable)


def find_cycle(edges: Mapping[K, Sequence[K]]) -> list[K] | None:
    """A path [a, b, ..., a] that closes on itself, or None (iterative depth-first search)."""
    done: set[K] = set()
    for start in list(edges):
        if start in done:
            continue
        on_path: dict[K, int] = {start: 0}
        path = [start]
        stack = [iter(edges.get(start, ()))]
        while stack:
            child = next(stack[-1], None)
            if child is None:
                stack.pop()
                node = path.pop()
                del on_path[node]
                done.add(node)
                continue
            if child in on_path:
                return [*path[on_path[child]:], child]
            if child in done:
                continue
            on_path[child] = len(path)
            path.append(child)
            stack.append(iter(edges.get(child, ())))
    return None
