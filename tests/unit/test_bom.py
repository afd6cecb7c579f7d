"""BOM rules without a database: cycles and multi-level explosion."""

from __future__ import annotations

import graphlib
import itertools
from collections.abc import Callable
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dmdesk.domain.bom import explode, find_cycle, would_create_cycle
from dmdesk.domain.errors import ValidationError

Graph = dict[str, list[str]]


def children(graph: Graph) -> Callable[[str], list[str]]:
    return lambda node: graph.get(node, [])


def test_a_product_cannot_contain_itself() -> None:
    assert would_create_cycle("A", "A", children({}))


def test_closing_a_loop_is_detected() -> None:
    graph = {"A": ["B"], "B": ["C"]}
    assert would_create_cycle("C", "A", children(graph))  # C -> A closes A -> B -> C -> A
    assert would_create_cycle("B", "A", children(graph))


def test_sharing_a_component_is_not_a_cycle() -> None:
    graph = {"A": ["B", "C"], "B": ["D"], "C": ["D"]}  # a diamond
    assert not would_create_cycle("A", "D", children(graph))
    assert not would_create_cycle("C", "B", children(graph))
    assert not would_create_cycle("E", "A", children(graph))


def test_find_cycle_returns_none_for_a_tree_and_a_diamond() -> None:
    assert find_cycle({"A": ["B", "C"], "B": ["D"], "C": ["D"]}) is None
    assert find_cycle({}) is None


def _is_closed_path(path: list[str], graph: Graph) -> bool:
    return (len(path) >= 2 and path[0] == path[-1]
            and all(b in graph.get(a, []) for a, b in itertools.pairwise(path)))


def test_find_cycle_returns_the_closing_path() -> None:
    graph = {"A": ["B"], "B": ["C"], "C": ["A"], "X": ["A"]}
    path = find_cycle(graph)
    assert path is not None
    assert _is_closed_path(path, graph)
    assert set(path) == {"A", "B", "C"}


def test_find_cycle_finds_a_self_loop() -> None:
    assert find_cycle({"A": ["A"]}) == ["A", "A"]


@given(st.dictionaries(st.sampled_from("ABCDEFG"),
                       st.lists(st.sampled_from("ABCDEFG"), max_size=4, unique=True),
                       max_size=7))
def test_find_cycle_agrees_with_a_topological_sort(graph: Graph) -> None:
    path = find_cycle(graph)
    try:
        tuple(graphlib.TopologicalSorter(graph).static_order())
        has_cycle = False
    except graphlib.CycleError:
        has_cycle = True
    assert (path is not None) == has_cycle
    if path is not None:
        assert _is_closed_path(path, graph)


@given(st.dictionaries(st.sampled_from("ABCDEF"),
                       st.lists(st.sampled_from("ABCDEF"), max_size=3, unique=True),
                       max_size=6),
       st.sampled_from("ABCDEF"), st.sampled_from("ABCDEF"))
def test_would_create_cycle_agrees_with_find_cycle(graph: Graph, parent: str,
                                                   component: str) -> None:
    if find_cycle(graph) is not None:
        return  # the check is only ever asked about an acyclic BOM
    added = {k: list(v) for k, v in graph.items()}
    added.setdefault(parent, []).append(component)
    assert would_create_cycle(parent, component, children(graph)) == (
        find_cycle(added) is not None)


LINES = {
    "CHAIR": [("FRAME", Decimal(1)), ("FABRIC", Decimal("0.75")), ("SCREW", Decimal(4))],
    "FRAME": [("STEEL", Decimal("2.5")), ("SCREW", Decimal(8))],
}


def _lines_of(node: str) -> list[tuple[str, Decimal]]:
    return LINES.get(node, [])


def test_explode_two_levels_sums_shared_leaves() -> None:
    assert explode("CHAIR", Decimal(2), _lines_of) == {
        "STEEL": Decimal(5), "SCREW": Decimal(24), "FABRIC": Decimal("1.5"),
    }


def test_explode_of_a_leaf_is_empty() -> None:
    assert explode("STEEL", Decimal(3), _lines_of) == {}


def test_explode_refuses_a_cycle_instead_of_recursing_forever() -> None:
    looped = {"A": [("B", Decimal(1))], "B": [("A", Decimal(1))]}
    with pytest.raises(ValidationError, match="nested too deeply"):
        explode("A", Decimal(1), lambda n: looped.get(n, []))


def test_explode_honours_max_depth() -> None:
    chain = {str(i): [(str(i + 1), Decimal(2))] for i in range(5)}
    assert explode("0", Decimal(1), lambda n: chain.get(n, [])) == {"5": Decimal(32)}
    with pytest.raises(ValidationError):
        explode("0", Decimal(1), lambda n: chain.get(n, []), max_depth=4)
