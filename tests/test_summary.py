"""The plain-language summary of a paired comparison, and the number formats it uses."""

from __future__ import annotations

import math

from analysis.formatting import format_about, format_number, format_range, plural
from analysis.summary import (
    KPI_PHRASES,
    KpiDifference,
    comparison_sentence,
    describe_difference,
    differences_from_rows,
    summarise_comparisons,
)


def _diff(kpi: str, mean: float, low: float, high: float, verdict: str, **kw) -> KpiDifference:
    return KpiDifference(
        kpi=kpi, mean=mean, ci_low=low, ci_high=high, verdict=verdict, n=kw.pop("n", 8), **kw
    )


def test_share_told_in_points_with_interval():
    d = _diff("assessments_within_timescale", 0.031, 0.021, 0.042, "better")
    assert describe_difference(d) == "assessments on time up 3 points (2 to 4)"


def test_decrease_told_as_down_with_positive_ends():
    d = _diff("mean_wait_to_allocation_days", -0.43, -0.52, -0.31, "better")
    assert describe_difference(d) == "the wait for allocation down 0.4 days (0.3 to 0.5)"


def test_no_difference_says_what_could_be_detected_and_what_is_needed():
    d = _diff(
        "harm_false_negative",
        1.2,
        -3.0,
        5.4,
        "no detectable difference",
        detectable=6.8,
        meaningful=2.0,
        needed=91,
    )
    text = describe_difference(d)
    assert text.startswith("no detectable change in children harmed and not protected")
    assert "8 replications could detect a change of about 7 a year" in text
    assert "a change of 2 a year would need about 91 replications" in text


def test_needed_not_told_when_runs_are_enough():
    d = _diff(
        "serious_incidents",
        0.1,
        -0.2,
        0.4,
        "no detectable difference",
        detectable=0.5,
        meaningful=1.0,
        needed=5,
    )
    assert "would need" not in describe_difference(d)


def test_sign_test_verdict_names_its_test_and_keeps_interval_signs():
    d = _diff(
        "mean_wait_to_allocation_days",
        -0.2,
        -0.43,
        0.05,
        "better",
        rests_on="sign test",
    )
    text = describe_difference(d)
    assert text == ("the wait for allocation down 0.2 days (-0.1 to 0.4), shown by the sign test")


def test_sentence_orders_found_first_and_counts_replications():
    diffs = [
        _diff("serious_incidents", 0.3, -1.0, 1.6, "no detectable difference", detectable=1.9),
        _diff("assessments_within_timescale", 0.031, 0.021, 0.042, "better"),
        _diff("harm_false_positive", 3.0, 1.0, 5.0, "worse"),
    ]
    text = comparison_sentence(alternative="Two more workers", base="baseline", differences=diffs)
    assert text.startswith("Two more workers against baseline (8 paired replications): ")
    assert text.index("assessments on time up") < text.index("families wrongly")
    assert text.endswith(
        "No detectable change in serious incidents "
        "(8 replications could detect a change of about 1.9 a year)."
    )


def test_kpis_argument_chooses_and_orders_and_accepts_per_year_names():
    diffs = [
        _diff("serious_incidents_per_year", 2.0, 1.0, 3.0, "worse"),
        _diff("referrals_per_year", 10.0, 5.0, 15.0, "higher"),
    ]
    text = comparison_sentence(alternative="b", base="a", differences=diffs)
    assert "serious incidents up 2 a year (1 to 3)" in text
    assert "referrals" not in text  # not a headline KPI
    every = comparison_sentence(alternative="b", base="a", differences=diffs, kpis=None)
    assert "referrals up 10 a year (5 to 15)" in every


def test_all_undetected_and_one_replication_plural():
    diffs = [_diff("serious_incidents", 0.0, -1.0, 1.0, "no detectable difference", n=1)]
    text = comparison_sentence(alternative="b", base="a", differences=diffs)
    assert "(1 paired replication)" in text
    assert "no detectable difference in any KPI shown" in text


def test_unmeasured_kpi_is_said_plainly():
    d = _diff("mean_wait_to_allocation_days", math.nan, math.nan, math.nan, "better")
    assert describe_difference(d).endswith("not measured in enough replications")


def test_money_and_rows_from_a_table():
    rows = [
        {
            "kpi": "cost_per_year",
            "scenario": "more staff",
            "mean": 98_400.0,
            "ci_low": 96_100.0,
            "ci_high": 100_700.0,
            "n": 8,
            "verdict": "higher",
            "detectable": float("nan"),
            "needed": None,
        },
        {
            "kpi": "serious_incidents",
            "scenario": "more staff",
            "mean": -0.5,
            "ci_low": -1.5,
            "ci_high": 0.5,
            "n": 8,
            "verdict": "no detectable difference",
            "detectable": 1.4,
            "needed": 40.0,
            "meaningful": 0.5,
        },
    ]
    grouped = differences_from_rows(rows)
    assert list(grouped) == ["more staff"]
    assert grouped["more staff"][1].needed == 40
    (sentence,) = summarise_comparisons(base="baseline", alternatives=grouped)
    assert "the cost up £98,400 a year (96,100 to 100,700)" in sentence
    assert "a change of 0.5 a year would need about 40 replications" in sentence


def test_every_kpi_has_a_phrase():
    from analysis.kpis import KPI_NAMES

    assert set(KPI_NAMES) <= set(KPI_PHRASES)


def test_number_formats():
    assert format_number(4860.0) == "4,860"
    assert format_number(4861.4) == "4,861"
    assert format_number(12.345) == "12.3"
    assert format_number(0.4261) == "0.43"
    assert format_number(0.0554) == "0.055"
    assert format_number(-0.0001, 2) == "0.00"
    assert format_number(float("nan")) == "-"
    assert format_range(4821.0, 4902.0) == "4,821 to 4,902"
    assert format_about(6.8) == "7"
    assert format_about(1.94) == "1.9"
    assert format_about(2.0) == "2"
    assert format_about(0.05) == "0.05"
    assert plural(1, "figure") == "1 figure"
    assert plural(2, "replication") == "2 replications"
    assert plural(1200, "referral") == "1,200 referrals"


def test_identical_runs_are_said_to_be_the_same():
    d = _diff("serious_incidents", 0.0, 0.0, 0.0, "no detectable difference", detectable=0.0)
    assert describe_difference(d) == (
        "no detectable change in serious incidents (the same in each of the 8 paired replications)"
    )


def test_cost_per_harm_averted_is_told_in_pounds_or_why_not():
    told = _diff("cost_per_harm_averted", 52_000.0, 31_000.0, 140_000.0, "estimated")
    assert describe_difference(told) == (
        "each child harmed averted costs about £52,000 (£31,000 to £140,000)"
    )
    not_told = KpiDifference(
        kpi="cost_per_harm_averted",
        mean=float("nan"),
        ci_low=float("nan"),
        ci_high=float("nan"),
        verdict="not estimable",
        n=8,
        warning="no harm averted",
    )
    assert describe_difference(not_told) == "no cost per child harmed averted (no harm averted)"


def test_large_money_is_rounded_to_what_the_interval_supports():
    from analysis.formatting import format_estimate

    assert format_estimate(6_112_619.0, 6_032_913.0, 6_193_377.0) == (
        "6,113,000 (6,033,000 to 6,193,000)"
    )
    d = _diff("cost_per_year", 119_919.0, 22_367.0, 217_471.0, "higher")
    assert describe_difference(d) == "the cost up £120,000 a year (22,000 to 217,000)"
