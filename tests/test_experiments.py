"""Experiments: honest intervals, paired comparisons, identical results on every backend,
sweeps that resume after an interrupt and survive losing a Dask worker."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from experiment_helpers import canonical, short_baseline, write_scenario
from process_helpers import default_interrupt
from scipy import stats as sps

from analysis.digest import run_digest
from analysis.execution import Backend, Task, dask_client, execute
from analysis.experiment import (
    comparison_points,
    kpi_intervals,
    paired_differences,
    parse_vary,
    run_experiment,
    sweep_points,
)
from analysis.stats import erlang_c_probability_wait, mean_ci
from analysis.store import ExperimentStore, StoreMismatch
from frontdoor.cli import main
from sim.config import Scenario
from sim.events import EventKind
from sim.loader import scenario_with
from sim.model import FrontDoorModel
from sim.verification import mmc_scenario

# --------------------------------------------------------------------------- functional


def share_waiting(scenario: Scenario, warm_up: float, seed: int, rep: int) -> float:
    """Share of M/M/c customers (after a warm-up) who had to wait for a worker."""
    log = FrontDoorModel(scenario, seed=seed, replication=rep).run()
    waited = [
        r.wait_days > 0 for r in log.records if r.kind is EventKind.ALLOCATED and r.time >= warm_up
    ]
    return float(np.mean(waited))


def test_interval_coverage_on_mmc_matches_erlang_c() -> None:
    """95% intervals over 4 replications cover Erlang C's probability of waiting about
    95% of the time (100 intervals), and the pooled mean agrees with the theory."""
    lam, servers, per, intervals = 1.0, 2, 4, 100
    truth = erlang_c_probability_wait(lam, 1.0, servers)
    warm_up = 15.0
    scenario = scenario_with(
        mmc_scenario(arrival_rate=lam, service_rate=1.0, servers=servers, customers=150),
        {"run.warm_up_days": warm_up},
    )
    tasks = [
        Task(key=i, fn=share_waiting, args=(scenario, warm_up, 2024, i))
        for i in range(per * intervals)
    ]
    values = dict(execute(tasks, Backend.choose(jobs=2)))
    v = np.array([values[i] for i in range(per * intervals)])
    covered = sum(mean_ci(v[i : i + per]).contains(truth) for i in range(0, len(v), per))
    # The lowest count a true 95% coverage gives with probability 0.999.
    floor = sps.binom.ppf(0.001, intervals, 0.95)
    assert floor <= covered < intervals, (covered, floor)
    pooled = mean_ci(v, 0.999)
    assert pooled.contains(truth), (pooled, truth)


def test_common_random_numbers_shrink_the_variance_of_differences() -> None:
    base = short_baseline(**{"arrivals.annual_referrals": 5000})
    fewer = short_baseline(
        **{"arrivals.annual_referrals": 5000, "staff.experienced.count": 20, "name": "fewer"}
    )
    reps = 6
    paired = run_experiment(comparison_points([base, fewer]), reps, 3, backend=Backend(jobs=1))
    apart = run_experiment(comparison_points([fewer]), reps, 999, backend=Backend(jobs=1))
    # KPIs made of many events. Incidents graded harm now number a handful per 60-day run
    # (censored errors are no longer counted as outcomes), and the variance of six
    # differences of a handful is noise either way.
    for kpi in ("unallocated_mean", "near_miss_prevented", "caseload_per_worker_mean"):
        a = np.array([d["kpis"][kpi] for d in paired.digests["s00"]])
        b = np.array([d["kpis"][kpi] for d in paired.digests["s01"]])
        c = np.array([d["kpis"][kpi] for d in apart.digests["s00"]])
        assert np.var(b - a, ddof=1) < np.var(c - a, ddof=1), kpi
    differences = paired_differences(paired).set_index("kpi")
    # Five fewer experienced workers make the backlog worse, detectably.
    assert differences.loc["unallocated_mean", "verdict"] == "worse"
    assert differences.loc["unallocated_mean", "ci_low"] > 0
    intervals = kpi_intervals(paired)
    assert set(intervals["scenario"]) == {"baseline", "fewer"}


def test_sweep_grid_and_vary_parsing() -> None:
    assert parse_vary("staff.experienced.count=9,11") == ("staff.experienced.count", [9, 11])
    assert parse_vary("policy=fifo,need-weighted")[1] == ["fifo", "need-weighted"]
    with pytest.raises(ValueError):
        parse_vary("staff.experienced.count")
    points = sweep_points(
        short_baseline(),
        [("staff.experienced.count", [9, 11]), ("policy", ["fifo", "need-weighted"])],
    )
    assert len(points) == 4
    assert [p.scenario.staff.groups[4].count for p in points] == [9, 9, 11, 11]
    assert points[1].scenario.policy == "need-weighted"


# --------------------------------------------------------------------------- deterministic


def test_sequential_processes_and_dask_give_identical_results() -> None:
    tiny = short_baseline(horizon=20.0, warm_up=10.0)
    points = comparison_points([tiny, short_baseline(horizon=20.0, warm_up=10.0, policy="fifo")])
    results = [
        run_experiment(points, 3, 42, backend=backend).digests
        for backend in (
            Backend(),
            Backend.choose(jobs=2),
            Backend.choose(dask_local=2),
        )
    ]
    assert canonical(results[0]) == canonical(results[1]) == canonical(results[2])


def test_dask_sweep_survives_a_killed_worker(tmp_path: Path) -> None:
    """A worker process is killed while replications run; the scheduler runs its tasks
    elsewhere, the sweep completes and every result equals a sequential run's."""
    tiny = short_baseline(horizon=40.0, warm_up=20.0)
    points = sweep_points(tiny, [("staff.experienced.count", [9, 11])])
    reps = 5
    killed: list[int] = []
    with dask_client(Backend(kind="dask", dask_local=2)) as client:
        pids = client.run(os.getpid)
        victim = sorted(pids.values())[0]

        def progress(done: int, total: int) -> None:
            if done == 1 and not killed:
                os.kill(victim, signal.SIGKILL)
                killed.append(victim)

        survived = run_experiment(
            points,
            reps,
            7,
            backend=Backend(kind="dask", dask_local=2),
            store=ExperimentStore(tmp_path / "sweep"),
            kind="sweep",
            progress=progress,
            client=client,
        )
        after = set(client.run(os.getpid).values())
    assert killed and victim not in after  # the worker was really gone and replaced
    expected = run_experiment(points, reps, 7, backend=Backend())
    assert survived.ran == len(points) * reps
    assert canonical(survived.digests) == canonical(expected.digests)


