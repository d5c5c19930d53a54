"""Verdicts on paired differences: the t interval, a rank test beside it, and power.

For one KPI, each alternative is compared with the base over paired replications:

* the paired t interval (Bonferroni-widened for several alternatives, as
  `analysis.stats.paired_comparisons`) and its Holm-adjusted p-value;
* beside it the Wilcoxon signed-rank test, Holm-adjusted across the alternatives in the
  same way;
* the verdict rests on the t interval when it excludes 0; otherwise on the rank test
  when its adjusted p-value is below the level (the direction is that of the median
  difference); otherwise it is "no detectable difference";
* the minimal detectable difference of these replications (80% power, at the level of
  the widened interval), and the replications a meaningful difference would need,
  with a warning when a "no detectable difference" verdict rests on too few runs.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from analysis.formatting import format_number
from analysis.power import (
    MEANINGFUL_DIFFERENCE,
    minimal_detectable_difference,
    replications_for,
    signed_rank_p,
)
from analysis.stats import bonferroni_adjust, holm_adjust, paired_comparisons
from analysis.summary import kpi_base_name

__all__ = ["DIFFERENCE_COLUMNS", "compare_kpi"]

DIFFERENCE_COLUMNS: tuple[str, ...] = (
    "kpi",
    "scenario",
    "mean",
    "ci_low",
    "ci_high",
    "n",
    "p_value",
    "adjusted_p",
    "rank_p",
    "adjusted_rank_p",
    "interval_confidence",
    "verdict",
    "rests_on",
    "detectable",
    "meaningful",
    "needed",
    "warning",
)


def _direction(sign: float, higher_is_better: bool | None) -> str:
    if higher_is_better is None:
        return "higher" if sign > 0 else "lower"
    return "better" if (sign > 0) == higher_is_better else "worse"


def compare_kpi(
    kpi: str,
    base: NDArray[np.float64],
    others: Mapping[str, NDArray[np.float64]],
    *,
    higher_is_better: bool | None,
    confidence: float = 0.95,
    method: Literal["holm", "bonferroni"] = "holm",
) -> list[dict[str, Any]]:
    """One row (`DIFFERENCE_COLUMNS`) per alternative: ``other - base`` for ``kpi``."""
    comparisons = paired_comparisons(base, others, confidence, method)
    raw_rank = {name: signed_rank_p(np.asarray(v) - base) for name, v in others.items()}
    adjust = holm_adjust if method == "holm" else bonferroni_adjust
    adjusted_rank = dict(zip(raw_rank, adjust(list(raw_rank.values())), strict=True))
    level = 1.0 - confidence
    rows = []
    for name, comp in comparisons.items():
        diff = np.asarray(others[name], dtype=float) - base
        iv = comp.interval
        alpha = 1.0 - comp.interval_confidence
        if iv.ci_low > 0.0 or iv.ci_high < 0.0:
            verdict, rests_on = _direction(iv.mean, higher_is_better), "t-interval"
        elif adjusted_rank[name] < level and float(np.median(diff)) != 0.0:
            verdict = _direction(float(np.median(diff)), higher_is_better)
            rests_on = "Wilcoxon signed-rank"
        else:
            verdict, rests_on = "no detectable difference", "t-interval"
        detectable = minimal_detectable_difference(diff, alpha=alpha)
        meaningful = MEANINGFUL_DIFFERENCE.get(kpi_base_name(kpi))
        needed = None
        warning = ""
        if meaningful is not None and diff.size >= 2:
            needed = replications_for(float(np.std(diff, ddof=1)), meaningful, alpha=alpha)
            if verdict == "no detectable difference" and needed > diff.size:
                warning = (
                    f"too few runs: {diff.size} could detect about "
                    f"{format_number(detectable)}; a difference of "
                    f"{format_number(meaningful)} needs about {needed}"
                )
        rows.append(
            {
                "kpi": kpi,
                "scenario": name,
                "mean": iv.mean,
                "ci_low": iv.ci_low,
                "ci_high": iv.ci_high,
                "n": iv.n,
                "p_value": comp.p_value,
                "adjusted_p": comp.adjusted_p,
                "rank_p": raw_rank[name],
                "adjusted_rank_p": adjusted_rank[name],
                "interval_confidence": comp.interval_confidence,
                "verdict": verdict,
                "rests_on": rests_on,
                "detectable": detectable,
                "meaningful": meaningful if meaningful is not None else math.nan,
                "needed": needed,
                "warning": warning,
            }
        )
    return rows
