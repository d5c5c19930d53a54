"""A paired comparison told in plain language, for a manager.

The input is what a comparison already computed for each KPI: the mean paired
difference (alternative minus base), its interval, the verdict, and - when known - the
smallest difference the replications could have detected and the replications a
meaningful difference would need. The output is a sentence per alternative, for example

    Two more social workers against baseline (8 paired replications): assessments on
    time up 3 points (2 to 4). No detectable change in children harmed and not
    protected (8 replications could detect a change of about 7 a year).

Units, as the comparison tables give them:

* shares (``unit="share"``) are fractions between 0 and 1 and are told in percentage
  points;
* counts (``unit="per_year"``) are per year of the measured period;
* waits and lengths (``unit="days"``) are days; backlogs (``unit="cases"``) are cases;
* money (``unit="pounds_per_year"``, ``unit="pounds"``) is pounds.

Nothing here computes statistics: the numbers are told as given. The module needs only
the standard library, so any interface (terminal, HTML report, browser workbench) can
call it cheaply.

Stable interface: `KpiDifference`, `describe_difference`, `comparison_sentence`,
`summarise_comparisons` and `differences_from_rows`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from analysis.formatting import decimals_for, format_about, format_number, plural

__all__ = [
    "HEADLINE_KPIS",
    "KPI_PHRASES",
    "KpiDifference",
    "KpiPhrase",
    "Unit",
    "comparison_sentence",
    "describe_difference",
    "differences_from_rows",
    "kpi_base_name",
    "summarise_comparisons",
]

Unit = Literal["share", "days", "cases", "per_year", "pounds_per_year", "pounds", "number"]
RestsOn = Literal["t-interval", "sign test", "Wilcoxon signed-rank", "Fieller interval"]
NO_DIFFERENCE = "no detectable difference"


@dataclass(frozen=True, kw_only=True)
class KpiPhrase:
    """How a KPI is named in a sentence and the unit its values are told in."""

    noun: str
    unit: Unit


KPI_PHRASES: dict[str, KpiPhrase] = {
    "referrals": KpiPhrase(noun="referrals", unit="per_year"),
    "decided_within_1_working_day": KpiPhrase(
        noun="referrals decided within a working day", unit="share"
    ),
    "assessments_within_timescale": KpiPhrase(noun="assessments on time", unit="share"),
    "mean_wait_to_allocation_days": KpiPhrase(noun="the wait for allocation", unit="days"),
    "unallocated_mean": KpiPhrase(noun="cases waiting for allocation", unit="cases"),
    "caseload_per_worker_mean": KpiPhrase(noun="caseload per worker", unit="number"),
    "re_referral_rate_12m": KpiPhrase(noun="re-referrals within a year", unit="share"),
    "nfa_at_referral_rate": KpiPhrase(noun="referrals closed at screening", unit="share"),
    "nfa_after_assessment_rate": KpiPhrase(
        noun="assessments ending with no further action", unit="share"
    ),
    "median_assessment_days": KpiPhrase(noun="the median assessment length", unit="days"),
    "median_assessment_working_days": KpiPhrase(
        noun="the median assessment length in working days", unit="number"
    ),
    "mean_wait_to_allocation_littles_days": KpiPhrase(
        noun="the wait for allocation, cases still waiting included", unit="days"
    ),
    "errors_open_at_end": KpiPhrase(noun="errors still open when the run ended", unit="number"),
    "low_visibility_mean_wait_days": KpiPhrase(
        noun="the wait for help in neglect and emotional-harm cases", unit="days"
    ),
    "near_miss_prevented": KpiPhrase(noun="near misses caught", unit="per_year"),
    "near_miss_no_harm": KpiPhrase(noun="errors missed without serious harm", unit="per_year"),
    "harm_false_negative": KpiPhrase(noun="children harmed and not protected", unit="per_year"),
    "harm_false_positive": KpiPhrase(
        noun="families wrongly put under child protection", unit="per_year"
    ),
    "serious_incidents": KpiPhrase(noun="serious incidents", unit="per_year"),
    "cost_per_year": KpiPhrase(noun="the cost", unit="pounds_per_year"),
    "learning_fixes": KpiPhrase(noun="latent conditions repaired", unit="per_year"),
    "learning_staff_hours": KpiPhrase(noun="staff hours on learning reviews", unit="per_year"),
    "cost_per_harm_averted": KpiPhrase(noun="the cost per child harmed averted", unit="pounds"),
}

# The KPIs a manager's summary tells by default, in this order.
HEADLINE_KPIS: tuple[str, ...] = (
    "decided_within_1_working_day",
    "assessments_within_timescale",
    "mean_wait_to_allocation_days",
    "unallocated_mean",
    "harm_false_negative",
    "harm_false_positive",
    "serious_incidents",
    "cost_per_year",
    "cost_per_harm_averted",
)


@dataclass(frozen=True, kw_only=True)
class KpiDifference:
    """One KPI's paired difference (alternative minus base), in the units of `KPI_PHRASES`.

    ``verdict`` is "better", "worse", "higher", "lower" or "no detectable difference".
    ``detectable`` is the smallest difference the ``n`` paired replications could detect
    (80% power, 5% level); ``meaningful`` a difference worth detecting and ``needed`` the
    paired replications that would detect it. ``rests_on`` says which test the verdict
    rests on. ``kpi`` may carry a ``_per_year`` suffix (as table columns do).
    """

    kpi: str
    mean: float
    ci_low: float
    ci_high: float
    verdict: str
    n: int
    detectable: float | None = None
    meaningful: float | None = None
    needed: int | None = None
    rests_on: RestsOn = "t-interval"
    warning: str = ""


def kpi_base_name(kpi: str) -> str:
    """The KPI's name without a table's ``_per_year`` suffix ("cost_per_year" stays)."""
    return kpi if kpi in KPI_PHRASES else kpi.removesuffix("_per_year")


def _phrase(kpi: str) -> KpiPhrase:
    name = kpi_base_name(kpi)
    return KPI_PHRASES.get(name, KpiPhrase(noun=name.replace("_", " "), unit="number"))


def _scale(value: float, unit: Unit) -> float:
    return value * 100.0 if unit == "share" else value


def _amount(value: float, unit: Unit, decimals: int | None) -> str:
    """A non-negative amount with its unit: "3 points", "0.4 days", "£1,200 a year";
    with no ``decimals``, a rough size (`format_about`)."""
    text = format_about(value) if decimals is None else format_number(value, decimals)
    if unit == "share":
        return f"{text} {'point' if text == '1' else 'points'}"
    if unit == "days":
        return f"{text} {'day' if text == '1' else 'days'}"
    if unit == "cases":
        return f"{text} {'case' if text == '1' else 'cases'}"
    if unit == "per_year":
        return f"{text} a year"
    if unit == "pounds_per_year":
        return f"£{text} a year"
    if unit == "pounds":
        return f"£{text}"
    return text


def _known(value: float | None) -> bool:
    return value is not None and math.isfinite(value)


def describe_difference(diff: KpiDifference) -> str:
    """One clause: "assessments on time up 3 points (2 to 4)", or for no detectable
    difference "no detectable change in serious incidents (8 replications could detect
    a change of about 2 a year)"."""
    phrase = _phrase(diff.kpi)
    unit = phrase.unit
    if kpi_base_name(diff.kpi) == "cost_per_harm_averted":
        return _cost_per_harm(diff)
    if not (_known(diff.mean) and _known(diff.ci_low) and _known(diff.ci_high)):
        return f"{phrase.noun} not measured in enough replications"
    if diff.verdict == NO_DIFFERENCE:
        return f"no detectable change in {phrase.noun}{_power_note(diff, unit)}"
    low, high = _scale(diff.ci_low, unit), _scale(diff.ci_high, unit)
    mean = _scale(diff.mean, unit)
    decimals = decimals_for((high - low) / 2.0)
    direction = "up" if mean >= 0 else "down"
    ends = (low, high) if mean >= 0 else (-high, -low)
    interval = f"{format_number(ends[0], decimals)} to {format_number(ends[1], decimals)}"
    clause = f"{phrase.noun} {direction} {_amount(abs(mean), unit, decimals)} ({interval})"
    if diff.rests_on != "t-interval":
        test = diff.rests_on if diff.rests_on.endswith("test") else f"{diff.rests_on} test"
        clause += f", shown by the {test}"
    return clause


