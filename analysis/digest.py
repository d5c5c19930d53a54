"""What one replication leaves behind for experiments and reports: its digest.

An event log is large (some 90,000 records for a simulated year of the baseline team),
so it is read where the replication ran and reduced to a digest: the KPIs; incidents
counted by everything the incident analyses group them by (grade, scale, failed barrier,
the holes that lined up before it, latent conditions, whether it was reported); barrier
tests counted by barrier, outcome and conditions; what each hole in a barrier led to;
and daily and weekly series of the backlog and the waits. A digest is plain JSON, so it
travels between processes and machines and is stored as it is.

Only what happens in the measured period counts, as for the KPIs. When a scenario asks
for MSER-5 (or the caller does), the measured period starts where MSER-5 puts the end of
the warm-up in that replication's daily backlog, and counts are scaled to the scenario's
horizon so that replications and scenarios stay comparable.
"""

from __future__ import annotations

import bisect
import math
from collections import Counter, defaultdict
from collections.abc import Sequence
from typing import Any, Literal

from analysis.kpis import COUNT_KPIS, compute_kpis, run_frame
from analysis.stats import mser5
from analysis.steady import stage_loads
from sim.config import Scenario
from sim.costs import Costs
from sim.events import EventKind, LogRecord
from sim.model import run_scenario
from sim.records import IncidentGraded

WarmUp = Literal["auto", "fixed", "mser5"]
WARM_UP_CHOICES: tuple[str, ...] = ("auto", "fixed", "mser5")

# Fields of the incident cube, in order; each row is these values and a count.
INCIDENT_FIELDS: tuple[str, ...] = (
    "incident",
    "grade",
    "scale",
    "harm_type",
    "failed_barrier",
    "caught_by",
    "noticed_by",
    "holes",
    "conditions",
    "active_failure",
    "censored",
    "reported",
    "seen_by_senior_managers",
)
BARRIER_FIELDS: tuple[str, ...] = ("barrier", "held", "conditions", "active_failure")
HOLE_FIELDS: tuple[str, ...] = ("barrier", "outcome")
# How holes and condition sets are written in one string (a JSON-friendly key).
HOLE_JOIN = " > "
CONDITION_JOIN = " + "
NO_CONDITIONS = "(none)"
_EPS = 1e-9


def warm_up_method(scenario: Scenario, requested: str = "auto") -> str:
    """The warm-up rule for a run: the caller's, else the scenario's, else a fixed warm-up.

    Scenarios may say `run.warm_up: mser5`; older scenarios without the field keep the
    fixed `run.warm_up_days`.
    """
    if requested not in WARM_UP_CHOICES:
        raise ValueError(f"warm-up must be one of {', '.join(WARM_UP_CHOICES)}, got {requested!r}")
    if requested != "auto":
        return requested
    method = getattr(scenario.run, "warm_up", "fixed")
    return "mser5" if method == "mser5" else "fixed"


def daily_backlog(records: Sequence[LogRecord], end: float) -> list[float]:
    """Cases waiting for allocation, averaged over each whole day 0, 1, ... of the run."""
    days = max(1, math.ceil(end - _EPS))
    area = [0.0] * days
    level = 0
    last = 0.0

    def accrue(upto: float) -> None:
        nonlocal last
        t = last
        while t < upto - _EPS:
            day = int(t + _EPS)
            if day >= days:
                break
            step_end = min(upto, day + 1.0)
            area[day] += level * (step_end - t)
            t = step_end
        last = max(last, upto)

    for r in records:
        if r.kind is EventKind.QUEUED:
            accrue(r.time)
            level += 1
        elif r.kind is EventKind.ALLOCATED:
            accrue(r.time)
            level -= 1
    accrue(min(end, float(days)))
    # The last day may be partial; average over the part that was simulated.
    tail = end - (days - 1)
    if 0 < tail < 1:
        area[-1] /= tail
    return area


def weekly_waits(records: Sequence[LogRecord], end: float) -> tuple[list[float | None], list[int]]:
    """Mean wait to allocation (days) of the cases allocated in each week, and how many."""
    weeks = max(1, math.ceil(end / 7.0 - _EPS))
    total = [0.0] * weeks
    count = [0] * weeks
    for r in records:
        if r.kind is EventKind.ALLOCATED:
            week = min(weeks - 1, int(r.time / 7.0))
            total[week] += float(r.wait_days)
            count[week] += 1
    means = [t / n if n else None for t, n in zip(total, count, strict=True)]
    return means, count


