"""Create, edit, archive and delete, the same way for every kind of master data."""

from __future__ import annotations

import uuid
from typing import Any, TypeVar

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from dmdesk.db import models as m
from dmdesk.domain.errors import DuplicateError, ReferencedError
from dmdesk.services.context import UnitOfWork
from dmdesk.services.fields import Validator, clean

T = TypeVar("T", bound=m.Base)


def ensure_unique(uow: UnitOfWork, model: type[T], field: str, value: Any, *,
                  what: str, exclude: uuid.UUID | None = None, case_insensitive: bool = True
                  ) -> None:
    column = getattr(model, field)
    condition = func.lower(column) == value.lower() if case_insensitive else column == value
    query = select(model).where(condition)
    if exclude is not None:
        query = query.where(model.id != exclude)  # type: ignore[attr-defined]
    if uow.session.scalars(query.limit(1)).first() is not None:
        raise DuplicateError(f"{what} '{value}' is already taken.", field=field)


def create_row(uow: UnitOfWork, model: type[T], spec: dict[str, Validator],
               values: dict[str, Any], *, what: str, require: tuple[str, ...] = ()) -> T:
    data = clean(spec, values, what=what, require=require)
    obj = model(**data)
    uow.session.add(obj)
    uow.session.flush()
    uow.audit("create", model.__tablename__, getattr(obj, "id", None), **data)
    return obj


def update_row(uow: UnitOfWork, obj: T, spec: dict[str, Validator], changes: dict[str, Any],
               *, what: str) -> T:
    data = clean(spec, changes, what=what)
    before = {name: getattr(obj, name) for name in data}
    for name, value in data.items():
        setattr(obj, name, value)
    uow.session.flush()
    changed = {k: [before[k], v] for k, v in data.items() if before[k] != v}
    if changed:
        uow.audit("edit", obj.__tablename__, getattr(obj, "id", None), **changed)
    return obj


def set_archived(uow: UnitOfWork, obj: Any, archived: bool) -> None:
    if obj.archived == archived:
        return
    obj.archived = archived
    uow.session.flush()
    uow.audit("archive" if archived else "restore", obj.__tablename__, obj.id)


def delete_row(uow: UnitOfWork, obj: Any, *, what: str) -> None:
    """Delete a row nothing refers to; a referenced one is refused (archive it instead)."""
    uow.session.delete(obj)
    try:
        with uow.session.begin_nested():
            uow.session.flush()
    except IntegrityError:
        raise ReferencedError(
            f"The {what} is still referred to by other records, so it cannot be deleted; "
            "archive it instead.") from None
    uow.audit("delete", obj.__tablename__, getattr(obj, "id", None))
