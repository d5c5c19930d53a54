"""The workbench's levers, uploads and downloads, without a browser: ranges come from the
schema, refusals carry the loader's words, and a downloaded scenario is the one that ran."""

from __future__ import annotations

import subprocess
import sys

import pytest

from frontdoor.workbench.levers import apply_changes, bounds, choices, levers_for, out_of_range
from sim.config import Scenario, StaffGroup, Thresholds
from sim.loader import load_scenario, scenario_hash

pytest.importorskip("streamlit")


def test_ranges_and_choices_come_from_the_schema() -> None:
    assert bounds("thresholds.screen_in_risk") == (0.0, 1.0, False)
    assert bounds("staff.senior_practitioner.count") == (0.0, 1000.0, False)
    assert bounds("run.horizon_days") == (0.0, 36500.0, True)
    assert choices("policy") == ("fifo", "immediate-harm-first", "need-weighted")
    assert Thresholds.model_fields["screen_in_risk"].description in {
        lever.help for lever in levers_for(load_scenario("baseline"))
    }
    assert StaffGroup.model_fields["caseload_cap"].description


def test_every_staff_group_has_a_lever() -> None:
    scenario = load_scenario("baseline")
    paths = {lever.path for lever in levers_for(scenario)}
    for group in scenario.staff.groups:
        assert f"staff.{group.role}.count" in paths
        assert (f"staff.{group.role}.caseload_cap" in paths) == (group.caseload_cap > 0)


def test_cost_levers_only_with_a_costs_section() -> None:
    baseline = load_scenario("baseline")
    assert baseline.costs is not None
    costs = {lv.path: lv for lv in levers_for(baseline) if lv.group == "Costs"}
    assert costs["costs.agency_workers"].maximum == 1000.0
    changed, problems = apply_changes(baseline, {"costs.agency_workers": 3})
    assert changed is not None and changed.costs is not None and changed.costs.agency_workers == 3
    bare = baseline.model_copy(update={"costs": None})
    assert not [lv for lv in levers_for(bare) if lv.group == "Costs"]


def test_out_of_range_values_are_named() -> None:
    horizon = next(
        lv for lv in levers_for(load_scenario("baseline")) if lv.path == "run.horizon_days"
    )
    assert out_of_range(horizon, 0.0) == "must be > 0 and ≤ 36500"
    assert out_of_range(horizon, 10.0) is None


def test_a_refused_combination_is_keyed_to_its_lever() -> None:
    scenario = load_scenario("small-team")
    holders = {
        f"staff.{g.role}.count": 0
        for g in scenario.staff.groups
        if g.caseload_cap > 0
    }
    changed, problems = apply_changes(scenario, holders)
    assert changed is None
    ((key, message),) = problems.items()
    assert "at least one group must hold cases" in message
    assert key in holders or key == ""


def test_downloaded_yaml_is_the_scenario_that_ran(tmp_path) -> None:
    from frontdoor.workbench.view import scenario_yaml

    scenario, problems = apply_changes(
        load_scenario("baseline"), {"staff.experienced.count": 9, "policy": "need-weighted"}
    )
    assert scenario is not None and not problems
    path = tmp_path / "policy.yaml"
    path.write_text(scenario_yaml(scenario), encoding="utf-8")
    again = load_scenario(path)
    assert isinstance(again, Scenario)
    assert scenario_hash(again) == scenario_hash(scenario)


def test_uploads_are_read_by_the_safe_loader() -> None:
    from frontdoor.workbench.inputs import MAX_UPLOAD_BYTES, uploaded_source

    source, error = uploaded_source("evil.yaml", b"name: x\nrun: !!python/object {}\n")
    assert source is None and error is not None and error.startswith("evil.yaml:2:")
    source, error = uploaded_source("far.yaml", b"extends: /etc/hostname\nname: far\n")
    assert source is None and "only a bundled scenario" in str(error)
    source, error = uploaded_source("big.yaml", b"#" * (MAX_UPLOAD_BYTES + 1))
    assert source is None and "limited to" in str(error)
    source, error = uploaded_source("ok.yaml", b"extends: small-team\nname: mine\n")
    assert error is None and source is not None and source.scenario.name == "mine"


