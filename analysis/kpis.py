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
from typing import TYPE_CHECKING, Any

from sim.costs import Costs
from sim.events import EventKind, LogRecord

if TYPE_CHECKING:  # analysis.costs loads scipy: only when a scenario has costs
    from analysis.costs import CostReducer

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
    (
        "low_visibility_mean_wait_days",
        "Mean days from referral to help (a plan starting) for children whose hidden harm is "
        "neglect or emotional harm; a case still waiting at the end counts its wait so far",
        False,
    ),
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
    ("cost_per_year", "Cost a year of the team and its work, in pounds (scenario costs)", None),
    ("learning_fixes", "Latent conditions repaired after reviews of reported incidents", True),
    (
        "learning_staff_hours",
        "Staff hours spent on reviews of reported incidents (taken from case places)",
        None,
    ),
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
        "learning_fixes",
        "learning_staff_hours",
    )
)


@dataclass(frozen=True, slots=True)
class RunFrame:
    measured_from: float
    ends_at: float
    case_holders: int


def run_frame(records: Sequence[LogRecord]) -> RunFrame:
    start = next(r for r in records if r.kind is EventKind.RUN_STARTED)
    workers = start.workers
    return RunFrame(
        measured_from=float(start.measured_from),
        ends_at=float(start.ends_at),
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
    records: Sequence[LogRecord],
    *,
    measured_from: float | None = None,
    costs: Costs | None = None,
) -> dict[str, float]:
    """Every KPI of one replication, in `KPI_NAMES` order.

    `measured_from` overrides the run's own warm-up (MSER-5 chooses one from the run).
    `cost_per_year` needs the scenario's `costs` (`analysis.costs`); without them it is NaN.
    """
    reducer = KpiReducer(measured_from=measured_from, costs=costs)
    for r in records:
        reducer(r)
    return reducer.result()


class KpiReducer:
    """The KPIs of one replication, reduced record by record as the run goes.

    Subscribe one to a running model's log (`EventLog.listeners`) and read `result()`
    when the run ends: the same figures as `compute_kpis` over the stored log, in the
    same order of operations, without keeping or reading the log again.
    """

    def __init__(self, *, measured_from: float | None = None, costs: Costs | None = None) -> None:
        self._override = measured_from
        self._costs = costs
        self.cost: CostReducer | None = None  # made when the warm-up's end is known
        self.frame: RunFrame | None = None
        self.w0 = 0.0
        self.referrals = 0
        self.re_referrals = 0
        self.screened_within: list[bool] = []
        self.nfa_at_referral: list[bool] = []
        self.assessed_within: list[bool] = []
        self.nfa_after: list[bool] = []
        self.lengths: list[float] = []
        self.working_lengths: list[float] = []
        self.queued = 0
        self.open_at_end = 0
        self.learning_fixes = 0
        self.learning_hours = 0.0
        self.late_at_end = 0
        self.waits: list[float] = []
        self.waiting_changes: list[tuple[float, int]] = []
        self.caseload_changes: list[tuple[float, int]] = []
        self.help_waits = HelpWaits()
        self.incidents = dict.fromkeys(
            (
                "near_miss_prevented",
                "near_miss_no_harm",
                "harm_false_negative",
                "harm_false_positive",
                "serious_incidents",
            ),
            0,
        )

    def __call__(self, r: Any) -> None:
        kind = r.kind
        if self.cost is not None:
            self.cost(r)
        if kind in HELP_KINDS:
            self.help_waits(r, self.w0)
        if kind is EventKind.QUEUED:
            self.waiting_changes.append((r.time, 1))
            if r.time >= self.w0:
                self.queued += 1
        elif kind is EventKind.ALLOCATED:
            self.waiting_changes.append((r.time, -1))
            self.caseload_changes.append((r.time, 1))
            if r.time >= self.w0:
                self.waits.append(r.wait_days)
        elif kind is EventKind.CONCLUDED:
            self.caseload_changes.append((r.time, -1))
            if r.time >= self.w0:
                self.assessed_within.append(bool(r.within_timescale))
                self.nfa_after.append(r.outcome == "no_further_action")
                self.lengths.append(r.length_days)
                self.working_lengths.append(r.length_working_days)
        elif kind is EventKind.ERROR_CENSORED:
            if (r.reason or "run_ended") == "run_ended":
                self.open_at_end += 1
        elif kind is EventKind.RUN_ENDED:
            self.late_at_end = int(r.assessments_open_past_timescale or 0)
        elif kind is EventKind.RUN_STARTED and self.frame is None:
            self.frame = run_frame([r])
            override = self._override
            self.w0 = self.frame.measured_from if override is None else float(override)
            if self._costs is not None:
                from analysis.costs import CostReducer

                self.cost = CostReducer(self._costs, measured_from=self.w0)
                self.cost(r)
        elif r.time < self.w0:
            return
        elif kind is EventKind.REFERRAL_ARRIVED:
            self.referrals += 1
            since = r.days_since_last_referral
            if since is not None and since <= 365.0:
                self.re_referrals += 1
        elif kind is EventKind.SCREENED:
            self.screened_within.append(bool(r.within_timescale))
            self.nfa_at_referral.append(r.level == "no_further_action")
        elif kind is EventKind.INCIDENT_GRADED:
            self.incidents[r.incident] += 1
            if r.grade == "life_threatening_or_death":
                self.incidents["serious_incidents"] += 1
        elif kind is EventKind.CONDITION_REPAIRED:
            self.learning_fixes += 1
        elif kind is EventKind.LEARNING_REVIEW:
            self.learning_hours += r.staff_hours

    def result(self) -> dict[str, float]:
        if self.frame is None:
            raise ValueError("the log has no run_started record")
        w0, end, frame = self.w0, self.frame.ends_at, self.frame
        referrals, waits, lengths = self.referrals, self.waits, self.lengths
        caseload = _time_average(self.caseload_changes, w0, end)
        backlog = _time_average(self.waiting_changes, w0, end)
        working = self.working_lengths
        # Assessments still open at the end yet already past their timescale are late.
        assessed_within = self.assessed_within + [False] * self.late_at_end
        return {
            "referrals": float(referrals),
            "decided_within_1_working_day": _share(self.screened_within),
            "assessments_within_timescale": _share(assessed_within),
            "mean_wait_to_allocation_days": statistics.fmean(waits) if waits else float("nan"),
            "mean_wait_to_allocation_littles_days": littles_wait(backlog, self.queued, end - w0),
            "unallocated_mean": backlog,
            "low_visibility_mean_wait_days": self.help_waits.mean(end),
            "caseload_per_worker_mean": (
                caseload / frame.case_holders if frame.case_holders else 0.0
            ),
            "re_referral_rate_12m": self.re_referrals / referrals if referrals else float("nan"),
            "nfa_at_referral_rate": _share(self.nfa_at_referral),
            "nfa_after_assessment_rate": _share(self.nfa_after),
            "median_assessment_days": statistics.median(lengths) if lengths else float("nan"),
            "median_assessment_working_days": (
                statistics.median(working) if working else float("nan")
            ),
            **{k: float(v) for k, v in self.incidents.items()},
            "errors_open_at_end": float(self.open_at_end),
            "cost_per_year": self.cost.result(end) if self.cost is not None else float("nan"),
            "learning_fixes": float(self.learning_fixes),
            "learning_staff_hours": self.learning_hours,
        }


