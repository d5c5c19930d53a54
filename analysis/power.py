"""What paired replications could detect, and a rank test beside the t interval.

Power. With ``n`` paired replications whose differences have standard deviation ``s``,
a two-sided test at level ``alpha`` finds a true difference ``d`` with probability
about ``power`` when

    d >= (t(1 - alpha/2, n - 1) + t(power, n - 1)) * s / sqrt(n)

(the usual approximation to the non-central t). That ``d`` is the minimal detectable
difference: a "no detectable difference" verdict means only that the true difference
is probably smaller than it. `replications_for` inverts the formula: the paired
replications needed to detect a chosen difference.

Rank tests. The paired t interval assumes the mean difference is close to normal; with
few replications of a skewed KPI (a wait that is 0 in every run of one scenario and
above 0 in every run of the other) it can straddle 0 although every pair points the same
way. The Wilcoxon signed-rank test uses only the signs and ranks of the differences; with
8 pairs all the same sign its exact two-sided p-value is 2/256 = 0.008.

`MEANINGFUL_DIFFERENCE` holds, per KPI, a difference worth detecting (a modelling
judgement, in the units of the comparison tables: shares as fractions, counts per year).
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike
from scipy import stats as sps

from analysis.stats import _as_finite_1d

__all__ = [
    "MEANINGFUL_DIFFERENCE",
    "minimal_detectable_difference",
    "replications_for",
    "sign_test_p",
    "signed_rank_p",
]

DEFAULT_POWER = 0.8
DEFAULT_ALPHA = 0.05

# Judgement: differences a team manager would act on.
MEANINGFUL_DIFFERENCE: dict[str, float] = {
    "referrals": 100.0,
    "decided_within_1_working_day": 0.03,
    "assessments_within_timescale": 0.03,
    "mean_wait_to_allocation_days": 0.5,
    "unallocated_mean": 2.0,
    "caseload_per_worker_mean": 1.0,
    "re_referral_rate_12m": 0.02,
    "nfa_at_referral_rate": 0.03,
    "nfa_after_assessment_rate": 0.03,
    "median_assessment_days": 2.0,
    "median_assessment_working_days": 2.0,
    "mean_wait_to_allocation_littles_days": 0.5,
    "low_visibility_mean_wait_days": 2.0,
    "near_miss_prevented": 5.0,
    "near_miss_no_harm": 5.0,
    "harm_false_negative": 3.0,
    "harm_false_positive": 3.0,
    "serious_incidents": 1.0,
    "cost_per_year": 50_000.0,
    "learning_fixes": 1.0,
    "learning_staff_hours": 50.0,
}


def _power_factor(n: int, alpha: float, power: float) -> float:
    return float(sps.t.ppf(1.0 - alpha / 2.0, n - 1) + sps.t.ppf(power, n - 1))


def minimal_detectable_difference(
    differences: ArrayLike, *, alpha: float = DEFAULT_ALPHA, power: float = DEFAULT_POWER
) -> float:
    """The smallest true mean difference these paired differences would detect.

    NaN with fewer than 2 differences; 0 when every difference is the same.
    """
    arr = _as_finite_1d(differences, "differences")
    if arr.size < 2:
        return math.nan
    if np.all(arr == arr[0]):
        return 0.0
    sd = float(np.std(arr, ddof=1))
    return _power_factor(int(arr.size), alpha, power) * sd / math.sqrt(arr.size)


def replications_for(
    sd: float,
    difference: float,
    *,
    alpha: float = DEFAULT_ALPHA,
    power: float = DEFAULT_POWER,
    most: int = 100_000,
) -> int:
    """Paired replications needed to detect ``difference`` when differences have sd ``sd``.

    At least 2; ``most`` caps the search (returned when even that is not enough).
    """
    if not (difference > 0 and math.isfinite(difference)):
        raise ValueError(f"difference must be a positive number, got {difference}")
    if not (sd >= 0 and math.isfinite(sd)):
        raise ValueError(f"sd must be a number of 0 or more, got {sd}")
    if sd == 0.0:
        return 2
    z = float(sps.norm.ppf(1.0 - alpha / 2.0) + sps.norm.ppf(power))
    n = max(2, math.ceil((z * sd / difference) ** 2))  # normal answer: a lower bound
    while n < most and _power_factor(n, alpha, power) * sd / math.sqrt(n) > difference:
        n += 1
    return n


def signed_rank_p(differences: ArrayLike) -> float:
    """Two-sided Wilcoxon signed-rank p-value that the differences centre on 0.

    Zero differences are dropped (Wilcoxon's rule); exact for small samples. 1.0 when
    no difference is non-zero.
    """
    arr = _as_finite_1d(differences, "differences")
    nonzero = arr[arr != 0.0]
    if nonzero.size == 0:
        return 1.0
    result = sps.wilcoxon(nonzero, zero_method="wilcox", alternative="two-sided")
    return float(result.pvalue)


def sign_test_p(differences: ArrayLike) -> float:
    """Two-sided exact sign test p-value (zero differences dropped)."""
    arr = _as_finite_1d(differences, "differences")
    positive = int(np.sum(arr > 0))
    n = int(np.sum(arr != 0))
    if n == 0:
        return 1.0
    return float(sps.binomtest(positive, n, 0.5).pvalue)
