"""Replications of a scenario, one after another or side by side in processes.

Replication i of a scenario runs on the streams of (seed, i). Every scenario in an
experiment uses the same pairs, so replication i of two scenarios sees the same outside
referrals and the same families: common random numbers, and paired comparisons.
Each replication computes its KPIs (and, when asked, writes its event log) where it
ran, so only small results travel between processes.

An experiment (`run_experiment`) runs several scenarios (the files of a comparison, the
grid of a sweep) on any backend (sequential, processes, Dask), stores each replication's
digest as it finishes and reuses stored ones; `kpi_intervals` and `paired_differences`
turn the digests into the tables managers read.
"""

from __future__ import annotations

import math
import os
import shutil
import threading
from collections.abc import Callable, Sequence
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol
from typing import cast as typed

import numpy as np
import pandas as pd

from analysis.digest import digest_log, run_digest
from analysis.execution import Backend, Task, execute
from analysis.intervals import interval_method, kpi_interval
from analysis.kpis import COUNT_KPIS, HIGHER_IS_BETTER, KPI_NAMES, KpiReducer
from analysis.outputs import _temporary_name
from analysis.stats import Comparison, Interval
from analysis.steady import StageLoads
from analysis.store import ExperimentStore
from analysis.tables import CaseRows
from sim.config import Scenario
from sim.loader import ScenarioError, scenario_hash, scenario_with
from sim.model import FrontDoorModel

Progress = Callable[[int], None]


class Labelled(Protocol):
    """Anything with a point id and a label: a `Point`, or a report's scenario."""

    @property
    def id(self) -> str: ...

    @property
    def label(self) -> str: ...


@dataclass(frozen=True)
class ReplicationResult:
    replication: int
    kpis: dict[str, float]
    cases: list[dict[str, Any]] | None = None
    digest: dict[str, Any] | None = None
    loads: dict[str, list[float]] | None = None  # stage: [offered load, capacity]


def run_replication(
    scenario: Scenario,
    seed: int,
    replication: int,
    *,
    log_dir: str | None = None,
    log_format: str = "parquet",
    keep_cases: bool = False,
    keep_digest: bool = False,
) -> ReplicationResult:
    """Run replication `replication` of `scenario`; optionally write its log (atomically:
    its folder of tables is written under a temporary name and renamed when complete) and
    keep its cases and digest (with `keep_digest`, or whenever the log is written).

    The KPIs (and case rows) are reduced from the records as the run makes them; the
    log itself is kept only when it is to be written or digested.
    """
    model = FrontDoorModel(scenario, seed=seed, replication=replication)
    kpis = KpiReducer(costs=scenario.costs)
    model.log.subscribe(kpis)
    loads = StageLoads(scenario)
    model.log.subscribe(loads)
    cases = CaseRows() if keep_cases else None
    if cases is not None:
        model.log.subscribe(cases)
    if log_dir is None and not keep_digest:
        model.log.stop_keeping()
    log = model.run()
    model.release()
    digest = None
    if log_dir is not None:
        target = Path(log_dir) / f"events-rep{replication:03d}"
        tmp = _temporary_name(target)
        if tmp.exists():
            shutil.rmtree(tmp)
        log.write(str(tmp.parent), tmp.name, log_format)
        if target.exists():
            shutil.rmtree(target)
        os.replace(tmp, target)
    if log_dir is not None or keep_digest:
        digest = _digest(scenario, log.records)
    return ReplicationResult(
        replication, kpis.result(), cases.rows() if cases else None, digest, loads.result()
    )


def _digest(scenario: Scenario, records: Any) -> dict[str, Any]:
    from analysis.digest import warm_up_method

    return digest_log(
        records,
        warm_up=warm_up_method(scenario),
        horizon_days=scenario.run.horizon_days,
        costs=scenario.costs,
    )


def replication_task(
    scenario: Scenario, seed: int, replication: int, options: dict[str, Any]
) -> ReplicationResult:
    """`run_replication` with its options as one argument, the shape `Task` calls."""
    return run_replication(scenario, seed, replication, **options)


