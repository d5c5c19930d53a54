"""Statistics for comparing staffing policies in the Front Door simulation.

Every function here is a plain function of the numbers it is given: nothing is
stored between calls and no random seed is ever set. Callers that need random
numbers should make their own ``numpy.random.default_rng(seed)``.

What is in the module
---------------------

* Confidence intervals. ``mean_ci`` gives a t-based interval for the mean of
  independent replications. ``paired_difference_ci`` gives the interval for
  the mean of ``b - a`` when ``a`` and ``b`` were run as pairs (for example
  with common random numbers), which is usually much narrower than treating
  the two samples as unrelated.
* Several comparisons at once. When one base policy is compared with several
  others, the chance that at least one comparison looks significant by luck
  grows with the number of comparisons. ``holm_adjust`` and
  ``bonferroni_adjust`` correct p-values for this, and ``paired_comparisons``
  puts it all together: a widened (Bonferroni) interval, a raw p-value and an
  adjusted p-value for each alternative, plus a plain-words verdict.
* How many replications to run. ``replications_needed_ci`` uses a pilot run
  and the confidence-interval method. ``hoad_robinson_davies`` keeps running
  replications until the interval is narrow enough relative to the mean, and
  stays narrow enough for a few more runs (Hoad, Robinson and Davies, 2010).
* Warm-up. ``mser5`` suggests how many observations to discard from the start
  of a run so that start-up bias does not distort the results (MSER-5).
* Queueing theory checks. ``erlang_c_probability_wait`` and ``erlang_c_wait``
  give exact results for the M/M/c queue, useful for validating the
  simulation against theory in simple configurations.

Conventions
-----------

* ``confidence`` is a level such as 0.95, strictly between 0 and 1.
* Input values must be finite; NaN or infinite values raise ``ValueError``.
* With a single value there is no estimate of spread, so interval bounds are
  NaN (the mean is still reported). Identical values give an interval of zero
  width.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = [
    "Comparison",
    "Interval",
    "Verdict",
    "bonferroni_adjust",
    "erlang_c_probability_wait",
    "erlang_c_wait",
    "hoad_robinson_davies",
    "holm_adjust",
    "mean_ci",
    "mser5",
    "paired_comparisons",
    "paired_difference_ci",
    "relative_precision",
    "replications_needed_ci",
]

Verdict = Literal["better", "worse", "no detectable difference"]

MSER_BATCH_SIZE = 5


# ---------------------------------------------------------------------------
# Small helpers
# ---------------------------------------------------------------------------


def _as_finite_1d(values: ArrayLike, name: str = "values") -> NDArray[np.float64]:
    """Return ``values`` as a 1-d float array, refusing NaN and infinities."""
    arr = np.asarray(values, dtype=float)
    if arr.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional, got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must contain only finite numbers")
    return arr


def _check_confidence(confidence: float) -> None:
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must be strictly between 0 and 1, got {confidence}")


def _t_quantile(confidence: float, dof: int) -> float:
    """Two-sided t critical value: P(|T| <= q) = confidence with ``dof`` degrees."""
    from scipy import stats as sps  # imported when needed: `frontdoor --help` stays quick

    return float(sps.t.ppf(0.5 + confidence / 2.0, dof))


def _mean_and_sd(arr: NDArray[np.float64]) -> tuple[float, float]:
    """Mean and sample standard deviation; exactly (x, 0.0) when all values equal x."""
    if arr.size > 0 and np.all(arr == arr[0]):
        # Avoid rounding noise so identical values give exactly zero width.
        return float(arr[0]), 0.0
    sd = float(np.std(arr, ddof=1)) if arr.size > 1 else math.nan
    return float(np.mean(arr)), sd


# ---------------------------------------------------------------------------
# Confidence intervals
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Interval:
    """A mean with a two-sided confidence interval, from ``n`` values.

    ``ci_low`` and ``ci_high`` are NaN when ``n`` is 1 (no estimate of spread).
    """

    mean: float
    ci_low: float
    ci_high: float
    n: int

    @property
    def half_width(self) -> float:
        """Half the width of the interval (NaN when the bounds are NaN)."""
        return (self.ci_high - self.ci_low) / 2.0

    def contains(self, value: float) -> bool:
        """True if ``value`` lies within the interval (False when bounds are NaN)."""
        return bool(self.ci_low <= value <= self.ci_high)

    def to_dict(self) -> dict[str, float]:
        """The mean and bounds as a plain dict, e.g. for a results table."""
        return {"mean": self.mean, "ci_low": self.ci_low, "ci_high": self.ci_high}


def mean_ci(values: ArrayLike, confidence: float = 0.95) -> Interval:
    """t-based confidence interval for the mean of independent values.

    The interval is ``mean +/- t * s / sqrt(n)`` with ``t`` the Student t
    quantile on ``n - 1`` degrees of freedom and ``s`` the sample standard
    deviation. With one value the bounds are NaN; with identical values the
    interval has zero width. Raises ``ValueError`` for no values, non-finite
    values or a confidence level outside (0, 1).
    """
    _check_confidence(confidence)
    arr = _as_finite_1d(values)
    n = int(arr.size)
    if n == 0:
        raise ValueError("mean_ci needs at least one value")
    mean, sd = _mean_and_sd(arr)
    if n == 1:
        return Interval(mean=mean, ci_low=math.nan, ci_high=math.nan, n=1)
    half = _t_quantile(confidence, n - 1) * sd / math.sqrt(n)
    return Interval(mean=mean, ci_low=mean - half, ci_high=mean + half, n=n)


def paired_difference_ci(a: ArrayLike, b: ArrayLike, confidence: float = 0.95) -> Interval:
    """Confidence interval for the mean of ``b - a`` over paired replications.

    Replication ``i`` of ``a`` must be paired with replication ``i`` of ``b``
    (for example, run with the same random-number seed). A positive mean means
    ``b`` is higher than ``a``. Raises ``ValueError`` if the lengths differ.
    """
    arr_a = _as_finite_1d(a, "a")
    arr_b = _as_finite_1d(b, "b")
    if arr_a.size != arr_b.size:
        raise ValueError(
            f"paired samples must have the same length, got {arr_a.size} and {arr_b.size}"
        )
    return mean_ci(arr_b - arr_a, confidence)


# ---------------------------------------------------------------------------
# Multiple comparisons
# ---------------------------------------------------------------------------


def _check_pvalues(pvalues: Sequence[float] | ArrayLike) -> NDArray[np.float64]:
    arr = np.asarray(pvalues, dtype=float).ravel()
    if np.any(np.isnan(arr)) or np.any((arr < 0.0) | (arr > 1.0)):
        raise ValueError("p-values must be numbers between 0 and 1")
    return arr


def bonferroni_adjust(pvalues: Sequence[float] | ArrayLike) -> list[float]:
    """Bonferroni-adjusted p-values: each p multiplied by the count, capped at 1.

    The result is in the same order as the input.
    """
    arr = _check_pvalues(pvalues)
    return [float(x) for x in np.minimum(arr * arr.size, 1.0)]


def holm_adjust(pvalues: Sequence[float] | ArrayLike) -> list[float]:
    """Holm (step-down) adjusted p-values, in the same order as the input.

    Sort the m p-values from smallest to largest, multiply the j-th smallest
    (j counted from 0) by ``m - j``, make the sequence non-decreasing by
    carrying the running maximum forward, and cap at 1. Holm controls the
    family-wise error rate like Bonferroni but never rejects less often.
    """
    arr = _check_pvalues(pvalues)
    m = arr.size
    if m == 0:
        return []
    order = np.argsort(arr, kind="stable")
    scaled = arr[order] * (m - np.arange(m))
    adjusted_sorted = np.minimum(np.maximum.accumulate(scaled), 1.0)
    adjusted = np.empty(m, dtype=float)
    adjusted[order] = adjusted_sorted
    return [float(x) for x in adjusted]


@dataclass(frozen=True)
class Comparison:
    """One alternative compared with the base policy over paired replications.

    ``interval`` is for the mean of ``other - base`` at ``interval_confidence``
    (already widened for the number of comparisons). ``p_value`` is from a
    two-sided paired t-test and ``adjusted_p`` is that p-value adjusted for the
    number of comparisons.
    """

    interval: Interval
    p_value: float
    adjusted_p: float
    interval_confidence: float

    def verdict(self, higher_is_better: bool) -> Verdict:
        """Plain-words verdict for the alternative relative to the base.

        "better" or "worse" only when the adjusted interval excludes 0;
        otherwise "no detectable difference". Set ``higher_is_better`` to
        False for measures such as waiting time, where lower is better.
        """
        if self.interval.ci_low > 0.0:
            return "better" if higher_is_better else "worse"
        if self.interval.ci_high < 0.0:
            return "worse" if higher_is_better else "better"
        return "no detectable difference"


def _paired_t_pvalue(diff: NDArray[np.float64]) -> float:
    """Two-sided p-value of a paired t-test of mean(diff) == 0.

    When every difference is identical the t statistic is undefined; the
    p-value is then 1.0 if the differences are all zero and 0.0 otherwise.
    """
    n = diff.size
    mean, sd = _mean_and_sd(diff)
    if sd == 0.0:
        return 1.0 if mean == 0.0 else 0.0
    t_stat = mean / (sd / math.sqrt(n))
    from scipy import stats as sps

    return float(min(1.0, 2.0 * sps.t.sf(abs(t_stat), n - 1)))


def paired_comparisons(
    base: ArrayLike,
    others: Mapping[str, ArrayLike],
    confidence: float = 0.95,
    method: Literal["holm", "bonferroni"] = "holm",
) -> dict[str, Comparison]:
    """Compare each alternative in ``others`` with ``base``, allowing for multiplicity.

    All samples must be paired replications of the same length (at least 2).
    For each alternative the result holds:

    * an interval for the mean of ``other - base``. With k alternatives it is
      computed at confidence ``1 - (1 - confidence) / k`` (Bonferroni), so the
      k intervals hold together with at least the requested confidence. This
      widening is used whatever ``method`` is, because Holm's procedure does
      not give simple simultaneous intervals.
    * the raw two-sided paired t-test p-value, and
    * the p-value adjusted by ``method`` ("holm", the default, or
      "bonferroni").

    The verdict is based on the widened interval. Holm is slightly more
    powerful than Bonferroni, so in borderline cases the Holm-adjusted p-value
    can fall below ``1 - confidence`` while the interval still contains 0; the
    verdict then stays "no detectable difference" (the cautious reading).
    """
    _check_confidence(confidence)
    if method not in ("holm", "bonferroni"):
        raise ValueError(f"method must be 'holm' or 'bonferroni', got {method!r}")
    arr_base = _as_finite_1d(base, "base")
    if arr_base.size < 2:
        raise ValueError("paired_comparisons needs at least 2 replications")
    k = len(others)
    if k == 0:
        return {}
    interval_confidence = 1.0 - (1.0 - confidence) / k

    intervals: dict[str, Interval] = {}
    raw_p: dict[str, float] = {}
    for name, values in others.items():
        arr = _as_finite_1d(values, f"others[{name!r}]")
        if arr.size != arr_base.size:
            raise ValueError(f"{name!r} has {arr.size} replications but base has {arr_base.size}")
        intervals[name] = paired_difference_ci(arr_base, arr, interval_confidence)
        raw_p[name] = _paired_t_pvalue(arr - arr_base)

    names = list(raw_p)
    pvals = [raw_p[name] for name in names]
    adjusted = holm_adjust(pvals) if method == "holm" else bonferroni_adjust(pvals)
    return {
        name: Comparison(
            interval=intervals[name],
            p_value=raw_p[name],
            adjusted_p=adj,
            interval_confidence=interval_confidence,
        )
        for name, adj in zip(names, adjusted, strict=True)
    }


# ---------------------------------------------------------------------------
# Number of replications
# ---------------------------------------------------------------------------


def replications_needed_ci(
    pilot_values: ArrayLike, half_width: float, confidence: float = 0.95
) -> int:
    """Replications needed for a target interval half-width (confidence-interval method).

    Returns the smallest ``n >= 2`` with ``t_{n-1} * s / sqrt(n) <= half_width``,
    where ``s`` is the sample standard deviation of the pilot values (at least
    2 are needed) and ``half_width`` is in the units of the measure. The
    answer is only as good as the pilot estimate of ``s``.
    """
    _check_confidence(confidence)
    if not (half_width > 0.0 and math.isfinite(half_width)):
        raise ValueError(f"half_width must be a positive number, got {half_width}")
    arr = _as_finite_1d(pilot_values, "pilot_values")
    if arr.size < 2:
        raise ValueError("replications_needed_ci needs at least 2 pilot values")
    _, sd = _mean_and_sd(arr)
    if sd == 0.0:
        return 2
    # The t quantile is always above the normal one, so the normal answer is a
    # lower bound; step up from there.
    from scipy import stats as sps

    z = float(sps.norm.ppf(0.5 + confidence / 2.0))
    n = max(2, math.ceil((z * sd / half_width) ** 2))
    while _t_quantile(confidence, n - 1) * sd / math.sqrt(n) > half_width:
        n += 1
    return n


def relative_precision(values: ArrayLike, confidence: float = 0.95) -> float:
    """Interval half-width divided by the absolute mean (e.g. 0.05 means +/-5%).

    Returns NaN for a single value, 0.0 when the half-width is zero (even if
    the mean is zero), and infinity when the mean is zero but the half-width
    is not.
    """
    interval = mean_ci(values, confidence)
    half = interval.half_width
    if math.isnan(half):
        return math.nan
    if half == 0.0:
        return 0.0
    if interval.mean == 0.0:
        return math.inf
    return half / abs(interval.mean)


def _look_ahead(n: int, k_limit: int) -> int:
    """Hoad, Robinson and Davies look-ahead: kLimit up to 100 reps, then grows with n."""
    return k_limit if n <= 100 else (n * k_limit) // 100


def hoad_robinson_davies(
    run_one: Callable[[int], float],
    precision: float = 0.05,
    kLimit: int = 5,
    min_reps: int = 3,
    max_reps: int = 1000,
    confidence: float = 0.95,
    half_width: float | None = None,
) -> tuple[int, list[float]]:
    """Choose the number of replications automatically (Hoad, Robinson & Davies, 2010).

    ``run_one(i)`` runs replication ``i`` (counted from 0, so it can be used
    as a seed) and returns the measure of interest. The algorithm:

    1. Run ``min_reps`` replications (at least 2).
    2. After each replication compute the relative precision
       (``relative_precision``: half-width / |mean|).
    3. The first time it is at or below ``precision``, call the current count
       ``n_sol`` and keep going for a look-ahead of ``kLimit`` replications
       when ``n_sol <= 100``, or ``floor(n_sol * kLimit / 100)`` beyond that.
    4. If the precision stays within the target throughout the look-ahead,
       stop and return ``n_sol``. If it goes above the target, forget
       ``n_sol`` and carry on from step 2.

    Returns ``(n_sol, values)``. ``values`` holds every replication run,
    including the look-ahead ones, so ``len(values) >= n_sol``; for example
    with a constant output and the defaults, ``n_sol`` is 3 and 8 values are
    returned. At most ``max_reps`` replications are run: if the target is not
    confirmed by then, a ``RuntimeWarning`` is issued and
    ``(len(values), values)`` is returned.

    With ``half_width`` given, the target is an absolute interval half-width in
    the measure's units instead of the relative ``precision`` (the same
    look-ahead rule applies); useful for measures whose mean may be near zero.
    """
    _check_confidence(confidence)
    if not (precision > 0.0 and math.isfinite(precision)):
        raise ValueError(f"precision must be a positive number, got {precision}")
    if half_width is not None and not (half_width > 0.0 and math.isfinite(half_width)):
        raise ValueError(f"half_width must be a positive number, got {half_width}")
    if kLimit < 0:
        raise ValueError(f"kLimit must not be negative, got {kLimit}")
    if min_reps < 2:
        raise ValueError(f"min_reps must be at least 2, got {min_reps}")
    if max_reps < min_reps:
        raise ValueError(f"max_reps ({max_reps}) must be at least min_reps ({min_reps})")

    values: list[float] = []

    def run(i: int) -> None:
        value = float(run_one(i))
        if not math.isfinite(value):
            raise ValueError(f"replication {i} returned a non-finite value: {value}")
        values.append(value)

    for i in range(min_reps):
        run(i)

    n_sol: int | None = None
    while True:
        n = len(values)
        if half_width is not None:
            reached = mean_ci(values, confidence).half_width <= half_width
        else:
            reached = relative_precision(values, confidence) <= precision
        if reached:
            if n_sol is None:
                n_sol = n
            if n - n_sol >= _look_ahead(n_sol, kLimit):
                return n_sol, values
        else:
            n_sol = None
        if n >= max_reps:
            warnings.warn(
                f"hoad_robinson_davies: relative precision {precision} not confirmed "
                f"within {max_reps} replications",
                RuntimeWarning,
                stacklevel=2,
            )
            return n, values
        run(n)


# ---------------------------------------------------------------------------
# Warm-up
# ---------------------------------------------------------------------------


def mser5(series: ArrayLike) -> int:
    """MSER-5 warm-up length, as a number of original observations to discard.

    The series (in time order, from one run) is cut into consecutive batches
    of 5 and each batch is replaced by its mean; a final incomplete batch is
    ignored. For each truncation ``d`` (in batches) the MSER statistic is

        sum over the kept batch means x of (x - mean of kept)^2 / (n - d)^2

    with ``n`` the number of batches. The ``d`` with the smallest statistic is
    chosen, searching only truncations that keep more than half of the batches
    (a minimum near the half-way limit suggests the run is too short to settle
    the warm-up). Returns ``5 * d``. Needs at least 10 observations.
    """
    arr = _as_finite_1d(series, "series")
    n_batches = arr.size // MSER_BATCH_SIZE
    if n_batches < 2:
        raise ValueError(f"mser5 needs at least {2 * MSER_BATCH_SIZE} observations, got {arr.size}")
    batches = arr[: n_batches * MSER_BATCH_SIZE].reshape(n_batches, MSER_BATCH_SIZE).mean(axis=1)
    # Centre first to limit cancellation in the sum-of-squares formula below.
    centred = batches - batches.mean()
    # Sums over the kept batches d..n-1 for every d, via reversed cumulative sums.
    tail_sum = np.cumsum(centred[::-1])[::-1]
    tail_sumsq = np.cumsum((centred**2)[::-1])[::-1]
    kept = n_batches - np.arange(n_batches)
    sse = np.maximum(tail_sumsq - tail_sum**2 / kept, 0.0)
    mser = sse / kept.astype(float) ** 2
    d_max = (n_batches - 1) // 2  # always keep more than half of the batches
    d = int(np.argmin(mser[: d_max + 1]))
    return d * MSER_BATCH_SIZE


# ---------------------------------------------------------------------------
# M/M/c queue (Erlang C)
# ---------------------------------------------------------------------------


def _check_mmc(arrival_rate: float, service_rate: float, servers: int) -> float:
    """Validate M/M/c inputs and return the offered load lambda / mu."""
    if isinstance(servers, bool) or int(servers) != servers or servers < 1:
        raise ValueError(f"servers must be a positive whole number, got {servers}")
    if not (math.isfinite(arrival_rate) and arrival_rate >= 0.0):
        raise ValueError(f"arrival_rate must be a non-negative number, got {arrival_rate}")
    if not (math.isfinite(service_rate) and service_rate > 0.0):
        raise ValueError(f"service_rate must be a positive number, got {service_rate}")
    offered = arrival_rate / service_rate
    utilisation = offered / servers
    if utilisation >= 1.0:
        raise ValueError(
            f"utilisation lambda/(c*mu) = {utilisation:.4g} must be below 1 for a steady state"
        )
    return offered


def erlang_c_probability_wait(arrival_rate: float, service_rate: float, servers: int) -> float:
    """Probability that an arrival has to queue in an M/M/c system (Erlang C).

    Computed from the Erlang B recursion ``B_k = a B_{k-1} / (k + a B_{k-1})``
    with ``a = arrival_rate / service_rate``, then
    ``C = c B_c / (c - a (1 - B_c))``. This avoids large factorials and powers,
    so it is stable for hundreds of servers. Raises ``ValueError`` if the
    utilisation ``arrival_rate / (servers * service_rate)`` is 1 or more.
    """
    offered = _check_mmc(arrival_rate, service_rate, servers)
    c = int(servers)
    blocking = 1.0
    for k in range(1, c + 1):
        blocking = offered * blocking / (k + offered * blocking)
    return c * blocking / (c - offered * (1.0 - blocking))


def erlang_c_wait(arrival_rate: float, service_rate: float, servers: int) -> float:
    """Mean time waiting in the queue (Wq, excluding service) for an M/M/c system.

    ``Wq = C / (c * mu - lambda)`` with ``C`` from ``erlang_c_probability_wait``.
    The time unit is the reciprocal of the rates' unit. Raises ``ValueError`` if
    the utilisation is 1 or more.
    """
    prob_wait = erlang_c_probability_wait(arrival_rate, service_rate, servers)
    return prob_wait / (int(servers) * service_rate - arrival_rate)