def _conditions_key(conditions: Sequence[str] | None) -> str:
    names = sorted(set(conditions or ()))
    return CONDITION_JOIN.join(names) if names else NO_CONDITIONS


def _reports(records: Sequence[LogRecord]) -> tuple[bool, dict[int, bool]]:
    """Whether the log has a reporting mechanism, and for each reported graded incident
    (by its seq) whether the report reached senior managers.

    A report names the graded incident by `incident_seq` when the model gives it; else it
    is matched to the earliest unreported graded incident of the same family and kind.
    """
    reports = [r for r in records if r.kind is EventKind.INCIDENT_REPORTED]
    start = next((r for r in records if r.kind is EventKind.RUN_STARTED), None)
    has_reporting = bool(reports) or bool(start is not None and start.reporting)
    reported: dict[int, bool] = {}
    if not reports:
        return has_reporting, reported
    graded: dict[tuple[int, str], list[LogRecord]] = defaultdict(list)
    for r in records:
        if r.kind is EventKind.INCIDENT_GRADED:
            graded[(r.family, str(r.incident))].append(r)
    for rep in reports:
        senior = bool(rep.seen_by_senior_managers)
        seq = rep.incident_seq
        if isinstance(seq, int):
            reported[seq] = reported.get(seq, False) or senior
            continue
        for g in graded.get((rep.family, str(rep.incident)), []):
            if g.seq not in reported and g.time <= rep.time + _EPS:
                reported[g.seq] = senior
                break
    return has_reporting, reported


def _holes_by_family(records: Sequence[LogRecord]) -> dict[int, list[tuple[float, str]]]:
    holes: dict[int, list[tuple[float, str]]] = defaultdict(list)
    for r in records:
        if r.kind is EventKind.BARRIER_TESTED and not r.held:
            holes[r.family].append((r.time, str(r.barrier)))
    return holes


def incident_holes(incident: IncidentGraded, holes: Sequence[tuple[float, str]]) -> list[str]:
    """Barriers holed in the incident's error episode, in the order they first failed (the
    failed barrier first): the model's own list when it gives one, else the barrier
    tests that failed on the family between the first failure and the grading."""
    first = str(incident.failed_barrier)
    seen = [first]
    listed = incident.holed_barriers
    if listed is not None:
        for barrier in listed:
            if str(barrier) not in seen:
                seen.append(str(barrier))
        return seen
    started = float(incident.started_at)
    for t, barrier in holes:
        if started - _EPS <= t <= incident.time + _EPS and barrier not in seen:
            seen.append(barrier)
    return seen


def incident_cube(records: Sequence[LogRecord], measured_from: float) -> list[list[Any]]:
    """Graded incidents of the measured period counted by `INCIDENT_FIELDS`."""
    has_reporting, reported = _reports(records)
    holes = _holes_by_family(records)
    counts: Counter[tuple[Any, ...]] = Counter()
    for r in records:
        if r.kind is not EventKind.INCIDENT_GRADED or r.time < measured_from:
            continue
        key = (
            r.incident,
            r.grade,
            r.scale,
            r.harm_type,
            r.failed_barrier,
            r.caught_by,
            r.noticed_by,
            HOLE_JOIN.join(incident_holes(r, holes.get(r.family, ()))),
            _conditions_key(r.conditions),
            bool(r.active_failure),
            bool(r.censored),
            (r.seq in reported) if has_reporting else None,
            reported.get(r.seq, False) if has_reporting else None,
        )
        counts[key] += 1
    return [[*key, n] for key, n in sorted(counts.items(), key=_sort_key)]


def _sort_key(item: tuple[tuple[Any, ...], int]) -> tuple[str, ...]:
    return tuple("" if v is None else str(v) for v in item[0])


def barrier_cube(records: Sequence[LogRecord], measured_from: float) -> list[list[Any]]:
    """Barrier tests of the measured period counted by `BARRIER_FIELDS`."""
    counts: Counter[tuple[Any, ...]] = Counter()
    for r in records:
        if r.kind is EventKind.BARRIER_TESTED and r.time >= measured_from:
            key = (
                str(r.barrier),
                bool(r.held),
                _conditions_key(r.conditions),
                bool(r.active_failure),
            )
            counts[key] += 1
    return [[*key, n] for key, n in sorted(counts.items(), key=_sort_key)]