def test_help_does_not_import_the_workbench() -> None:
    code = (
        "import sys; from frontdoor.cli import build_parser; build_parser(); "
        "print('streamlit' in sys.modules, 'plotly' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


def test_the_same_run_asked_twice_is_one_run(tmp_path) -> None:
    import time

    from frontdoor.workbench.runs import RunManager
    from sim.loader import scenario_with

    base = scenario_with(
        load_scenario("small-team"), {"run.horizon_days": 20, "run.warm_up_days": 0}
    )
    policy = scenario_with(base, {"name": "small-team-policy", "policy": "fifo"})
    manager = RunManager(workdir=tmp_path)
    first = manager.start(baseline=base, policy=policy, seed=5, reps=2)
    again = manager.start(baseline=base, policy=policy, seed=5, reps=2)
    assert again is first
    deadline = time.monotonic() + 240
    while first.active and time.monotonic() < deadline:
        time.sleep(0.2)
    assert first.status == "done", first.error
    assert first.done == first.total == 4
    assert first.result.labels() == ["small-team", "small-team-policy"]
    assert len(list(tmp_path.iterdir())) == 1
    while first.extras_pending() and time.monotonic() < deadline:
        time.sleep(0.2)  # the animation and the report follow the answer
    assert first.report is not None and first.report.exists(), first.report_error
    assert first.animation is not None and len(first.animation.frames) > 1, first.animation_error


def test_runs_go_to_the_scheduler_given(tmp_path) -> None:
    """With a scheduler named at start-up, replications run there, with the same answer."""
    import time

    distributed = pytest.importorskip("distributed")
    from frontdoor.workbench.runs import RunManager
    from sim.loader import scenario_with

    base = scenario_with(
        load_scenario("small-team"), {"run.horizon_days": 20, "run.warm_up_days": 0}
    )
    policy = scenario_with(base, {"name": "small-team-policy", "policy": "fifo"})
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, host="127.0.0.1", dashboard_address=None
    ) as cluster:
        manager = RunManager(workdir=tmp_path / "dask", scheduler=cluster.scheduler_address)
        run = manager.start(baseline=base, policy=policy, seed=5, reps=2)
        assert run.where.startswith("Dask (tcp://127.0.0.1:")
        deadline = time.monotonic() + 240
        while run.active and time.monotonic() < deadline:
            time.sleep(0.2)
        assert run.status == "done", run.error
    local = RunManager(workdir=tmp_path / "local")
    same = local.start(baseline=base, policy=policy, seed=5, reps=2)
    while same.active and time.monotonic() < deadline:
        time.sleep(0.2)
    assert same.status == "done", same.error
    assert run.result.kpi_frame().equals(same.result.kpi_frame())
    while (run.extras_pending() or same.extras_pending()) and time.monotonic() < deadline:
        time.sleep(0.2)


def test_learning_and_agency_agreements_are_levers_where_they_act() -> None:
    baseline = load_scenario("baseline")  # other agencies decide here
    paths = {lv.path for lv in levers_for(baseline)}
    agreements = {
        "agency_decisions.notification_agreement",
        "agency_decisions.joint_thresholds",
        "agency_decisions.named_liaison",
    }
    assert {"learning.enabled", "decisions.parents_heard_equally"} | agreements <= paths
    changed, problems = apply_changes(
        baseline, {"learning.enabled": True, "agency_decisions.named_liaison": True}
    )
    assert not problems and changed is not None
    assert changed.learning.enabled and changed.agency_decisions.named_liaison
    # Where no agency decides, an agreement with agencies would change nothing: no lever.
    quiet = baseline.model_copy(
        update={"agency_decisions": baseline.agency_decisions.model_copy(update={"enabled": False})}
    )
    assert not agreements & {lv.path for lv in levers_for(quiet)}
