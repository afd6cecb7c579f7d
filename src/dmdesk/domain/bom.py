"""Bill-of-materials rules that need no database: cycle detection and explosion."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from decimal import Decimal
from typing import TypeVar

from dmdesk.domain.errors import ValidationError

K = TypeVar("K", bound=Hashable)


def would_create_cycle(parent: K, component: K, children_of: Callable[[K], Iterable[K]]) -> bool:
    """True when adding ``component`` under ``parent`` makes a product contain itself."""
    if parent == component:
        return True
    stack = [component]
    seen: set[K] = set()
    while stack:
        node = stack.pop()
        if node == parent:
            return True
        if node in seen:
            continue
        seen.add(node)
        stack.extend(children_of(node))
    return False


def find_cycle(edges: dict[K, list[K]]) -> list[K] | None:
    """A path that closes on itself in a whole BOM graph (for imports), or None."""
    white, grey, black = 0, 1, 2
    colour: dict[K, int] = {}
    path: list[K] = []

    def visit(node: K) -> list[K] | None:
        colour[node] = grey
        path.append(node)
        for child in edges.get(node, []):
            state = colour.get(child, white)
            if state == grey:
                return [*path[path.index(child):], child]
            if state == white:
                found = visit(child)
                if found:
                    return found
        colour[node] = black
        path.pop()
        return None

    for start in list(edges):
        if colour.get(start, white) == white:
            found = visit(start)
            if found:
                return found
    return None


def explode(root: K, quantity: Decimal, lines_of: Callable[[K], list[tuple[K, Decimal]]],
            max_depth: int = 32) -> dict[K, Decimal]:
    """Total leaf requirements for ``quantity`` of ``root`` (a multi-level explosion)."""
    totals: dict[K, Decimal] = {}

    def walk(node: K, qty: Decimal, depth: int) -> None:
        if depth > max_depth:
            raise ValidationError("The bill of materials is nested too deeply (a cycle?).")
        lines = lines_of(node)
        if not lines and depth > 0:
            totals[node] = totals.get(node, Decimal(0)) + qty
            return
        for child, per_unit in lines:
            walk(child, qty * per_unit, depth + 1)

    walk(root, quantity, 0)
    return totals
