"""Conservation and sanity of the event log, in ordinary and extreme scenarios.

Every referral ends in exactly one closure or is still open when the run ends (and the
run's closing record counts it); no wait, assessment or time open is negative; records
never go back in time and their sequence numbers count up; no worker ever holds more
cases than the cap; every graded incident pairs the report's grade with the matching
point of health's five-point scale; and harm only ever happens to a child whose hidden
truth holds a harm type. The checks themselves live in log_invariants.py.
"""

from __future__ import annotations

from collections import Counter

import pytest
from log_invariants import (
    caseload_field_mismatches,
    check_all,
    check_caseloads,
    check_conservation,
    check_durations,
    check_incidents,
    check_ordering,
    run_guarded,
)

from analysis.kpis import compute_kpis
from sim.config import Scenario
from sim.events import EventKind, EventLog
from sim.loader import load_scenario, scenario_with
from sim.model import FrontDoorModel


@pytest.fixture(scope="module")
def baseline() -> Scenario:
    return load_scenario("baseline")


@pytest.fixture(scope="module")
def short(baseline: Scenario) -> Scenario:
    return scenario_with(baseline, {"run.horizon_days": 120, "run.warm_up_days": 30})


@pytest.fixture(scope="module")
def full_year_log(baseline: Scenario) -> EventLog:
    """The bundled baseline as shipped: a year's warm-up and a measured year."""
    return FrontDoorModel(baseline, seed=1).run()


def kinds(log: EventLog) -> Counter[str]:
    return Counter(r.kind.value for r in log)


# -- functional -------------------------------------------------------------------------


class TestBaseline:
    def test_full_baseline_run_keeps_every_invariant(self, full_year_log: EventLog) -> None:
        check_all(full_year_log.records)

    def test_full_run_exercises_what_the_checks_check(
        self, baseline: Scenario, full_year_log: EventLog
    ) -> None:
        # The checks above would pass vacuously on an empty log; this one shows that
        # the run closes thousands of cases, grades incidents of every kind and harms.
        seen = kinds(full_year_log)
        days = baseline.run.warm_up_days + baseline.run.horizon_days
        outside = baseline.arrivals.annual_referrals * days / 365.0
        assert seen["referral_arrived"] > 0.9 * outside > 1_000
        assert seen["closed"] > 0.4 * seen["referral_arrived"]
        assert seen["harm_occurred"] > 50
        incidents = Counter(r.incident for r in full_year_log.of_kind(EventKind.INCIDENT_GRADED))
        assert set(incidents) == {
            "near_miss_prevented",
            "near_miss_no_harm",
            "harm_false_negative",
            "harm_false_positive",
        }
        closing = Counter(r.reason for r in full_year_log.of_kind(EventKind.CLOSED))
        assert set(closing) >= {
            "no_further_action_at_referral",
            "no_further_action_after_assessment",
        }
        assert any(reason.endswith("_plan_ended") for reason in closing)
        end = full_year_log.records[-1]
        assert end.open_cases > 0

    @pytest.mark.parametrize("seed", [2, 3])
    @pytest.mark.parametrize("policy", ["fifo", "immediate-harm-first", "need-weighted"])
    def test_short_runs_keep_every_invariant(self, short: Scenario, seed: int, policy: str):
        scenario = scenario_with(short, {"policy": policy})
        check_all(FrontDoorModel(scenario, seed=seed).run().records)

    def test_open_cases_at_the_end_are_those_never_closed(self, short: Scenario) -> None:
        log = FrontDoorModel(short, seed=4).run()
        arrived = {r.case for r in log.of_kind(EventKind.REFERRAL_ARRIVED)}
        closed = [r.case for r in log.of_kind(EventKind.CLOSED)]
        assert len(closed) == len(set(closed))
        assert len(arrived - set(closed)) == log.records[-1].open_cases
        # Cases open at the end are at some stage short of closure, never closed.
        assert set(closed) <= arrived

    def test_small_team_runs_sensibly(self) -> None:
        # The bundled six-person team, as shipped: every invariant holds, and over its
        # two years the waiting list stays short and clears (no runaway backlog).
        scenario = load_scenario("small-team")
        log = FrontDoorModel(scenario, seed=1).run()
        check_all(log.records)
        places = sum(g.count * g.caseload_cap for g in scenario.staff.groups)
        kpis = compute_kpis(log.records)
        assert kpis["unallocated_mean"] < 0.05 * places
        assert log.records[-1].waiting_for_allocation < 0.2 * places
        assert kpis["caseload_per_worker_mean"] < max(g.caseload_cap for g in scenario.staff.groups)
        assert 800 < kpis["referrals"] < 1_300

    def test_allocated_caseload_field_is_the_caseload_after_that_allocation(
        self, full_year_log: EventLog
    ) -> None:
        wrong = caseload_field_mismatches(full_year_log.records)
        assert not wrong, f"{len(wrong)} ALLOCATED records; first: {wrong[0]}"


