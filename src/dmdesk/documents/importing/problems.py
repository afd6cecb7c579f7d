"""A problem found in an import file, and the refusal that carries them."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from dmdesk.domain.errors import DomainError

# Problems kept in memory for listing; beyond that they are only counted (a file where every
# one of 100,000 rows is wrong says so without holding 100,000 messages).
KEEP_PROBLEMS = 10_000


@dataclass(frozen=True)
class Problem:
    row: int | None  # the row number the spreadsheet shows; None for the file as a whole
    column: str      # the column's header as in the file (or the field's label if missing)
    message: str

    def __str__(self) -> str:
        where = [f"row {self.row}"] if self.row is not None else []
        if self.column:
            where.append(f"column '{self.column}'")
        return f"{', '.join(where)}: {self.message}" if where else self.message


class Problems:
    """Collects problems, keeping the first KEEP_PROBLEMS and counting all of them."""

    def __init__(self) -> None:
        self.items: list[Problem] = []
        self.count = 0

    def add(self, row: int | None, column: str, message: str) -> None:
        self.count += 1
        if len(self.items) < KEEP_PROBLEMS:
            self.items.append(Problem(row, column, message))

    def __bool__(self) -> bool:
        return self.count > 0


class ImportRefusedError(DomainError):
    """The file has problems; nothing was written."""

    def __init__(self, problems: Sequence[Problem], count: int) -> None:
        super().__init__(f"The file has {count} problem{'s' if count != 1 else ''}; nothing "
                         "was imported.")
        self.problems = list(problems)
        self.count = count


def problem_lines(problems: Sequence[Problem], count: int, limit: int = 50) -> list[str]:
    """One line each, at most ``limit``, then "... and N more"."""
    lines = [str(p) for p in problems[:limit]]
    if count > len(lines):
        lines.append(f"... and {count - len(lines)} more.")
    return lines


def write_problems_csv(path: Path, problems: Sequence[Problem], count: int) -> Path:
    """The problems as a CSV file (UTF-8 with BOM, so Excel shows accents), to work through
    beside the spreadsheet; a last line says how many more there were beyond those kept."""
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(("Row", "Column", "Problem"))
        for problem in problems:
            writer.writerow(("" if problem.row is None else problem.row, problem.column,
                             problem.message))
        if count > len(problems):
            writer.writerow(("", "", f"... and {count - len(problems)} more."))
    return path
