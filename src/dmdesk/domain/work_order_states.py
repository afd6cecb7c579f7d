"""The work-order state machine, written down as a table (as Tryton does).

    draft -> released -> in_progress -> done
    any open state -> on_hold -> back to where it was
    any open state -> cancelled
done and cancelled are final.
"""

from __future__ import annotations

from enum import StrEnum

from dmdesk.domain.errors import IllegalTransitionError


class WOState(StrEnum):
    DRAFT = "draft"
    RELEASED = "released"
    IN_PROGRESS = "in_progress"
    ON_HOLD = "on_hold"
    DONE = "done"
    CANCELLED = "cancelled"


class WOAction(StrEnum):
    RELEASE = "release"
    START = "start"
    REPORT = "report"
    COMPLETE = "complete"
    HOLD = "hold"
    RESUME = "resume"
    CANCEL = "cancel"


# action -> {state it may be taken from: state it leads to}. RESUME's target is the state the
# order was held from; it is resolved by ``next_state`` and written here as None.
TRANSITIONS: dict[WOAction, dict[WOState, WOState | None]] = {
    WOAction.RELEASE: {WOState.DRAFT: WOState.RELEASED},
    WOAction.START: {WOState.RELEASED: WOState.IN_PROGRESS},
    WOAction.REPORT: {WOState.IN_PROGRESS: WOState.IN_PROGRESS},
    WOAction.COMPLETE: {WOState.IN_PROGRESS: WOState.DONE, WOState.RELEASED: WOState.DONE},
    WOAction.HOLD: {WOState.RELEASED: WOState.ON_HOLD, WOState.IN_PROGRESS: WOState.ON_HOLD},
    WOAction.RESUME: {WOState.ON_HOLD: None},
    WOAction.CANCEL: {
        WOState.DRAFT: WOState.CANCELLED,
        WOState.RELEASED: WOState.CANCELLED,
        WOState.IN_PROGRESS: WOState.CANCELLED,
        WOState.ON_HOLD: WOState.CANCELLED,
    },
}

FINAL_STATES = frozenset({WOState.DONE, WOState.CANCELLED})
OPEN_STATES = frozenset(set(WOState) - FINAL_STATES)
# States in which components are reserved at the making site.
RESERVING_STATES = frozenset({WOState.RELEASED, WOState.IN_PROGRESS, WOState.ON_HOLD})

_LABELS = {
    WOState.DRAFT: "draft",
    WOState.RELEASED: "released",
    WOState.IN_PROGRESS: "in progress",
    WOState.ON_HOLD: "on hold",
    WOState.DONE: "done",
    WOState.CANCELLED: "cancelled",
}


def label(state: WOState) -> str:
    return _LABELS[state]


def allowed_actions(state: WOState) -> list[WOAction]:
    """The actions a user may take now, in menu order (for enabling buttons)."""
    return [action for action, table in TRANSITIONS.items() if state in table]


def next_state(action: WOAction, state: WOState, held_from: WOState | None = None) -> WOState:
    """The state ``action`` leads to from ``state``, or IllegalTransitionError saying why not."""
    table = TRANSITIONS[action]
    if state not in table:
        possible = ", ".join(a.value for a in allowed_actions(state)) or "nothing (it is final)"
        raise IllegalTransitionError(
            f"Cannot {action.value} a work order that is {label(state)}; "
            f"from {label(state)} you can: {possible}.",
            field="state",
        )
    target = table[state]
    if target is None:  # resume
        if held_from is None or held_from not in (WOState.RELEASED, WOState.IN_PROGRESS):
            return WOState.RELEASED
        return held_from
    return target
