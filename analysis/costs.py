"""What a run cost, read from its event log, and what averting a harm costs.

`cost_per_year` prices one replication's measured period with a scenario's `costs:`
section (`sim.costs.Costs`): the team named in the log's first record for the whole
period, agency workers the scenario pays for, and, for each event in the measured
period, an assessment concluded, a new child protection plan (a renewal is a review, not
a new plan) and a serious incident (one serious case review each). The total is divided
by the measured years.

`cost_per_harm_averted` compares two scenarios over paired replications: the extra cost
a year divided by the children harmed a year it averts, with a Fieller interval (the
interval of a ratio of two paired means). When the fall in harm is not clearly above
zero the ratio has no finite interval, and the answer says so instead of inventing one.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike
from scipy import stats as sps

from sim.costs import Costs
from sim.events import EventKind, LogRecord

__all__ = ["CostReducer", "RatioInterval", "cost_per_harm_averted", "cost_per_year"]


def cost_per_year(
    records: Sequence[LogRecord], costs: Costs, *, measured_from: float, ends_at: float
) -> float:
    """Pounds a year of the team and its work over the measured period of one run."""
    reducer = CostReducer(costs, measured_from=measured_from)
    for r in records:
        reducer(r)
    return reducer.result(ends_at)


class CostReducer:
    """`cost_per_year`, reduced record by record as the run goes (see `KpiReducer`)."""

    def __init__(self, costs: Costs, *, measured_from: float) -> None:
        self.costs = costs
        self.measured_from = measured_from
        self.staff: float | None = None  # from the run's first record
        self.events = 0.0
        self.on_plan: set[int] = set()  # cases whose last plan was child protection

    def __call__(self, r: LogRecord) -> None:
        costs = self.costs
        if r.kind is EventKind.RUN_STARTED and self.staff is None:
            staff = sum(costs.staff_per_year.get(str(w[1]), 0.0) for w in r.workers)
            self.staff = staff + costs.agency_workers * costs.agency_worker_per_year
        elif r.kind is EventKind.PLAN_STARTED:
            # A renewal of a child protection plan is a review, not a new plan.
            protection = r.plan == "child_protection"
            new_plan = protection and r.case not in self.on_plan
            if protection:
                self.on_plan.add(r.case)
            else:
                self.on_plan.discard(r.case)
            if new_plan and r.time >= self.measured_from:
                self.events += costs.child_protection_plan
        elif r.time < self.measured_from:
            return
        elif r.kind is EventKind.CONCLUDED:
            self.events += costs.assessment
        elif r.kind is EventKind.INCIDENT_GRADED and r.grade == "life_threatening_or_death":
            self.events += costs.serious_case_review

    def result(self, ends_at: float) -> float:
        days = ends_at - self.measured_from
        if days <= 0 or self.staff is None:
            return math.nan
        return self.staff + self.events / (days / 365.0)


@dataclass(frozen=True, kw_only=True)
class RatioInterval:
    """A ratio of paired means and its Fieller interval (NaN bounds: not bounded)."""

    ratio: float
    ci_low: float
    ci_high: float
    n: int
    note: str = ""


def cost_per_harm_averted(
    extra_cost: ArrayLike, harm_averted: ArrayLike, confidence: float = 0.95
) -> RatioInterval:
    """Mean extra cost over mean harm averted, per paired replication, with Fieller's
    interval. Both are per year; positive ``harm_averted`` means fewer children harmed."""
    a = np.asarray(extra_cost, dtype=float)
    b = np.asarray(harm_averted, dtype=float)
    n = int(a.size)
    if n != b.size or n < 2:
        raise ValueError("cost_per_harm_averted needs two paired samples of 2 or more")
    mean_a, mean_b = float(a.mean()), float(b.mean())
    if mean_b <= 0:
        return RatioInterval(
            ratio=math.nan, ci_low=math.nan, ci_high=math.nan, n=n, note="no harm averted"
        )
    ratio = mean_a / mean_b
    cov = np.cov(a, b, ddof=1) / n
    var_a, var_b, cov_ab = float(cov[0, 0]), float(cov[1, 1]), float(cov[0, 1])
    t2 = float(sps.t.ppf(0.5 + confidence / 2.0, n - 1)) ** 2
    denom = mean_b**2 - t2 * var_b
    if denom <= 0:
        return RatioInterval(
            ratio=ratio,
            ci_low=math.nan,
            ci_high=math.nan,
            n=n,
            note="harm averted not clearly above zero: no finite interval",
        )
    centre = mean_a * mean_b - t2 * cov_ab
    disc = max(centre**2 - denom * (mean_a**2 - t2 * var_a), 0.0)
    root = math.sqrt(disc)
    return RatioInterval(
        ratio=ratio, ci_low=(centre - root) / denom, ci_high=(centre + root) / denom, n=n
    )
