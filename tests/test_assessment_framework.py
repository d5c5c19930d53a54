"""Single assessments by default, the earlier initial and core assessments as an option
(issue 11: calibration on the published definitions). Real model runs, read from the log."""

from __future__ import annotations

from sim.loader import load_scenario, scenario_with
from sim.model import FrontDoorModel
from sim.records import Concluded


def _concluded(**changes: object) -> list[Concluded]:
    scenario = scenario_with(
        load_scenario("baseline"),
        {"run.horizon_days": 150.0, "run.warm_up_days": 0.0, **changes},
    )
    log = FrontDoorModel(scenario, seed=5).run()
    return [r for r in log.records if isinstance(r, Concluded)]


def test_the_baseline_concludes_single_assessments_against_45_working_days() -> None:
    done = _concluded()
    assert done and {r.stage for r in done} == {"single"}
    # The limit is 45 working days, so the timescale flag follows the length exactly.
    assert all(r.within_timescale == (r.length_working_days <= 45.0) for r in done)
    assert any(r.length_working_days > 7.0 and r.within_timescale for r in done)


def test_initial_and_core_assessments_remain_an_option() -> None:
    done = _concluded(**{"assessment.framework": "initial_core"})
    assert {r.stage for r in done} == {"initial", "core"}
    for r in done:
        limit = 7.0 if r.stage == "initial" else 35.0
        assert r.within_timescale == (r.length_working_days <= limit), r
