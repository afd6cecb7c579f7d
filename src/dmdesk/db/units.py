"""Which units are counted in whole numbers (pieces, sets): the ``unit`` table says so.

One query for the services (refusing 2.5 pcs, rounding requirements up), the read side (job
sheets, forms' choices), imports and the GUI's validators, so a unit added or changed in the
table is honoured everywhere (db/ because both services and queries ask).
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from dmdesk.db import models as m


def whole_units(session: Session) -> frozenset[str]:
    """The codes of the units that take whole numbers only."""
    return frozenset(session.scalars(select(m.Unit.code).where(m.Unit.whole_only)))
