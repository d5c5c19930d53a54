"""KPIs and case rows reduced as the run goes equal those read from the stored log.

A replication run by `run_replication` keeps no log (unless it is to be written): its
KPIs come from a reducer subscribed to the log. Here they are checked, to the last bit,
against a reading of the stored log of the same seed by the loop `compute_kpis` used
before the reducers (copied below as it was, reading fields by attribute), on a few seeds.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from typing import Any

import pytest

from analysis.costs import cost_per_year
from analysis.experiment import run_replication
from analysis.kpis import KPI_NAMES, _share, _time_average, littles_wait, run_frame
from analysis.tables import case_rows
from sim.config import Scenario
from sim.events import EventKind
from sim.loader import load_scenario, scenario_with, scenarios_dir
from sim.model import run_scenario


def old_compute_kpis(records: Sequence[Any]) -> dict[str, float]:
    """The two-pass KPI reading of the stored log, as it was before the reducers."""
    frame = run_frame(records)
    w0 = frame.measured_from
    end = frame.ends_at
    referrals = re_referrals = 0
    screened_within: list[bool] = []
    nfa_at_referral: list[bool] = []
    assessed_within: list[bool] = []
    nfa_after: list[bool] = []
    lengths: list[float] = []
    working_lengths: list[float] = []
    waits: list[float] = []
    queued = open_at_end = late_at_end = 0
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
        kind = r.kind
        if kind is EventKind.QUEUED:
            waiting_changes.append((r.time, 1))
            if r.time >= w0:
                queued += 1
        elif kind is EventKind.ALLOCATED:
            waiting_changes.append((r.time, -1))
            caseload_changes.append((r.time, 1))
            if r.time >= w0:
                waits.append(r.wait_days)
        elif kind is EventKind.CONCLUDED:
            caseload_changes.append((r.time, -1))
            if r.time >= w0:
                assessed_within.append(bool(r.within_timescale))
                nfa_after.append(r.outcome == "no_further_action")
                lengths.append(r.length_days)
                working_lengths.append(r.length_working_days)
        elif kind is EventKind.ERROR_CENSORED:
            if r.reason == "run_ended":
                open_at_end += 1
        elif kind is EventKind.RUN_ENDED:
            late_at_end = int(r.assessments_open_past_timescale or 0)
        elif r.time < w0:
            continue
        elif kind is EventKind.REFERRAL_ARRIVED:
            referrals += 1
            since = r.days_since_last_referral
            if since is not None and since <= 365.0:
                re_referrals += 1
        elif kind is EventKind.SCREENED:
            screened_within.append(bool(r.within_timescale))
            nfa_at_referral.append(r.level == "no_further_action")
        elif kind is EventKind.INCIDENT_GRADED:
            incidents[r.incident] += 1
            if r.grade == "life_threatening_or_death":
                incidents["serious_incidents"] += 1
    caseload = _time_average(caseload_changes, w0, end)
    backlog = _time_average(waiting_changes, w0, end)
    assessed_within.extend([False] * late_at_end)
    return {
        "referrals": float(referrals),
        "decided_within_1_working_day": _share(screened_within),
        "assessments_within_timescale": _share(assessed_within),
        "mean_wait_to_allocation_days": statistics.fmean(waits) if waits else float("nan"),
        "mean_wait_to_allocation_littles_days": littles_wait(backlog, queued, end - w0),
        "unallocated_mean": backlog,
        "low_visibility_mean_wait_days": _low_visibility_wait(records, w0, end),
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
        **_learning(records, w0),
    }


def _learning(records: Sequence[Any], w0: float) -> dict[str, float]:
    """Repairs and the staff hours of reviews in the measured period, in a second pass."""
    measured = [r for r in records if r.time >= w0]
    return {
        "learning_fixes": float(sum(r.kind is EventKind.CONDITION_REPAIRED for r in measured)),
        "learning_staff_hours": float(
            sum(r.staff_hours for r in measured if r.kind is EventKind.LEARNING_REVIEW)
        ),
    }


def _low_visibility_wait(records: Sequence[Any], w0: float, end: float) -> float:
    """Referral to first plan for neglect and emotional harm, read in a second pass: a
    case closed waiting for family support counts its wait, one still open without a
    plan counts its wait to the end, any other case closed without a plan none."""
    hidden = {
        r.family for r in records
        if r.kind is EventKind.FAMILY_CREATED and r.harm_type in ("neglect", "emotional")
    }
    arrived = {
        r.case: r.time for r in records
        if r.kind is EventKind.REFERRAL_ARRIVED and r.time >= w0 and r.family in hidden
    }
    helped: dict[int, float] = {}
    closed: dict[int, str] = {}
    for r in records:
        if r.case not in arrived:
            continue
        if r.kind is EventKind.PLAN_STARTED and r.case not in helped and r.case not in closed:
            helped[r.case] = r.time
        elif r.kind is EventKind.CLOSED and r.case not in helped:
            closed.setdefault(r.case, r.reason)
    waits = []
    for case, t in arrived.items():
        if case in helped:
            waits.append(helped[case] - t)
        elif case in closed:
            if closed[case] == "closed_waiting_for_support":
                waits.append(closed_at(records, case) - t)
        else:
            waits.append(end - t)
    return statistics.fmean(waits) if waits else float("nan")


def closed_at(records: Sequence[Any], case: int) -> float:
    return next(r.time for r in records if r.kind is EventKind.CLOSED and r.case == case)


@pytest.fixture(scope="module")
def short() -> Scenario:
    baseline = load_scenario(str(scenarios_dir() / "baseline.yaml"))
    return scenario_with(baseline, {"run.warm_up_days": 60.0, "run.horizon_days": 120.0})


def _same(a: dict[str, float], b: dict[str, float]) -> bool:
    return list(a) == list(b) and all(
        (math.isnan(x) and math.isnan(b[k])) or x == b[k] for k, x in a.items()
    )


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_streamed_kpis_and_cases_equal_the_stored_logs(short: Scenario, seed: int) -> None:
    records = run_scenario(short, seed, replication=1).records
    streamed = run_replication(short, seed, 1, keep_cases=True)
    old = old_compute_kpis(records)
    assert old["referrals"] > 20
    # Cost came after the two-pass loop above: it is checked against its own pass.
    assert short.costs is not None
    frame = run_frame(records)
    old["cost_per_year"] = cost_per_year(
        records, short.costs, measured_from=frame.measured_from, ends_at=frame.ends_at
    )
    assert old["cost_per_year"] > 0
    old = {k: old[k] for k in KPI_NAMES if k in old}  # the documented order of the KPIs
    assert _same(streamed.kpis, old), (streamed.kpis, old)
    assert streamed.cases == case_rows(records)