def run_replications(
    scenario: Scenario,
    reps: int,
    seed: int,
    *,
    jobs: int = 1,
    progress: Progress | None = None,
    backend: Backend | None = None,
    skip: Sequence[int] = (),
    on_result: Callable[[ReplicationResult], None] | None = None,
    **options: Any,
) -> list[ReplicationResult]:
    """Replications 0..reps-1 (but `skip`), returned in order, on `backend` (default:
    sequential for jobs=1, else processes). `on_result` sees each as it finishes, so a
    caller can store it at once and an interrupt loses only unfinished replications."""
    if reps < 1:
        raise ValueError("reps must be at least 1")
    if backend is None:
        backend = Backend.choose(jobs=1 if reps == 1 else jobs)
    tasks = [
        Task(key=i, fn=replication_task, args=(scenario, seed, i, options))
        for i in range(reps)
        if i not in set(skip)
    ]
    results: list[ReplicationResult] = []
    with closing(execute(tasks, backend)) as finished:
        for _key, result in finished:
            results.append(result)
            if on_result:
                on_result(result)
            if progress:
                progress(1)
    return sorted(results, key=lambda r: r.replication)


def kpi_frame(results: Sequence[ReplicationResult]) -> pd.DataFrame:
    """One row per replication, one column per KPI."""
    frame = pd.DataFrame([r.kpis for r in results], columns=list(KPI_NAMES))
    frame.insert(0, "replication", [r.replication for r in results])
    return frame


def summarise(frame: pd.DataFrame, confidence: float = 0.95) -> dict[str, Interval]:
    """An interval for each KPI over the replications, of the KPI's nature
    (`analysis.intervals`: logit scale for shares, log scale for the rest)."""
    out: dict[str, Interval] = {}
    for name in KPI_NAMES:
        values = frame[name].dropna().to_numpy(dtype=float)
        out[name] = kpi_interval(name, values, confidence)
    return out


# ---------------------------------------------------------------------------
# Experiments over several scenarios: comparisons and sweeps
# ---------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class Point:
    """One scenario of an experiment: a file in a comparison, a grid point in a sweep."""

    id: str
    label: str
    scenario: Scenario
    changes: tuple[tuple[str, Any], ...] = ()


@dataclass(frozen=True, kw_only=True)
class ExperimentResult:
    """Digests of every replication of every point (replication i of each on (seed, i))."""

    points: tuple[Point, ...]
    reps: int
    seed: int
    warm_up: str
    digests: dict[str, list[dict[str, Any]]]
    ran: int = 0  # replications run now (the rest came from the store)

    def labels(self) -> list[str]:
        return [p.label for p in self.points]

    def kpi_frame(self, *, per_year: bool = False) -> pd.DataFrame:
        """One row per point and replication, one column per KPI (and per varied field).

        Count KPIs are over each replication's measured period, or with `per_year` per
        year of it (see `per_year_kpis`).
        """
        rows = []
        fields = [name for name, _ in self.points[0].changes] if self.points else []
        for point in self.points:
            for i, digest in enumerate(self.digests[point.id]):
                row: dict[str, Any] = {"point": point.id, "scenario": point.label}
                row.update(dict(point.changes))
                row["replication"] = i
                row.update(per_year_kpis(digest) if per_year else digest["kpis"])
                rows.append(row)
        columns = ["point", "scenario", *fields, "replication", *KPI_NAMES]
        return pd.DataFrame(rows, columns=columns)


def per_year_kpis(digest: dict[str, Any]) -> dict[str, float]:
    """A digest's KPIs with the counts scaled to a year (365 days) of measured time; a KPI
    an older stored digest lacks (such as `cost_per_year`) is NaN."""
    days = float(digest.get("counts_over_days", digest.get("measured_days", 365.0)))
    scale = 365.0 / days if days > 0 else float("nan")
    kpis = {name: float("nan") for name in KPI_NAMES} | digest["kpis"]  # older digests
    return {k: (v * scale if k in COUNT_KPIS else v) for k, v in kpis.items()}


def unique_labels(names: Sequence[str]) -> list[str]:
    """Names made unique by a suffix, so two files named alike stay apart in tables."""
    seen: dict[str, int] = {}
    out = []
    for name in names:
        seen[name] = seen.get(name, 0) + 1
        out.append(name if seen[name] == 1 else f"{name} #{seen[name]}")
    return out


def comparison_points(scenarios: Sequence[Scenario]) -> list[Point]:
    labels = unique_labels([s.name for s in scenarios])
    return [
        Point(id=f"s{i:02d}", label=label, scenario=s)
        for i, (label, s) in enumerate(zip(labels, scenarios, strict=True))
    ]


def parse_value(text: str) -> Any:
    """A --vary value: a whole number, a number, true/false, null, else the text itself."""
    lowered = text.strip().lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    if lowered in ("null", "none"):
        return None
    for cast in (int, float):
        try:
            return cast(text)
        except ValueError:
            pass
    return text.strip()


