"""The `frontdoor` command line: run, validate and schema, as a user calls them.

`run` is exercised through the installed console script (a real subprocess) on a small
scenario file written to a temporary folder (baseline with a short horizon), so each run
takes a second or two. What it writes with --out is read back and checked against the
model itself: the event log is the same bytes a direct run gives, and the KPIs computed
again from the written log are the ones reported.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path
from typing import Any

import jsonschema
import pandas as pd
import pytest
import yaml
from log_digests import digest

from analysis.kpis import compute_kpis
from frontdoor.cli import main
from sim.config import Scenario
from sim.events import EventKind
from sim.loader import load_scenario, scenario_hash, scenario_with, scenarios_dir
from sim.log_files import read_log
from sim.log_schema import events_schema
from sim.model import FrontDoorModel

FRONTDOOR = Path(sys.executable).with_name("frontdoor")

# The KPI names issue 2 requires in `frontdoor run --json` (at least these).
ISSUE_KPIS = (
    "referrals",
    "decided_within_1_working_day",
    "assessments_within_timescale",
    "mean_wait_to_allocation_days",
    "unallocated_mean",
    "caseload_per_worker_mean",
    "re_referral_rate_12m",
    "nfa_at_referral_rate",
    "nfa_after_assessment_rate",
    "near_miss_prevented",
    "near_miss_no_harm",
    "harm_false_negative",
    "harm_false_positive",
    "serious_incidents",
)


def frontdoor(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    assert FRONTDOOR.exists(), f"console script not installed at {FRONTDOOR}"
    return subprocess.run(
        [str(FRONTDOOR), *args], capture_output=True, text=True, check=False, cwd=cwd
    )


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Scenario]:
    """The baseline cut to a 10-day warm-up and 40 measured days, as a scenario file."""
    scenario = scenario_with(
        load_scenario("baseline"),
        {"name": "baseline-short", "run.horizon_days": 40, "run.warm_up_days": 10},
    )
    path = tmp_path_factory.mktemp("scenario") / "small.yaml"
    path.write_text(yaml.safe_dump(scenario.model_dump(mode="json"), sort_keys=False))
    assert load_scenario(path) == scenario  # the file says exactly what we mean
    return path, scenario


@pytest.fixture(scope="module")
def json_run(small: tuple[Path, Scenario]) -> dict[str, Any]:
    path, _ = small
    out = frontdoor("run", str(path), "--reps", "2", "--seed", "3", "--json")
    assert out.returncode == 0, out.stderr
    assert "Traceback" not in out.stderr
    return json.loads(out.stdout)  # stdout holds the JSON and nothing else


@pytest.fixture(scope="module")
def out_dir(small: tuple[Path, Scenario], tmp_path_factory: pytest.TempPathFactory) -> Path:
    path, _ = small
    folder = tmp_path_factory.mktemp("results") / "out"
    out = frontdoor("run", str(path), "--reps", "2", "--seed", "3", "--out", str(folder))
    assert out.returncode == 0, out.stderr
    assert "summary.json" in out.stdout  # the table run also says what it wrote
    return folder


# -- functional: run --json --------------------------------------------------------------


class TestRunJson:
    def test_top_level_keys(self, json_run: dict[str, Any], small: tuple[Path, Scenario]):
        assert {"scenario", "seed", "reps", "version", "kpis"} <= set(json_run)
        assert json_run["scenario"] == small[1].name
        assert json_run["seed"] == 3
        assert json_run["reps"] == 2
        assert json_run["version"] == version("frontdoor")

    def test_every_issue_kpi_has_an_interval(self, json_run: dict[str, Any]) -> None:
        kpis = json_run["kpis"]
        missing = [name for name in ISSUE_KPIS if name not in kpis]
        assert not missing
        for name in ISSUE_KPIS:
            entry = kpis[name]
            assert set(entry) == {"mean", "ci_low", "ci_high"}, name
            mean, low, high = entry["mean"], entry["ci_low"], entry["ci_high"]
            assert isinstance(mean, float | int), name
            if low is not None and high is not None:
                assert low <= mean <= high, (name, entry)

    def test_kpis_are_those_of_the_two_replications(
        self, json_run: dict[str, Any], small: tuple[Path, Scenario]
    ) -> None:
        # Recompute from the model directly: replications 0 and 1 of seed 3.
        _, scenario = small
        direct = [
            compute_kpis(FrontDoorModel(scenario, seed=3, replication=i).run().records)
            for i in (0, 1)
        ]
        for name in ISSUE_KPIS:
            values = [d[name] for d in direct if not math.isnan(d[name])]
            if values:
                assert json_run["kpis"][name]["mean"] == pytest.approx(sum(values) / len(values)), (
                    name
                )
        assert json_run["kpis"]["referrals"]["mean"] > 50

    def test_same_command_same_output(
        self, json_run: dict[str, Any], small: tuple[Path, Scenario]
    ) -> None:
        # One process here, two there (--jobs): the numbers must not move.
        out = frontdoor("run", str(small[0]), "--reps", "2", "--seed", "3", "--json", "--jobs", "1")
        assert out.returncode == 0, out.stderr
        assert json.loads(out.stdout) == json_run

    def test_bundled_name_resolves(self) -> None:
        # `frontdoor run baseline` finds scenarios/baseline.yaml; --reps 0 is refused
        # before anything runs, in one line with exit status 2.
        out = frontdoor("run", "baseline", "--reps", "0")
        assert out.returncode == 2
        assert len(out.stderr.strip().splitlines()) == 1
        assert "Traceback" not in out.stderr


# -- functional: run --out ----------------------------------------------------------------


class TestRunOut:
    def test_writes_the_promised_files(self, out_dir: Path) -> None:
        names = {p.name for p in out_dir.iterdir()}
        assert {
            "events-rep000",
            "events-rep001",
            "cases.csv",
            "kpis.csv",
            "summary.json",
        } <= names
        tables = {p.name for p in (out_dir / "events-rep000").iterdir()}
        assert tables == {f"{k.value}.parquet" for k in EventKind} | {"schema.json"}
        schema = json.loads((out_dir / "events-rep000" / "schema.json").read_text())
        assert schema == events_schema()

    def test_summary_holds_hash_seed_version_and_kpis(
        self, out_dir: Path, small: tuple[Path, Scenario], json_run: dict[str, Any]
    ) -> None:
        summary = json.loads((out_dir / "summary.json").read_text())
        assert summary["scenario_hash"] == scenario_hash(small[1])
        assert len(summary["scenario_hash"]) == 64
        assert summary["seed"] == 3 and summary["reps"] == 2
        assert summary["version"] == version("frontdoor")
        assert summary["kpis"] == json_run["kpis"]

    def test_event_log_is_the_models_log(
        self, out_dir: Path, small: tuple[Path, Scenario], tmp_path: Path
    ) -> None:
        # The same seed gives the same bytes, table for table, in a subprocess or here.
        for replication in (0, 1):
            stem = f"events-rep{replication:03d}"
            direct = FrontDoorModel(small[1], seed=3, replication=replication).run()
            direct.write(str(tmp_path), stem, "parquet")
            for path in sorted((out_dir / stem).iterdir()):
                assert path.read_bytes() == (tmp_path / stem / path.name).read_bytes(), path

    def test_kpis_recomputed_from_written_logs(self, out_dir: Path) -> None:
        table = pd.read_csv(out_dir / "kpis.csv")
        assert list(table["replication"]) == [0, 1]
        for replication in (0, 1):
            records = read_log(out_dir / f"events-rep{replication:03d}")
            again = compute_kpis(records)
            row = table.iloc[replication]
            for name in ISSUE_KPIS:
                if math.isnan(again[name]):
                    assert math.isnan(row[name]), name
                else:
                    # The log stores times and values to six decimals.
                    assert row[name] == pytest.approx(again[name], rel=1e-4, abs=1e-4), name

    def test_case_table_has_one_row_per_referral(self, out_dir: Path) -> None:
        cases = pd.read_csv(out_dir / "cases.csv")
        for replication in (0, 1):
            records = read_log(out_dir / f"events-rep{replication:03d}")
            arrived = sum(1 for r in records if r.kind.value == "referral_arrived")
            assert (cases["replication"] == replication).sum() == arrived
        assert not cases.duplicated(["replication", "case"]).any()

    def test_report_reads_the_run_folder(self, out_dir: Path) -> None:
        # `frontdoor report` finds a run folder by its summary and reads its tables.
        from analysis.report import find_experiments

        found = [e for e in find_experiments(out_dir.parent) if e.kind == "run"]
        assert len(found) == 1
        digests = found[0].scenarios[0].digests
        assert [d["replication"] for d in digests] == [0, 1]
        table = pd.read_csv(out_dir / "kpis.csv")
        for replication, digest_of_rep in enumerate(digests):
            row = table.iloc[replication]
            for name in ISSUE_KPIS:
                value = digest_of_rep["kpis"][name]
                if math.isnan(value):
                    assert math.isnan(row[name]), name
                else:  # the tables hold six decimals
                    assert row[name] == pytest.approx(value, rel=1e-4, abs=1e-4), name

    def test_csv_tables_hold_what_the_parquet_tables_hold(
        self, out_dir: Path, small: tuple[Path, Scenario], tmp_path: Path
    ) -> None:
        import pyarrow.parquet as pq

        folder = tmp_path / "csv"
        out = frontdoor(
            "run",
            str(small[0]),
            "--reps",
            "1",
            "--seed",
            "3",
            "--out",
            str(folder),
            "--log-format",
            "csv",
        )
        assert out.returncode == 0, out.stderr
        from_csv = read_log(folder / "events-rep000")
        from_parquet = read_log(out_dir / "events-rep000")
        assert digest(from_csv) == digest(from_parquet)
        # A researcher reads a table as it is: lists are list columns in Parquet and
        # joined texts in CSV, never JSON inside a column.
        barriers = pq.read_table(out_dir / "events-rep000" / "barrier_tested.parquet")
        text = pd.read_csv(folder / "events-rep000" / "barrier_tested.csv", keep_default_na=False)
        assert barriers.num_rows == len(text) > 0
        assert barriers.column("seq").to_pylist() == list(text["seq"])
        lists = barriers.column("conditions").to_pylist()
        assert any(lists) and all(isinstance(v, list) for v in lists)
        assert [";".join(v) for v in lists] == list(text["conditions"])
        assert barriers.column("time").to_pylist() == list(text["time"])


# -- functional: schema and validate -----------------------------------------------------


def _walk_properties(schema: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """(where, property schema) for every property at the top level and in $defs."""
    found = [(f"#/properties/{k}", v) for k, v in schema.get("properties", {}).items()]
    for name, definition in schema.get("$defs", {}).items():
        for key, prop in definition.get("properties", {}).items():
            found.append((f"#/$defs/{name}/properties/{key}", prop))
    return found


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    out = frontdoor("schema")
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


class TestSchema:
    def test_is_a_valid_json_schema(self, schema: dict[str, Any]) -> None:
        validator = jsonschema.validators.validator_for(schema)
        assert validator is jsonschema.Draft202012Validator
        validator.check_schema(schema)

    def test_every_property_has_a_description(self, schema: dict[str, Any]) -> None:
        properties = _walk_properties(schema)
        assert len(properties) > 80  # every section's settings, not just the top level
        undocumented = [where for where, prop in properties if not prop.get("description")]
        assert not undocumented, undocumented

    def test_bundled_scenarios_satisfy_the_schema(self, schema: dict[str, Any]) -> None:
        validator = jsonschema.Draft202012Validator(schema)
        checked = 0
        for path in sorted(scenarios_dir().glob("*.yaml")):
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
            errors = [e.message for e in validator.iter_errors(data)]
            assert not errors, (path.name, errors[:3])
            checked += 1
        assert checked >= 2  # baseline and small-team at least

    def test_schema_accepts_a_file_that_extends_another(
        self, schema: dict[str, Any], tmp_path: Path
    ) -> None:
        path = tmp_path / "busier.yaml"
        path.write_text("extends: baseline\nname: busier\narrivals: {annual_referrals: 4000}\n")
        assert load_scenario(path).arrivals.annual_referrals == 4000  # the loader takes it
        data = yaml.safe_load(path.read_text())
        errors = [e.message for e in jsonschema.Draft202012Validator(schema).iter_errors(data)]
        assert not errors, errors

    def test_schema_refuses_what_the_loader_refuses(self, schema: dict[str, Any]) -> None:
        data = yaml.safe_load((scenarios_dir() / "baseline.yaml").read_text(encoding="utf-8"))
        data["colour"] = "blue"
        data["run"]["horizon_days"] = -1
        validator = jsonschema.Draft202012Validator(schema)
        messages = " ".join(e.message for e in validator.iter_errors(data))
        assert "colour" in messages
        assert "-1" in messages


class TestValidate:
    def test_all_bundled_scenarios_validate(self) -> None:
        files = sorted(str(p) for p in scenarios_dir().glob("*.yaml"))
        assert any(f.endswith("baseline.yaml") for f in files)
        assert any(f.endswith("small-team.yaml") for f in files)
        out = frontdoor("validate", *files)
        assert out.returncode == 0, out.stderr
        assert out.stderr == ""
        assert out.stdout.count("ok: ") == len(files)

    def test_validate_in_process(self, capsys: pytest.CaptureFixture[str]) -> None:
        assert main(["validate", str(scenarios_dir() / "baseline.yaml")]) == 0
        assert capsys.readouterr().out.startswith("ok: ")


# -- extreme values ------------------------------------------------------------------------


class TestUsageErrors:
    @pytest.mark.parametrize(
        "args",
        [
            [],
            ["no-such-command"],
            ["run"],
            ["run", "baseline", "--seed", "-4"],
            ["run", "baseline", "--reps", "many"],
            ["run", "definitely-not-a-scenario"],
            ["validate"],
        ],
        ids=lambda a: " ".join(a) or "nothing",
    )
    def test_one_line_and_status_2(self, args: list[str], capsys: pytest.CaptureFixture[str]):
        assert main(args) == 2
        err = capsys.readouterr().err
        assert len(err.strip().splitlines()) == 1, err
        assert err.startswith("error:")
        assert "Traceback" not in err

    def test_version(self) -> None:
        out = frontdoor("--version")
        assert out.returncode == 0
        assert version("frontdoor") in out.stdout
