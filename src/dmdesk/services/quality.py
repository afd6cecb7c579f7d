"""Quality checks: a measured value against a target and tolerance, on a work order or one of
its operations. An out-of-tolerance result is flagged (``passed`` false) and counts against the
making site's record (queries.scorecards)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from dmdesk.db import models as m
from dmdesk.db.models_network import QualityCheck
from dmdesk.domain.errors import IllegalTransitionError, ValidationError
from dmdesk.domain.quantity import format_quantity, quantity
from dmdesk.domain.work_order_states import WOState
from dmdesk.services.context import ServiceContext
from dmdesk.services.fields import text


@dataclass(frozen=True)
class CheckResult:
    id: uuid.UUID
    passed: bool
    deviation: Decimal  # measured - target
    message: str


def within_tolerance(target: Decimal, tolerance: Decimal, measured: Decimal) -> bool:
    """True when ``measured`` lies in [target - tolerance, target + tolerance]."""
    return abs(measured - target) <= tolerance


def _value(raw: Any, what: str, field: str, *, negative: bool = True) -> Decimal:
    return quantity(raw, what=what, field=field, allow_zero=True, allow_negative=negative)


def record_check(ctx: ServiceContext, work_order_id: uuid.UUID, name: str, target: Any,
                 tolerance: Any, measured: Any, *, operation_sequence: int | None = None,
                 unit: str = "", notes: str = "") -> CheckResult:
    """Record one measurement on a work order (optionally on one of its operations)."""
    clean_name = text(120, required=True)(name, "name")
    goal = _value(target, "Target", "target")
    band = _value(tolerance, "Tolerance", "tolerance", negative=False)
    value = _value(measured, "Measured value", "measured")
    with ctx.transaction() as uow:
        order = uow.get(m.WorkOrder, work_order_id, "work order")
        if order.state in (WOState.DRAFT, WOState.CANCELLED):
            raise IllegalTransitionError(f"{order.number} is {order.state}: checks are recorded "
                                         "on work being made or made.", field="work_order")
        if operation_sequence is not None and operation_sequence not in {
                op.sequence for op in order.operations}:
            known = ", ".join(str(op.sequence) for op in order.operations) or "none"
            raise ValidationError(f"{order.number} has no operation {operation_sequence} (it "
                                  f"has: {known}).", field="operation")
        passed = within_tolerance(goal, band, value)
        check = QualityCheck(work_order_id=order.id, site_id=order.site_id,
                             operation_sequence=operation_sequence, name=clean_name,
                             unit=text(20)(unit, "unit"), target=goal, tolerance=band,
                             measured=value, passed=passed, notes=text(2000)(notes, "notes"),
                             actor=uow.actor)
        uow.session.add(check)
        uow.session.flush()
        uow.audit("quality_check", "work_order", order.id, number=order.number,
                  check=clean_name, measured=str(value), passed=passed)
        deviation = value - goal
        verdict = "within tolerance" if passed else "OUT OF TOLERANCE"
        message = (f"{clean_name} on {order.number}: {format_quantity(value)} {unit}".rstrip()
                   + f" against {format_quantity(goal)} ± {format_quantity(band)}: {verdict}.")
        return CheckResult(check.id, passed, deviation, message)