def parse_vary(spec: str) -> tuple[str, list[Any]]:
    """`FIELD.PATH=V1,V2,...` into the path and its values."""
    path, sep, values = spec.partition("=")
    path = path.strip()
    if not sep or not path or not values.strip():
        raise ValueError(f"--vary needs FIELD.PATH=V1,V2,..., got {spec!r}")
    parsed = [parse_value(v) for v in values.split(",") if v.strip()]
    if not parsed:
        raise ValueError(f"--vary {path} lists no values")
    return path, parsed


def changed_scenario(base: Scenario, changes: dict[str, Any]) -> Scenario:
    """`scenario_with`, with a path that leads nowhere reported as a ScenarioError too."""
    try:
        return scenario_with(base, changes)
    except (KeyError, IndexError, TypeError, ValueError) as exc:
        if isinstance(exc, ScenarioError):
            raise
        paths = ", ".join(changes)
        raise ScenarioError(
            path="<changes>", message=f"no such field to change ({exc})", field=paths
        ) from None


def sweep_points(base: Scenario, vary: Sequence[tuple[str, Sequence[Any]]]) -> list[Point]:
    """Every combination of the varied values (the grid), each a validated scenario.

    A value that does not fit its field is a `ScenarioError` naming the field.
    """
    import itertools

    paths = [path for path, _ in vary]
    if len(set(paths)) != len(paths):
        raise ValueError("each field may be varied only once")
    points = []
    for i, combo in enumerate(itertools.product(*(values for _, values in vary))):
        changes = tuple(zip(paths, combo, strict=True))
        scenario = changed_scenario(base, dict(changes))
        label = ", ".join(f"{p}={v}" for p, v in changes) or base.name
        points.append(Point(id=f"p{i:03d}", label=label, scenario=scenario, changes=changes))
    return points


def experiment_manifest(
    kind: str, points: Sequence[Point], reps: int, seed: int, warm_up: str
) -> dict[str, Any]:
    return {
        "kind": kind,
        "seed": seed,
        "reps": reps,
        "warm_up": warm_up,
        "points": [
            {
                "id": p.id,
                "label": p.label,
                "scenario": p.scenario.name,
                "scenario_hash": scenario_hash(p.scenario),
                "changes": [[path, value] for path, value in p.changes],
            }
            for p in points
        ],
    }


def run_experiment(
    points: Sequence[Point],
    reps: int,
    seed: int,
    *,
    backend: Backend | None = None,
    store: ExperimentStore | None = None,
    kind: str = "compare",
    warm_up: str = "auto",
    progress: Callable[[int, int], None] | None = None,
    client: Any | None = None,
    cancel: threading.Event | None = None,
) -> ExperimentResult:
    """Run replications 0..reps-1 of every point, skipping those already in `store`.

    Replication i of every point runs on (seed, i): common random numbers. Each digest
    is saved to the store the moment it arrives. `progress(done, total)` is called
    once with (0, total) and then after each replication run now. Setting `cancel`
    stops the running replications (`analysis.execution.Cancelled`); what finished is
    kept in the store.
    """
    if reps < 1:
        raise ValueError("reps must be at least 1")
    if not points:
        raise ValueError("an experiment needs at least one scenario")
    backend = backend or Backend()
    digests: dict[str, list[dict[str, Any] | None]] = {p.id: [None] * reps for p in points}
    if store is not None:
        store.open(experiment_manifest(kind, points, reps, seed, warm_up))
        for p in points:
            for i in range(reps):
                digests[p.id][i] = store.load(p.id, i)
    by_id = {p.id: p for p in points}
    tasks = [
        Task(key=(p.id, i), fn=run_digest, args=(by_id[p.id].scenario, seed, i, warm_up))
        for p in points
        for i in range(reps)
        if digests[p.id][i] is None
    ]
    total = len(tasks)
    if progress:
        progress(0, total)
    done = 0
    try:
        with closing(execute(tasks, backend, client=client, cancel=cancel)) as finished:
            for key, digest in finished:
                point_id, i = typed(tuple[str, int], key)
                digests[point_id][i] = digest
                if store is not None:
                    store.save(point_id, i, digest)
                done += 1
                if progress:
                    progress(done, total)
    finally:
        if store is not None:
            store.close(complete=done == total)
    complete = {pid: [d for d in ds if d is not None] for pid, ds in digests.items()}
    return ExperimentResult(
        points=tuple(points), reps=reps, seed=seed, warm_up=warm_up, digests=complete, ran=done
    )


def _paired_values(frame: pd.DataFrame, points: Sequence[Labelled], kpi: str) -> pd.DataFrame:
    """Replications x points for one KPI, keeping only replications finite in every point."""
    wide = frame.pivot(index="replication", columns="point", values=kpi)
    wide = wide[[p.id for p in points]].astype(float)
    return wide[np.isfinite(wide).all(axis=1)]


