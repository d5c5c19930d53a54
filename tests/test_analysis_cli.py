"""The researchers' and managers' commands end to end: compare, replications, explain,
sensitivity (SALib on a small design) and the HTML report with every figure."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from experiment_helpers import inexperience_story_scenario, short_baseline, write_scenario

from analysis.experiment import changed_scenario
from analysis.kpis import KPI_NAMES
from analysis.sensitivity import Parameter, run_sensitivity
from frontdoor.cli import main
from sim.events import EventKind
from sim.loader import load_scenario
from sim.model import FrontDoorModel


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("scenarios")
    small = short_baseline(horizon=60.0, warm_up=30.0, **{"arrivals.annual_referrals": 5000})
    fewer = short_baseline(
        horizon=60.0,
        warm_up=30.0,
        **{"arrivals.annual_referrals": 5000, "staff.experienced.count": 8, "name": "fewer"},
    )
    return {
        "small": write_scenario(small, folder / "small.yaml"),
        "fewer": write_scenario(fewer, folder / "fewer.yaml"),
        "story": write_scenario(inexperience_story_scenario(), folder / "story.yaml"),
    }


@pytest.fixture(scope="module")
def results(files: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A comparison and a small sweep stored in one folder, as a user would leave them."""
    folder = tmp_path_factory.mktemp("results")
    assert (
        main(
            [
                "compare",
                str(files["small"]),
                str(files["fewer"]),
                "--reps",
                "3",
                "--jobs",
                "2",
                "--out",
                str(folder / "comparison"),
            ]
        )
        == 0
    )
    assert (
        main(
            [
                "sweep",
                str(files["small"]),
                "--vary",
                "staff.experienced.count=8,11",
                "--vary",
                "thresholds.screen_in_risk=0.1,0.2",
                "--reps",
                "2",
                "--jobs",
                "2",
                "--out",
                str(folder / "sweep"),
            ]
        )
        == 0
    )
    return folder


# --------------------------------------------------------------------------- functional