def hole_outcomes(records: Sequence[LogRecord], measured_from: float) -> list[list[Any]]:
    """What each hole in a barrier (measured period) led to: the kind of the incident
    that graded the error it belonged to, or "ungraded" when no incident covers it."""
    windows: dict[int, list[tuple[float, float, str]]] = defaultdict(list)
    for r in records:
        if r.kind is EventKind.INCIDENT_GRADED:
            start = float(r.started_at)
            windows[r.family].append((start, r.time, str(r.incident)))
    starts = {}
    for family, spans in windows.items():
        spans.sort()
        starts[family] = [s for s, _, _ in spans]
    counts: Counter[tuple[str, str]] = Counter()
    for r in records:
        if r.kind is not EventKind.BARRIER_TESTED or r.held:
            continue
        if r.time < measured_from:
            continue
        outcome = "ungraded"
        family_spans = windows.get(r.family)
        if family_spans:
            i = bisect.bisect_right(starts[r.family], r.time + _EPS) - 1
            if i >= 0 and r.time <= family_spans[i][1] + _EPS:
                outcome = family_spans[i][2]
        counts[(str(r.barrier), outcome)] += 1
    return [[b, o, n] for (b, o), n in sorted(counts.items())]


def harm_counts(records: Sequence[LogRecord], measured_from: float) -> dict[str, int]:
    """Harm events of the measured period by severity (agency failure or not)."""
    counts: Counter[str] = Counter()
    for r in records:
        if r.kind is EventKind.HARM_OCCURRED and r.time >= measured_from:
            counts[str(r.severity)] += 1
    return dict(sorted(counts.items()))


def digest_log(
    records: Sequence[LogRecord],
    *,
    warm_up: str = "fixed",
    horizon_days: float | None = None,
    costs: Costs | None = None,
) -> dict[str, Any]:
    """Reduce one replication's log to its digest (see the module docstring)."""
    if warm_up not in ("fixed", "mser5"):
        raise ValueError(f"warm_up must be 'fixed' or 'mser5', got {warm_up!r}")
    frame = run_frame(records)
    end = frame.ends_at
    backlog = daily_backlog(records, end)
    waits, allocated = weekly_waits(records, end)
    measured_from = frame.measured_from
    if warm_up == "mser5":
        full_days = [b for i, b in enumerate(backlog) if i + 1 <= end + _EPS]
        measured_from = float(mser5(full_days)) if len(full_days) >= 10 else 0.0
    kpis = compute_kpis(records, measured_from=measured_from, costs=costs)
    measured_days = end - measured_from
    counts_over_days = measured_days
    if warm_up == "mser5":
        # Counts over a measured period whose length MSER-5 chose, scaled to the horizon.
        target = horizon_days if horizon_days is not None else end - frame.measured_from
        scale = target / measured_days if measured_days > 0 else float("nan")
        kpis = {k: (v * scale if k in COUNT_KPIS else v) for k, v in kpis.items()}
        counts_over_days = target
    start = next(r for r in records if r.kind is EventKind.RUN_STARTED)
    return {
        "scenario": start.scenario,
        "seed": start.seed,
        "replication": start.replication,
        "warm_up": warm_up,
        "measured_from": measured_from,
        "ends_at": end,
        "measured_days": measured_days,
        "counts_over_days": counts_over_days,  # the period the count KPIs are over
        "kpis": kpis,
        "incidents": incident_cube(records, measured_from),
        "barriers": barrier_cube(records, measured_from),
        "holes": hole_outcomes(records, measured_from),
        "harm": harm_counts(records, measured_from),
        "series": {"backlog_daily": backlog, "wait_weekly": waits, "allocated_weekly": allocated},
    }


def run_digest(
    scenario: Scenario, seed: int, replication: int, warm_up: str = "auto"
) -> dict[str, Any]:
    """Run replication `replication` of `scenario` on `seed` and return its digest.

    This is the unit of work every executor runs: a pure function of its arguments.
    """
    log = run_scenario(scenario, seed, replication=replication)
    method = warm_up_method(scenario, warm_up)
    digest = digest_log(
        log.records,
        warm_up=method,
        horizon_days=scenario.run.horizon_days,
        costs=scenario.costs,
    )
    digest["loads"] = stage_loads(log.records, scenario)
    return digest