def _cost_per_harm(diff: KpiDifference) -> str:
    """ "each child harmed averted costs about £52,000 (£31,000 to £140,000)" or why not."""
    if _known(diff.ci_low) and _known(diff.ci_high) and _known(diff.mean):
        decimals = 0
        return (
            f"each child harmed averted costs about £{format_number(diff.mean, decimals)} "
            f"(£{format_number(diff.ci_low, decimals)} to "
            f"£{format_number(diff.ci_high, decimals)})"
        )
    reason = diff.warning or "not estimable"
    return f"no cost per child harmed averted ({reason})"


def _power_note(diff: KpiDifference, unit: Unit) -> str:
    """What the runs could have detected, and what detecting a meaningful change needs."""
    parts = []
    if diff.detectable == 0.0 and diff.mean == 0.0:
        return f" (the same in each of the {plural(diff.n, 'paired replication')})"
    if _known(diff.detectable):
        size = _scale(float(diff.detectable or 0.0), unit)
        amount = _amount(size, unit, None)
        parts.append(f"{plural(diff.n, 'replication')} could detect a change of about {amount}")
    if diff.needed is not None and _known(diff.meaningful) and diff.needed > diff.n:
        size = _scale(float(diff.meaningful or 0.0), unit)
        amount = _amount(size, unit, None)
        parts.append(f"a change of {amount} would need about {diff.needed} replications")
    return f" ({'; '.join(parts)})" if parts else ""


