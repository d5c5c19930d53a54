"""Settings checked for meaning, staff groups addressed by role, and files a scenario may read.

Each check runs the real loader (and the real command line, in a subprocess, where the
exit status matters) on small files written next to a copy of nothing but themselves:
a scenario that `extends: baseline` and changes one thing.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from analysis.experiment import parse_vary, sweep_points
from analysis.sensitivity import parse_parameter
from sim.config import Scenario
from sim.loader import load_scenario, scenario_path, scenario_with
from sim.model import FrontDoorModel
from sim.yamlsafe import ScenarioError
from trainer.exercise import load_exercise, training_dir

FRONTDOOR = Path(sys.executable).with_name("frontdoor")
BASELINE = load_scenario("baseline")


def frontdoor(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, SDL_VIDEODRIVER="dummy", SDL_AUDIODRIVER="dummy")
    return subprocess.run(
        [str(FRONTDOOR), *args], capture_output=True, text=True, timeout=120, cwd=cwd, env=env
    )


def write(folder: Path, name: str, body: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(body, encoding="utf-8")
    return path


def refusal(path: Path) -> ScenarioError:
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    return caught.value


def line_of(path: Path, needle: str) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(i for i, text in enumerate(lines, 1) if needle in text)


# -- A: every setting checked for meaning ----------------------------------------------

# (change written in the file, the field the error names, words in the message)
MEANINGLESS = [
    (
        "staff: {judgement_error_sd: {experienced: -0.1}}",
        "staff.judgement_error_sd.experienced",
        "greater than or equal to 0",
    ),
    (
        "staff: {judgement_error_sd: {experienced: .nan}}",
        "staff.judgement_error_sd.experienced",
        "finite number",
    ),
    ("run: {horizon_days: .inf}", "run.horizon_days", "finite number"),
    ("run: {horizon_days: 1.0e+300}", "run.horizon_days", "hundred years"),
    ("run: {horizon_days: 1e6}", "run.horizon_days", "1.0e+6, not 1e6"),
    (
        "arrivals: {hour_weights: [.nan" + ", 1" * 23 + "]}",
        "arrivals.hour_weights.0",
        "finite number",
    ),
    (
        "arrivals: {weekday_weights: [1, 1, 1, 1, 1, 1, -1]}",
        "arrivals.weekday_weights.6",
        "greater than or equal to 0",
    ),
    ("run: {horizon_days: '365'}", "run.horizon_days", "valid number"),
    ("run: {horizon_days: true}", "run.horizon_days", "valid number"),
    (
        "staff: {groups: [{role: experienced, count: 100000000}]}",
        "staff.experienced.count",
        "typing mistake",
    ),
    (
        "staff: {groups: [{role: experienced, count: '13'}]}",
        "staff.experienced.count",
        "valid integer",
    ),
    ("arrivals: {annual_referrals: 1.0e+9}", "arrivals.annual_referrals", "England"),
    (
        "arrivals: {surges: [{start_day: 50, end_day: 10, factor: 2}]}",
        "arrivals.surges.0.end_day",
        "must end after it starts",
    ),
    ("arrivals: {sources: {police: {share: 0.5}}}", "arrivals.sources", "add up to 1"),
    ("families: {harm_mix: {none: 0.5}}", "families.harm_mix", "add up to 1"),
    ("database: {origin_shares: {british: 0.2}}", "database.origin_shares", "add up to 1"),
    ("case_files: {location_shares: {archive: 0.9}}", "case_files.location_shares", "add up to 1"),
    ("harm: {surfaces: {low: 1.5}}", "harm.surfaces.low", "less than or equal to 1"),
    (
        "out_of_hours: {fact_loss: {structured: -0.2}}",
        "out_of_hours.fact_loss.structured",
        "greater than or equal to 0",
    ),
    (
        "agencies: {agencies: {police: {response_median_working_days: 1, "
        "refusal_probability: 0.2, holds_information: {physical: 2}}}}",
        "agencies.agencies.police.holds_information.physical",
        "less than or equal to 1",
    ),
    ("staffing: {patches: 100000}", "staffing.patches", "workers of its own"),
    ("staffing: {design: patch, patches: 60}", "staffing.patches", "never be allocated"),
]


@pytest.mark.parametrize(("change", "field", "words"), MEANINGLESS, ids=[m[1] for m in MEANINGLESS])
def test_meaningless_settings_are_refused_where_written(
    tmp_path: Path, change: str, field: str, words: str
) -> None:
    path = write(tmp_path, "bad.yaml", f"extends: baseline\nname: bad\n{change}\n")
    error = refusal(path)
    assert error.path == str(path)
    assert error.field == field
    assert error.line == 3
    assert words in error.message
    assert "\n" not in str(error)


def test_cli_refuses_in_one_line_with_exit_2(tmp_path: Path) -> None:
    path = write(tmp_path, "inf.yaml", "extends: baseline\nname: inf\nrun: {horizon_days: .inf}\n")
    done = frontdoor("run", str(path), "--seed", "1")
    assert done.returncode == 2
    assert done.stderr.startswith(f"error: {path}:3:")
    assert "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_one_staff_group_merges_by_role_instead_of_replacing_the_team(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "more.yaml",
        "extends: baseline\nname: more\nstaff:\n  groups:\n    - {role: experienced, count: 15}\n",
    )
    scenario = load_scenario(path)
    roles = {g.role: g for g in scenario.staff.groups}
    assert [g.role for g in scenario.staff.groups] == [g.role for g in BASELINE.staff.groups]
    assert roles["experienced"].count == 15
    assert roles["experienced"].caseload_cap == 18  # kept from the baseline
    assert roles["information_officer"].duty and roles["information_officer"].count == 2


def test_a_new_role_is_added_and_a_group_can_be_emptied(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "fsw.yaml",
        "extends: baseline\nname: fsw\nstaff:\n  groups:\n"
        "    - {role: family_support_worker, count: 4}\n"
        "    - {role: student, count: 0}\n"
        "  judgement_error_sd: {family_support_worker: 0.1}\n",
    )
    roles = {g.role: g.count for g in load_scenario(path).staff.groups}
    assert roles["family_support_worker"] == 4
    assert roles["student"] == 0
    assert roles["experienced"] == 25


def test_a_team_with_nobody_on_duty_is_refused(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "nod.yaml",
        "extends: baseline\nname: nod\nstaff:\n  groups:\n"
        "    - {role: information_officer, count: 0}\n"
        "    - {role: senior_practitioner, duty: false}\n",
    )
    error = refusal(path)
    assert (error.path, error.line, error.field) == (str(path), 5, "staff.groups")
    assert "nobody is on duty" in error.message
    # The same team with screening switched off has no stage left unserved.
    write(tmp_path, "nod-off.yaml", path.read_text() + "screening: {enabled: false}\n")
    assert load_scenario(tmp_path / "nod-off.yaml").screening.enabled is False


def test_a_role_given_twice_is_refused_at_the_second(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "twice.yaml",
        "extends: baseline\nname: twice\nstaff:\n  groups:\n"
        "    - {role: student, count: 1}\n"
        "    - {role: student, count: 2}\n",
    )
    error = refusal(path)
    assert error.field is not None and error.field.endswith(".role")
    assert "given twice" in error.message
    assert error.line == 6


def test_a_team_without_duty_workers_would_have_left_referrals_unscreened() -> None:
    # Why the check exists: before it, this team ran and screened nothing.
    with pytest.raises(ScenarioError, match="nobody is on duty"):
        scenario_with(
            BASELINE,
            {"staff.information_officer.duty": False, "staff.senior_practitioner.duty": False},
        )


def test_schema_shows_the_bounds() -> None:
    done = frontdoor("schema")
    assert done.returncode == 0, done.stderr
    defs = json.loads(done.stdout)["$defs"]
    sd = defs["Staff"]["properties"]["judgement_error_sd"]["additionalProperties"]
    assert (sd["minimum"], sd["maximum"]) == (0, 1)
    count = defs["StaffGroup"]["properties"]["count"]
    assert count["maximum"] == 1000 and "x-limit-reason" in count
    assert defs["Run"]["properties"]["horizon_days"]["maximum"] == 36500


def test_every_numeric_leaf_has_both_bounds() -> None:
    """Walk the schema: every number or integer (in mappings and lists too) is bounded."""
    schema = Scenario.model_json_schema()
    unbounded: list[str] = []

    def walk(node: object, where: str) -> None:
        if isinstance(node, dict):
            kinds = {node.get("type")} | {
                a.get("type") for a in node.get("anyOf", []) if isinstance(a, dict)
            }
            if kinds & {"number", "integer"}:
                low = "minimum" in node or "exclusiveMinimum" in node
                high = "maximum" in node or "exclusiveMaximum" in node
                inner = [a for a in node.get("anyOf", []) if isinstance(a, dict)]
                low = low or any("minimum" in a or "exclusiveMinimum" in a for a in inner)
                high = high or any("maximum" in a or "exclusiveMaximum" in a for a in inner)
                if not (low and high):
                    unbounded.append(where)
            for key, value in node.items():
                if key not in ("default", "examples"):
                    walk(value, f"{where}.{key}")
        elif isinstance(node, list):
            for i, value in enumerate(node):
                walk(value, f"{where}[{i}]")

    walk(schema, "")
    assert unbounded == []


# -- B: staff groups addressed by role ---------------------------------------------------


def test_role_addresses_change_the_right_group() -> None:
    changed = scenario_with(BASELINE, {"staff.experienced.count": 12})
    assert {g.role: g.count for g in changed.staff.groups}["experienced"] == 12
    points = sweep_points(BASELINE, [parse_vary("staff.experienced.count=12,13")])
    counts = [{g.role: g.count for g in p.scenario.staff.groups}["experienced"] for p in points]
    assert counts == [12, 13]


def test_positional_addresses_are_refused_naming_the_role_form() -> None:
    with pytest.raises(ScenarioError) as caught:
        scenario_with(BASELINE, {"staff.groups.4.count": 12})
    assert caught.value.field == "staff.groups.4.count"
    assert "staff.experienced.count" in caught.value.message
    with pytest.raises(ValueError, match="staff.experienced.count"):
        parse_parameter("staff.groups.4.count=5:15", BASELINE)


def test_a_role_the_team_lacks_is_named() -> None:
    with pytest.raises(ScenarioError, match="no family_support_worker group"):
        scenario_with(BASELINE, {"staff.family_support_worker.count": 3})


def test_sweep_cli_refuses_the_positional_form(tmp_path: Path) -> None:
    done = frontdoor(
        "sweep",
        "baseline",
        "--vary",
        "staff.groups.4.count=9,11",
        "--reps",
        "1",
        "--out",
        str(tmp_path / "out"),
    )
    assert done.returncode == 2
    assert "staff.experienced.count" in done.stderr
    assert "Traceback" not in done.stderr


# -- C: files a scenario may read ---------------------------------------------------------

HOSTILE = [
    "/etc/passwd",
    "/etc/shadow",
    "/proc/self/environ",
    "../../../../etc/passwd",
    "../outside.yaml",
]


@pytest.mark.parametrize("target", HOSTILE)
def test_extends_outside_the_folder_is_refused_unread(tmp_path: Path, target: str) -> None:
    write(tmp_path, "outside.yaml", "secret_token: abc123\n")
    path = write(tmp_path, "inner/x.yaml", f"extends: {target}\nname: x\n")
    error = refusal(path)
    assert (error.path, error.line, error.field) == (str(path), 1, "extends")
    assert "outside the folders" in error.message
    assert "root" not in error.message and "abc123" not in error.message


def test_a_link_out_of_the_folder_is_refused(tmp_path: Path) -> None:
    (tmp_path / "inner").mkdir()
    write(tmp_path, "secret.yaml", "name: hidden\n")
    (tmp_path / "inner" / "link.yaml").symlink_to(tmp_path / "secret.yaml")
    path = write(tmp_path, "inner/x.yaml", "extends: link.yaml\nname: x\n")
    assert "outside the folders" in refusal(path).message


def test_a_file_that_is_not_a_scenario_is_not_quoted(tmp_path: Path) -> None:
    write(tmp_path, "notes.yaml", "root:x:0:0:root:/root:/bin/bash\n")
    write(tmp_path, "keys.yaml", "api_key: hunter2\n")
    for name in ("notes.yaml", "keys.yaml"):
        path = write(tmp_path, f"uses-{name}", f"extends: {name}\nname: x\n")
        error = refusal(path)
        assert error.path == str(path) and error.field == "extends"
        assert "root:" not in str(error) and "hunter2" not in str(error)
        assert "api_key" not in str(error)


def test_scenario_path_allows_another_folder(tmp_path: Path) -> None:
    common = tmp_path / "common"
    write(
        common,
        "team.yaml",
        "extends: baseline\nname: team\nstaff: {groups: [{role: experienced, count: 9}]}\n",
    )
    path = write(tmp_path, "mine/x.yaml", "extends: ../common/team.yaml\nname: x\n")
    assert "outside the folders" in refusal(path).message
    with scenario_path([common]):
        assert {g.role: g.count for g in load_scenario(path).staff.groups}["experienced"] == 9
    done = frontdoor("validate", "--scenario-path", str(common), str(path))
    assert done.returncode == 0, done.stderr
    assert frontdoor("validate", str(path)).returncode == 2


def test_deep_chains_load_and_circles_and_depth_are_told_apart(tmp_path: Path) -> None:
    write(tmp_path, "c0.yaml", "extends: baseline\nname: c0\n")
    for i in range(1, 41):
        write(tmp_path, f"c{i}.yaml", f"extends: c{i - 1}.yaml\nname: c{i}\n")
    assert load_scenario(tmp_path / "c12.yaml").name == "c12"
    deep = refusal(tmp_path / "c40.yaml")
    assert "deep" in deep.message and "circle" not in deep.message
    write(tmp_path, "a.yaml", "extends: b.yaml\nname: a\n")
    write(tmp_path, "b.yaml", "extends: a.yaml\nname: b\n")
    circle = refusal(tmp_path / "a.yaml")
    assert "circle (a.yaml -> b.yaml -> a.yaml)" in circle.message
    assert circle.field == "extends" and circle.line == 1


def test_an_exercise_team_outside_its_folder_is_refused(tmp_path: Path) -> None:
    source = (training_dir() / "01_name_on_the_record.yaml").read_text(encoding="utf-8")
    lines = source.splitlines()
    at = next(i for i, text in enumerate(lines) if text.startswith("team:"))
    lines[at] = "team: /etc/passwd"
    path = write(tmp_path, "ex.yaml", "\n".join(lines) + "\n")
    with pytest.raises(ScenarioError) as caught:
        load_exercise(path)
    assert (caught.value.line, caught.value.field) == (at + 1, "team")
    assert "outside the folders" in caught.value.message


# -- D: validate takes exercises too -------------------------------------------------------


def test_validate_accepts_bundled_exercises_and_scenarios() -> None:
    exercises = sorted(str(p) for p in training_dir().glob("*.yaml"))
    done = frontdoor("validate", "baseline", *exercises)
    assert done.returncode == 0, done.stderr
    assert done.stdout.count("ok: ") == len(exercises) + 1
    assert "exercise: " in done.stdout


def test_validate_locates_a_fault_in_an_exercise(tmp_path: Path) -> None:
    source = (training_dir() / "01_name_on_the_record.yaml").read_text(encoding="utf-8")
    bad = source.replace("    hour: ", "    hour: -", 1)
    path = write(tmp_path, "01.yaml", bad)
    (tmp_path / "teams").symlink_to(training_dir() / "teams")
    done = frontdoor("validate", str(path))
    assert done.returncode == 2
    line = line_of(path, "    hour: -")
    assert done.stderr.startswith(f"error: {path}:{line}:")
    assert "referrals.0.hour" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_validate_locates_an_empty_referral_spelling(tmp_path: Path) -> None:
    # `spelt_as` (how the referrer spelt the family's name) is a name or absent: an empty
    # one would silently fall back to a drawn spelling, so it is refused where written.
    source = (training_dir() / "01_name_on_the_record.yaml").read_text(encoding="utf-8")
    assert source.count("    spelt_as: Kowalchyk\n") == 1
    bad = source.replace("    spelt_as: Kowalchyk\n", '    spelt_as: ""\n')
    path = write(tmp_path, "01.yaml", bad)
    (tmp_path / "teams").symlink_to(training_dir() / "teams")
    done = frontdoor("validate", str(path))
    assert done.returncode == 2
    line = line_of(path, '    spelt_as: ""')
    assert done.stderr.startswith(f"error: {path}:{line}:"), done.stderr
    assert "referrals.0.spelt_as" in done.stderr and "at least 1 character" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_exercise_scenario_changes_merge_staff_by_role(tmp_path: Path) -> None:
    source = (training_dir() / "01_name_on_the_record.yaml").read_text(encoding="utf-8")
    (tmp_path / "teams").symlink_to(training_dir() / "teams")
    changed = source.replace(
        "\nreferrals:",
        "\nscenario:\n  staff:\n    groups:\n      - {role: experienced, count: 4}\n\nreferrals:",
        1,
    )
    assert changed != source and "\nscenario:" not in source
    plan = load_exercise(write(tmp_path, "01.yaml", changed))
    roles = {g.role: g.count for g in plan.scenario.staff.groups}
    assert roles["experienced"] == 4 and roles["information_officer"] == 1


def test_merged_staff_runs() -> None:
    # The merged team is a working team: a short run screens and allocates.
    scenario = scenario_with(
        BASELINE,
        {"staff.experienced.count": 14, "run.horizon_days": 20.0, "run.warm_up_days": 0.0},
    )
    log = FrontDoorModel(scenario, seed=2).run()
    kinds = {r.kind for r in log.records}
    assert any("allocat" in str(k) for k in kinds)


def test_numbers_are_strict_but_numpy_scalars_count_as_numbers() -> None:
    import numpy as np

    changed = scenario_with(BASELINE, {"staff.experienced.count": np.int64(11)})
    assert {g.role: g.count for g in changed.staff.groups}["experienced"] == 11
    for text_or_flag in ("11", True, 11.5):
        with pytest.raises(ScenarioError, match="valid integer"):
            scenario_with(BASELINE, {"staff.experienced.count": text_or_flag})
