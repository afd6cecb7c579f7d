"""The first rows of a file and the guessed mapping, for the wizard's preview page."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Any

from dmdesk.documents.importing.columns import guess_mapping
from dmdesk.documents.importing.kinds import get_kind
from dmdesk.documents.importing.reader import open_table


@dataclass(frozen=True)
class Preview:
    kind: str
    path: Path
    format: str
    sheet: str
    header_row: int
    header: tuple[str, ...]
    rows: tuple[tuple[int, tuple[Any, ...]], ...]
    estimated_rows: int
    guess: dict[str, int]  # field -> column index


def preview_file(kind: str, path: Path | str, rows: int = 20) -> Preview:
    """Header, first ``rows`` data rows and the guessed mapping (DomainError if unreadable)."""
    spec, file = get_kind(kind), Path(path).expanduser()
    with open_table(file, spec.sheet_names) as table:
        first = tuple(islice(table.rows, rows))
        return Preview(spec.name, file, table.format, table.sheet, table.header_row,
                       table.header, first, table.estimated_rows,
                       guess_mapping(spec.fields, table.header))