_ORDER = {"better": 0, "worse": 1, "higher": 2, "lower": 2}


def comparison_sentence(
    *,
    alternative: str,
    base: str,
    differences: Sequence[KpiDifference],
    kpis: Sequence[str] | None = HEADLINE_KPIS,
) -> str:
    """The comparison of one alternative with the base as a short paragraph.

    Detected changes come first (better, then worse, then changes with no good side),
    then each KPI with no detectable change and what the runs could have detected.
    ``kpis`` chooses and orders the KPIs told (None: every KPI given); KPIs absent from
    ``differences`` are skipped.
    """
    chosen = _choose(differences, kpis)
    n = max((d.n for d in chosen), default=0)
    head = f"{alternative} against {base} ({plural(n, 'paired replication')})"
    if not chosen:
        return f"{head}: nothing to compare."
    found = sorted(
        (d for d in chosen if d.verdict != NO_DIFFERENCE),
        key=lambda d: _ORDER.get(d.verdict, 3),
    )
    unseen = [d for d in chosen if d.verdict == NO_DIFFERENCE]
    sentences = []
    if found:
        sentences.append(f"{head}: " + "; ".join(describe_difference(d) for d in found) + ".")
    else:
        sentences.append(f"{head}: no detectable difference in any KPI shown.")
    if unseen:
        clauses = [describe_difference(d) for d in unseen]
        text = "; ".join(clauses)
        sentences.append(text[0].upper() + text[1:] + ".")
    return " ".join(sentences)


def _choose(
    differences: Sequence[KpiDifference], kpis: Sequence[str] | None
) -> list[KpiDifference]:
    if kpis is None:
        return list(differences)
    by_name = {kpi_base_name(d.kpi): d for d in differences}
    return [by_name[k] for k in kpis if k in by_name]


def summarise_comparisons(
    *,
    base: str,
    alternatives: Mapping[str, Sequence[KpiDifference]],
    kpis: Sequence[str] | None = HEADLINE_KPIS,
) -> list[str]:
    """One `comparison_sentence` per alternative, in the mapping's order."""
    return [
        comparison_sentence(alternative=name, base=base, differences=diffs, kpis=kpis)
        for name, diffs in alternatives.items()
    ]


def _optional_float(value: Any) -> float | None:
    if value is None:
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def differences_from_rows(rows: Iterable[Mapping[Any, Any]]) -> dict[str, list[KpiDifference]]:
    """Rows of a differences table (``kpi``, ``scenario``, ``mean``, ``ci_low``,
    ``ci_high``, ``verdict``, ``n`` and optionally ``detectable``, ``meaningful``,
    ``needed``, ``rests_on``) grouped by scenario, in the order first seen.

    Works on ``DataFrame.to_dict("records")`` of `analysis.experiment.paired_differences`.
    """
    out: dict[str, list[KpiDifference]] = {}
    for row in rows:
        needed = _optional_float(row.get("needed"))
        out.setdefault(str(row["scenario"]), []).append(
            KpiDifference(
                kpi=str(row["kpi"]),
                mean=float(row["mean"]) if row.get("mean") is not None else math.nan,
                ci_low=float(row["ci_low"]) if row.get("ci_low") is not None else math.nan,
                ci_high=float(row["ci_high"]) if row.get("ci_high") is not None else math.nan,
                verdict=row["verdict"] if isinstance(row.get("verdict"), str) else NO_DIFFERENCE,
                n=int(_optional_float(row.get("n")) or 0),
                detectable=_optional_float(row.get("detectable")),
                meaningful=_optional_float(row.get("meaningful")),
                needed=None if needed is None else int(needed),
                rests_on=row.get("rests_on") or "t-interval",
                warning=row["warning"] if isinstance(row.get("warning"), str) else "",
            )
        )
    return out
