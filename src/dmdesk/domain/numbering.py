"""Human document numbers that carry the site's code: LIS-WO-00042, POR-MV-01311.

Each site numbers only with its own code, from its own counter, so two sites working offline
can never hand out the same number and no global counter is needed.
"""

from __future__ import annotations

import re
from enum import StrEnum

from dmdesk.domain.errors import ValidationError

SITE_CODE_RE = re.compile(r"^[A-Z][A-Z0-9]{1,5}$")


class DocKind(StrEnum):
    WORK_ORDER = "WO"
    MOVE = "MV"
    TRANSFER = "TR"
    CUSTOMER_ORDER = "CO"
    LOT = "LOT"


def check_site_code(code: str) -> str:
    code = code.strip().upper()
    if not SITE_CODE_RE.match(code):
        raise ValidationError(
            f"Site code '{code}' must be 2 to 6 letters or digits, starting with a letter "
            "(for example LIS or POR2).",
            field="code",
        )
    return code


def format_number(site_code: str, kind: DocKind, value: int) -> str:
    if value < 1:
        raise ValueError("document numbers start at 1")
    return f"{site_code}-{kind.value}-{value:05d}"


_NUMBER_RE = re.compile(r"^([A-Z][A-Z0-9]{1,5})-([A-Z]{2,3})-(\d{5,})$")


def parse_number(number: str) -> tuple[str, DocKind, int]:
    match = _NUMBER_RE.match(number.strip().upper())
    if not match:
        raise ValidationError(f"'{number}' is not a document number like LIS-WO-00042.")
    try:
        kind = DocKind(match.group(2))
    except ValueError:
        raise ValidationError(f"'{number}' has an unknown document kind.") from None
    return match.group(1), kind, int(match.group(3))
