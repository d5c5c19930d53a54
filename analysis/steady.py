"""Whether a run holds a steady state: yearly series and their trend.

A model meant to stand for a team in its ordinary life should not drift: year after
year it should receive about as many referrals, allocate about as many assessments and
carry about the same backlog and caseloads. `yearly_series` reads those figures for each
whole simulated year from the event log alone; `trend` fits a straight line through a
series and gives its slope with a 95% interval (ordinary least squares, t with n - 2
degrees of freedom), so a test or a reader can see whether the slope is distinguishable
from zero and, if it is, how large it is beside the level of the series.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from analysis.kpis import _time_average, run_frame
from sim.config import Scenario
from sim.events import EventKind, LogRecord

SERIES: tuple[str, ...] = (
    "referrals",
    "re_referrals",
    "allocations",
    "backlog_mean",
    "caseload_mean",
)


def yearly_series(
    records: Sequence[LogRecord], *, year_days: float = 365.0
) -> dict[str, list[float]]:
    """Per whole year of the run (from time 0, warm-up included): referrals received, of
    which re-referrals (the model's own and surfaced harm), assessments allocated, the
    time-average number waiting for allocation and the time-average caseload per
    case-holding worker."""
    frame = run_frame(records)
    years = int(frame.ends_at // year_days + 1e-9)
    counts = {name: [0.0] * years for name in ("referrals", "re_referrals", "allocations")}
    waiting: list[tuple[float, int]] = []
    held: list[tuple[float, int]] = []
    for r in records:
        kind = r.kind
        if kind is EventKind.QUEUED:
            waiting.append((r.time, 1))
        elif kind is EventKind.ALLOCATED:
            waiting.append((r.time, -1))
            held.append((r.time, 1))
        elif kind is EventKind.CONCLUDED:
            held.append((r.time, -1))
        year = int(r.time // year_days)
        if year >= years:
            continue
        if r.kind is EventKind.REFERRAL_ARRIVED:
            counts["referrals"][year] += 1
            if r.re_referral:
                counts["re_referrals"][year] += 1
        elif kind is EventKind.ALLOCATED:
            counts["allocations"][year] += 1
    holders = frame.case_holders or 1
    spans = [(y * year_days, (y + 1) * year_days) for y in range(years)]
    return {
        **counts,
        "backlog_mean": [_time_average(waiting, a, b) for a, b in spans],
        "caseload_mean": [_time_average(held, a, b) / holders for a, b in spans],
    }


@dataclass(frozen=True, slots=True)
class Trend:
    """A straight line through a series: slope a step, its 95% interval and the mean."""

    slope: float
    low: float
    high: float
    mean: float

    @property
    def includes_zero(self) -> bool:
        return self.low <= 0.0 <= self.high

    def relative(self) -> float:
        """The largest slope the interval allows, as a share of the series' mean level."""
        if self.mean == 0:
            return math.inf if max(abs(self.low), abs(self.high)) > 0 else 0.0
        return max(abs(self.low), abs(self.high)) / abs(self.mean)


def trend(values: Sequence[float]) -> Trend:
    """Least-squares slope of `values` against 0, 1, 2, ... with its 95% t-interval."""
    from scipy import stats

    n = len(values)
    if n < 3:
        raise ValueError("a trend needs at least three points")
    fit = stats.linregress(range(n), list(values))
    half = float(stats.t.ppf(0.975, n - 2)) * float(fit.stderr)
    slope = float(fit.slope)
    return Trend(slope, slope - half, slope + half, sum(values) / n)


def stage_loads(records: Sequence[LogRecord], scenario: Scenario) -> dict[str, list[float]]:
    """Offered load and capacity of each stage over the measured period, from the log.

    - screening: referrals arriving per working hour (the week's referrals over the team's
      open hours) times the hours one takes to screen, against the duty workers;
    - assessment: cases joining the queue for allocation per day times the mean calendar
      days an assessment takes, against the case-holders' caseload caps together.

    Offered load counts arrivals, not completions, so a stage in collapse still shows
    the work it was offered. A stage at or above its capacity has no steady state: its
    queue grows for as long as the run lasts.
    """
    reducer = StageLoads(scenario)
    for r in records:
        reducer(r)
    return reducer.result()


class StageLoads:
    """`stage_loads` reduced record by record as the run goes (subscribe one to a log)."""

    def __init__(self, scenario: Scenario) -> None:
        self._scenario = scenario
        self._workers: list[list[Any]] = []
        self._start = 0.0
        self._end = 0.0
        self._referrals = 0
        self._queued = 0
        self._lengths: list[float] = []

    def __call__(self, r: Any) -> None:
        if r.kind is EventKind.RUN_STARTED:
            self._workers = r.workers
            self._start, self._end = float(r.measured_from), float(r.ends_at)
        elif r.time < self._start:
            return
        elif r.kind is EventKind.REFERRAL_ARRIVED:
            self._referrals += 1
        elif r.kind is EventKind.QUEUED:
            self._queued += 1
        elif r.kind is EventKind.CONCLUDED:
            self._lengths.append(float(r.length_days))

    def result(self) -> dict[str, list[float]]:
        scenario, workers, lengths = self._scenario, self._workers, self._lengths
        days = self._end - self._start
        if days <= 0:
            return {}
        loads: dict[str, list[float]] = {}
        cal = scenario.calendar
        open_hours = 24.0 * 7 if cal.always_open else (cal.close_hour - cal.open_hour) * 5
        duty = sum(1 for w in workers if w[3])
        if scenario.screening.enabled and duty:
            per_hour = self._referrals / (days / 7.0) / open_hours
            loads["screening"] = [per_hour * scenario.screening.work_hours, float(duty)]
        capacity = float(sum(w[2] for w in workers if w[2] > 0))
        if lengths and capacity:
            loads["assessment"] = [self._queued / days * (sum(lengths) / len(lengths)), capacity]
        return loads


def overloaded(loads: dict[str, list[float]], *, share: float = 1.0) -> list[str]:
    """Plain warnings for each stage whose offered load is at or above `share` of capacity."""
    return [
        f"stage '{stage}' is offered {offered:.1f} against a capacity of {capacity:.0f} "
        f"({offered / capacity:.0%}): it has no steady state and its queue grows with the run"
        for stage, (offered, capacity) in loads.items()
        if capacity > 0 and offered >= share * capacity
    ]


def daily_levels(records: Sequence[LogRecord]) -> dict[str, list[float]]:
    """The backlog (cases waiting for allocation) and the caseload per case-holder,
    averaged over each whole day of the run: the series MSER-5 reads."""
    frame = run_frame(records)
    days = int(frame.ends_at + 1e-9)
    waiting: list[tuple[float, int]] = []
    held: list[tuple[float, int]] = []
    for r in records:
        if r.kind is EventKind.QUEUED:
            waiting.append((r.time, 1))
        elif r.kind is EventKind.ALLOCATED:
            waiting.append((r.time, -1))
            held.append((r.time, 1))
        elif r.kind is EventKind.CONCLUDED:
            held.append((r.time, -1))
    holders = frame.case_holders or 1
    return {
        "backlog": _daily(waiting, days),
        "caseload": [v / holders for v in _daily(held, days)],
    }


def _daily(changes: list[tuple[float, int]], days: int) -> list[float]:
    area = [0.0] * days
    level = 0
    last = 0.0
    for time, delta in sorted(changes):
        while last < time and int(last) < days:
            upto = min(time, float(int(last) + 1))
            area[int(last)] += level * (upto - last)
            last = upto
        level += delta
    while int(last) < days:
        area[int(last)] += level * (int(last) + 1 - last)
        last = float(int(last) + 1)
    return area


def mser5_warm_up(records: Sequence[LogRecord]) -> dict[str, int]:
    """MSER-5's warm-up, in days, on each daily series of `daily_levels`; the run's
    warm-up is the longest of them (every series has settled by then)."""
    from analysis.stats import mser5

    return {name: mser5(series) for name, series in daily_levels(records).items()}
