"""The column mapping of one file for one kind: guessed, then the user's choices on top."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from dmdesk.documents.importing.base import ImportKind
from dmdesk.documents.importing.columns import apply_overrides, guess_mapping
from dmdesk.documents.importing.problems import Problems
from dmdesk.domain.errors import ValidationError


def resolve_mapping(kind: ImportKind, file_name: str, header: Sequence[str],
                    mapping: Mapping[str, int] | None,
                    overrides: Mapping[str, str] | None) -> dict[str, int]:
    """``mapping`` (field -> column index) replaces the guess; ``overrides`` (field -> column
    name or letter) adjust it. A first row that names none of the fields is refused: the file
    has no header, and its first row would otherwise be taken for one."""
    if mapping is None:
        result = guess_mapping(kind.fields, header)
        if not result and not overrides:
            found = ", ".join(f"'{h}'" for h in header[:6] if h) or "nothing"
            expected = ", ".join(f.label for f in kind.fields if f.required)
            raise ValidationError(
                f"{file_name} has no header row: its first row ({found}) names none of the "
                f"columns of {kind.title.lower()}. Add a first row with the column names "
                f"(at least {expected}), or map the columns yourself.", field="file")
    else:
        for field, index in mapping.items():
            if not 0 <= index < len(header):
                raise ValidationError(f"Column {index + 1} of {field} is not in the file.",
                                      field="map")
        result = dict(mapping)
    return apply_overrides(kind.fields, header, result, overrides or {})


def column_labels(kind: ImportKind, header: Sequence[str],
                  mapping: Mapping[str, int]) -> dict[str, str]:
    """What to call each field's column in problems: its header in the file if mapped."""
    return {f.name: (header[mapping[f.name]] or f.label) if f.name in mapping else f.label
            for f in kind.fields}


def missing_columns(kind: ImportKind, mapping: Mapping[str, int], header_row: int,
                    problems: Problems) -> None:
    for field in kind.fields:
        if field.required and field.name not in mapping:
            problems.add(header_row, field.label,
                         f"missing required column '{field.label}' (no header matches it; "
                         f"map one: --map {field.name}=COLUMN).")
