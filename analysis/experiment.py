"""Replications of a scenario, one after another or side by side in processes.

Replication i of a scenario runs on the streams of (seed, i). Every scenario in an
experiment uses the same pairs, so replication i of two scenarios sees the same outside
referrals and the same families: common random numbers, and paired comparisons.
Each replication computes its KPIs (and, when asked, writes its event log) where it
ran, so only small results travel between processes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from analysis.kpis import KPI_NAMES, compute_kpis
from analysis.stats import Interval, mean_ci
from analysis.tables import case_rows
from sim.config import Scenario
from sim.model import FrontDoorModel

Progress = Callable[[int], None]


@dataclass(frozen=True)
class ReplicationResult:
    replication: int
    kpis: dict[str, float]
    cases: list[dict[str, Any]] | None = None


def run_replication(
    scenario: Scenario,
    seed: int,
    replication: int,
    *,
    log_dir: str | None = None,
    log_format: str = "csv",
    keep_cases: bool = False,
) -> ReplicationResult:
    """Run replication `replication` of `scenario`; optionally write its log."""
    log = FrontDoorModel(scenario, seed=seed, replication=replication).run()
    if log_dir is not None:
        folder = Path(log_dir)
        folder.mkdir(parents=True, exist_ok=True)
        stem = folder / f"events-rep{replication:03d}"
        if log_format == "parquet":
            log.write_parquet(stem.with_suffix(".parquet"))
        else:
            log.write_csv(stem.with_suffix(".csv"))
    cases = case_rows(log.records) if keep_cases else None
    return ReplicationResult(replication, compute_kpis(log.records), cases)


def run_replications(
    scenario: Scenario,
    reps: int,
    seed: int,
    *,
    jobs: int = 1,
    progress: Progress | None = None,
    **options: Any,
) -> list[ReplicationResult]:
    """Replications 0..reps-1, in order, sequentially (jobs=1) or in processes."""
    if reps < 1:
        raise ValueError("reps must be at least 1")
    results: list[ReplicationResult] = []
    if jobs <= 1 or reps == 1:
        for i in range(reps):
            results.append(run_replication(scenario, seed, i, **options))
            if progress:
                progress(1)
        return results
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        futures = [pool.submit(run_replication, scenario, seed, i, **options) for i in range(reps)]
        for future in futures:
            results.append(future.result())
            if progress:
                progress(1)
    return results


def kpi_frame(results: Sequence[ReplicationResult]) -> pd.DataFrame:
    """One row per replication, one column per KPI."""
    frame = pd.DataFrame([r.kpis for r in results], columns=list(KPI_NAMES))
    frame.insert(0, "replication", [r.replication for r in results])
    return frame


def summarise(frame: pd.DataFrame, confidence: float = 0.95) -> dict[str, Interval]:
    """A t-based interval for each KPI over the replications."""
    out: dict[str, Interval] = {}
    for name in KPI_NAMES:
        values = frame[name].dropna().to_numpy(dtype=float)
        out[name] = (
            mean_ci(values, confidence)
            if len(values)
            else Interval(float("nan"), float("nan"), float("nan"), 0)
        )
    return out