def test_compare_json_has_the_promised_shape(
    files: dict[str, Path], results: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The stored comparison is reused: same arguments, nothing runs again.
    code = main(
        [
            "compare",
            str(files["small"]),
            str(files["fewer"]),
            "--reps",
            "3",
            "--json",
            "--out",
            str(results / "comparison"),
        ]
    )
    assert code == 0
    out = json.loads(capsys.readouterr().out)
    assert set(out) == {"scenarios", "summary", "kpis", "differences", "cost_per_harm_averted"}
    assert out["cost_per_harm_averted"]["fewer"]["rests_on"] == "Fieller interval"
    assert out["summary"][0].startswith("fewer against baseline (3 paired replications): ")
    assert out["scenarios"] == ["baseline", "fewer"]
    assert list(out["kpis"]) == list(KPI_NAMES) == list(out["differences"])
    for name in KPI_NAMES:
        assert set(out["kpis"][name]) == {"baseline", "fewer"}
        assert set(out["differences"][name]) == {"fewer"}
        for entry in out["kpis"][name].values():
            assert set(entry) == {"mean", "ci_low", "ci_high"}
        for entry in out["differences"][name].values():
            assert {"mean", "ci_low", "ci_high", "verdict", "rests_on", "detectable"} <= set(entry)
    wait = out["differences"]["unallocated_mean"]["fewer"]
    assert wait["ci_low"] <= wait["mean"] <= wait["ci_high"]
    assert wait["mean"] > 0  # fewer workers, longer backlog


def test_compare_rejects_bad_calls(files: dict[str, Path], capsys: pytest.CaptureFixture) -> None:
    assert main(["compare", str(files["small"]), "--reps", "3"]) == 2
    assert main(["compare", str(files["small"]), "nowhere.yaml"]) == 2
    assert main(["compare", str(files["small"]), str(files["fewer"]), "--scheduler", "x"]) == 2
    errors = capsys.readouterr().err.strip().splitlines()
    assert all(line.startswith("error:") for line in errors) and len(errors) == 3
    assert main(["sweep", str(files["small"]), "--vary", "staff.nothing=1,2", "--out", "x"]) == 2


def test_replications_command_by_both_methods(
    files: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(
        [
            "replications",
            str(files["small"]),
            "--kpi",
            "harm_false_positive",
            "--half-width",
            "4",
            "--pilot",
            "4",
            "--max-reps",
            "20",
            "--jobs",
            "2",
            "--json",
        ]
    )
    assert code == 0
    out = json.loads(capsys.readouterr().out)
    ci, hrd = out["methods"]
    assert (
        ci["method"].startswith("confidence-interval") and hrd["method"] == "Hoad-Robinson-Davies"
    )
    assert ci["replications"] >= 2 and hrd["replications"] >= 3
    if hrd["confirmed"]:
        assert hrd["half_width"] <= 4
    # The CI method's half-width is the one its recommended count achieves, not the
    # pilot's: that many replications were run to measure it.
    if ci["replications"] <= 20:
        assert ci["replications_run"] == max(4, ci["replications"])
        assert ci["confirmed"] == (ci["half_width"] <= 4)


def test_explain_command_names_the_necessary_condition(
    files: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    records = FrontDoorModel(inexperience_story_scenario(), seed=4).run().records
    case = next(
        r.case
        for r in records
        if r.kind is EventKind.INCIDENT_GRADED and r.incident == "harm_false_negative"
    )
    args = ["explain", str(files["story"]), "--seed", "4", "--case", str(case), "--jobs", "1"]
    assert main([*args, "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["necessary"] == ["inexperienced_staff"]
    assert out["incident"] == "harm_false_negative"
    assert main(args) == 0
    assert "Necessary conditions: inexperienced_staff." in capsys.readouterr().out
    assert main(["explain", str(files["story"]), "--seed", "4", "--case", "999999"]) == 2


def test_sensitivity_on_a_small_design(files: dict[str, Path]) -> None:
    """Morris and Sobol (SALib) single out the parameter that drives near misses and give
    exactly nothing to one that cannot change incidents (common random numbers)."""
    scenario = changed_scenario(
        load_scenario(files["small"]), {"run.horizon_days": 30.0, "run.warm_up_days": 10.0}
    )
    params = [
        Parameter(path="families.clarity_at_referral.neglect", low=0.2, high=0.9),
        Parameter(path="timescales.core_assessment_working_days", low=20.0, high=50.0),
    ]
    morris = run_sensitivity(scenario, params, method="morris", n=3, reps=1, seed=3)
    assert len(morris.samples) == 3 * (len(params) + 1)
    idx = morris.indices.set_index(["output", "parameter"])
    inert = "timescales.core_assessment_working_days"
    driver = "families.clarity_at_referral.neglect"
    assert idx.loc[("near_misses", inert), "mu_star"] == 0.0
    assert idx.loc[("near_misses", driver), "mu_star"] > 0.0
    sobol = run_sensitivity(scenario, params, method="sobol", n=4, reps=1, seed=3)
    assert len(sobol.samples) == 4 * (len(params) + 2)
    sidx = sobol.indices.set_index(["output", "parameter"])
    assert sidx.loc[("near_misses", inert), "ST"] == 0.0
    assert sidx.loc[("near_misses", driver), "ST"] > 0.0


def test_sensitivity_command_refuses_bad_parameters(files: dict[str, Path]) -> None:
    assert main(["sensitivity", str(files["small"]), "--params", "staff.nothing=0:1", "x=1:2"]) == 2
    assert (
        main(["sensitivity", str(files["small"]), "--params", "staff.workload_error_gain=1:0"]) == 2
    )


def test_report_has_every_figure_embedded_and_as_files(results: Path) -> None:
    out = results / "report"
    assert main(["report", str(results), "--out", str(out)]) == 0
    page = (out / "report.html").read_text(encoding="utf-8")
    figures = sorted((out / "figures").glob("*.png"))
    assert page.count("data:image/png;base64,") == len(figures)
    names = {f.stem for f in figures}
    for kind in ("kpis", "waits", "backlog", "pyramid", "barriers", "alignment", "grading"):
        assert any(n.endswith(kind) for n in names), kind
    assert "sweep-tradeoff" in names and "sweep-swept" in names
    assert any(n.endswith("serious-and-cost") for n in names)
    # Each experiment opens with the plain-language summary and the verdicts, before figures.
    first_figure = page.index("<figure")
    assert page.index("In brief") < page.index("Paired differences from") < first_figure
    assert "fewer against baseline (3 paired replications): " in page
    # Scenarios in input order; counts never in scientific notation; correct plurals.
    assert not re.search(r"\d\.\d+e[+-]\d", page)
    assert "replication(s)" not in page
    assert not re.search(r"(?<![\d,])1 replications", page)  # "31 replications" is right
    for png in figures:
        assert png.with_suffix(".svg").exists()
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    # Self-contained: nothing is loaded from elsewhere.
    assert not re.search(r"<(script|link)\b", page)
    assert not re.search(r'src="(?!data:)', page)
    assert "Heinrich" in page and "Swiss-cheese" in page


def test_report_on_an_empty_folder_is_one_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["report", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error:") and "no results found" in err
