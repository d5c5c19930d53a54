"""Intervals for a KPI's level that respect what the KPI measures.

A t interval is symmetric about the mean, so on a skewed measure that cannot go below
zero (a wait of a fifth of a day in most runs and two days in one, two serious incidents
a year) it reaches below zero, and on a share near 1 it reaches above 1: values that
cannot happen. Here each KPI has a nature, and the interval is built on a scale where
the t interval is honest, then carried back:

==============  =================================  =====================================
nature          KPIs                               interval
==============  =================================  =====================================
share           shares of referrals, assessments   t interval on the logit scale
                (0 to 1)                           (delta method), back-transformed:
                                                   stays inside 0 to 1
non-negative    counts per year, waits and         t interval on the log scale
                lengths in days, backlogs,         (delta method), back-transformed:
                caseloads, costs                   stays above 0
==============  =================================  =====================================

On the transformed scale the half-width is ``t * s / (sqrt(n) * g'(mean))`` with
``g`` the logit or log, so the interval is ``g^-1(g(mean) -/+ half-width)``. It always
holds the mean. When every replication gave the same value the interval has zero width;
with one replication it has no bounds (NaN), as `analysis.stats.mean_ci`.

Paired differences are not levels (they may be negative), so they keep the t interval;
`analysis.power` adds a rank test beside it. `tests/test_intervals.py` checks the
coverage of each method on synthetic data with known means.
"""

from __future__ import annotations

import math
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike

from analysis.stats import Interval, _as_finite_1d, _check_confidence, _t_quantile
from analysis.summary import kpi_base_name

__all__ = ["KPI_NATURE", "Nature", "kpi_interval", "log_interval", "logit_interval"]

Nature = Literal["share", "non_negative"]

KPI_NATURE: dict[str, Nature] = {
    "referrals": "non_negative",
    "decided_within_1_working_day": "share",
    "assessments_within_timescale": "share",
    "mean_wait_to_allocation_days": "non_negative",
    "unallocated_mean": "non_negative",
    "low_visibility_mean_wait_days": "non_negative",
    "caseload_per_worker_mean": "non_negative",
    "re_referral_rate_12m": "share",
    "nfa_at_referral_rate": "share",
    "nfa_after_assessment_rate": "share",
    "median_assessment_days": "non_negative",
    "median_assessment_working_days": "non_negative",
    "mean_wait_to_allocation_littles_days": "non_negative",
    "errors_open_at_end": "non_negative",
    "near_miss_prevented": "non_negative",
    "near_miss_no_harm": "non_negative",
    "harm_false_negative": "non_negative",
    "harm_false_positive": "non_negative",
    "serious_incidents": "non_negative",
    "cost_per_year": "non_negative",
    "learning_fixes": "non_negative",
    "learning_staff_hours": "non_negative",
}

METHOD_NAMES: dict[Nature, str] = {
    "share": "t interval on the logit scale",
    "non_negative": "t interval on the log scale",
}


def _prepare(values: ArrayLike, confidence: float) -> tuple[np.ndarray, float, float, int]:
    _check_confidence(confidence)
    arr = _as_finite_1d(values)
    if arr.size == 0:
        raise ValueError("an interval needs at least one value")
    mean = float(arr.mean())
    sd = 0.0 if np.all(arr == arr[0]) else float(np.std(arr, ddof=1)) if arr.size > 1 else 0.0
    return arr, mean, sd, int(arr.size)


def _degenerate(mean: float, sd: float, n: int) -> Interval | None:
    if n == 1:
        return Interval(mean=mean, ci_low=math.nan, ci_high=math.nan, n=1)
    if sd == 0.0:
        return Interval(mean=mean, ci_low=mean, ci_high=mean, n=n)
    return None


def log_interval(values: ArrayLike, confidence: float = 0.95) -> Interval:
    """Interval for the mean of non-negative values, built on the log scale.

    Raises ``ValueError`` for a negative value.
    """
    arr, mean, sd, n = _prepare(values, confidence)
    if np.any(arr < 0.0):
        raise ValueError("log_interval needs values of 0 or more")
    flat = _degenerate(mean, sd, n)
    if flat is not None:
        return flat
    half = _t_quantile(confidence, n - 1) * sd / math.sqrt(n) / mean
    return Interval(mean=mean, ci_low=mean * math.exp(-half), ci_high=mean * math.exp(half), n=n)


def _expit(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x)) if x >= 0 else math.exp(x) / (1.0 + math.exp(x))


def logit_interval(values: ArrayLike, confidence: float = 0.95) -> Interval:
    """Interval for the mean of shares between 0 and 1, built on the logit scale.

    Raises ``ValueError`` for a value outside 0 to 1.
    """
    arr, mean, sd, n = _prepare(values, confidence)
    if np.any((arr < 0.0) | (arr > 1.0)):
        raise ValueError("logit_interval needs values between 0 and 1")
    flat = _degenerate(mean, sd, n)
    if flat is not None:
        return flat
    half = _t_quantile(confidence, n - 1) * sd / math.sqrt(n) / (mean * (1.0 - mean))
    centre = math.log(mean / (1.0 - mean))
    return Interval(mean=mean, ci_low=_expit(centre - half), ci_high=_expit(centre + half), n=n)


def kpi_interval(kpi: str, values: ArrayLike, confidence: float = 0.95) -> Interval:
    """The interval of `KPI_NATURE` for ``kpi`` (a ``_per_year`` suffix is ignored).

    A KPI with no nature listed gets the plain t interval. No values give NaN.
    """
    arr = np.asarray(values, dtype=float)
    if arr.size == 0:
        return Interval(math.nan, math.nan, math.nan, 0)
    nature = KPI_NATURE.get(kpi_base_name(kpi))
    if nature == "share":
        return logit_interval(arr, confidence)
    if nature == "non_negative":
        return log_interval(arr, confidence)
    from analysis.stats import mean_ci

    return mean_ci(arr, confidence)


def interval_method(kpi: str) -> str:
    """The name of the method `kpi_interval` uses for ``kpi``, for tables and reports."""
    nature = KPI_NATURE.get(kpi_base_name(kpi))
    return METHOD_NAMES[nature] if nature else "t interval"
