"""Incident analysis for researchers: the pyramid, barriers, Swiss cheese and the grading matrix.

Everything here reads replication digests (`analysis.digest`), so it works the same on
one run's log, a comparison or a stored sweep. Counts are given per simulated year of
measured time (the total over replications divided by their measured years), so runs of
different lengths and warm-ups compare.

- `incident_pyramid`: incidents by the report's three grades, by health's five-point
  scale and by Heinrich's three tiers (serious : minor : no injury, 1 : 29 : 300), the
  true count beside the reported one (the iceberg a reporting culture leaves).
- `barrier_analysis`: per barrier, how often it was tested, held and holed, what its
  holes led to, and whether latent conditions, an active failure, both or neither were
  present; `barrier_conditions` shows which latent conditions opened its holes.
- `swiss_cheese_alignment`: the combinations of holed barriers that lined up before an
  incident (by default before harm), most frequent first: the recurring genotypes
  behind the surface stories.
- `grading_matrix`: each incident type's likelihood of recurrence (from its simulated
  frequency) against its most likely consequence, giving a risk rating as in the
  report's Appendix D (Table 3).

Errors still open when a run ends have no outcome yet (they are censored): the model
writes them as `error_open_at_end` records, never graded, and nothing here counts them
(the KPI `errors_open_at_end` does). Rows marked censored in digests stored before that
change are dropped too.

Barrier and condition names are read from the log, so new barriers and latent
conditions in the model appear here without change.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from analysis.digest import (
    BARRIER_FIELDS,
    CONDITION_JOIN,
    HOLE_FIELDS,
    INCIDENT_FIELDS,
    NO_CONDITIONS,
)

Digest = Mapping[str, Any]

GRADES: tuple[str, ...] = ("no_harm", "harm", "life_threatening_or_death")
SCALES: tuple[str, ...] = (
    "no_harm_prevented",
    "no_harm_not_prevented",
    "low",
    "moderate",
    "severe",
    "death",
)
GRADE_LABELS = {
    "no_harm": "No harm",
    "harm": "Harm",
    "life_threatening_or_death": "Life-threatening injury or death",
}
SCALE_LABELS = {
    "no_harm_prevented": "No harm (impact prevented)",
    "no_harm_not_prevented": "No harm (impact not prevented)",
    "low": "Low",
    "moderate": "Moderate",
    "severe": "Severe",
    "death": "Death",
}
# Heinrich's tiers on the five-point scale, and his ratio 1 : 29 : 300.
HEINRICH_TIERS: tuple[tuple[str, tuple[str, ...], int], ...] = (
    ("serious injury", ("severe", "death"), 1),
    ("minor injury", ("low", "moderate"), 29),
    ("no injury", ("no_harm_prevented", "no_harm_not_prevented"), 300),
)
HARM_INCIDENTS: tuple[str, ...] = ("harm_false_negative", "harm_false_positive")

# Appendix D, Table 3: likelihood of recurrence against most likely consequence.
LIKELIHOODS: tuple[str, ...] = ("rare", "unlikely", "possible", "likely", "almost certain")
CONSEQUENCES: tuple[str, ...] = ("no harm", "low", "moderate", "severe", "death")
RATINGS: tuple[str, ...] = ("very low", "low", "moderate", "high")
# Recurrence per year at or above which each likelihood applies. The report's table has
# no numbers; these follow the NPSA's frequency descriptors for its matrix (at least
# yearly, monthly, weekly, daily).
LIKELIHOOD_PER_YEAR: tuple[tuple[str, float], ...] = (
    ("almost certain", 365.0),
    ("likely", 52.0),
    ("possible", 12.0),
    ("unlikely", 1.0),
    ("rare", 0.0),
)
SCALE_TO_CONSEQUENCE = {
    "no_harm_prevented": "no harm",
    "no_harm_not_prevented": "no harm",
    "low": "low",
    "moderate": "moderate",
    "severe": "severe",
    "death": "death",
}


def measured_years(digests: Sequence[Digest]) -> float:
    """Measured time of all the replications together, in years."""
    return sum(float(d["measured_days"]) for d in digests) / 365.0


def _cube(digests: Sequence[Digest], part: str, fields: Sequence[str]) -> pd.DataFrame:
    rows = [row for d in digests for row in d[part]]
    frame = pd.DataFrame(rows, columns=[*fields, "count"])
    if frame.empty:
        return frame
    return frame.groupby(list(fields), dropna=False, sort=True)["count"].sum().reset_index()


def incident_frame(digests: Sequence[Digest]) -> pd.DataFrame:
    """Graded incidents of all the replications, counted by every field of the cube.

    Censored rows (an error open at the end, graded by older versions) are left out."""
    frame = _cube(digests, "incidents", INCIDENT_FIELDS)
    if frame.empty:
        return frame
    censored = frame["censored"].fillna(False).astype(bool)
    return frame[~censored].reset_index(drop=True)


def reporting_known(digests: Sequence[Digest]) -> bool:
    """Whether the runs had an incident-reporting mechanism to compare the truth against."""
    return any(
        row[INCIDENT_FIELDS.index("reported")] is not None
        for d in digests
        for row in d["incidents"]
    )


def incident_pyramid(digests: Sequence[Digest]) -> pd.DataFrame:
    """Incidents a year by grade, by five-point scale and by Heinrich tier; true and reported.

    Columns: classification (grade, scale, heinrich), level, label, true_per_year,
    reported_per_year (NaN when the runs had no reporting mechanism),
    seen_by_senior_managers_per_year (reports that reached them), reported_share,
    true_share (of all incidents) and heinrich_share (Heinrich's expected share).
    """
    frame = incident_frame(digests)
    years = measured_years(digests)
    known = reporting_known(digests)
    total = float(frame["count"].sum()) if not frame.empty else 0.0

    def counts(column: str, levels: Sequence[str]) -> tuple[dict[str, float], ...]:
        true: dict[str, float] = dict.fromkeys(levels, 0.0)
        reported: dict[str, float] = dict.fromkeys(levels, 0.0)
        senior: dict[str, float] = dict.fromkeys(levels, 0.0)
        if frame.empty:
            return true, reported, senior
        for level, group in frame.groupby(column):
            true[str(level)] = float(group["count"].sum())
            reported[str(level)] = float(group.loc[group["reported"] == True, "count"].sum())  # noqa: E712
            senior[str(level)] = float(
                group.loc[group["seen_by_senior_managers"] == True, "count"].sum()  # noqa: E712
            )
        return true, reported, senior

    rows: list[dict[str, Any]] = []

    def add(
        kind: str, level: str, label: str, t: float, r: float, s: float, heinrich: float
    ) -> None:
        rows.append(
            {
                "classification": kind,
                "level": level,
                "label": label,
                "true_per_year": t / years if years else float("nan"),
                "reported_per_year": (r / years if years else float("nan")) if known else np.nan,
                "seen_by_senior_managers_per_year": (
                    (s / years if years else float("nan")) if known else np.nan
                ),
                "reported_share": (r / t if t else float("nan")) if known else np.nan,
                "true_share": t / total if total else float("nan"),
                "heinrich_share": heinrich,
            }
        )

    true, reported, senior = counts("grade", GRADES)
    for g in GRADES:
        add("grade", g, GRADE_LABELS[g], true[g], reported[g], senior[g], np.nan)
    true, reported, senior = counts("scale", SCALES)
    for s in SCALES:
        add("scale", s, SCALE_LABELS[s], true[s], reported[s], senior[s], np.nan)
    weight = sum(w for _, _, w in HEINRICH_TIERS)
    for tier, scales, w in HEINRICH_TIERS:
        add(
            "heinrich",
            tier,
            tier.capitalize(),
            sum(true[s] for s in scales),
            sum(reported[s] for s in scales),
            sum(senior[s] for s in scales),
            w / weight,
        )
    return pd.DataFrame(rows)


def heinrich_ratio(pyramid: pd.DataFrame, column: str = "true_per_year") -> tuple[float, float]:
    """The simulated ratio as 1 : minor : no injury (NaN when there was no serious case)."""
    tiers = pyramid[pyramid["classification"] == "heinrich"].set_index("level")[column]
    serious = float(tiers["serious injury"])
    if not serious:
        return float("nan"), float("nan")
    return float(tiers["minor injury"]) / serious, float(tiers["no injury"]) / serious


def _split_conditions(key: str) -> list[str]:
    return [] if key in (NO_CONDITIONS, "", None) else str(key).split(CONDITION_JOIN)


def barrier_analysis(digests: Sequence[Digest]) -> pd.DataFrame:
    """Per barrier: tests, holds and holes a year, hole rate, what holes led to, and
    whether latent conditions, an active failure, both or neither were present."""
    tests = _cube(digests, "barriers", BARRIER_FIELDS)
    holes = _cube(digests, "holes", HOLE_FIELDS)
    years = measured_years(digests)
    columns = [
        "barrier",
        "tested_per_year",
        "held_per_year",
        "holed_per_year",
        "hole_rate",
        "holes_latent_only",
        "holes_active_only",
        "holes_latent_and_active",
        "holes_neither",
        "holes_to_prevented_near_miss",
        "holes_to_no_harm_near_miss",
        "holes_to_harm",
        "share_of_holes_to_harm",
    ]
    if tests.empty:
        return pd.DataFrame(columns=columns)
    rows = []
    for barrier, group in tests.groupby("barrier", sort=True):
        tested = float(group["count"].sum())
        holed = group[~group["held"].astype(bool)]
        latent = holed["conditions"] != NO_CONDITIONS
        active = holed["active_failure"].astype(bool)
        outcome = (
            holes[holes["barrier"] == barrier].set_index("outcome")["count"]
            if not holes.empty
            else pd.Series(dtype=float)
        )
        n_holes = float(holed["count"].sum())
        to_harm = float(sum(outcome.get(k, 0) for k in HARM_INCIDENTS))
        rows.append(
            {
                "barrier": barrier,
                "tested_per_year": tested / years,
                "held_per_year": (tested - n_holes) / years,
                "holed_per_year": n_holes / years,
                "hole_rate": n_holes / tested if tested else float("nan"),
                "holes_latent_only": float(holed.loc[latent & ~active, "count"].sum()) / years,
                "holes_active_only": float(holed.loc[~latent & active, "count"].sum()) / years,
                "holes_latent_and_active": float(holed.loc[latent & active, "count"].sum()) / years,
                "holes_neither": float(holed.loc[~latent & ~active, "count"].sum()) / years,
                "holes_to_prevented_near_miss": float(outcome.get("near_miss_prevented", 0))
                / years,
                "holes_to_no_harm_near_miss": float(outcome.get("near_miss_no_harm", 0)) / years,
                "holes_to_harm": to_harm / years,
                "share_of_holes_to_harm": to_harm / n_holes if n_holes else float("nan"),
            }
        )
    return pd.DataFrame(rows, columns=columns).sort_values("holed_per_year", ascending=False)


def barrier_conditions(digests: Sequence[Digest]) -> pd.DataFrame:
    """Which latent conditions opened each barrier's holes.

    For each barrier and condition: the share of the barrier's holes where the condition
    was present, and the hole rate when it was present against when it was absent (a
    condition that opens holes raises the rate).
    """
    tests = _cube(digests, "barriers", BARRIER_FIELDS)
    columns = [
        "barrier",
        "condition",
        "share_of_holes",
        "hole_rate_when_present",
        "hole_rate_when_absent",
        "tests_with_condition",
    ]
    if tests.empty:
        return pd.DataFrame(columns=columns)
    rows = []
    for barrier, group in tests.groupby("barrier", sort=True):
        per_condition: Counter[str] = Counter()
        holes_with: Counter[str] = Counter()
        names: set[str] = set()
        for _, row in group.iterrows():
            for name in _split_conditions(row["conditions"]):
                names.add(name)
                per_condition[name] += int(row["count"])
                if not row["held"]:
                    holes_with[name] += int(row["count"])
        tested = int(group["count"].sum())
        holes = int(group.loc[~group["held"].astype(bool), "count"].sum())
        for name in sorted(names):
            t_in, h_in = per_condition[name], holes_with[name]
            t_out, h_out = tested - t_in, holes - h_in
            rows.append(
                {
                    "barrier": barrier,
                    "condition": name,
                    "share_of_holes": h_in / holes if holes else float("nan"),
                    "hole_rate_when_present": h_in / t_in if t_in else float("nan"),
                    "hole_rate_when_absent": h_out / t_out if t_out else float("nan"),
                    "tests_with_condition": t_in,
                }
            )
    return pd.DataFrame(rows, columns=columns)


def swiss_cheese_alignment(
    digests: Sequence[Digest], incidents: Sequence[str] = HARM_INCIDENTS
) -> pd.DataFrame:
    """Combinations of holed barriers that lined up before incidents of the given kinds
    (harm by default), most frequent first, with the latent conditions behind them."""
    frame = incident_frame(digests)
    columns = [
        "holes",
        "barriers_holed",
        "incidents_per_year",
        "share",
        "serious_per_year",
        "active_failure_share",
        "commonest_conditions",
        "commonest_harm_type",
    ]
    if frame.empty:
        return pd.DataFrame(columns=columns)
    frame = frame[frame["incident"].isin(list(incidents))]
    if frame.empty:
        return pd.DataFrame(columns=columns)
    years = measured_years(digests)
    total = float(frame["count"].sum())
    rows = []
    for holes, group in frame.groupby("holes", sort=False):
        n = float(group["count"].sum())
        conditions: Counter[str] = Counter()
        harm_types: Counter[str] = Counter()
        for _, row in group.iterrows():
            for name in _split_conditions(row["conditions"]):
                conditions[name] += int(row["count"])
            harm_types[str(row["harm_type"])] += int(row["count"])
        top = ", ".join(f"{name} ({count / n:.0%})" for name, count in conditions.most_common(3))
        rows.append(
            {
                "holes": holes,
                "barriers_holed": len(str(holes).split(" > ")),
                "incidents_per_year": n / years,
                "share": n / total,
                "serious_per_year": float(
                    group.loc[group["grade"] == "life_threatening_or_death", "count"].sum()
                )
                / years,
                "active_failure_share": float(group.loc[group["active_failure"], "count"].sum())
                / n,
                "commonest_conditions": top or "none recorded",
                "commonest_harm_type": harm_types.most_common(1)[0][0],
            }
        )
    out = pd.DataFrame(rows, columns=columns)
    return out.sort_values(["incidents_per_year", "holes"], ascending=[False, True]).reset_index(
        drop=True
    )


def likelihood_for(per_year: float) -> str:
    for name, floor in LIKELIHOOD_PER_YEAR:
        if per_year >= floor and per_year > 0:
            return name
    return "rare"


def risk_rating(likelihood: str, consequence: str) -> str:
    """Risk from the 5 x 5 matrix: likelihood score times consequence score (1-5 each),
    banded 1-3 very low, 4-6 low, 8-12 moderate, 15-25 high (the NPSA's banding, named
    with the report's four ratings)."""
    score = (LIKELIHOODS.index(likelihood) + 1) * (CONSEQUENCES.index(consequence) + 1)
    if score <= 3:
        return "very low"
    if score <= 6:
        return "low"
    if score <= 12:
        return "moderate"
    return "high"


def grading_matrix(
    digests: Sequence[Digest], by: Sequence[str] = ("failed_barrier", "harm_type")
) -> pd.DataFrame:
    """Every incident type (incidents grouped `by`), graded as in Appendix D.

    Likelihood of recurrence comes from the type's simulated frequency a year. The most
    likely consequence should it recur is the commonest outcome among the type's
    incidents that were not prevented (a near miss is judged by what happens when the
    same failure is not caught); the worst consequence seen is given beside it.
    """
    frame = incident_frame(digests)
    columns = [
        *by,
        "incidents_per_year",
        "likelihood",
        "most_likely_consequence",
        "risk",
        "worst_consequence",
        "risk_if_worst",
        "not_prevented_share",
    ]
    if frame.empty:
        return pd.DataFrame(columns=columns)
    years = measured_years(digests)
    rows = []
    for key, group in frame.groupby(list(by), dropna=False, sort=True):
        key = key if isinstance(key, tuple) else (key,)
        n = float(group["count"].sum())
        per_year = n / years
        outcomes: Counter[str] = Counter()
        for _, row in group.iterrows():
            if row["scale"] != "no_harm_prevented":
                outcomes[SCALE_TO_CONSEQUENCE[row["scale"]]] += int(row["count"])
        if outcomes:
            # Ties go to the more serious consequence: the cautious reading.
            likely = max(outcomes, key=lambda c: (outcomes[c], CONSEQUENCES.index(c)))
            worst = max(outcomes, key=CONSEQUENCES.index)
        else:
            likely = worst = "no harm"
        likelihood = likelihood_for(per_year)
        rows.append(
            {
                **dict(zip(by, key, strict=True)),
                "incidents_per_year": per_year,
                "likelihood": likelihood,
                "most_likely_consequence": likely,
                "risk": risk_rating(likelihood, likely),
                "worst_consequence": worst,
                "risk_if_worst": risk_rating(likelihood, worst),
                "not_prevented_share": sum(outcomes.values()) / n,
            }
        )
    out = pd.DataFrame(rows, columns=columns)
    out["_r"] = out["risk"].map(RATINGS.index)
    out = out.sort_values(["_r", "incidents_per_year"], ascending=[False, False])
    return out.drop(columns="_r").reset_index(drop=True)


def grading_grid(matrix: pd.DataFrame) -> pd.DataFrame:
    """The 5 x 5 grid of Appendix D: how many incident types fall in each cell, with the
    cell's risk rating. Rows are likelihoods (almost certain first), columns consequences."""
    rows = []
    for likelihood in reversed(LIKELIHOODS):
        for consequence in CONSEQUENCES:
            hit = matrix[
                (matrix["likelihood"] == likelihood)
                & (matrix["most_likely_consequence"] == consequence)
            ]
            rows.append(
                {
                    "likelihood": likelihood,
                    "consequence": consequence,
                    "risk": risk_rating(likelihood, consequence),
                    "incident_types": len(hit),
                }
            )
    return pd.DataFrame(rows)
