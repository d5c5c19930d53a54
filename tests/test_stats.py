"""Tests for analysis.stats.

Grouped, as in treat-sim, into functional tests (does the method behave as
the statistics says it should on realistic inputs), extreme-value tests
(edge cases and invalid input) and deterministic tests (exact answers worked
out by hand or taken from textbooks). Random inputs always come from a
seeded ``numpy.random.default_rng``.
"""

from __future__ import annotations

import math
import warnings
from fractions import Fraction

import numpy as np
import pytest
from scipy import stats as sps

from analysis.stats import (
    Comparison,
    Interval,
    bonferroni_adjust,
    erlang_c_probability_wait,
    erlang_c_wait,
    hoad_robinson_davies,
    holm_adjust,
    mean_ci,
    mser5,
    paired_comparisons,
    paired_difference_ci,
    relative_precision,
    replications_needed_ci,
)


def _transient_series(seed: int) -> np.ndarray:
    """200 observations falling linearly from 50 to 10, then 800 around 10."""
    rng = np.random.default_rng(seed)
    trend = np.concatenate([np.linspace(50.0, 10.0, 200), np.full(800, 10.0)])
    return trend + rng.normal(0.0, 2.0, trend.size)


def _erlang_c_exact(arrival_rate: int, service_rate: int, servers: int) -> Fraction:
    """Textbook Erlang C formula in exact rational arithmetic (independent check)."""
    a = Fraction(arrival_rate, service_rate)
    c = servers
    rho = a / c
    top = a**c / math.factorial(c) / (1 - rho)
    bottom = sum(a**k / math.factorial(k) for k in range(c)) + top
    return top / bottom


# ---------------------------------------------------------------------------
# Functional tests
# ---------------------------------------------------------------------------


