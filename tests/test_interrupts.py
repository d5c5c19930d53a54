"""Ctrl-C and SIGTERM on real `frontdoor` processes: they stop within seconds, leave no
worker behind, exit 130 (143 for SIGTERM), and keep every replication that finished,
which a rerun with the same arguments then reuses."""

from __future__ import annotations

import json
import os
import signal
import threading
import time
from pathlib import Path

import pytest
from experiment_helpers import short_baseline, write_scenario
from process_helpers import alive, cleanup, descendants, interrupt, run, start, wait_for

from analysis.execution import dask_available
from analysis.outputs import read_manifest, verify

REPS = 40  # far more than can finish before the signal: the queue must be dropped


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("scenario")
    small = short_baseline(horizon=45.0, warm_up=15.0, **{"arrivals.annual_referrals": 3000})
    return write_scenario(small, folder / "small.yaml")


def _kept(out: Path) -> list[Path]:
    return sorted((out / "replications").glob("rep*.json.gz"))


def _started_run(args: list[str], out: Path, cwd: Path, *, workers: int):
    """Start `frontdoor run`, wait until its workers exist and one replication is stored."""
    proc = start(args, cwd=cwd)
    pids: set[int] = set()
    try:

        def ready() -> bool:
            pids.update(descendants(proc.pid))
            return len(pids) >= workers and len(_kept(out)) >= 1

        wait_for(ready, timeout=120, what="the first stored replication")
    except BaseException:
        cleanup(proc, pids)
        raise
    return proc, pids


def test_ctrl_c_stops_a_parallel_run_and_keeps_finished_replications(
    scenario: Path, tmp_path: Path
) -> None:
    out = tmp_path / "run"
    args = ["run", str(scenario), "--reps", str(REPS), "--jobs", "2", "--out", str(out)]
    proc, pids = _started_run(args, out, tmp_path, workers=2)
    try:
        code, seconds, err = interrupt(proc, signal.SIGINT)
        assert code == 130, err
        assert seconds < 10, f"took {seconds:.1f}s to stop"
        assert "interrupted" in err and "Traceback" not in err
        assert not alive(pids), "worker processes outlived the interrupted run"
    finally:
        cleanup(proc, pids)
    kept = _kept(out)
    assert 1 <= len(kept) < REPS
    manifest = read_manifest(out)
    assert manifest is not None and manifest["complete"] is False
    # Every file the interrupted run left is complete and vouched for.
    assert not {k: v for k, v in verify(out, manifest).items() if "rep" in k}
    stamps = {p.name: p.stat().st_mtime_ns for p in kept}

    # A rerun with the same arguments and fewer replications reuses what was kept.
    again = run(
        ["run", str(scenario), "--reps", "2", "--jobs", "1", "--out", str(out), "--json"],
        cwd=tmp_path,
    )
    assert again.returncode == 0, again.stderr
    kept_first = [p for p in kept if p.name in ("rep000.json.gz", "rep001.json.gz")]
    for path in kept_first:
        assert path.stat().st_mtime_ns == stamps[path.name], f"{path.name} was run again"
    assert json.loads(again.stdout)["reps"] == 2


def test_ctrl_c_with_one_job_keeps_what_finished(scenario: Path, tmp_path: Path) -> None:
    out = tmp_path / "run"
    args = ["run", str(scenario), "--reps", str(REPS), "--jobs", "1", "--out", str(out)]
    proc, pids = _started_run(args, out, tmp_path, workers=0)
    try:
        code, seconds, err = interrupt(proc, signal.SIGINT)
        assert code == 130, err
        assert seconds < 10
    finally:
        cleanup(proc, pids)
    kept = _kept(out)
    assert kept, "the finished replication was lost"
    # The report reads an interrupted run's finished replications.
    report = run(["report", str(out), "--out", str(tmp_path / "report")], cwd=tmp_path)
    assert report.returncode == 0, report.stderr
    assert "replication" in (tmp_path / "report" / "report.html").read_text()


def test_a_second_ctrl_c_and_sigterm_leave_no_worker_behind(scenario: Path, tmp_path: Path) -> None:
    out = tmp_path / "twice"
    args = ["run", str(scenario), "--reps", str(REPS), "--jobs", "2", "--out", str(out)]
    proc, pids = _started_run(args, out, tmp_path, workers=2)
    try:
        proc.send_signal(signal.SIGINT)
        time.sleep(0.05)
        code, seconds, err = interrupt(proc, signal.SIGINT)
        assert code == 130, err
        assert not alive(pids)
    finally:
        cleanup(proc, pids)

    out = tmp_path / "term"
    args = ["run", str(scenario), "--reps", str(REPS), "--jobs", "2", "--out", str(out)]
    proc, pids = _started_run(args, out, tmp_path, workers=2)
    try:
        code, seconds, err = interrupt(proc, signal.SIGTERM)
        assert code == 143, err
        assert seconds < 10
        assert not alive(pids), "SIGTERM orphaned the workers"
    finally:
        cleanup(proc, pids)
    assert _kept(out)


