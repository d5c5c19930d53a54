"""Key performance indicators of one run, read from its event log alone.

Only what happens in the measured period counts: referrals arriving, decisions and
incidents graded after the warm-up. Time averages (cases waiting for allocation,
caseload per worker) integrate the log's step changes over the measured period.
Counts are per replication.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sim.events import EventKind, LogRecord

# Name, plain-words meaning, and whether a higher value is better (None: neither).
KPI_DEFINITIONS: tuple[tuple[str, str, bool | None], ...] = (
    ("referrals", "Referrals received in the measured period", None),
    ("decided_within_1_working_day", "Share of referrals decided within one working day", True),
    ("assessments_within_timescale", "Share of assessments finished within timescale", True),
    ("mean_wait_to_allocation_days", "Mean days from screening to allocation", False),
    (
        "mean_wait_to_allocation_littles_days",
        "Mean days waiting for allocation by Little's law (still-waiting cases included)",
        False,
    ),
    ("unallocated_mean", "Cases waiting for allocation, time average", False),
    ("caseload_per_worker_mean", "Assessments held per case-holding worker, time average", None),
    ("re_referral_rate_12m", "Share of referrals within 12 months of a previous one", False),
    ("nfa_at_referral_rate", "Share of referrals closed with no further action at screening", None),
    ("nfa_after_assessment_rate", "Share of assessments ending in no further action", None),
    ("median_assessment_days", "Median days an assessment takes", False),
    (
        "median_assessment_working_days",
        "Median working days an assessment takes, from its start (England's definition)",
        False,
    ),
    ("near_miss_prevented", "Near misses caught before harm (no harm, impact prevented)", None),
    ("near_miss_no_harm", "Errors not caught in time that caused no serious harm", False),
    ("harm_false_negative", "Children left under-protected and harmed", False),
    ("harm_false_positive", "Families wrongly put under child protection", False),
    ("serious_incidents", "Life-threatening injury or death after an agency failure", False),
    ("errors_open_at_end", "Errors still open at the end: censored, never graded", None),
)
KPI_NAMES: tuple[str, ...] = tuple(name for name, _, _ in KPI_DEFINITIONS)
HIGHER_IS_BETTER: dict[str, bool | None] = {name: better for name, _, better in KPI_DEFINITIONS}
KPI_LABELS: dict[str, str] = {name: label for name, label, _ in KPI_DEFINITIONS}
# KPIs that count events in the measured period (the rest are shares, means or averages).
COUNT_KPIS: frozenset[str] = frozenset(
    (
        "referrals",
        "near_miss_prevented",
        "near_miss_no_harm",
        "harm_false_negative",
        "harm_false_positive",
        "serious_incidents",
    )
)


@dataclass(frozen=True, slots=True)
class RunFrame:
    measured_from: float
    ends_at: float
    case_holders: int


def run_frame(records: Sequence[LogRecord]) -> RunFrame:
    start = next(r for r in records if r.kind is EventKind.RUN_STARTED)
    workers = start.data["workers"]
    return RunFrame(
        measured_from=float(start.data["measured_from"]),
        ends_at=float(start.data["ends_at"]),
        case_holders=sum(1 for w in workers if w[2] > 0),
    )


def _share(flags: list[bool]) -> float:
    return sum(flags) / len(flags) if flags else float("nan")


def _time_average(changes: Iterable[tuple[float, int]], start: float, end: float) -> float:
    """Average over [start, end] of a count that steps by each (time, delta)."""
    level = 0
    area = 0.0
    last = start
    for time, delta in changes:
        if time > start:
            upto = min(time, end)
            if upto > last:
                area += level * (upto - last)
                last = upto
        if time > end:
            break
        level += delta
    if end > last:
        area += level * (end - last)
    return area / (end - start) if end > start else float("nan")


def littles_wait(backlog: float, entered: int, days: float) -> float:
    """Mean wait by Little's law, W = L / lambda: the time-average number waiting over
    the rate at which cases join the queue. Unlike the mean of completed waits it counts
    cases still waiting at the end (the wait they have had so far, and beyond)."""
    if days <= 0 or entered == 0:
        return float("nan")
    return backlog / (entered / days)


def compute_kpis(
    records: Sequence[LogRecord], *, measured_from: float | None = None
) -> dict[str, float]:
    """Every KPI of one replication, in `KPI_NAMES` order.

    `measured_from` overrides the run's own warm-up (MSER-5 chooses one from the run).
    """
    frame = run_frame(records)
    w0 = frame.measured_from if measured_from is None else float(measured_from)
    end = frame.ends_at
    referrals = 0
    re_referrals = 0
    screened_within: list[bool] = []
    nfa_at_referral: list[bool] = []
    assessed_within: list[bool] = []
    nfa_after: list[bool] = []
    lengths: list[float] = []
    working_lengths: list[float] = []
    waits: list[float] = []
    queued = 0
    open_at_end = 0
    late_at_end = 0
    waiting_changes: list[tuple[float, int]] = []
    caseload_changes: list[tuple[float, int]] = []
    incidents = dict.fromkeys(
        (
            "near_miss_prevented",
            "near_miss_no_harm",
            "harm_false_negative",
            "harm_false_positive",
            "serious_incidents",
        ),
        0,
    )
    for r in records:
        kind, data = r.kind, r.data
        if kind is EventKind.QUEUED:
            waiting_changes.append((r.time, 1))
            if r.time >= w0:
                queued += 1
        elif kind is EventKind.ALLOCATED:
            waiting_changes.append((r.time, -1))
            caseload_changes.append((r.time, 1))
            if r.time >= w0:
                waits.append(data["wait_days"])
        elif kind is EventKind.CONCLUDED:
            caseload_changes.append((r.time, -1))
            if r.time >= w0:
                assessed_within.append(bool(data["within_timescale"]))
                nfa_after.append(data["outcome"] == "no_further_action")
                lengths.append(data["length_days"])
                working_lengths.append(data["length_working_days"])
        elif kind is EventKind.ERROR_CENSORED:
            if data.get("reason", "run_ended") == "run_ended":
                open_at_end += 1
        elif kind is EventKind.RUN_ENDED:
            late_at_end = int(data.get("assessments_open_past_timescale", 0))
        elif r.time < w0:
            continue
        elif kind is EventKind.REFERRAL_ARRIVED:
            referrals += 1
            since = data["days_since_last_referral"]
            if since is not None and since <= 365.0:
                re_referrals += 1
        elif kind is EventKind.SCREENED:
            screened_within.append(bool(data["within_timescale"]))
            nfa_at_referral.append(data["level"] == "no_further_action")
        elif kind is EventKind.INCIDENT_GRADED:
            incidents[data["incident"]] += 1
            if data["grade"] == "life_threatening_or_death":
                incidents["serious_incidents"] += 1
    caseload = _time_average(caseload_changes, w0, end)
    backlog = _time_average(waiting_changes, w0, end)
    # Assessments still open at the end yet already past their timescale are late.
    assessed_within.extend([False] * late_at_end)
    return {
        "referrals": float(referrals),
        "decided_within_1_working_day": _share(screened_within),
        "assessments_within_timescale": _share(assessed_within),
        "mean_wait_to_allocation_days": statistics.fmean(waits) if waits else float("nan"),
        "mean_wait_to_allocation_littles_days": littles_wait(backlog, queued, end - w0),
        "unallocated_mean": backlog,
        "caseload_per_worker_mean": caseload / frame.case_holders if frame.case_holders else 0.0,
        "re_referral_rate_12m": re_referrals / referrals if referrals else float("nan"),
        "nfa_at_referral_rate": _share(nfa_at_referral),
        "nfa_after_assessment_rate": _share(nfa_after),
        "median_assessment_days": statistics.median(lengths) if lengths else float("nan"),
        "median_assessment_working_days": (
            statistics.median(working_lengths) if working_lengths else float("nan")
        ),
        **{k: float(v) for k, v in incidents.items()},
        "errors_open_at_end": float(open_at_end),
    }