# -- extreme values ---------------------------------------------------------------------


def _one_worker(short: Scenario, cap: int) -> Scenario:
    return scenario_with(
        short,
        {
            "staff.groups": [
                {"role": "senior_practitioner", "count": 1, "caseload_cap": cap, "duty": True}
            ]
        },
    )


class TestExtremes:
    def test_team_of_one_with_a_runaway_backlog(self, short: Scenario) -> None:
        log = FrontDoorModel(_one_worker(short, 2), seed=5).run()
        check_all(log.records)
        end = log.records[-1]
        assert end.waiting_for_allocation > 100
        assert end.waiting_for_screening > 100
        # With a cap of two the one worker never holds a third case.
        assert max(r.caseload for r in log.of_kind(EventKind.ALLOCATED)) <= 2

    def test_caps_of_one_everywhere(self, short: Scenario) -> None:
        groups = [g.model_dump() for g in short.staff.groups]
        for group in groups:
            if group["caseload_cap"] > 0:
                group["caseload_cap"] = 1
        log = FrontDoorModel(scenario_with(short, {"staff.groups": groups}), seed=6).run()
        check_caseloads(log.records)
        check_conservation(log.records)

    def test_every_referral_to_child_protection(self, short: Scenario) -> None:
        # Thresholds at zero: everything is screened in at the protection level.
        scenario = scenario_with(
            short,
            {
                "thresholds.child_protection_risk": 0.0,
                "run.horizon_days": 60,
            },
        )
        log = FrontDoorModel(scenario, seed=7).run()
        check_all(log.records)
        levels = Counter(r.level for r in log.of_kind(EventKind.SCREENED))
        assert set(levels) == {"child_protection"}
        # Families without a real risk wrongly put under protection are false positives.
        incidents = Counter(r.incident for r in log.of_kind(EventKind.INCIDENT_GRADED))
        assert incidents["harm_false_positive"] > 0

    def test_nothing_screened_in(self, short: Scenario) -> None:
        scenario = scenario_with(
            short,
            {
                "thresholds.screen_in_risk": 1.0,
                "thresholds.screen_in_need": 1.0,
                "thresholds.child_protection_risk": 1.0,
                "run.horizon_days": 60,
            },
        )
        log = FrontDoorModel(scenario, seed=8).run()
        check_all(log.records)
        # Only a reading clipped to the top of the scale (1) still crosses a bar of 1.
        screened = list(log.of_kind(EventKind.SCREENED))
        assert screened
        for r in screened:
            if r.believed_risk < 1.0 and r.believed_need < 1.0:
                assert r.level == "no_further_action", r
        nfa = sum(r.level == "no_further_action" for r in screened)
        assert nfa > 0.9 * len(screened)

    def test_lethal_harm_never_touches_the_dead_or_the_unharmed(self, short: Scenario):
        scenario = scenario_with(
            short,
            {
                "harm.rate_per_year_at_full_risk": 60.0,
                "harm.severe_share_at_full_risk": 1.0,
                "harm.fatal_share_of_severe": 1.0,
                "run.horizon_days": 60,
            },
        )
        log = FrontDoorModel(scenario, seed=9).run()
        check_all(log.records)
        deaths = [r for r in log.of_kind(EventKind.HARM_OCCURRED) if r.severity == "death"]
        assert len(deaths) > 10
        graded = Counter(r.grade for r in log.of_kind(EventKind.INCIDENT_GRADED))
        assert graded["life_threatening_or_death"] > 0

    def test_no_harm_types_means_no_harm(self, short: Scenario) -> None:
        scenario = scenario_with(short, {"families.harm_mix": {"none": 1.0}})
        log = FrontDoorModel(scenario, seed=10).run()
        check_all(log.records)
        assert not list(log.of_kind(EventKind.HARM_OCCURRED))
        for r in log.of_kind(EventKind.INCIDENT_GRADED):
            assert r.incident not in ("harm_false_negative",), r

    def test_surge_and_mostly_night_referrals(self, short: Scenario) -> None:
        night = [1.0] * 7 + [0.02] * 12 + [1.0] * 5
        scenario = scenario_with(
            short,
            {
                "arrivals.hour_weights": night,
                "arrivals.surges": [{"start_day": 10, "end_day": 40, "factor": 5.0}],
                "run.horizon_days": 60,
            },
        )
        log = FrontDoorModel(scenario, seed=11).run()
        check_all(log.records)
        outside = [r for r in log.of_kind(EventKind.REFERRAL_ARRIVED) if not r.re_referral]
        assert sum(r.out_of_hours for r in outside) > 0.9 * len(outside)
        in_surge = sum(10 <= r.time < 40 for r in outside)
        after = sum(40 <= r.time < 60 for r in outside)
        assert in_surge / 30 > 3 * after / 20  # five times the rate during the surge

    @pytest.mark.parametrize(
        ("path", "weights"),
        [
            ("arrivals.hour_weights", [1.0] * 7 + [0.0] * 12 + [1.0] * 5),
            ("arrivals.weekday_weights", [1.0, 1.0, 1.0, 1.0, 1.0, 0.0, 0.0]),
        ],
        ids=["no referrals by day", "no referrals at weekends"],
    )
    def test_times_with_no_referrals_at_all(
        self, short: Scenario, path: str, weights: list[float]
    ) -> None:
        scenario = scenario_with(short, {path: weights, "run.horizon_days": 30})
        log = FrontDoorModel(scenario, seed=11).run()
        check_all(log.records)
        outside = [r for r in log.of_kind(EventKind.REFERRAL_ARRIVED) if not r.re_referral]
        assert outside
        if path == "arrivals.hour_weights":
            assert all(r.out_of_hours for r in outside)
        else:
            assert all(int(r.time % 7) < 5 for r in outside)

    def test_screening_and_thresholds_switched_off(self, short: Scenario) -> None:
        scenario = scenario_with(short, {"screening.enabled": False, "thresholds.enabled": False})
        log = FrontDoorModel(scenario, seed=12).run()
        check_ordering(log.records)
        check_conservation(log.records)
        check_durations(log.records)
        check_caseloads(log.records)
        check_incidents(log.records)
        assert not list(log.of_kind(EventKind.SCREENED))

    def test_warm_up_longer_than_measured_period(self, short: Scenario) -> None:
        scenario = scenario_with(short, {"run.warm_up_days": 100, "run.horizon_days": 1})
        log = FrontDoorModel(scenario, seed=13).run()
        check_all(log.records)
        assert log.records[-1].time == pytest.approx(101.0)

    def test_zero_day_plans_end(self, short: Scenario) -> None:
        # A child in need threshold of 0 means an end-of-plan review never closes a case.
        scenario = scenario_with(
            short,
            {
                "services.cin_support_days": 0.0,
                "services.cp_plan_days": 0.0,
                "thresholds.child_in_need_risk": 0.0,
                "run.horizon_days": 30,
                "run.warm_up_days": 0,
            },
        )
        check_all(run_guarded(scenario, seed=1).records)

    # Regression: a plan shorter than the clock could tell once renewed for ever.
    @pytest.mark.parametrize("days", [1e-38, 1e-15])
    def test_vanishingly_short_plans_end(self, short: Scenario, days: float) -> None:
        # A child protection threshold of 0: every review keeps the family on a plan.
        scenario = scenario_with(
            short,
            {
                "services.cin_support_days": days,
                "services.cp_plan_days": days,
                "thresholds.child_protection_risk": 0.0,
                "run.horizon_days": 30,
                "run.warm_up_days": 0,
            },
        )
        check_all(run_guarded(scenario, seed=1).records)

    def test_tiny_horizon(self, short: Scenario) -> None:
        scenario = scenario_with(short, {"run.warm_up_days": 0, "run.horizon_days": 0.01})
        log = FrontDoorModel(scenario, seed=14).run()
        check_all(log.records)


# -- deterministic ----------------------------------------------------------------------


class TestEndCounts:
    def test_run_ended_counts_are_reproduced(self, short: Scenario) -> None:
        a = FrontDoorModel(short, seed=15).run().records[-1]
        b = FrontDoorModel(short, seed=15).run().records[-1]
        assert a == b and a.seq == b.seq and a.time == b.time