class TestFunctional:
    def test_mean_ci_coverage_normal_samples(self) -> None:
        rng = np.random.default_rng(20240601)
        true_mean = 12.0
        hits = 0
        trials = 2000
        for _ in range(trials):
            interval = mean_ci(rng.normal(true_mean, 3.0, size=10), 0.95)
            hits += interval.contains(true_mean)
        coverage = hits / trials
        assert 0.93 <= coverage <= 0.97

    def test_mean_ci_wider_at_higher_confidence(self) -> None:
        values = np.random.default_rng(1).normal(5.0, 1.0, size=20)
        assert mean_ci(values, 0.99).half_width > mean_ci(values, 0.95).half_width
        assert mean_ci(values, 0.95).half_width > mean_ci(values, 0.80).half_width

    def test_paired_ci_narrower_than_unpaired_for_correlated_pairs(self) -> None:
        rng = np.random.default_rng(7)
        n = 30
        common = rng.normal(100.0, 15.0, size=n)  # shared randomness, like common seeds
        a = common + rng.normal(0.0, 2.0, size=n)
        b = common + 3.0 + rng.normal(0.0, 2.0, size=n)
        assert np.corrcoef(a, b)[0, 1] > 0.9

        paired = paired_difference_ci(a, b)
        t = sps.t.ppf(0.975, n - 1)
        unpaired_half = t * math.sqrt(np.var(a, ddof=1) / n + np.var(b, ddof=1) / n)

        assert paired.half_width < unpaired_half / 3
        assert paired.mean == pytest.approx(np.mean(b) - np.mean(a))
        assert paired.ci_low > 0.0  # the +3 shift is detected

    def test_paired_comparisons_verdicts(self) -> None:
        rng = np.random.default_rng(11)
        n = 40
        common = rng.normal(50.0, 10.0, size=n)
        base = common + rng.normal(0.0, 1.0, size=n)
        others = {
            "more_staff": common + 5.0 + rng.normal(0.0, 1.0, size=n),
            "fewer_staff": common - 5.0 + rng.normal(0.0, 1.0, size=n),
            "same": common + rng.normal(0.0, 1.0, size=n),
        }
        result = paired_comparisons(base, others)

        assert set(result) == set(others)
        assert all(isinstance(c, Comparison) for c in result.values())
        assert result["more_staff"].verdict(higher_is_better=True) == "better"
        assert result["more_staff"].verdict(higher_is_better=False) == "worse"
        assert result["fewer_staff"].verdict(higher_is_better=True) == "worse"
        assert result["fewer_staff"].verdict(higher_is_better=False) == "better"
        assert result["same"].verdict(higher_is_better=True) == "no detectable difference"
        for comp in result.values():
            assert comp.adjusted_p >= comp.p_value
            assert comp.interval_confidence == pytest.approx(1 - 0.05 / 3)

    def test_paired_comparisons_intervals_are_bonferroni_widened(self) -> None:
        rng = np.random.default_rng(3)
        base = rng.normal(10.0, 1.0, size=15)
        others = {name: base + rng.normal(0.5, 1.0, size=15) for name in ("x", "y", "z", "w")}
        result = paired_comparisons(base, others, confidence=0.95)
        for name, values in others.items():
            single = paired_difference_ci(base, values, 0.95)
            widened = paired_difference_ci(base, values, 1 - 0.05 / 4)
            assert result[name].interval.half_width > single.half_width
            assert result[name].interval.half_width == pytest.approx(widened.half_width)

    def test_paired_comparisons_p_values_match_scipy(self) -> None:
        rng = np.random.default_rng(5)
        base = rng.normal(0.0, 1.0, size=12)
        others = {"a": base + rng.normal(0.4, 1.0, 12), "b": base + rng.normal(0.0, 1.0, 12)}
        result = paired_comparisons(base, others, method="holm")
        raw = [sps.ttest_rel(others[k], base).pvalue for k in ("a", "b")]
        assert [result[k].p_value for k in ("a", "b")] == pytest.approx(raw)
        assert [result[k].adjusted_p for k in ("a", "b")] == pytest.approx(holm_adjust(raw))

        bonf = paired_comparisons(base, others, method="bonferroni")
        assert [bonf[k].adjusted_p for k in ("a", "b")] == pytest.approx(bonferroni_adjust(raw))

    def test_replications_needed_monotone_in_half_width(self) -> None:
        pilot = np.random.default_rng(2).normal(100.0, 20.0, size=10)
        widths = [0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 32.0]
        needed = [replications_needed_ci(pilot, w) for w in widths]
        assert needed == sorted(needed, reverse=True)
        assert needed[0] > needed[-1]

    def test_replications_needed_achieves_target(self) -> None:
        pilot = np.random.default_rng(4).normal(50.0, 8.0, size=20)
        s = np.std(pilot, ddof=1)
        target = 2.0
        n = replications_needed_ci(pilot, target)
        assert sps.t.ppf(0.975, n - 1) * s / math.sqrt(n) <= target
        assert sps.t.ppf(0.975, n - 2) * s / math.sqrt(n - 1) > target

    def test_hrd_on_normal_stream(self) -> None:
        rng = np.random.default_rng(42)
        stream = rng.normal(100.0, 20.0, size=1000)
        calls: list[int] = []

        def run_one(i: int) -> float:
            calls.append(i)
            return float(stream[i])

        n, values = hoad_robinson_davies(run_one, precision=0.05, max_reps=1000)

        # Roughly (1.96 * 20 / 5)^2 ~ 61 replications are needed.
        assert 30 <= n <= 120
        assert len(values) <= 1000
        assert calls == list(range(len(values)))
        assert relative_precision(values[:n]) <= 0.05
        assert len(values) == n + 5  # n <= 100, so the look-ahead is kLimit
        for m in range(n, len(values) + 1):
            assert relative_precision(values[:m]) <= 0.05

    def test_hrd_look_ahead_grows_beyond_100(self) -> None:
        rng = np.random.default_rng(8)
        stream = rng.normal(100.0, 40.0, size=2000)
        n, values = hoad_robinson_davies(
            lambda i: float(stream[i]), precision=0.05, kLimit=5, max_reps=2000
        )
        assert n > 100
        assert len(values) == n + (n * 5) // 100

    def test_mser5_finds_initial_transient(self) -> None:
        for seed in range(5):
            assert abs(mser5(_transient_series(seed)) - 200) <= 50

    def test_mser5_near_zero_on_stationary_series(self) -> None:
        for seed in range(5):
            rng = np.random.default_rng(seed)
            assert mser5(10.0 + rng.normal(0.0, 2.0, size=1000)) <= 50

    def test_erlang_c_stable_for_many_servers(self) -> None:
        for servers in (50, 120, 200):
            arrival = int(0.9 * servers)
            got = erlang_c_probability_wait(arrival, 1.0, servers)
            assert math.isfinite(got)
            assert got == pytest.approx(float(_erlang_c_exact(arrival, 1, servers)), rel=1e-9)

    def test_erlang_c_wait_falls_as_servers_added(self) -> None:
        waits = [erlang_c_wait(9.0, 1.0, c) for c in range(10, 20)]
        assert waits == sorted(waits, reverse=True)


