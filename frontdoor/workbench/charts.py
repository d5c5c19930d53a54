"""Interactive Plotly charts of a comparison, drawn from the same tables as the reports.

Every number here comes from `analysis` (`kpi_intervals`, `paired_differences`,
`incident_pyramid`, `barrier_analysis` and the digests' daily and weekly series); this
module only draws them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from analysis.kpis import KPI_LABELS

VERDICT_COLOURS = {
    "better": "#1a7f37",
    "worse": "#cf222e",
    "higher": "#0969da",
    "lower": "#8250df",
}
NEUTRAL = "#6e7781"


def differences_figure(differences: pd.DataFrame, policy: str) -> go.Figure:
    """Each KPI's paired difference (policy minus baseline) with its interval, as a share
    of the baseline's mean so KPIs on different scales sit on one axis."""
    rows = differences[differences["scenario"] == policy].dropna(subset=["mean"])
    fig = go.Figure()
    for _, row in rows.iterrows():
        verdict = str(row["verdict"] or "")
        fig.add_trace(
            go.Scatter(
                x=[row["mean"]],
                y=[KPI_LABELS.get(row["kpi"], row["kpi"])],
                error_x={
                    "type": "data",
                    "symmetric": False,
                    "array": [row["ci_high"] - row["mean"]],
                    "arrayminus": [row["mean"] - row["ci_low"]],
                },
                mode="markers",
                marker={"size": 10, "color": VERDICT_COLOURS.get(verdict, NEUTRAL)},
                name=verdict or "not measured",
                showlegend=False,
                hovertemplate=f"{row['kpi']}<br>difference %{{x:.3g}}<br>{verdict}<extra></extra>",
            )
        )
    fig.add_vline(x=0, line_color="#999")
    fig.update_layout(
        # Two lines, so the title fits the half-width column the chart sits in.
        title=f"{policy} minus baseline, paired<br><sup>green better, red worse, grey no "
        "detectable difference; bars are 95% intervals</sup>",
        xaxis_title="difference in the KPI's own units",
        height=40 * max(len(rows), 4) + 120,
        margin={"l": 10, "r": 10, "t": 60, "b": 40},
    )
    return fig


def _mean_series(series: Sequence[Sequence[float | None]]) -> np.ndarray:
    width = max((len(s) for s in series), default=0)
    matrix = np.full((len(series), width), np.nan)
    for i, s in enumerate(series):
        matrix[i, : len(s)] = [np.nan if v is None else v for v in s]
    with np.errstate(all="ignore"):
        return np.nanmean(matrix, axis=0) if len(series) else matrix


def series_figure(
    digests: dict[str, list[dict[str, Any]]],
    labels: dict[str, str],
    name: str,
    title: str,
    unit: str,
    step_days: float,
) -> go.Figure:
    """Mean over replications of one digest series, a line per scenario, with the start of
    the measured period marked."""
    fig = go.Figure()
    measured_from = None
    for point, runs in digests.items():
        mean = _mean_series([d["series"][name] for d in runs])
        days = np.arange(len(mean)) * step_days
        fig.add_trace(go.Scatter(x=days, y=mean, mode="lines", name=labels[point]))
        measured_from = runs[0]["measured_from"] if runs else measured_from
    if measured_from:
        fig.add_vline(x=measured_from, line_dash="dot", annotation_text="measuring from")
    fig.update_layout(
        title=title,
        xaxis_title="day of the run",
        yaxis_title=unit,
        height=360,
        margin={"l": 10, "r": 10, "t": 50, "b": 40},
    )
    return fig


def pyramid_figure(pyramids: dict[str, pd.DataFrame]) -> go.Figure:
    """Incidents a year by Heinrich tier, true and reported, for each scenario."""
    fig = go.Figure()
    for label, pyramid in pyramids.items():
        tiers = pyramid[pyramid["classification"] == "heinrich"]
        fig.add_trace(
            go.Bar(x=tiers["label"], y=tiers["true_per_year"], name=f"{label}: all incidents")
        )
        if tiers["reported_per_year"].notna().any():
            fig.add_trace(
                go.Bar(x=tiers["label"], y=tiers["reported_per_year"], name=f"{label}: reported")
            )
    fig.update_layout(
        title="Incident pyramid: incidents a year by tier",
        barmode="group",
        yaxis_title="incidents a year",
        height=380,
        margin={"l": 10, "r": 10, "t": 50, "b": 40},
    )
    return fig


def barrier_figure(barriers: dict[str, pd.DataFrame]) -> go.Figure:
    """Holes a year in each barrier, split by what was present when it failed."""
    fig = go.Figure()
    parts = (
        ("holes_latent_only", "latent conditions only", "#0969da"),
        ("holes_active_only", "active failure only", "#bf8700"),
        ("holes_latent_and_active", "both", "#cf222e"),
        ("holes_neither", "neither", "#6e7781"),
    )
    for label, frame in barriers.items():
        for column, words, colour in parts:
            fig.add_trace(
                go.Bar(
                    y=[f"{label}: {b}" for b in frame["barrier"]],
                    x=frame[column],
                    orientation="h",
                    marker_color=colour,
                    name=words,
                    legendgroup=words,
                    showlegend=label == next(iter(barriers)),
                )
            )
    fig.update_layout(
        title="Barrier analysis: holes a year and what lay behind them",
        barmode="stack",
        xaxis_title="holes a year",
        height=60 + 22 * sum(len(f) for f in barriers.values()),
        margin={"l": 10, "r": 10, "t": 50, "b": 40},
    )
    return fig
