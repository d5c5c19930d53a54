"""The bundled baseline holds a steady state, and an overloaded stage is named (issue 11).

Ten simulated years of scenarios/baseline.yaml with no warm-up (seed 1). MSER-5 on the
daily backlog and caseload chooses the warm-up; over the whole years after it, a straight
line through each yearly series (referrals, allocations, backlog, caseload) must have a
slope whose 95% interval includes 0 or is negligible beside the series' level.
"""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from analysis.steady import mser5_warm_up, overloaded, stage_loads, trend, yearly_series
from sim.loader import load_scenario, scenario_with
from sim.model import run_scenario

FRONTDOOR = Path(sys.executable).with_name("frontdoor")
YEARS = 10
# A slope is negligible when even the far end of its interval moves the series by less
# than this share of its level a year (2%: 100 referrals a year on 5,000).
NEGLIGIBLE = 0.02


@pytest.fixture(scope="module")
def ten_years() -> tuple[dict[str, list[float]], dict[str, int]]:
    scenario = scenario_with(
        load_scenario("baseline"), {"run.horizon_days": 365.0 * YEARS, "run.warm_up_days": 0}
    )
    records = run_scenario(scenario, 1).records
    return yearly_series(records), mser5_warm_up(records)


def test_warm_up_by_mser5_leaves_most_of_the_run(ten_years) -> None:  # type: ignore[no-untyped-def]
    _, warm_up = ten_years
    assert set(warm_up) == {"backlog", "caseload"}
    # MSER-5 never truncates more than half the run; here it should settle within three
    # years (the caseload fills and the re-referral population levels off).
    assert max(warm_up.values()) <= 3 * 365


@pytest.mark.parametrize("name", ["referrals", "allocations", "backlog_mean", "caseload_mean"])
def test_yearly_series_has_no_trend(ten_years, name: str) -> None:  # type: ignore[no-untyped-def]
    series, warm_up = ten_years
    first = math.ceil(max(warm_up.values()) / 365.0)
    values = series[name][first:]
    assert len(values) >= 6
    fit = trend(values)
    assert (
        fit.includes_zero or fit.relative() < NEGLIGIBLE or max(abs(fit.low), abs(fit.high)) < 0.5
    ), f"{name}: {values}, slope {fit.slope:.2f} ({fit.low:.2f} to {fit.high:.2f})"


def test_the_baseline_stages_are_below_capacity() -> None:
    scenario = scenario_with(
        load_scenario("baseline"), {"run.horizon_days": 60, "run.warm_up_days": 60}
    )
    loads = stage_loads(run_scenario(scenario, 2).records, scenario)
    assert set(loads) == {"screening", "assessment"}
    for offered, capacity in loads.values():
        assert 0 < offered < capacity
    assert overloaded(loads) == []


def test_run_names_an_overloaded_stage(tmp_path: Path) -> None:
    scenario = scenario_with(
        load_scenario("baseline"),
        {
            "name": "flooded",
            "arrivals.annual_referrals": 16000,
            "run.horizon_days": 40,
            "run.warm_up_days": 20,
        },
    )
    path = tmp_path / "flooded.yaml"
    path.write_text(yaml.safe_dump(scenario.model_dump(mode="json"), sort_keys=False))
    done = subprocess.run(
        [str(FRONTDOOR), "run", str(path), "--reps", "1", "--jobs", "1", "--json"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    warnings = [line for line in done.stderr.splitlines() if line.startswith("warning:")]
    assert any("'assessment'" in line and "capacity" in line for line in warnings), done.stderr
    assert all("flooded" in line for line in warnings)
