"""Common random numbers: scenarios that differ in how the team works see the same world.

Two runs with one seed and one replication number, whose scenarios differ only in
staffing or in the prioritisation policy, must receive the same outside referrals (same
times, sources and first signals) about the same families (same hidden truth) for the
whole run, while what the team does with them differs. That is what makes paired
comparisons between scenarios sharp.
"""

from __future__ import annotations

from typing import Any

import pytest

from sim.config import Scenario
from sim.events import EventKind, EventLog
from sim.loader import load_scenario, scenario_with
from sim.model import FrontDoorModel

SEED = 21
EXPERIENCED_GROUP = 4  # index of the experienced social workers in baseline.yaml


@pytest.fixture(scope="module")
def base() -> Scenario:
    scenario = scenario_with(
        load_scenario("baseline"), {"run.horizon_days": 150, "run.warm_up_days": 60}
    )
    assert scenario.staff.groups[EXPERIENCED_GROUP].role == "experienced"
    return scenario


def outside_referrals(log: EventLog) -> list[tuple[Any, ...]]:
    """What arrives from outside, independent of anything the team did."""
    return [
        (
            r.time,
            r.family,
            r.source,
            r.concern,
            r.out_of_hours,
            r.signal,
            r.need_signal,
            r.days_since_last_referral,
        )
        for r in log.of_kind(EventKind.REFERRAL_ARRIVED)
        if not r.re_referral
    ]


def families(log: EventLog) -> list[tuple[Any, ...]]:
    """Every family's hidden truth as created, in order."""
    return [(r.time, r.family, tuple(r[5:])) for r in log.of_kind(EventKind.FAMILY_CREATED)]


def allocations(log: EventLog) -> list[tuple[Any, ...]]:
    return [(r.time, r.case, r.worker) for r in log.of_kind(EventKind.ALLOCATED)]


def run(scenario: Scenario, replication: int = 0) -> EventLog:
    return FrontDoorModel(scenario, seed=SEED, replication=replication).run()


@pytest.fixture(scope="module")
def base_log(base: Scenario) -> EventLog:
    return run(base)


# -- functional -------------------------------------------------------------------------


class TestSameWorldDifferentTeam:
    def test_more_staff_same_referrals_and_families(
        self, base: Scenario, base_log: EventLog
    ) -> None:
        count = base.staff.groups[EXPERIENCED_GROUP].count
        bigger = scenario_with(base, {"staff.experienced.count": count + 2})
        other = run(bigger)
        self._same_world(base_log, other)
        # ...and the change did change what the team did (two more workers took cases).
        workers_used = {r.worker for r in other.of_kind(EventKind.ALLOCATED)}
        base_ids = {r.worker for r in base_log.of_kind(EventKind.ALLOCATED)}
        assert max(workers_used) > max(base_ids)
        assert allocations(other) != allocations(base_log)

    def test_fewer_staff_same_referrals_and_families(
        self, base: Scenario, base_log: EventLog
    ) -> None:
        # Cut the experienced group hard enough that a backlog builds up.
        smaller = scenario_with(base, {"staff.experienced.count": 3})
        other = run(smaller)
        self._same_world(base_log, other)
        assert other.records[-1].waiting_for_allocation > 0
        assert allocations(other) != allocations(base_log)

    @pytest.mark.parametrize("policy", ["fifo", "need-weighted"])
    def test_policy_change_same_referrals_and_families(
        self, base: Scenario, base_log: EventLog, policy: str
    ) -> None:
        # Under-staff both arms so that there is a queue for the policy to order.
        smaller = scenario_with(base, {"staff.experienced.count": 5})
        reference = run(scenario_with(smaller, {"policy": "immediate-harm-first"}))
        other = run(scenario_with(smaller, {"policy": policy}))
        self._same_world(reference, other)
        self._same_world(base_log, other)
        assert allocations(other) != allocations(reference)

    def test_fifo_versus_need_weighted(self, base: Scenario) -> None:
        smaller = scenario_with(base, {"staff.experienced.count": 5})
        fifo = run(scenario_with(smaller, {"policy": "fifo"}))
        weighted = run(scenario_with(smaller, {"policy": "need-weighted"}))
        self._same_world(fifo, weighted)
        assert allocations(fifo) != allocations(weighted)

    def test_crn_holds_for_other_replications(self, base: Scenario) -> None:
        count = base.staff.groups[EXPERIENCED_GROUP].count
        bigger = scenario_with(base, {"staff.experienced.count": count + 2})
        short = {"run.horizon_days": 60, "run.warm_up_days": 0}
        a = run(scenario_with(base, short), replication=3)
        b = run(scenario_with(bigger, short), replication=3)
        self._same_world(a, b)

    @staticmethod
    def _same_world(a: EventLog, b: EventLog) -> None:
        referrals_a, referrals_b = outside_referrals(a), outside_referrals(b)
        assert len(referrals_a) > 300
        assert referrals_a == referrals_b
        assert families(a) == families(b)
        # Every family created is referred from outside at the moment it is created.
        assert [f[:2] for f in families(a)] == [(r[0], r[1]) for r in referrals_a]


# -- extreme values ---------------------------------------------------------------------


class TestExtremeTeams:
    def test_one_worker_against_a_full_team(self, base: Scenario) -> None:
        # A team of one (who screens and holds two cases) against the full team: the
        # world is the same even though almost nothing gets allocated.
        short = scenario_with(base, {"run.horizon_days": 60, "run.warm_up_days": 0})
        alone = scenario_with(
            short,
            {
                "staff.groups": [
                    {"role": "senior_practitioner", "count": 1, "caseload_cap": 2, "duty": True}
                ]
            },
        )
        full, lone = run(short), run(alone)
        assert outside_referrals(full) == outside_referrals(lone)
        assert families(full) == families(lone)
        assert len(allocations(lone)) < len(allocations(full)) / 5
