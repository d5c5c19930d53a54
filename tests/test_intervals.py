"""Intervals that respect each KPI's nature, and verdicts with a rank test and power.

Coverage is checked on synthetic replications with known means: seeded, 1,000 trials
per method (a coverage estimate good to about +/-0.015), small enough to run in seconds.
"""

from __future__ import annotations

import numpy as np
import pytest

from analysis.intervals import KPI_NATURE, kpi_interval, log_interval, logit_interval
from analysis.kpis import KPI_NAMES
from analysis.power import (
    minimal_detectable_difference,
    replications_for,
    sign_test_p,
    signed_rank_p,
)
from analysis.stats import mean_ci
from analysis.verdicts import compare_kpi

TRIALS = 1000
N = 8


def _coverage(draw, true: float, method) -> tuple[float, float, float]:
    """Share of intervals holding the true mean, and the lowest and highest bound seen."""
    hits, lowest, highest = 0, np.inf, -np.inf
    for _ in range(TRIALS):
        iv = method(draw())
        hits += iv.ci_low <= true <= iv.ci_high
        lowest, highest = min(lowest, iv.ci_low), max(highest, iv.ci_high)
    return hits / TRIALS, lowest, highest


def test_log_interval_covers_counts_and_never_goes_below_zero():
    rng = np.random.default_rng(11)
    covered, lowest, _ = _coverage(lambda: rng.poisson(2.4, N).astype(float), 2.4, log_interval)
    assert 0.92 <= covered <= 0.985
    assert lowest >= 0.0
    # The plain t interval on the same kind of data does go below zero.
    rng = np.random.default_rng(11)
    _, t_lowest, _ = _coverage(lambda: rng.poisson(2.4, N).astype(float), 2.4, mean_ci)
    assert t_lowest < 0.0


def test_log_interval_covers_skewed_waits():
    rng = np.random.default_rng(12)
    covered, lowest, _ = _coverage(lambda: rng.gamma(0.8, 0.25, N), 0.2, log_interval)
    assert 0.89 <= covered <= 0.985
    assert lowest > 0.0


def test_logit_interval_covers_shares_and_stays_inside_0_1():
    rng = np.random.default_rng(13)
    covered, lowest, highest = _coverage(
        lambda: rng.binomial(60, 0.97, N) / 60.0, 0.97, logit_interval
    )
    assert 0.92 <= covered <= 0.99
    assert lowest >= 0.0 and highest <= 1.0


def test_degenerate_and_invalid_inputs():
    assert log_interval([0.0, 0.0, 0.0]).to_dict() == {"mean": 0.0, "ci_low": 0.0, "ci_high": 0.0}
    assert np.isnan(logit_interval([0.5]).ci_low)
    with pytest.raises(ValueError):
        log_interval([1.0, -0.1])
    with pytest.raises(ValueError):
        logit_interval([0.5, 1.2])


def test_every_kpi_has_a_nature_and_the_first_finding_is_fixed():
    assert set(KPI_NAMES) <= set(KPI_NATURE)
    # The baseline waits of the issue: a t interval reached -0.055 days.
    waits = [0.02, 0.03, 0.05, 0.04, 0.9, 0.06, 0.2, 0.08]
    assert mean_ci(waits).ci_low < 0
    iv = kpi_interval("mean_wait_to_allocation_days", waits)
    assert 0 < iv.ci_low < iv.mean < iv.ci_high


def test_rank_tests_find_eight_of_eight_pairs():
    diff = [-0.3, -0.05, -1.2, -0.1, -0.02, -0.4, -0.07, -0.9]
    assert signed_rank_p(diff) == pytest.approx(2 / 256)
    assert sign_test_p(diff) == pytest.approx(2 / 256)
    assert signed_rank_p([0.0, 0.0]) == 1.0


def test_verdict_rests_on_rank_test_when_t_interval_straddles_zero():
    base = np.array([0.02, 0.03, 0.05, 0.04, 2.9, 0.06, 0.2, 0.08])
    other = np.zeros(8)
    (row,) = compare_kpi(
        "mean_wait_to_allocation_days", base, {"more": other}, higher_is_better=False
    )
    assert row["ci_low"] < 0 < row["ci_high"]
    assert row["verdict"] == "better"
    assert row["rests_on"] == "Wilcoxon signed-rank"
    assert row["adjusted_rank_p"] == pytest.approx(2 / 256)


def test_power_detectable_difference_and_replications_needed():
    rng = np.random.default_rng(5)
    diff = rng.normal(0.0, 1.5, 8)
    mdd = minimal_detectable_difference(diff)
    sd = float(np.std(diff, ddof=1))
    # (t_.975,7 + t_.8,7) = 2.365 + 0.896
    assert mdd == pytest.approx(3.261 * sd / np.sqrt(8), rel=1e-3)
    needed = replications_for(sd, mdd)
    assert needed == 8
    # Halving the difference needs about four times the replications (less, as t shrinks).
    assert 24 <= replications_for(sd, mdd / 2) <= 32


def test_power_is_honest_by_simulation():
    """At the minimal detectable difference, a paired t test rejects about 80% of the time."""
    from scipy import stats as sps

    rng = np.random.default_rng(21)
    sd, n = 1.0, 10
    d = replications_for(sd, 1.0)  # replications to detect 1 sd
    rejections = 0
    for _ in range(TRIALS):
        diff = rng.normal(1.0, sd, d)
        rejections += sps.ttest_1samp(diff, 0.0).pvalue < 0.05
    assert d >= n  # 1 sd needs about 10 pairs
    assert 0.76 <= rejections / TRIALS <= 0.9


def test_warning_when_no_difference_rests_on_too_few_runs():
    rng = np.random.default_rng(3)
    base = rng.poisson(2.4, 8).astype(float)
    other = rng.poisson(2.4, 8).astype(float)
    (row,) = compare_kpi("serious_incidents", base, {"x": other}, higher_is_better=False)
    assert row["verdict"] == "no detectable difference"
    assert row["needed"] > 8
    assert f"needs about {row['needed']}" in row["warning"]


def test_eight_of_eight_on_the_real_model_is_a_verdict_not_no_difference():
    """The issue's case on the model itself: a short-staffed team waits in every paired run
    (skewed, one run far longer), four more workers wait in none; the comparison must say
    "better" (on the t interval if it clears zero, else on the rank test), never "no
    detectable difference"."""
    from experiment_helpers import short_baseline

    from analysis.experiment import comparison_points, paired_differences, run_experiment

    short = short_baseline(horizon=90.0, warm_up=30.0, **{"staff.experienced.count": 9})
    more = short_baseline(horizon=90.0, warm_up=30.0, **{"staff.experienced.count": 13})
    result = run_experiment(comparison_points([short, more]), 8, 1)
    waits = result.kpi_frame(per_year=True).pivot(
        index="replication", columns="point", values="mean_wait_to_allocation_days"
    )
    base, other = (waits[p.id].to_numpy() for p in result.points)
    moved = int(np.sum(other < base))
    assert moved == 8, (base, other)  # the premise: every pair moves the same way
    diffs = paired_differences(result)
    row = diffs[diffs["kpi"] == "mean_wait_to_allocation_days"].iloc[0]
    assert row["verdict"] == "better"
    assert row["adjusted_rank_p"] == pytest.approx(2 / 256)
    if row["ci_low"] < 0 < row["ci_high"]:
        assert row["rests_on"] == "Wilcoxon signed-rank"
