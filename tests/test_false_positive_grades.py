"""A family wrongly suspected is graded by what it went through (sim/incidents.py).

The real model runs; the police are made to act on every request for protection, so a
child the team wrongly believed in danger is taken from home, and that over-response
must be graded as severe harm with the ordeal "removal", while the same scenario with
police who never act grades no removal at all.
"""

from __future__ import annotations

from collections import Counter

from sim.events import EventKind
from sim.loader import load_scenario, scenario_with
from sim.model import FrontDoorModel


def _over_grades(police_threshold: float) -> Counter[tuple[str, str, str | None]]:
    scenario = scenario_with(
        load_scenario("baseline"),
        {
            "run.horizon_days": 240,
            "run.warm_up_days": 0,
            "agency_decisions.enabled": True,
            "agency_decisions.police_request_risk": 0.0,
            "agency_decisions.police_protection.threshold": police_threshold,
            "agency_decisions.police_protection.clarity": 0.0,
        },
    )
    log = FrontDoorModel(scenario, seed=2).run()
    return Counter(
        (r.incident, r.scale, r.ordeal)
        for r in log.records
        if r.kind is EventKind.INCIDENT_GRADED and r.direction == "over"
    )


def test_a_wrongful_removal_is_severe_harm_and_a_plan_moderate() -> None:
    acting = _over_grades(0.0)
    removals = acting[("harm_false_positive", "severe", "removal")]
    assert removals > 0, acting
    # Every false positive is a plan (moderate) or a removal (severe), nothing else.
    for (incident, scale, ordeal), _ in acting.items():
        if incident == "harm_false_positive":
            assert (scale, ordeal) in {("moderate", "plan"), ("severe", "removal")}
    refusing = _over_grades(1.0)
    assert not any(ordeal == "removal" for _, _, ordeal in refusing), refusing
    assert refusing[("harm_false_positive", "moderate", "plan")] > 0, refusing


def test_an_over_response_caught_after_a_visit_was_felt_by_the_family() -> None:
    grades = _over_grades(1.0)
    # Caught after someone came to the door: a low-harm near miss, never "prevented".
    assert grades[("near_miss_no_harm", "low", "enquiry")] > 0, grades
    for (incident, _, ordeal), _count in grades.items():
        if incident == "near_miss_prevented":
            assert ordeal == "strategy_discussion"
