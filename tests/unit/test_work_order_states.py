"""The work-order state table: every allowed transition, and every other one refused."""

from __future__ import annotations

import itertools

import pytest

from dmdesk.domain.errors import IllegalTransitionError
from dmdesk.domain.work_order_states import (
    FINAL_STATES,
    OPEN_STATES,
    RESERVING_STATES,
    WOAction,
    WOState,
    allowed_actions,
    label,
    next_state,
)

S, A = WOState, WOAction

# Written out here from DESIGN.md section 4, independently of the module's own table:
# draft -> released -> in_progress -> done; released/in_progress <-> on_hold; any open state
# -> cancelled; complete straight from released is allowed; done and cancelled are final.
EXPECTED: dict[tuple[WOAction, WOState], WOState | None] = {
    (A.RELEASE, S.DRAFT): S.RELEASED,
    (A.START, S.RELEASED): S.IN_PROGRESS,
    (A.REPORT, S.IN_PROGRESS): S.IN_PROGRESS,
    (A.COMPLETE, S.IN_PROGRESS): S.DONE,
    (A.COMPLETE, S.RELEASED): S.DONE,
    (A.HOLD, S.RELEASED): S.ON_HOLD,
    (A.HOLD, S.IN_PROGRESS): S.ON_HOLD,
    (A.RESUME, S.ON_HOLD): None,  # back to where it was held from
    (A.CANCEL, S.DRAFT): S.CANCELLED,
    (A.CANCEL, S.RELEASED): S.CANCELLED,
    (A.CANCEL, S.IN_PROGRESS): S.CANCELLED,
    (A.CANCEL, S.ON_HOLD): S.CANCELLED,
}
ALL_PAIRS = list(itertools.product(WOAction, WOState))
ILLEGAL = [pair for pair in ALL_PAIRS if pair not in EXPECTED]

LABELS = {S.DRAFT: "draft", S.RELEASED: "released", S.IN_PROGRESS: "in progress",
          S.ON_HOLD: "on hold", S.DONE: "done", S.CANCELLED: "cancelled"}


@pytest.mark.parametrize(("action", "state"), [p for p in EXPECTED if EXPECTED[p] is not None])
def test_allowed_transitions(action: WOAction, state: WOState) -> None:
    assert next_state(action, state) == EXPECTED[(action, state)]


@pytest.mark.parametrize(("action", "state"), ILLEGAL)
def test_every_other_transition_is_refused_naming_the_state(action: WOAction,
                                                            state: WOState) -> None:
    with pytest.raises(IllegalTransitionError) as caught:
        next_state(action, state, held_from=S.RELEASED)
    message = str(caught.value)
    assert f"Cannot {action.value}" in message
    assert f"is {LABELS[state]}" in message
    assert caught.value.field == "state"


def test_the_illegal_list_is_not_trivially_small() -> None:
    # 7 actions x 6 states = 42 pairs, 12 allowed: guard the parametrisation itself.
    assert len(ALL_PAIRS) == 42
    assert len(ILLEGAL) == 30


@pytest.mark.parametrize("held_from", [S.RELEASED, S.IN_PROGRESS])
def test_resume_returns_to_the_state_it_was_held_from(held_from: WOState) -> None:
    assert next_state(A.RESUME, S.ON_HOLD, held_from=held_from) == held_from


@pytest.mark.parametrize("held_from", [None, S.DRAFT, S.DONE, S.CANCELLED, S.ON_HOLD])
def test_resume_without_a_sensible_held_from_goes_back_to_released(
        held_from: WOState | None) -> None:
    assert next_state(A.RESUME, S.ON_HOLD, held_from=held_from) == S.RELEASED


@pytest.mark.parametrize("state", [S.DONE, S.CANCELLED])
def test_final_states_allow_nothing(state: WOState) -> None:
    assert allowed_actions(state) == []
    for action in WOAction:
        with pytest.raises(IllegalTransitionError, match=r"nothing \(it is final\)"):
            next_state(action, state)


def test_refusal_lists_what_can_be_done_instead() -> None:
    with pytest.raises(IllegalTransitionError) as caught:
        next_state(A.START, S.DRAFT)
    assert "from draft you can: release, cancel" in str(caught.value)


@pytest.mark.parametrize("state", list(WOState))
def test_allowed_actions_agree_with_the_table(state: WOState) -> None:
    expected = [action for action in WOAction if (action, state) in EXPECTED]
    assert allowed_actions(state) == expected


def test_state_groups() -> None:
    assert {S.DONE, S.CANCELLED} == FINAL_STATES
    assert {S.DRAFT, S.RELEASED, S.IN_PROGRESS, S.ON_HOLD} == OPEN_STATES
    assert {S.RELEASED, S.IN_PROGRESS, S.ON_HOLD} == RESERVING_STATES


@pytest.mark.parametrize("state", list(WOState))
def test_every_state_has_a_label(state: WOState) -> None:
    assert label(state) == LABELS[state]


def test_the_happy_path_walks_draft_to_done() -> None:
    state = S.DRAFT
    for action in (A.RELEASE, A.START, A.REPORT, A.HOLD):
        held = state
        state = next_state(action, state)
    assert state == S.ON_HOLD
    state = next_state(A.RESUME, state, held_from=held)
    assert state == S.IN_PROGRESS
    assert next_state(A.COMPLETE, state) == S.DONE
