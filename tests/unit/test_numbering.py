"""Human document numbers carry the site's code: LIS-WO-00042."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dmdesk.domain.errors import ValidationError
from dmdesk.domain.numbering import DocKind, check_site_code, format_number, parse_number

SITE_CODES = st.from_regex(r"\A[A-Z][A-Z0-9]{1,5}\Z")


@pytest.mark.parametrize(("raw", "clean"), [
    ("LIS", "LIS"), ("lis", "LIS"), (" por2 ", "POR2"), ("HQ", "HQ"), ("A12345", "A12345"),
])
def test_site_codes_are_cleaned_to_upper_case(raw: str, clean: str) -> None:
    assert check_site_code(raw) == clean


@pytest.mark.parametrize("raw", [
    "", "L", "LISBON1", "2AB", "LI-S", "LI S", "ÉVORA", "L_S", "-LIS",
])
def test_bad_site_codes_are_refused_with_the_rule(raw: str) -> None:
    with pytest.raises(ValidationError, match="2 to 6 letters or digits") as caught:
        check_site_code(raw)
    assert caught.value.field == "code"


@pytest.mark.parametrize(("site", "kind", "value", "number"), [
    ("LIS", DocKind.WORK_ORDER, 42, "LIS-WO-00042"),
    ("POR", DocKind.MOVE, 1311, "POR-MV-01311"),
    ("HQ", DocKind.CUSTOMER_ORDER, 1, "HQ-CO-00001"),
    ("HQ", DocKind.TRANSFER, 99999, "HQ-TR-99999"),
    ("HQ", DocKind.TRANSFER, 100000, "HQ-TR-100000"),  # grows past five digits
    ("MP1", DocKind.LOT, 7, "MP1-LOT-00007"),
])
def test_format_number(site: str, kind: DocKind, value: int, number: str) -> None:
    assert format_number(site, kind, value) == number
    assert parse_number(number) == (site, kind, value)


@pytest.mark.parametrize("value", [0, -1])
def test_numbers_start_at_one(value: int) -> None:
    with pytest.raises(ValueError, match="start at 1"):
        format_number("LIS", DocKind.WORK_ORDER, value)


def test_parse_accepts_lower_case_and_spaces() -> None:
    assert parse_number("  lis-wo-00042 ") == ("LIS", DocKind.WORK_ORDER, 42)


@pytest.mark.parametrize("number", [
    "LIS-WO-42", "LIS-WO-0042", "LIS-WO", "WO-00042", "L-WO-00042", "LISBON1-WO-00001",
    "LIS_WO_00042", "garbage", "",
])
def test_malformed_numbers_are_refused(number: str) -> None:
    with pytest.raises(ValidationError, match="is not a document number"):
        parse_number(number)


def test_unknown_document_kind_is_refused() -> None:
    with pytest.raises(ValidationError, match="unknown document kind"):
        parse_number("LIS-XX-00001")


@given(SITE_CODES, st.sampled_from(list(DocKind)), st.integers(1, 10**9))
def test_format_and_parse_round_trip(site: str, kind: DocKind, value: int) -> None:
    number = format_number(site, kind, value)
    assert check_site_code(site) == site
    assert parse_number(number) == (site, kind, value)


@given(SITE_CODES, st.integers(1, 99_999), st.integers(1, 99_999))
def test_numbers_of_one_site_and_kind_sort_like_their_values(site: str, a: int, b: int) -> None:
    first = format_number(site, DocKind.WORK_ORDER, a)
    second = format_number(site, DocKind.WORK_ORDER, b)
    assert (first < second) == (a < b)
