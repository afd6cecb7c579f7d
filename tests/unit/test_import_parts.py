"""The import's pure parts: header matching, cell values, and loops in a deep BOM graph."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from dmdesk.documents.importing import KINDS
from dmdesk.documents.importing.cells import CellError, as_bool, as_decimal, as_text
from dmdesk.documents.importing.columns import (
    apply_overrides,
    column_index,
    guess_mapping,
    normalize,
    parse_overrides,
)
from dmdesk.documents.importing.cycles import find_cycle
from dmdesk.domain.errors import ValidationError


def test_headers_match_whatever_their_case_spaces_punctuation_and_notes() -> None:
    assert normalize(" Item_Code ") == normalize("ITEM CODE (text)") == "itemcode"
    assert normalize("Scrap %") == "scrap" and normalize("Qté") == "qte"
    fields = KINDS["products"].fields
    header = ["Item code", "Description", "U.o.M.", "Cost price", "Product name", "Notes"]
    assert guess_mapping(fields, header) == {
        "sku": 0, "description": 1, "unit": 2, "standard_cost": 3, "name": 4}
    bom = KINDS["bom"].fields
    assert guess_mapping(bom, ["Assembly", "Part", "Qty per", "Waste"]) == {
        "parent_sku": 0, "component_sku": 1, "quantity": 2, "scrap_pct": 3}
    counts = KINDS["counts"].fields
    assert guess_mapping(counts, ["Warehouse", "Bin", "SKU", "Batch", "Qty"]) == {
        "site": 0, "location": 1, "sku": 2, "lot": 3, "counted": 4}


def test_overrides_by_header_or_letter_and_unmapping() -> None:
    fields = KINDS["products"].fields
    header = ["Ref", "Label", "Unit", "Name"]
    guessed = guess_mapping(fields, header)
    assert guessed == {"sku": 0, "unit": 2, "name": 3}
    assert apply_overrides(fields, header, guessed, {"Name": "label"}) == {
        "sku": 0, "unit": 2, "name": 1}
    assert apply_overrides(fields, header, guessed, {"name": "A", "sku": ""}) == {
        "unit": 2, "name": 0}
    assert column_index(["x"] * 30, "AB") == 27
    with pytest.raises(ValidationError, match="no column 'Z'"):
        column_index(header, "Z")
    assert parse_overrides(["sku = Item code", "unit="]) == {"sku": "Item code", "unit": ""}


@pytest.mark.parametrize(("value", "expected"), [
    (0.1, Decimal("0.1")), (12, Decimal(12)), ("  1 250.5 ", Decimal("1250.5")),
    ("10%", Decimal(10)), (2.675, Decimal("2.675"))])
def test_numbers_stay_exact(value: object, expected: Decimal) -> None:
    assert as_decimal(value) == expected


@pytest.mark.parametrize(("value", "message"), [
    ("2,5", "write decimals with a point"), ("abc", "'abc' is not a number."),
    (True, "is not a number"), (date(2026, 1, 1), "is not a number"), ("nan", "finite")])
def test_what_is_not_a_number(value: object, message: str) -> None:
    with pytest.raises(CellError, match=message):
        as_decimal(value)


def test_text_and_yes_no() -> None:
    assert as_text(1001.0) == "1001" and as_text(None) == "" and as_text(" a ") == "a"
    assert as_bool("Yes") and as_bool("x") and as_bool(1) and not as_bool("") \
        and not as_bool("no")
    with pytest.raises(CellError, match="not yes or no"):
        as_bool("perhaps")


def test_cycles_in_a_graph_deeper_than_the_recursion_limit() -> None:
    chain = {i: [i + 1] for i in range(100_000)}
    assert find_cycle(chain) is None
    chain[100_000] = [0]
    cycle = find_cycle(chain)
    assert cycle is not None and cycle[0] == cycle[-1] and len(cycle) == 100_002
    assert find_cycle({"a": ["b", "c"], "b": ["c"], "c": []}) is None
    assert find_cycle({"a": ["b"], "b": ["c"], "c": ["b"]}) == ["b", "c", "b"]
