"""How many replications a chosen precision needs: the two methods side by side.

The confidence-interval method runs a pilot and solves t * s / sqrt(n) <= half-width
for n. The Hoad-Robinson-Davies algorithm adds replications one at a time until the
interval's half-width is within the target and stays there for a look-ahead. Both use
replications 0, 1, 2, ... of the same seed, so the pilot's replications are reused by
the second method; replications run in batches on the chosen backend, and because
replication i is the same wherever it runs, the answer is the one a sequential run gives.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from typing import cast

import pandas as pd

from analysis.digest import run_digest
from analysis.execution import Backend, Task, execute, session
from analysis.kpis import KPI_NAMES
from analysis.stats import hoad_robinson_davies, mean_ci, replications_needed_ci
from sim.config import Scenario


class KpiNotMeasured(ValueError):
    """A replication gave no value for the KPI (e.g. no case was allocated)."""


def replications_needed(
    scenario: Scenario,
    kpi: str,
    half_width: float,
    *,
    seed: int = 1,
    pilot: int = 10,
    max_reps: int = 200,
    confidence: float = 0.95,
    backend: Backend | None = None,
    warm_up: str = "auto",
    progress: Callable[[int], None] | None = None,
) -> pd.DataFrame:
    """Replications needed for a `half_width` interval on `kpi`, by both methods.

    Columns: method, replications, mean, half_width (achieved with that many
    replications: for the confidence-interval method the recommended count is run,
    within `max_reps`, and its half-width measured; NaN when beyond `max_reps`),
    replications_run, confirmed (the achieved half-width is within the target).
    """
    if kpi not in KPI_NAMES:
        raise ValueError(f"no KPI named {kpi!r}; known: {', '.join(KPI_NAMES)}")
    if pilot < 2:
        raise ValueError("the pilot needs at least 2 replications")
    backend = backend or Backend()
    batch = max(1, backend.jobs if backend.kind == "processes" else 4)
    values: dict[int, float] = {}

    def fetch(first: int, count: int) -> None:
        tasks = [
            Task(key=i, fn=run_digest, args=(scenario, seed, i, warm_up))
            for i in range(first, first + count)
            if i not in values
        ]
        for i, digest in execute(tasks, backend, client=client):
            value = float(digest["kpis"][kpi])
            if not math.isfinite(value):
                raise KpiNotMeasured(
                    f"replication {i} gave no value for {kpi} (nothing to measure in that run)"
                )
            # Task keys are typed Hashable; the keys of these tasks are the ints of range().
            values[int(cast(int, i))] = value
            if progress:
                progress(1)

    def run_one(i: int) -> float:
        if i not in values:
            fetch(i, batch)
        return values[i]

    with session(backend) as client:
        fetch(0, pilot)
        pilot_values = [values[i] for i in range(pilot)]
        n_ci = replications_needed_ci(pilot_values, half_width, confidence)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            n_hrd, hrd_values = hoad_robinson_davies(
                run_one,
                half_width=half_width,
                max_reps=max(max_reps, 3),
                confidence=confidence,
            )
        # The half-width the recommended count achieves, not the pilot's: run up to
        # n_ci replications (within max_reps) and measure it.
        ci_reached = n_ci <= max(max_reps, pilot)
        if ci_reached and n_ci > len(values):
            fetch(0, n_ci)
    confirmed = not any(issubclass(w.category, RuntimeWarning) for w in caught)
    ci_values = [values[i] for i in range(n_ci)] if ci_reached else pilot_values
    ci_interval = mean_ci(ci_values, confidence)
    rows = [
        {
            "method": f"confidence-interval method (pilot of {pilot})",
            "replications": n_ci,
            "mean": ci_interval.mean,
            "half_width": ci_interval.half_width if ci_reached else math.nan,
            "replications_run": max(pilot, n_ci) if ci_reached else pilot,
            "confirmed": bool(ci_reached and ci_interval.half_width <= half_width),
        },
        {
            "method": "Hoad-Robinson-Davies",
            "replications": n_hrd,
            "mean": mean_ci(hrd_values[:n_hrd], confidence).mean,
            "half_width": mean_ci(hrd_values[:n_hrd], confidence).half_width,
            "replications_run": len(hrd_values),
            "confirmed": confirmed,
        },
    ]
    return pd.DataFrame(rows)
