"""Runs of the workbench: paired replications in the background, shared by every tab.

A run is a comparison of two scenarios (the baseline and the manager's policy) on common
random numbers, made by `analysis.experiment.run_experiment`, the function behind
`frontdoor compare`, into an `ExperimentStore` folder, so `analysis.report.build_report`
writes the same HTML report as `frontdoor report`. A run is known by a key made of both
scenarios' fingerprints, the seed and the replications, so a second tab asking for the
same run joins it instead of starting another.

The registry lives in the app server (one `RunManager` per server process); nothing here
is imported by `sim/`. Work goes to local processes, or to the one Dask scheduler named
when the server started: a page cannot name another machine.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from sim.config import Scenario

Status = Literal["running", "done", "cancelled", "failed"]


class RunCancelled(Exception):
    """Raised inside the progress callback to stop a run the user cancelled (the cancel
    flag also reaches the executor, which stops running replications at once)."""


def run_key(baseline: Scenario, policy: Scenario, seed: int, reps: int) -> str:
    """The run's identity: both scenarios' fingerprints, the seed and the replications."""
    from sim.loader import scenario_hash

    text = json.dumps([scenario_hash(baseline), scenario_hash(policy), seed, reps])
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


@dataclass(kw_only=True)
class Run:
    """One comparison in the background and what it has produced so far."""

    key: str
    baseline: Scenario
    policy: Scenario
    seed: int
    reps: int
    folder: Path
    where: str
    status: Status = "running"
    done: int = 0
    total: int = 0
    error: str | None = None
    result: Any = None  # analysis.experiment.ExperimentResult once done
    report: Path | None = None
    report_error: str | None = None
    animation: Any = None  # a Plotly figure of replication 0 of the policy
    animation_error: str | None = None
    started: float = field(default_factory=time.monotonic)
    finished: float | None = None
    cancel_event: threading.Event = field(default_factory=threading.Event)

    @property
    def active(self) -> bool:
        return self.status == "running"

    def elapsed(self) -> float:
        return (self.finished or time.monotonic()) - self.started

    def fraction(self) -> float:
        return self.done / self.total if self.total else 0.0

    def extras_pending(self) -> bool:
        """The animation or the report is still being made."""
        return self.status == "done" and (
            (self.animation is None and self.animation_error is None)
            or (self.report is None and self.report_error is None)
        )

    def cancel(self) -> None:
        self.cancel_event.set()


class RunManager:
    """Every run of this server, by key; starts each in a thread of its own."""

    def __init__(self, *, workdir: Path, scheduler: str | None = None) -> None:
        self.workdir = workdir
        self.scheduler = scheduler
        self._runs: dict[str, Run] = {}
        self._lock = threading.Lock()

    def backend(self, reps: int) -> Any:
        from analysis.execution import Backend

        if self.scheduler:
            return Backend.choose(scheduler=self.scheduler)
        import os

        # Always worker processes, even on one core: a replication running in this server
        # could not be stopped by the Cancel button.
        return Backend(kind="processes", jobs=max(1, min(os.cpu_count() or 1, 2 * reps)))

    def get(self, key: str) -> Run | None:
        with self._lock:
            return self._runs.get(key)

    def start(self, *, baseline: Scenario, policy: Scenario, seed: int, reps: int) -> Run:
        """The run for these settings: the one already going or done, else a new one."""
        key = run_key(baseline, policy, seed, reps)
        backend = self.backend(reps)
        with self._lock:
            existing = self._runs.get(key)
            if existing is not None and existing.status in ("running", "done"):
                return existing
            run = Run(
                key=key,
                baseline=baseline,
                policy=policy,
                seed=seed,
                reps=reps,
                folder=self.workdir / f"run-{key}-{int(time.time() * 1000)}",
                where=backend.describe(),
            )
            self._runs[key] = run
        thread = threading.Thread(target=_work, args=(run, backend), name=f"run-{key}", daemon=True)
        thread.start()
        return run


def _work(run: Run, backend: Any) -> None:
    """The thread: run the experiment, then write its report."""
    from analysis.execution import Cancelled
    from analysis.experiment import comparison_points, run_experiment
    from analysis.report import build_report
    from analysis.store import ExperimentStore

    def progress(done: int, total: int) -> None:
        run.done, run.total = done, total
        if run.cancel_event.is_set():
            raise RunCancelled

    try:
        points = comparison_points([run.baseline, run.policy])
        run.result = run_experiment(
            points,
            run.reps,
            run.seed,
            backend=backend,
            store=ExperimentStore(run.folder),
            kind="compare",
            progress=progress,
            cancel=run.cancel_event,
        )
        run.finished = time.monotonic()
        run.status = "done"
    except (RunCancelled, Cancelled):
        run.status = "cancelled"
    except Exception as exc:  # shown on the page as one line, never a traceback
        run.error = f"{type(exc).__name__}: {exc}"
        run.status = "failed"
    finally:
        run.finished = run.finished or time.monotonic()
    if run.status == "done":  # the animation and report come after the answer
        _animate(run)
        try:
            run.report, _ = build_report(
                run.folder, title=f"Front Door workbench: {run.policy.name}"
            )
        except Exception as exc:
            run.report_error = f"{type(exc).__name__}: {exc}"


def _animate(run: Run) -> None:
    """The front-door animation of the policy's first replication."""
    from frontdoor.workbench.animation import front_door_figure, replication_cases

    try:
        cases = replication_cases(run.policy, run.seed, 0)
        run.animation = front_door_figure(
            cases,
            f"{run.policy.name}, replication 1 of seed {run.seed}: the front door by day",
            start_day=run.policy.run.warm_up_days,
        )
    except Exception as exc:
        run.animation_error = f"{type(exc).__name__}: {exc}"