def test_an_interrupted_sensitivity_analysis_carries_on_where_it_stopped(
    scenario: Path, tmp_path: Path
) -> None:
    out = tmp_path / "sensitivity"
    args = [
        "sensitivity", str(scenario), "--method", "morris", "--n", "6", "--reps", "2",
        "--params", "staff.experienced.count=8:12", "concerns.rate_per_year=0.6:1.8",
        "--jobs", "1", "--out", str(out),
    ]  # fmt: skip
    stored = out / "morris-runs" / "results"
    proc = start(args, cwd=tmp_path)
    try:
        wait_for(lambda: len(list(stored.rglob("rep-*.json.gz"))) >= 2, timeout=180,
                 what="two stored replications")  # fmt: skip
        code, seconds, err = interrupt(proc, signal.SIGINT)
        assert code == 130, err
        assert seconds < 10 and "Traceback" not in err
    finally:
        cleanup(proc, set())
    kept = sorted(stored.rglob("rep-*.json.gz"))
    total = 6 * (2 + 1) * 2  # Morris: n x (parameters + 1) design points, 2 replications
    assert 2 <= len(kept) < total
    stamps = {p: p.stat().st_mtime_ns for p in kept}

    again = run([*args, "--json"], cwd=tmp_path, timeout=600)
    assert again.returncode == 0, again.stderr
    for path, stamp in stamps.items():
        assert path.stat().st_mtime_ns == stamp, f"{path.name} was run again"
    assert len(list(stored.rglob("rep-*.json.gz"))) == total
    assert (out / "morris_indices.csv").exists()
    manifest = read_manifest(out)
    assert manifest is not None and manifest["complete"] is True
    assert verify(out, manifest) == {}


def test_a_cancel_flag_stops_running_replications_not_after_them(tmp_path: Path) -> None:
    """The workbench's Cancel button sets a flag from another thread; the workers running
    a full baseline year (far longer than the wait below) must be ended, not waited for."""
    from analysis.execution import Backend, Cancelled
    from analysis.experiment import comparison_points, run_experiment
    from analysis.store import ExperimentStore
    from sim.loader import load_scenario

    baseline = load_scenario("baseline")
    cancel = threading.Event()
    outcome: list[BaseException | None] = []

    def work() -> None:
        try:
            run_experiment(
                comparison_points([baseline]), 4, 1,
                backend=Backend(kind="processes", jobs=2),
                store=ExperimentStore(tmp_path / "runs"), cancel=cancel,
            )  # fmt: skip
            outcome.append(None)
        except BaseException as exc:  # noqa: B036 - the test reports whatever ended it
            outcome.append(exc)

    already = descendants(os.getpid())  # children of other tests, not ours to judge
    workers: set[int] = set()

    def two_workers() -> bool:
        workers.update(descendants(os.getpid()) - already)
        return len(workers) >= 2

    thread = threading.Thread(target=work, daemon=True)
    thread.start()
    wait_for(two_workers, timeout=60, what="two worker processes")
    cancel.set()
    thread.join(timeout=30)
    assert not thread.is_alive(), "the run went on after the cancel flag was set"
    assert len(outcome) == 1 and isinstance(outcome[0], Cancelled), outcome
    assert not alive(workers), "worker processes outlived the cancelled run"
    assert not list((tmp_path / "runs").rglob("rep-*.json.gz"))  # none had finished
    manifest = read_manifest(tmp_path / "runs")
    assert manifest is not None and manifest["complete"] is False


@pytest.mark.skipif(not dask_available(), reason="needs the dask extra")
def test_ctrl_c_shuts_a_local_dask_cluster_down(scenario: Path, tmp_path: Path) -> None:
    out = tmp_path / "sweep"
    args = [
        "sweep", str(scenario), "--vary", "staff.experienced.count=8,9,10,11",
        "--reps", "10", "--dask-local", "2", "--out", str(out),
    ]  # fmt: skip
    proc = start(args, cwd=tmp_path)
    pids: set[int] = set()
    try:

        def ready() -> bool:
            pids.update(descendants(proc.pid))
            return len(pids) >= 2 and any((out / "results").rglob("rep-*.json.gz"))

        wait_for(ready, timeout=180, what="the first replication on Dask")
        # As at a terminal: the Ctrl-C reaches the command and every worker process.
        code, seconds, err = interrupt(proc, signal.SIGINT, limit=60, group=True)
        assert code == 130, err
        assert seconds < 20, f"took {seconds:.1f}s to stop"
        assert "Traceback" not in err
        wait_for(lambda: not alive(pids), timeout=5, what="the Dask workers to end")
    finally:
        cleanup(proc, pids)
    stored = sorted((out / "results").rglob("rep-*.json.gz"))
    assert 1 <= len(stored) < 40
    # Resuming runs only the missing replications.
    again = run([*args[:-4], "--jobs", "2", "--out", str(out)], cwd=tmp_path, timeout=600)
    assert again.returncode == 0, again.stderr
    assert f"reused {len(stored)} already stored" in " ".join(again.stdout.split())