def kpi_intervals(result: ExperimentResult, confidence: float = 0.95) -> pd.DataFrame:
    """Mean and interval of every KPI for every point: one row per (kpi, scenario).

    The interval is of the KPI's nature (`analysis.intervals`), named in `method`;
    counts are per year of measured time.
    """
    frame = result.kpi_frame(per_year=True)
    rows = []
    for kpi in KPI_NAMES:
        for point in result.points:
            values = frame.loc[frame["point"] == point.id, kpi].astype(float)
            values = values[np.isfinite(values)]
            iv = kpi_interval(kpi, values.to_numpy(), confidence)
            rows.append(
                {
                    "kpi": kpi,
                    "scenario": point.label,
                    "mean": iv.mean,
                    "ci_low": iv.ci_low,
                    "ci_high": iv.ci_high,
                    "n": iv.n,
                    "method": interval_method(kpi),
                }
            )
    columns = ["kpi", "scenario", "mean", "ci_low", "ci_high", "n", "method"]
    return pd.DataFrame(rows, columns=columns)


def plain_verdict(comparison: Comparison, higher_is_better: bool | None) -> str:
    """better / worse / no detectable difference; higher / lower for KPIs with no good side."""
    if higher_is_better is None:
        if comparison.interval.ci_low > 0:
            return "higher"
        if comparison.interval.ci_high < 0:
            return "lower"
        return "no detectable difference"
    return comparison.verdict(higher_is_better)


def paired_differences(
    result: ExperimentResult, confidence: float = 0.95, method: str = "holm"
) -> pd.DataFrame:
    """Each scenario minus the first, paired by replication, for every KPI.

    With several alternatives the intervals are widened (Bonferroni) so they hold
    together at `confidence`, and p-values are adjusted (`method`: holm or bonferroni).
    Beside the t interval stand a Wilcoxon signed-rank test, the verdict and what it
    rests on, the minimal detectable difference and the replications a meaningful
    difference needs (`analysis.verdicts`). Counts are per year of measured time.
    """
    return differences_of_frame(
        result.kpi_frame(per_year=True), result.points, confidence=confidence, method=method
    )


def differences_of_frame(
    frame: pd.DataFrame,
    points: Sequence[Labelled],
    *,
    confidence: float = 0.95,
    method: str = "holm",
) -> pd.DataFrame:
    """`paired_differences` of a per-replication KPI frame (columns point, replication and
    the KPIs), for `points` (each with an id and a label) in order, the first the base."""
    from analysis.verdicts import DIFFERENCE_COLUMNS, compare_kpi

    base, others = points[0], points[1:]
    columns = list(DIFFERENCE_COLUMNS)
    rows = []
    for kpi in KPI_NAMES:
        if not others:
            break
        wide = _paired_values(frame, points, kpi)
        if len(wide) < 2:
            for point in others:
                rows.append(dict.fromkeys(columns) | {"kpi": kpi, "scenario": point.label})
            continue
        rows.extend(
            compare_kpi(
                kpi,
                wide[base.id].to_numpy(),
                {p.label: wide[p.id].to_numpy() for p in others},
                higher_is_better=HIGHER_IS_BETTER[kpi],
                confidence=confidence,
                method=method,  # type: ignore[arg-type]
            )
        )
    if others:
        rows.extend(_cost_per_harm_rows(frame, points, confidence))
    return pd.DataFrame(rows, columns=columns)


def _cost_per_harm_rows(
    frame: pd.DataFrame, points: Sequence[Labelled], confidence: float
) -> list[dict[str, Any]]:
    """Each alternative's extra cost a year per child harmed averted a year, against the
    first scenario, with Fieller's interval (`analysis.costs`); none without costs."""
    from analysis.costs import cost_per_harm_averted

    cost = _paired_values(frame, points, "cost_per_year")
    harm = _paired_values(frame, points, "harm_false_negative").loc[cost.index]
    if len(cost) < 2:
        return []
    base = points[0].id
    rows = []
    for point in points[1:]:
        ratio = cost_per_harm_averted(
            (cost[point.id] - cost[base]).to_numpy(),
            (harm[base] - harm[point.id]).to_numpy(),
            confidence,
        )
        rows.append(
            {
                "kpi": "cost_per_harm_averted",
                "scenario": point.label,
                "mean": ratio.ratio,
                "ci_low": ratio.ci_low,
                "ci_high": ratio.ci_high,
                "n": ratio.n,
                "interval_confidence": confidence,
                "verdict": "estimated" if math.isfinite(ratio.ci_low) else "not estimable",
                "rests_on": "Fieller interval",
                "warning": ratio.note,
            }
        )
    return rows
