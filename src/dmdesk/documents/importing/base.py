"""What every import kind shares: a view of one row that parses cells and records problems,
and the checker interface each kind implements.

A checker sees the rows one at a time (``check`` returns a clean record or None when the row
has a problem), then ``finish`` looks across rows (a BOM cycle), then, when nothing was wrong,
``write`` is called per record inside the one import transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Generic, TypeVar

from sqlalchemy.orm import Session

from dmdesk.documents.importing import cells
from dmdesk.documents.importing.columns import Field
from dmdesk.documents.importing.problems import Problems
from dmdesk.domain.errors import DomainError
from dmdesk.domain.quantity import QUANTITY_PLACES
from dmdesk.services.context import UnitOfWork

R = TypeVar("R")
T = TypeVar("T")


class RowView:
    """One data row through the column mapping; parse helpers record problems, return None."""

    def __init__(self, number: int, values: Sequence[Any], mapping: Mapping[str, int],
                 labels: Mapping[str, str], problems: Problems) -> None:
        self.number = number
        self._values = values
        self._mapping = mapping
        self._labels = labels
        self._problems = problems
        self.ok = True

    def column(self, field: str) -> str:
        return self._labels[field]

    def problem(self, field: str, message: str) -> None:
        self.ok = False
        self._problems.add(self.number, self._labels.get(field, field), message)

    def raw(self, field: str) -> Any:
        index = self._mapping.get(field)
        return None if index is None else self._values[index]

    def mapped(self, field: str) -> bool:
        """The file has a column for ``field`` (its cell in this row may still be empty)."""
        return field in self._mapping

    def has(self, field: str) -> bool:
        return not cells.is_empty(self.raw(field))

    def _parse(self, field: str, parse: Callable[[Any], T], required: bool) -> T | None:
        value = self.raw(field)
        if cells.is_empty(value):
            if required:
                self.problem(field, "is empty; a value is required.")
            return None
        try:
            return parse(value)
        except (cells.CellError, DomainError) as exc:
            self.problem(field, str(exc))
            return None

    def text(self, field: str, max_len: int, *, required: bool = False) -> str | None:
        return self._parse(field, lambda v: cells.as_text(v, max_len), required)

    def decimal(self, field: str, *, required: bool = False, places: int = QUANTITY_PLACES,
                positive: bool = False, below: Decimal | None = None,
                signed: bool = False, percent: bool = False) -> Decimal | None:
        """A number; ``percent``: a percentage, as the cell shows it (10 for "10%")."""
        def parse(value: Any) -> Decimal:
            number = cells.as_percent(value) if percent else cells.as_decimal(value)
            exponent = number.normalize().as_tuple().exponent
            if isinstance(exponent, int) and -exponent > places:
                raise cells.CellError(f"{value} has more than {places} decimal places.")
            if number < 0 and not signed:
                raise cells.CellError(f"{value} is negative.")
            if positive and number == 0:
                raise cells.CellError("must be greater than zero.")
            if below is not None and number >= below:
                raise cells.CellError(f"{value} must be below {below}.")
            return number
        return self._parse(field, parse, required)

    def integer(self, field: str, low: int, high: int) -> int | None:
        def parse(value: Any) -> int:
            number = cells.as_int(value)
            if not low <= number <= high:
                raise cells.CellError(f"{number} must be between {low} and {high}.")
            return number
        return self._parse(field, parse, False)

    def flag(self, field: str) -> bool | None:
        return self._parse(field, cells.as_bool, False)

    def choice(self, field: str, options: Mapping[str, str]) -> str | None:
        """One of ``options`` (normalised spelling -> stored value)."""
        def parse(value: Any) -> str:
            key = cells.as_text(value).casefold().replace(" ", "_").replace("-", "_")
            if key not in options:
                shown = ", ".join(sorted(set(options.values())))
                raise cells.CellError(f"'{value}' is not one of: {shown}.")
            return options[key]
        return self._parse(field, parse, False)


class Checker(Generic[R]):
    """Per-kind validation and writing. Subclasses load what they need in ``__init__``."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.source = ""  # the file's name, for notes on what is written

    def check(self, row: RowView) -> R | None:
        raise NotImplementedError

    def finish(self, problems: Problems, labels: Mapping[str, str]) -> None:
        """Problems that only show across rows (after every row was checked)."""

    def write(self, uow: UnitOfWork, record: R) -> None:
        raise NotImplementedError

    def flush(self, uow: UnitOfWork) -> None:
        """Write anything ``write`` buffered (called once, after the last record)."""

    def summary(self, rows: int) -> str:
        raise NotImplementedError

    def plan(self) -> UpdatePlan | None:
        """What an update-mode import creates and changes (None: the kind only adds)."""
        return None


@dataclass(frozen=True)
class UpdatePlan:
    """An import that also updates: how many rows create, update (and which fields, with how
    many products each), or change nothing."""

    noun: str       # "product"
    created: int
    updated: int
    unchanged: int
    fields: tuple[tuple[str, int], ...]  # ("price", 3), most changed first

    def describe(self, *, done: bool) -> str:
        """"would create 1 product and update 3 (price: 3, name: 1); 2 unchanged", or with
        ``done`` "created 1 product and updated 3 (...)"."""
        create, update = ("created", "updated") if done else ("would create", "update")
        changes = ", ".join(f"{name}: {count}" for name, count in self.fields)
        text = (f"{create} {_count(self.created, self.noun)} and {update} {self.updated}"
                + (f" ({changes})" if changes else ""))
        return text + (f"; {self.unchanged} unchanged" if self.unchanged else "")


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


@dataclass(frozen=True)
class ImportKind:
    name: str                 # "products"
    title: str                # "Products"
    fields: tuple[Field, ...]
    sheet_names: tuple[str, ...]  # normalised sheet titles to prefer in a workbook
    checker: Callable[[Session], Checker[Any]]
    # The checker of the update mode (rows whose key exists update that record); None: the
    # kind only adds.
    updater: Callable[[Session], Checker[Any]] | None = None
