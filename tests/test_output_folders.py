"""Output folders: nothing mixed (a folder of other results is refused), nothing read that
is not what was written (truncated, edited or swapped files are named and skipped), and
one bad folder does not stop a report on the rest. Real runs, real damaged files."""

from __future__ import annotations

import gzip
import re
import shutil
from pathlib import Path

import pytest
from experiment_helpers import short_baseline, write_scenario

from analysis.outputs import MANIFEST_NAME, read_manifest, verify
from frontdoor.cli import main


@pytest.fixture(scope="module")
def scenarios(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("scenarios")
    small = short_baseline(horizon=45.0, warm_up=15.0, **{"arrivals.annual_referrals": 3000})
    return {
        "small": write_scenario(small, folder / "small.yaml"),
        "other": write_scenario(
            short_baseline(horizon=40.0, warm_up=10.0, **{"arrivals.annual_referrals": 2500}),
            folder / "other.yaml",
        ),
    }


def _run(scenario: Path, out: Path, reps: int, *extra: str) -> int:
    return main(["run", str(scenario), "--reps", str(reps), "--jobs", "1", "--out", str(out),
                 "--json", *extra])  # fmt: skip


def _report(folder: Path, out: Path) -> int:
    return main(["report", str(folder), "--out", str(out)])


def test_a_rerun_of_another_scenario_is_refused_and_overwrite_starts_clean(
    scenarios: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    out = tmp_path / "run"
    assert _run(scenarios["small"], out, 2) == 0
    capsys.readouterr()
    assert _run(scenarios["other"], out, 1) == 2
    err = capsys.readouterr().err
    assert f"{out / MANIFEST_NAME}" in err and "--overwrite" in err
    assert (
        out / "events-rep001" / "barrier_tested.parquet"
    ).exists()  # refused: nothing was touched

    assert _run(scenarios["other"], out, 1, "--overwrite") == 0
    assert not (
        out / "events-rep001" / "barrier_tested.parquet"
    ).exists()  # the other run's files are gone
    manifest = read_manifest(out)
    assert manifest is not None and manifest["complete"] is True
    assert verify(out, manifest) == {}
    assert sorted(manifest["files"]) == sorted(
        p.relative_to(out).as_posix()
        for p in out.rglob("*")
        if p.is_file() and p.name != MANIFEST_NAME
    )


def test_out_naming_a_file_is_a_usage_error(
    scenarios: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    target = tmp_path / "results.txt"
    target.write_text("not a folder")
    assert _run(scenarios["small"], target, 1) == 2
    assert "is a file, not a folder" in capsys.readouterr().err
    assert target.read_text() == "not a folder"


def test_a_truncated_event_log_is_named_skipped_and_run_again(
    scenarios: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    out = tmp_path / "run"
    assert _run(scenarios["small"], out, 2) == 0
    log = out / "events-rep001" / "barrier_tested.parquet"
    original = log.read_bytes()
    log.write_bytes(original[: len(original) // 3])
    capsys.readouterr()

    assert _report(out, tmp_path / "report") == 0
    err = capsys.readouterr().err
    assert "events-rep001" in err and "skipped" in err
    page = (tmp_path / "report" / "report.html").read_text()
    assert re.search(r"\b1 replication\b", page)  # the suspect replication was left out

    # Rerunning the same command runs that replication again: the same bytes come back.
    assert _run(scenarios["small"], out, 2) == 0
    assert "events-rep001" in capsys.readouterr().err
    assert log.read_bytes() == original
    manifest = read_manifest(out)
    assert manifest is not None and verify(out, manifest) == {}


def _sweep(scenario: Path, out: Path, reps: int) -> int:
    return main(["sweep", str(scenario), "--vary", "staff.experienced.count=9,11", "--reps",
                 str(reps), "--jobs", "1", "--out", str(out)])  # fmt: skip


def test_edited_and_swapped_sweep_results_are_named_and_run_again(
    scenarios: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    out = tmp_path / "sweep"
    assert _sweep(scenarios["small"], out, 2) == 0
    results = out / "results"
    first, second = results / "p000" / "rep-0000.json.gz", results / "p001" / "rep-0000.json.gz"
    kept = {p: p.read_bytes() for p in (first, second)}
    third = results / "p000" / "rep-0001.json.gz"
    third.write_bytes(gzip.compress(b"{}"))  # a hand-made file: valid gzip, no results
    swap = tmp_path / "swap"
    shutil.move(first, swap)
    shutil.move(second, first)
    shutil.move(swap, second)
    capsys.readouterr()

    assert _report(out, tmp_path / "report") == 0
    err = capsys.readouterr().err
    for path in (first, second, third):
        assert str(path) in err
    assert _sweep(scenarios["small"], out, 2) == 0
    err = capsys.readouterr().err
    assert str(third) in err
    assert first.read_bytes() == kept[first] and second.read_bytes() == kept[second]
    manifest = read_manifest(out)
    assert manifest is not None and verify(out, manifest) == {}


def test_report_of_a_one_replication_sweep_and_of_a_damaged_folder(
    scenarios: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    root = tmp_path / "results"
    assert _sweep(scenarios["small"], root / "sweep", 1) == 0
    broken = root / "broken"
    broken.mkdir()
    (broken / "experiment.json").write_text('{"kind": "sweep", "points": [{"id": "p0')
    (root / "old-run").mkdir()
    (root / "old-run" / "summary.json").write_text("")
    (root / "old-run" / "events-rep000").mkdir()
    (root / "old-run" / "events-rep000" / "schema.json").write_text("")
    capsys.readouterr()

    assert _report(root, tmp_path / "report") == 0
    err = capsys.readouterr().err
    assert str(broken / "experiment.json") in err
    assert str(root / "old-run") in err
    page = (tmp_path / "report" / "report.html").read_text()
    assert "Sweep: sweep" in page

    shutil.rmtree(root / "sweep")
    assert _report(root, tmp_path / "report2") == 2
    assert "no results found" in capsys.readouterr().err
    assert not (tmp_path / "report2").exists()  # nothing left behind by a refused report


def test_a_report_out_folder_has_a_manifest_and_refuses_other_results(
    scenarios: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    assert _run(scenarios["small"], first, 1) == 0
    assert _run(scenarios["other"], second, 1) == 0
    out = tmp_path / "report"
    assert _report(first, out) == 0
    manifest = read_manifest(out)
    assert manifest is not None and manifest["identity"]["command"] == "report"
    assert "report.html" in manifest["files"] and verify(out, manifest) == {}
    assert any(name.endswith(".svg") for name in manifest["files"])
    assert not [p for p in out.rglob(".*") if p.is_file()]  # no temporary files left
    assert _report(first, out) == 0  # the same report again may replace its own files
    capsys.readouterr()

    assert _report(second, out) == 2  # another set of results: refused, nothing touched
    assert "--overwrite" in capsys.readouterr().err
    assert verify(out, read_manifest(out) or {}) == {}
    assert main(["report", str(second), "--out", str(out), "--overwrite"]) == 0
    manifest = read_manifest(out)
    assert manifest is not None and manifest["identity"]["results"] == str(second.resolve())
    assert verify(out, manifest) == {}


def test_overwrite_never_empties_the_current_folder(
    scenarios: dict[str, Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    (tmp_path / "precious.txt").write_text("keep me")
    monkeypatch.chdir(tmp_path)
    assert _run(scenarios["small"], Path("."), 1, "--overwrite") == 2
    assert "will not empty" in capsys.readouterr().err
    assert (tmp_path / "precious.txt").read_text() == "keep me"