def test_interrupted_sweep_resumes_without_redoing_work(tmp_path: Path) -> None:
    scenario_file = write_scenario(short_baseline(), tmp_path / "small.yaml")
    out = tmp_path / "sweep"
    args = [
        "sweep",
        str(scenario_file),
        "--vary",
        "staff.experienced.count=9,11",
        "--reps",
        "5",
        "--seed",
        "3",
        "--jobs",
        "1",
        "--out",
        str(out),
    ]
    proc = subprocess.Popen(
        [sys.executable, "-m", "frontdoor.cli", *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        cwd=tmp_path,  # import the project as this test does, not from the working folder
        # A shell starts background jobs with SIGINT ignored, and the sweep would inherit
        # that: give it the Ctrl-C a user at a terminal has.
        preexec_fn=default_interrupt,
    )
    deadline = time.monotonic() + 120
    while len(list(out.glob("results/*/rep-*.json.gz"))) < 2:
        assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
        assert time.monotonic() < deadline
        time.sleep(0.02)
    proc.send_signal(signal.SIGINT)
    assert proc.wait(timeout=60) == 130
    done_before = len(list(out.glob("results/*/rep-*.json.gz")))
    assert 2 <= done_before < 10
    assert not list(out.glob("results/*/.*tmp*"))  # no half-written file left behind

    store = ExperimentStore(out)
    points = sweep_points(short_baseline(), [("staff.experienced.count", [9, 11])])
    ran = []
    result = run_experiment(
        points,
        5,
        3,
        store=store,
        kind="sweep",
        progress=lambda done, total: ran.append(total),
    )
    assert ran[0] == 10 - done_before  # only the missing replications ran
    assert result.ran == 10 - done_before
    assert len(list(out.glob("results/*/rep-*.json.gz"))) == 10
    for point in points:
        for i in (0, 4):
            assert canonical(store.load(point.id, i)) == canonical(run_digest(point.scenario, 3, i))
    # The same command again finds everything done and runs nothing.
    assert main(args) == 0


def test_a_folder_holding_another_experiment_is_refused(tmp_path: Path) -> None:
    store = ExperimentStore(tmp_path)
    tiny = short_baseline(horizon=10.0, warm_up=0.0)
    run_experiment(comparison_points([tiny]), 1, 1, store=store)
    other = short_baseline(horizon=12.0, warm_up=0.0)
    with pytest.raises(StoreMismatch):
        run_experiment(comparison_points([other]), 1, 1, store=store)
    with pytest.raises(StoreMismatch):
        run_experiment(comparison_points([tiny]), 1, 2, store=store)
    # More replications of the same experiment reuse the stored one.
    more = run_experiment(comparison_points([tiny]), 2, 1, store=store)
    assert more.ran == 1