# ---------------------------------------------------------------------------
# Extreme-value tests
# ---------------------------------------------------------------------------


class TestExtremeValues:
    def test_mean_ci_single_value_has_nan_bounds(self) -> None:
        interval = mean_ci([4.2])
        assert interval.mean == 4.2
        assert interval.n == 1
        assert math.isnan(interval.ci_low) and math.isnan(interval.ci_high)
        assert math.isnan(interval.half_width)
        assert not interval.contains(4.2)

    def test_mean_ci_identical_values_zero_width(self) -> None:
        interval = mean_ci([0.1] * 25)
        assert interval.mean == 0.1
        assert interval.ci_low == interval.ci_high == 0.1
        assert interval.half_width == 0.0

    @pytest.mark.parametrize("bad", [[], [1.0, float("nan")], [1.0, float("inf")], [[1.0, 2.0]]])
    def test_mean_ci_rejects_bad_values(self, bad: list) -> None:
        with pytest.raises(ValueError):
            mean_ci(bad)

    @pytest.mark.parametrize("confidence", [0.0, 1.0, -0.5, 95.0])
    def test_mean_ci_rejects_bad_confidence(self, confidence: float) -> None:
        with pytest.raises(ValueError):
            mean_ci([1.0, 2.0, 3.0], confidence)

    def test_paired_difference_mismatched_lengths(self) -> None:
        with pytest.raises(ValueError):
            paired_difference_ci([1.0, 2.0, 3.0], [1.0, 2.0])

    def test_paired_comparisons_mismatched_lengths(self) -> None:
        with pytest.raises(ValueError):
            paired_comparisons([1.0, 2.0, 3.0], {"x": [1.0, 2.0]})

    def test_paired_comparisons_bad_method_and_too_few(self) -> None:
        with pytest.raises(ValueError):
            paired_comparisons([1.0, 2.0], {"x": [1.0, 3.0]}, method="sidak")  # type: ignore[arg-type]
        with pytest.raises(ValueError):
            paired_comparisons([1.0], {"x": [2.0]})
        assert paired_comparisons([1.0, 2.0], {}) == {}

    def test_paired_comparisons_constant_differences(self) -> None:
        base = [1.0, 2.0, 3.0, 4.0]
        result = paired_comparisons(base, {"same": base, "shift": [x + 1 for x in base]})
        assert result["same"].p_value == 1.0
        assert result["same"].verdict(True) == "no detectable difference"
        assert result["shift"].p_value == 0.0
        assert result["shift"].interval.half_width == 0.0
        assert result["shift"].verdict(True) == "better"

    def test_bonferroni_capped_at_one(self) -> None:
        assert bonferroni_adjust([0.3, 0.6, 0.01]) == pytest.approx([0.9, 1.0, 0.03])
        assert max(bonferroni_adjust([0.9] * 10)) == 1.0

    def test_holm_capped_at_one_and_empty(self) -> None:
        assert holm_adjust([0.5, 0.9, 0.7]) == pytest.approx([1.0, 1.0, 1.0])
        assert holm_adjust([]) == []
        assert bonferroni_adjust([]) == []

    @pytest.mark.parametrize("bad", [[0.1, 1.2], [-0.01], [float("nan")]])
    def test_adjust_rejects_invalid_p(self, bad: list[float]) -> None:
        with pytest.raises(ValueError):
            holm_adjust(bad)
        with pytest.raises(ValueError):
            bonferroni_adjust(bad)

    def test_replications_needed_invalid_inputs(self) -> None:
        with pytest.raises(ValueError):
            replications_needed_ci([1.0], 1.0)
        with pytest.raises(ValueError):
            replications_needed_ci([1.0, 2.0, 3.0], 0.0)
        assert replications_needed_ci([5.0, 5.0, 5.0], 0.1) == 2

    def test_relative_precision_edge_cases(self) -> None:
        assert math.isnan(relative_precision([3.0]))
        assert relative_precision([0.0, 0.0, 0.0]) == 0.0
        assert relative_precision([-1.0, 1.0]) == math.inf
        assert relative_precision([-9.0, -11.0]) == pytest.approx(
            mean_ci([-9.0, -11.0]).half_width / 10.0
        )

    def test_hrd_constant_output_stops_after_look_ahead(self) -> None:
        calls: list[int] = []

        def run_one(i: int) -> float:
            calls.append(i)
            return 7.5

        n, values = hoad_robinson_davies(run_one, min_reps=3, kLimit=5)
        assert n == 3  # the chosen number of replications
        assert len(values) == 3 + 5  # min_reps + look-ahead were run
        assert calls == list(range(8))

    def test_hrd_zero_look_ahead(self) -> None:
        n, values = hoad_robinson_davies(lambda i: 1.0, min_reps=4, kLimit=0)
        assert (n, len(values)) == (4, 4)

    def test_hrd_budget_exhausted_warns(self) -> None:
        rng = np.random.default_rng(0)
        stream = rng.normal(10.0, 10.0, size=50)
        with pytest.warns(RuntimeWarning):
            n, values = hoad_robinson_davies(
                lambda i: float(stream[i]), precision=0.001, max_reps=50
            )
        assert n == len(values) == 50

    def test_hrd_invalid_arguments(self) -> None:
        with pytest.raises(ValueError):
            hoad_robinson_davies(lambda i: 1.0, min_reps=1)
        with pytest.raises(ValueError):
            hoad_robinson_davies(lambda i: 1.0, min_reps=5, max_reps=4)
        with pytest.raises(ValueError):
            hoad_robinson_davies(lambda i: 1.0, precision=0.0)
        with pytest.raises(ValueError):
            hoad_robinson_davies(lambda i: 1.0, kLimit=-1)
        with pytest.raises(ValueError):
            hoad_robinson_davies(lambda i: float("nan"))

    def test_mser5_short_series(self) -> None:
        with pytest.raises(ValueError):
            mser5([1.0] * 9)
        assert mser5([1.0] * 10) == 0

    def test_mser5_constant_series(self) -> None:
        assert mser5(np.full(500, 3.0)) == 0

    def test_mser5_ignores_incomplete_final_batch(self) -> None:
        series = _transient_series(0)
        assert mser5(np.concatenate([series, [1e6, -1e6, 1e6]])) == mser5(series)

    def test_mser5_searches_only_first_half(self) -> None:
        # A series that only settles in its second half: the answer is capped.
        series = np.concatenate([np.linspace(100.0, 0.0, 800), np.zeros(200)])
        assert mser5(series) <= 500

    @pytest.mark.parametrize(
        ("arrival", "service", "servers"),
        [(1.0, 1.0, 1), (2.0, 1.0, 2), (2.5, 1.0, 2), (10.0, 1.0, 10), (201.0, 1.0, 200)],
    )
    def test_erlang_c_rejects_utilisation_at_or_above_one(
        self, arrival: float, service: float, servers: int
    ) -> None:
        with pytest.raises(ValueError):
            erlang_c_wait(arrival, service, servers)
        with pytest.raises(ValueError):
            erlang_c_probability_wait(arrival, service, servers)

    @pytest.mark.parametrize(
        ("arrival", "service", "servers"),
        [(-1.0, 1.0, 2), (1.0, 0.0, 2), (1.0, 1.0, 0), (1.0, 1.0, 2.5), (float("nan"), 1.0, 2)],
    )
    def test_erlang_c_rejects_invalid_inputs(
        self, arrival: float, service: float, servers: int
    ) -> None:
        with pytest.raises(ValueError):
            erlang_c_wait(arrival, service, servers)

    def test_erlang_c_no_arrivals(self) -> None:
        assert erlang_c_probability_wait(0.0, 1.0, 3) == 0.0
        assert erlang_c_wait(0.0, 1.0, 3) == 0.0

    def test_no_warnings_from_constant_inputs(self) -> None:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            mean_ci([2.0, 2.0, 2.0])
            paired_comparisons([1.0, 1.0, 1.0], {"x": [1.0, 1.0, 1.0]})


