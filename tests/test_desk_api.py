"""The desk's window on a run (sim/desk_api.py): frozen views, and actions that work."""

from __future__ import annotations

import dataclasses

import pytest
import simpy

from sim.deciders import make_policy
from sim.desk_api import open_run
from sim.events import EventKind
from sim.information import InformationResult
from sim.loader import load_scenario, scenario_with
from sim.vocabulary import InformationAction


@pytest.fixture(scope="module")
def scenario():
    base = load_scenario("small-team")
    return scenario_with(base, {"run.horizon_days": 20, "run.warm_up_days": 0})


def _open(scenario):
    env = simpy.Environment()
    decider = make_policy(scenario.policy, thresholds=scenario.thresholds)
    return env, open_run(scenario, seed=3, decider=decider, env=env)


def test_views_are_frozen_copies_that_do_not_follow_the_run(scenario) -> None:
    env, run = _open(scenario)
    env.run(until=2.0)
    assert run.case_count() > 0
    case = run.case(0)
    with pytest.raises(dataclasses.FrozenInstanceError):
        case.concern = "physical"  # type: ignore[misc]
    with pytest.raises(TypeError):
        case.evidence["made_up"] = 1.0  # type: ignore[index]
    early = [run.case(i) for i in range(run.case_count())]
    snapshots = [dict(view.evidence) for view in early]
    env.run(until=15.0)
    later = [run.case(view.case_id) for view in early]
    # The run went on (some case learned more or lost facts), its early views did not.
    assert any(dict(a.evidence) != dict(b.evidence) for a, b in zip(early, later, strict=True))
    assert [dict(view.evidence) for view in early] == snapshots
    family = run.family(case.family_id)
    assert family.referrals >= 1
    loads = run.workers()
    assert all(0 <= w.caseload <= w.caseload_cap or w.caseload_cap == 0 for w in loads)
    assert any(w.duty for w in loads)


def test_gathering_answers_with_an_information_result_and_logs_it(scenario) -> None:
    env, run = _open(scenario)
    env.run(until=2.0)
    answers: list[InformationResult] = []
    event = run.gather(0, InformationAction.TEAM_LEADER)
    event.callbacks.append(lambda ev: answers.append(ev.value))
    env.run(until=5.0)
    assert len(answers) == 1 and answers[0].action == "team_leader"
    asked = [
        r
        for r in run.log.of_kind(EventKind.INFORMATION_REQUESTED)
        if r.case == 0 and r.what == "team_leader"
    ]
    assert len(asked) == 1


def test_a_written_handover_passes_on_only_the_facts_kept(scenario) -> None:
    env, run = _open(scenario)
    env.run(until=5.0)
    case_id = next(i for i in range(run.case_count()) if len(run.case(i).evidence) > 1)
    facts = sorted(k for k in run.case(case_id).evidence if k != "referral")
    run.hand_over_to_night_team(case_id, facts[:1])
    kept = set(run.case(case_id).evidence) - {"referral"}
    assert kept == set(facts[:1])
    handed = [r for r in run.log.of_kind(EventKind.HANDED_OVER) if r.case == case_id]
    assert handed[-1].lost == facts[1:]
