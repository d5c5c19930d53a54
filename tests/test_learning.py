"""Learning from reported incidents, and a blame culture, on real runs (issue 12).

Each test runs the real model on a bundled scenario and reads its event log; nothing is
set by hand but the scenario's settings.
"""

from __future__ import annotations

from functools import cache

import pytest
from pydantic import ValidationError

from analysis.kpis import compute_kpis
from sim.config import Reporting
from sim.events import EventKind, LogRecord
from sim.learning import REPAIRS
from sim.learning_config import Learning
from sim.loader import load_scenario, scenario_with
from sim.model import FrontDoorModel

SHORT = {"run.horizon_days": 200.0, "run.warm_up_days": 100.0}


@cache
def _run(name: str, changes: tuple[tuple[str, object], ...] = ()) -> FrontDoorModel:
    scenario = scenario_with(load_scenario(name), {**SHORT, **dict(changes)})
    model = FrontDoorModel(scenario, seed=3)
    model.run()
    return model


def _of(model: FrontDoorModel, kind: EventKind) -> list[LogRecord]:
    return [r for r in model.log.records if r.kind is kind]


def test_open_culture_reviews_repair_conditions_and_the_repairs_take_effect() -> None:
    model = _run("open-culture")
    reviews = _of(model, EventKind.LEARNING_REVIEW)
    repairs = _of(model, EventKind.CONDITION_REPAIRED)
    assert reviews and repairs
    by_seq = {r.seq: r for r in reviews}
    for repair in repairs:
        review = by_seq[repair.review_seq]
        assert review.finding == "latent_condition"
        assert review.condition == repair.condition
        assert repair.time >= review.time + model.scenario.learning.repair_delay_days - 1e-9
        assert repair.condition in REPAIRS
    # Every activity now reads the repaired settings, and they differ from the start's.
    loop = model.learning
    assert loop is not None
    current, start = loop.current, model.scenario
    assert model.information._database == current.database
    assert model.information._agencies == current.agencies
    assert model.night_team._ooh == current.out_of_hours
    done = {r.condition for r in repairs}
    if "name_matching" in done:
        assert model.information._database.matching == "phonetic" != start.database.matching
    if "agency_delay" in done:
        police = "agencies"
        assert getattr(current, police) != getattr(start, police)


def test_learning_kpis_count_repairs_and_staff_hours_in_the_measured_period() -> None:
    model = _run("open-culture")
    kpis = compute_kpis(model.log.records)
    w0 = model.scenario.run.warm_up_days
    repairs = [r for r in _of(model, EventKind.CONDITION_REPAIRED) if r.time >= w0]
    reviews = [r for r in _of(model, EventKind.LEARNING_REVIEW) if r.time >= w0]
    assert kpis["learning_fixes"] == len(repairs)
    assert kpis["learning_staff_hours"] == pytest.approx(sum(r.staff_hours for r in reviews))
    assert kpis["learning_staff_hours"] > 0
    # Staff time is taken from the case places the team can allocate.
    assert any(r.case_places_held > 0 for r in reviews)


def test_the_baseline_neither_learns_nor_escalates_defensively() -> None:
    model = _run("baseline")
    assert model.scenario.reporting.culture == "neutral"
    assert not _of(model, EventKind.LEARNING_REVIEW)
    assert not _of(model, EventKind.CONDITION_REPAIRED)
    assert model.thresholds is model.scenario.thresholds
    tested = _of(model, EventKind.BARRIER_TESTED)
    assert not any("defensive_practice" in r.conditions for r in tested)


def test_defensive_practice_is_logged_only_where_it_escalated_a_case() -> None:
    model = _run("baseline", (("reporting.culture", "blame"),))
    shift = model.scenario.reporting.defensive_shift["blame"]
    published = model.scenario.thresholds.child_protection_risk
    assert model.thresholds.child_protection_risk == pytest.approx(published - shift)
    flagged = [
        r for r in _of(model, EventKind.BARRIER_TESTED) if "defensive_practice" in r.conditions
    ]
    assert flagged, "a blame culture escalated no case defensively"
    assert all(r.decided == "child_protection" for r in flagged)
    screened = {r.case: r.believed_risk for r in _of(model, EventKind.SCREENED)}
    for r in flagged:
        if r.barrier == "screening":
            assert published - shift <= screened[r.case] < published


def test_every_culture_needs_a_value_and_learning_refuses_unknown_fields() -> None:
    with pytest.raises(ValidationError, match="neutral"):
        Reporting.model_validate({"report_probability": {"blame": 0.1, "open": 0.5}})
    with pytest.raises(ValidationError, match="extra"):
        Learning.model_validate({"enabled": True, "speed": 2.0})
    with pytest.raises(ValidationError):
        Learning.model_validate({"repair_share": 1.5})
