"""Which column holds which field: guessed from the headers, overridable by the user.

Headers are compared after normalising (case, accents, spaces and punctuation ignored, and a
trailing note in brackets dropped), so "Item code", "item_code" and "ITEM CODE (text)" all
match the synonym "item code" of the SKU.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from dmdesk.domain.errors import ValidationError

Mapping_ = dict[str, int]  # field name -> column index (0-based)
_BRACKETS = re.compile(r"\([^)]*\)|\[[^\]]*\]")
_LETTERS = re.compile(r"^[A-Za-z]{1,3}$")


def normalize(header: str) -> str:
    text = _BRACKETS.sub("", header) or header
    text = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in text if ch.isalnum())


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    required: bool = False
    synonyms: tuple[str, ...] = ()

    def names(self) -> set[str]:
        return {normalize(n) for n in (self.name, self.label, *self.synonyms)}


def guess_mapping(fields: Sequence[Field], header: Sequence[str]) -> Mapping_:
    """Each field to the first column whose header is one of its names; each column used once."""
    mapping: Mapping_ = {}
    taken: set[int] = set()
    for field in fields:
        names = field.names()
        for index, title in enumerate(header):
            if index not in taken and normalize(title) in names:
                mapping[field.name] = index
                taken.add(index)
                break
    return mapping


def column_index(header: Sequence[str], column: str) -> int:
    """A column named by its header text, or by its letter (A, B, ... AA) as in Excel."""
    wanted = normalize(column)
    for index, title in enumerate(header):
        if wanted and normalize(title) == wanted:
            return index
    if _LETTERS.match(column.strip()):
        index = 0
        for ch in column.strip().upper():
            index = index * 26 + ord(ch) - 64
        if index <= len(header):
            return index - 1
    shown = ", ".join(f"'{h}'" for h in header if h) or "none"
    raise ValidationError(f"The file has no column '{column}'. Its columns are: {shown}.",
                          field="map")


def apply_overrides(fields: Sequence[Field], header: Sequence[str], mapping: Mapping_,
                    overrides: Mapping[str, str]) -> Mapping_:
    """``overrides`` maps field -> column (header text or letter; empty: leave unmapped)."""
    by_name = {normalize(f.name): f for f in fields} | {normalize(f.label): f for f in fields}
    result = dict(mapping)
    for key, column in overrides.items():
        field = by_name.get(normalize(key))
        if field is None:
            known = ", ".join(f.name for f in fields)
            raise ValidationError(f"There is no field '{key}' here. Fields: {known}.",
                                  field="map")
        result.pop(field.name, None)
        if column.strip():
            index = column_index(header, column)
            result = {name: i for name, i in result.items() if i != index}
            result[field.name] = index
    return result


def parse_overrides(items: Sequence[str]) -> dict[str, str]:
    """``["sku=Item code", "unit=C"]`` -> {"sku": "Item code", "unit": "C"}."""
    result: dict[str, str] = {}
    for item in items:
        field, sep, column = item.partition("=")
        if not sep or not field.strip():
            raise ValidationError(f"--map {item!r} should be FIELD=COLUMN, e.g. "
                                  "sku='Item code'.", field="map")
        result[field.strip()] = column.strip()
    return result