LOW_VISIBILITY = frozenset({"neglect", "emotional"})
HELP_KINDS = frozenset(
    {EventKind.FAMILY_CREATED, EventKind.REFERRAL_ARRIVED, EventKind.PLAN_STARTED, EventKind.CLOSED}
)


class HelpWaits:
    """Days from referral to help for children whose hidden harm is hard to see.

    Counts each referral in the measured period about a family whose hidden harm is
    neglect or emotional harm. Help is the first plan the case starts. A case closed
    while waiting for the family support team counts the days it waited (it waited and
    got none); a case closed without a plan for any other reason (screened out, no further
    action after assessment) was never waiting for help and does not count. A case still
    open without a plan at the end is censored: it counts its wait so far, so the mean
    is a lower bound on the true mean wait, not a mean of completed waits only.
    """

    def __init__(self) -> None:
        self._low_visibility: set[int] = set()
        self._pending: dict[int, float] = {}  # case -> referral time
        self._waits: list[float] = []

    def __call__(self, r: Any, w0: float) -> None:
        kind = r.kind
        if kind is EventKind.FAMILY_CREATED:
            if r.harm_type in LOW_VISIBILITY:
                self._low_visibility.add(r.family)
        elif kind is EventKind.REFERRAL_ARRIVED:
            if r.time >= w0 and r.family in self._low_visibility:
                self._pending[r.case] = r.time
        elif kind is EventKind.PLAN_STARTED:
            arrived = self._pending.pop(r.case, None)
            if arrived is not None:
                self._waits.append(r.time - arrived)
        else:  # closed
            arrived = self._pending.pop(r.case, None)
            if arrived is not None and r.reason == "closed_waiting_for_support":
                self._waits.append(r.time - arrived)

    def mean(self, end: float) -> float:
        waits = self._waits + [end - t for t in self._pending.values()]
        return statistics.fmean(waits) if waits else float("nan")

