"""Other agencies' own decisions (sim/agency_decisions.py): conditions named only where
they changed the decision, levers that remove them, and barrier records from real runs."""

from __future__ import annotations

from collections import Counter

import numpy as np
from experiment_helpers import short_baseline

from sim.agency_decisions import AGENCY_BARRIERS, decide
from sim.config import AgencyDecisions
from sim.events import EventKind, LogRecord
from sim.loader import load_scenario, scenario_with
from sim.model import run_scenario

AGENCY_CONDITIONS = {"no_notification_agreement", "agency_threshold_gap", "no_named_contact"}
LEVER_FOR = {
    "no_notification_agreement": "notification_agreement",
    "agency_threshold_gap": "joint_thresholds",
    "no_named_contact": "named_liaison",
}


def test_a_condition_is_named_only_where_removing_it_changes_the_decision() -> None:
    """Over many readings and draws: removing the named conditions (same draws) makes the
    agency act; a refusal with none named stays a refusal with every lever on."""
    rng = np.random.default_rng(12)
    alone = AgencyDecisions(enabled=True)
    everything = AgencyDecisions(
        enabled=True, notification_agreement=True, joint_thresholds=True, named_liaison=True
    )
    seen: Counter[str] = Counter()
    for _ in range(4000):
        reading, own, joint, agree = (float(x) for x in rng.random(4))
        draws = [float(x) for x in rng.random(3)]
        kwargs = dict(own=own, joint=joint, without_agreement=agree, draws=draws)
        outcome = decide(reading, levers=alone, **kwargs)  # type: ignore[arg-type]
        if outcome.acted:
            assert outcome.conditions == () and not outcome.active_failure
            continue
        if outcome.conditions:
            seen.update(outcome.conditions)
            assert not outcome.active_failure
            removed = alone.model_copy(update={LEVER_FOR[c]: True for c in outcome.conditions})
            assert decide(reading, levers=removed, **kwargs).acted  # type: ignore[arg-type]
        else:
            assert outcome.active_failure
            assert not decide(reading, levers=everything, **kwargs).acted  # type: ignore[arg-type]
    assert set(seen) == AGENCY_CONDITIONS  # every condition was met somewhere


def test_a_threshold_gap_needs_a_reading_between_the_two_thresholds() -> None:
    levers = AgencyDecisions(enabled=True, notification_agreement=True, named_liaison=True)
    draws = [0.9, 0.9, 0.9]  # agreement, contact and slip all fine
    for reading, expected in ((0.3, ("agency_threshold_gap",)), (0.1, ()), (0.6, None)):
        outcome = decide(reading, own=0.5, joint=0.2, without_agreement=0.0, draws=draws,
                         levers=levers)
        if expected is None:
            assert outcome.acted
        else:
            assert not outcome.acted and outcome.conditions == expected


def _agency_tests(records: list[LogRecord]) -> list[LogRecord]:
    return [
        r for r in records
        if r.kind is EventKind.BARRIER_TESTED and r.barrier in AGENCY_BARRIERS
    ]


def test_baseline_agencies_decide_and_each_record_names_its_agency() -> None:
    records = run_scenario(short_baseline(horizon=90.0), seed=3).records
    tests = _agency_tests(records)
    barriers = {r.barrier for r in tests}
    # Over three months every kind of decision the baseline can meet is taken.
    assert {"police_protection", "hospital_discharge", "school_referral"} <= barriers
    for r in tests:
        assert r.agency == AGENCY_BARRIERS[r.barrier]
        assert set(r.conditions) <= AGENCY_CONDITIONS
        if r.held:
            assert r.conditions == [] and not r.active_failure
    holes = [r for r in tests if not r.held]
    assert any(r.conditions for r in holes) and any(r.active_failure for r in holes)
    # A hole that left a child unprotected opens an episode graded under its name.
    graded = [r for r in records if r.kind is EventKind.INCIDENT_GRADED]
    assert any(r.failed_barrier in AGENCY_BARRIERS for r in graded)


def test_agreements_remove_every_agency_condition() -> None:
    scenario = scenario_with(
        load_scenario("agency-protocols"), {"run.horizon_days": 90.0, "run.warm_up_days": 30.0}
    )
    tests = _agency_tests(run_scenario(scenario, seed=3).records)
    assert tests and all(r.conditions == [] for r in tests)
    # Holes remain (slips, and readings below even the team's threshold), as failures of
    # the agency itself rather than of the system around it.
    assert any(not r.held for r in tests)
    assert all(r.active_failure for r in tests if not r.held)


def test_decisions_are_off_unless_a_scenario_switches_them_on() -> None:
    scenario = short_baseline(horizon=45.0, **{"agency_decisions.enabled": False})
    assert _agency_tests(run_scenario(scenario, seed=3).records) == []