# ---------------------------------------------------------------------------
# Deterministic tests (hand-worked and textbook values)
# ---------------------------------------------------------------------------


class TestDeterministic:
    def test_mean_ci_hand_worked(self) -> None:
        # mean 3, s = sqrt(2.5), t_{4, 0.975} = 2.776445...
        interval = mean_ci([1.0, 2.0, 3.0, 4.0, 5.0])
        half = 2.7764451051977987 * math.sqrt(2.5) / math.sqrt(5)
        assert interval.mean == 3.0
        assert interval.n == 5
        assert interval.ci_low == pytest.approx(3.0 - half)
        assert interval.ci_high == pytest.approx(3.0 + half)
        assert interval.half_width == pytest.approx(half)

    def test_mean_ci_matches_scipy(self) -> None:
        values = np.random.default_rng(9).exponential(4.0, size=17)
        low, high = sps.t.interval(0.9, 16, loc=np.mean(values), scale=sps.sem(values))
        interval = mean_ci(values, 0.9)
        assert (interval.ci_low, interval.ci_high) == pytest.approx((low, high))

    def test_interval_to_dict_and_frozen(self) -> None:
        interval = Interval(mean=1.0, ci_low=0.5, ci_high=1.5, n=4)
        assert interval.to_dict() == {"mean": 1.0, "ci_low": 0.5, "ci_high": 1.5}
        assert interval.half_width == 0.5
        with pytest.raises(AttributeError):
            interval.mean = 2.0  # type: ignore[misc]

    def test_paired_difference_hand_worked(self) -> None:
        a = [10.0, 12.0, 11.0, 13.0]
        b = [11.0, 14.0, 12.0, 16.0]  # differences 1, 2, 1, 3
        interval = paired_difference_ci(a, b)
        assert interval.mean == pytest.approx(1.75)
        assert interval == mean_ci([1.0, 2.0, 1.0, 3.0])

    def test_holm_hand_worked(self) -> None:
        # Sorted: 0.005*4=0.02, 0.01*3=0.03, 0.03*2=0.06, 0.04*1=0.04 -> max-carry 0.06.
        adjusted = holm_adjust([0.01, 0.04, 0.03, 0.005])
        assert adjusted == pytest.approx([0.03, 0.06, 0.06, 0.02])

    def test_holm_ties_keep_order(self) -> None:
        assert holm_adjust([0.02, 0.02, 0.5]) == pytest.approx([0.06, 0.06, 0.5])

    def test_bonferroni_hand_worked(self) -> None:
        assert bonferroni_adjust([0.01, 0.04, 0.03, 0.005]) == pytest.approx(
            [0.04, 0.16, 0.12, 0.02]
        )

    def test_replications_needed_hand_worked(self) -> None:
        # s = 10 (pilot 0, 10, 20); target half-width 5: the normal approximation
        # gives ceil((1.96*10/5)^2) = 16, but t_15 * 10 / 4 = 5.33 > 5, so the
        # t-based answer is the first n with t_{n-1} * 10 / sqrt(n) <= 5, which is 18.
        assert replications_needed_ci([0.0, 10.0, 20.0], 5.0) == 18

    def test_erlang_c_mm1(self) -> None:
        lam, mu = 0.5, 1.0
        rho = lam / mu
        assert erlang_c_probability_wait(lam, mu, 1) == pytest.approx(rho)
        assert erlang_c_wait(lam, mu, 1) == pytest.approx(rho / (mu - lam))
        assert erlang_c_wait(3.0, 4.0, 1) == pytest.approx(0.75 / 1.0)

    def test_erlang_c_mm2(self) -> None:
        assert erlang_c_probability_wait(1.0, 1.0, 2) == pytest.approx(1 / 3)
        assert erlang_c_wait(1.0, 1.0, 2) == pytest.approx(1 / 3)

    def test_erlang_c_ten_servers_textbook(self) -> None:
        # Erlang C tables: 8 Erlangs offered to 10 agents -> P(wait) = 0.4092.
        prob = erlang_c_probability_wait(8.0, 1.0, 10)
        assert prob == pytest.approx(0.4092, abs=5e-5)
        assert prob == pytest.approx(float(_erlang_c_exact(8, 1, 10)), rel=1e-12)
        assert erlang_c_wait(8.0, 1.0, 10) == pytest.approx(prob / 2.0)
        # Same system in hours: 4 per hour, 30-minute mean service.
        assert erlang_c_wait(4.0, 0.5, 10) == pytest.approx(prob / 1.0)
