"""What the team is told comes from what was recorded, never from the hidden truth now.

A real baseline run is stopped part-way. For every family on record, the database search
and a long-serving colleague's memory are asked about its case; then the family's hidden
truth is replaced, after the fact, by another truth that the recorded history does not
contradict (its risk now, and its trend, differ; every record written about it stays),
and the same questions are asked again. The answers must not move: a warning flag shows
what was written when it was set, and a colleague recalls what was written or seen at
earlier contacts (issue 11, finding 5).
"""

from __future__ import annotations

import copy

from sim.entities import Case, Family
from sim.loader import load_scenario, scenario_with
from sim.model import FrontDoorModel

STOP_DAY = 120.0


def _asked(model: FrontDoorModel, case: Case) -> tuple[object, ...]:
    """The database's and a colleague's answers about `case`, with the family's own random
    stream put back afterwards, so asking twice makes the same draws."""
    family = case.family
    saved = copy.deepcopy(family.rng)
    facts = family.facts
    assert facts.recorded_surname is not None
    found = model.information.search_database(case, facts.recorded_surname)
    colleague = max(model.workers, key=lambda w: w.tenure_at(model.env.now))
    memory = model.information.local_knowledge(case, colleague)
    family.rng = saved
    return (found.outcome, found.value, memory.outcome, memory.value)


def _another_truth(family: Family) -> None:
    """A different family now, under the same records: riskier, and getting worse."""
    family.base_risk = min(1.0, family.base_risk + 0.4)
    family.trend = 0.9


def test_answers_do_not_move_when_the_hidden_truth_is_replaced() -> None:
    scenario = scenario_with(
        load_scenario("baseline"), {"run.warm_up_days": 30.0, "run.horizon_days": 150.0}
    )
    model = FrontDoorModel(scenario, seed=3)
    model.env.run(until=STOP_DAY)
    on_record = [
        case
        for case in model.ctx.cases.values()
        if case.family.facts.recorded_surname is not None and case.family.alive
    ]
    flagged = [case for case in on_record if case.family.facts.warning_flag]
    assert len(on_record) > 100 and flagged, (len(on_record), len(flagged))
    before = {case.id: _asked(model, case) for case in on_record}
    for family in {case.family.id: case.family for case in on_record}.values():
        _another_truth(family)
    after = {case.id: _asked(model, case) for case in on_record}
    # The replacement truly differs: the families' risk now has moved.
    assert all(
        case.family.risk_at(model.env.now) > case.family.facts.record_history
        for case in flagged
    )
    assert after == before
