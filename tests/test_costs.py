"""Costs: a validated optional section, priced from the event log, never read by the model."""

from __future__ import annotations

import numpy as np
import pytest
from experiment_helpers import short_baseline

from analysis.costs import cost_per_harm_averted, cost_per_year
from analysis.kpis import compute_kpis
from sim.costs import Costs
from sim.events import EventKind
from sim.loader import scenario_with
from sim.model import run_scenario


def test_cost_per_year_from_the_log_matches_a_hand_count():
    scenario = short_baseline(horizon=30.0, warm_up=10.0)
    costs = scenario.costs
    assert costs is not None and costs.staff_per_year["experienced"] == 61_600
    records = run_scenario(scenario, 3, replication=0).records
    start = next(r for r in records if r.kind is EventKind.RUN_STARTED)
    staff = sum(costs.staff_per_year[w[1]] for w in start.workers)
    measured = [r for r in records if r.time >= 10.0]
    assessments = sum(r.kind is EventKind.CONCLUDED for r in measured)
    plans, on_plan = 0, set()
    for r in records:
        if r.kind is EventKind.PLAN_STARTED:
            if r.plan == "child_protection":
                plans += r.case not in on_plan and r.time >= 10.0
                on_plan.add(r.case)
            else:
                on_plan.discard(r.case)
    serious = sum(
        r.kind is EventKind.INCIDENT_GRADED and r.grade == "life_threatening_or_death"
        for r in measured
    )
    events = assessments * 250 + plans * 3000 + serious * 50_000
    expected = staff + events * 365.0 / 30.0
    assert assessments > 0
    got = cost_per_year(records, costs, measured_from=10.0, ends_at=40.0)
    assert got == pytest.approx(expected)
    assert compute_kpis(records, costs=costs)["cost_per_year"] == pytest.approx(expected)
    assert np.isnan(compute_kpis(records)["cost_per_year"])


def test_costs_do_not_change_the_model():
    scenario = short_baseline(horizon=20.0, warm_up=5.0)
    without = scenario_with(scenario, {"costs": None})
    a = run_scenario(scenario, 5, replication=1).records
    b = run_scenario(without, 5, replication=1).records
    assert [tuple(r) for r in a] == [tuple(r) for r in b]


def test_costs_section_is_bounded_and_strict():
    with pytest.raises(ValueError):
        Costs(staff_per_year={"wizard": 1.0})
    with pytest.raises(ValueError):
        Costs(assessment=-1.0)
    with pytest.raises(ValueError):
        Costs(staff_per_year={"experienced": 1e12})
    with pytest.raises(ValueError):
        Costs.model_validate({"salary": 1})


def test_fieller_interval_for_cost_per_harm_averted():
    rng = np.random.default_rng(2)
    harm = rng.normal(5.0, 1.0, 12)  # clearly averts about 5 a year
    cost = 100_000.0 + rng.normal(0.0, 5_000.0, 12)
    r = cost_per_harm_averted(cost, harm)
    assert r.ratio == pytest.approx(cost.mean() / harm.mean())
    assert r.ci_low < r.ratio < r.ci_high
    # Harm averted not clearly above zero: no finite interval, said plainly.
    unclear = cost_per_harm_averted(cost, rng.normal(0.3, 3.0, 12))
    assert np.isnan(unclear.ci_low) and unclear.note
    assert cost_per_harm_averted(cost, -harm).note == "no harm averted"


def test_bad_costs_in_a_file_are_one_clear_error(tmp_path, capsys):
    from frontdoor.cli import main

    path = tmp_path / "bad.yaml"
    path.write_text("extends: baseline\nname: bad\ncosts:\n  assessment: -5\n")
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert f"{path}:4:15: costs.assessment" in err  # the value's own position
