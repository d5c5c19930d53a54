"""A record's addendum at the duty desk (report 4.5): the entry could not be corrected, so
the correction is an addendum, which the desk's search does not show until the trainee
opens it. Exercise 01's Dunmore family: a safe family whose entry carries another
household's assault. Each test drives the real desk on the real model."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from trainer_support import (
    EXERCISES,
    allocate_to_first_offered,
    case_of,
    decide_on_the_referral,
    plan,
    run_until,
)

from sim.entities import Level
from trainer.desk import DutyDesk
from trainer.desk_records import DeskRefusal, Finding
from trainer.holes import front_door_held, front_door_holes

EXERCISE = "01_name_on_the_record"
SEED = 7


def searched_desk() -> tuple[DutyDesk, int, Finding]:
    """Exercise 01 with the Dunmore family searched under its own name, answer in."""
    desk = DutyDesk(plan(EXERCISE), seed=SEED)
    run_until(desk, lambda: any(c.scripted_ref == "dunmore" for c in desk.cases()))
    case_id = case_of(desk, "dunmore")
    found = desk.search_database(case_id, "Dunmore")
    run_until(desk, lambda: found.done)
    return desk, case_id, found


def decide_the_rest_and_finish(desk: DutyDesk, case_id: int, level: Level) -> list:
    """Decide `case_id` at `level` and every other case on its referral; the log."""
    desk.decide(
        case_id, level, "within_24_hours" if level == Level.CHILD_PROTECTION else "within_7_days"
    )

    def act() -> bool:
        if desk.busy() or allocate_to_first_offered(desk):
            return False
        for other in desk.undecided():
            decide_on_the_referral(desk, other)
            return False
        return False

    run_until(desk, act)
    return desk.follow_up()


def test_the_search_shows_the_entry_and_says_an_addendum_waits() -> None:
    desk, case_id, found = searched_desk()
    assert found.outcome == "found" and "an addendum was added later" in found.detail
    assert desk.case(case_id).addendum_waiting
    # The entry alone reads as serious concern: the wrong detail stands until corrected.
    assert found.value is not None and found.value >= desk.thresholds.child_protection_risk
    assert not desk.entry_corrected(case_id)


def test_opening_the_addendum_corrects_the_entry_and_cannot_be_done_twice() -> None:
    desk, case_id, found = searched_desk()
    asked_at = desk.now
    addendum = desk.read_addendum(case_id)
    run_until(desk, lambda: addendum.done)
    assert addendum.outcome == "corrects" and addendum.value is not None
    assert addendum.value < desk.thresholds.child_in_need_risk
    assert desk.entry_corrected(case_id), "the entry the addendum corrects is marked so"
    assert desk.case(case_id).evidence["database"] == addendum.value
    assert not desk.case(case_id).addendum_waiting
    assert addendum.returned_at is not None and addendum.returned_at > asked_at
    with pytest.raises(DeskRefusal, match="no unread addendum"):
        desk.read_addendum(case_id)
    # Searching again finds the same record, its addendum already read.
    again = desk.search_database(case_id, "Dunmore")
    run_until(desk, lambda: again.done)
    assert not desk.case(case_id).addendum_waiting
    assert desk.case(case_id).evidence["database"] == addendum.value


def test_a_family_with_no_addendum_has_none_to_open() -> None:
    desk = DutyDesk(plan(EXERCISE), seed=SEED)
    run_until(desk, lambda: any(c.scripted_ref == "marsden" for c in desk.cases()))
    case_id = case_of(desk, "marsden")
    with pytest.raises(DeskRefusal, match="no unread addendum"):
        desk.read_addendum(case_id)  # nothing searched yet
    found = desk.search_database(case_id, "Marsden")
    run_until(desk, lambda: found.done)
    assert found.outcome == "found" and not desk.case(case_id).addendum_waiting
    with pytest.raises(DeskRefusal, match="no unread addendum"):
        desk.read_addendum(case_id)


def test_a_decision_with_the_addendum_unread_holes_the_barrier_by_its_condition() -> None:
    desk, case_id, _ = searched_desk()
    records = decide_the_rest_and_finish(desk, case_id, Level.CHILD_PROTECTION)
    holes = front_door_holes(records, case_id)
    assert holes["record_addendum"] == ("uncorrectable_records",), holes


def addendum_slices(desk: DutyDesk, records: list, case_id: int) -> list:
    from trainer.debrief import build_debrief

    debrief = build_debrief(records, desk.plan, desk.actions, desk.findings)
    case = next(c for c in debrief.cases if c.score.case_id == case_id)
    return [s for s in case.slices if s.barrier == "Reading the whole record"]


def test_the_debrief_shows_the_unopened_addendum_as_a_holed_slice() -> None:
    desk, case_id, _ = searched_desk()
    records = decide_the_rest_and_finish(desk, case_id, Level.CHILD_PROTECTION)
    (addendum,) = addendum_slices(desk, records, case_id)
    assert addendum.held is False and addendum.reason == "unread"
    assert "not opened before the decision" in addendum.why
    assert "entries cannot be corrected" in addendum.why


def test_a_decision_after_opening_it_holds_the_barrier() -> None:
    desk, case_id, _ = searched_desk()
    addendum = desk.read_addendum(case_id)
    run_until(desk, lambda: addendum.done)
    records = decide_the_rest_and_finish(desk, case_id, Level.CHILD_IN_NEED)
    assert "record_addendum" not in front_door_holes(records, case_id)
    assert "record_addendum" in front_door_held(records, case_id)
    (addendum,) = addendum_slices(desk, records, case_id)
    assert addendum.held is True


def test_a_resumed_session_replays_the_opened_addendum() -> None:
    desk, case_id, _ = searched_desk()
    addendum = desk.read_addendum(case_id)
    run_until(desk, lambda: addendum.done)
    again = DutyDesk(plan(EXERCISE), seed=SEED)
    again.replay([(a.sim_time, a.kind, a.case_id, a.payload) for a in desk.actions])
    run_until(again, lambda: all(f.done for f in again.findings))
    kinds = [(f.action, f.outcome) for f in again.findings]
    assert kinds == [("database", "found"), ("addendum", "corrects")], kinds
    assert again.entry_corrected(case_of(again, "dunmore"))


def test_a_correction_that_shows_more_concern_is_one_located_error(tmp_path: Path) -> None:
    from sim.yamlsafe import ScenarioError
    from trainer.exercise import load_exercise

    source = EXERCISES[EXERCISE]
    shutil.copytree(source.parent / "teams", tmp_path / "teams")
    text = source.read_text(encoding="utf-8")
    assert "      record_addendum: 0.05\n" in text
    bad = tmp_path / "bad.yaml"
    bad.write_text(text.replace("      record_addendum: 0.05\n", ""), encoding="utf-8")
    with pytest.raises(ScenarioError) as err:
        load_exercise(bad)
    assert err.value.field is not None and err.value.field.endswith("addendum_corrects")
    assert err.value.line is not None and "correcting addendum" in str(err.value)


def test_an_addendum_to_read_needs_one_on_the_record(tmp_path: Path) -> None:
    from sim.yamlsafe import ScenarioError
    from trainer.exercise import load_exercise

    source = EXERCISES[EXERCISE]
    shutil.copytree(source.parent / "teams", tmp_path / "teams")
    text = source.read_text(encoding="utf-8")
    unrecorded = "      record_addendum: 0.05\n      addendum_corrects: true\n"
    assert unrecorded in text
    bad = tmp_path / "bad.yaml"
    bad.write_text(text.replace(unrecorded, ""), encoding="utf-8")
    with pytest.raises(ScenarioError) as err:
        load_exercise(bad)
    assert err.value.field is not None and err.value.field.endswith("findings.addendum")
    assert err.value.line is not None and "no record_addendum" in str(err.value)
