"""Figures for managers and researchers, drawn with matplotlib from analysis tables.

Every figure uses the Okabe-Ito colour-blind-safe palette and never carries meaning by
colour alone: scenarios also differ by marker and line style, bars by hatching, and
values are written on the figure. Titles and axis labels are plain words. Each function
returns a matplotlib Figure; `save_figure` writes it as PNG and SVG.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")  # files only: no window, no display needed

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from analysis.formatting import decimals_for, format_number  # noqa: E402
from analysis.incidents import CONSEQUENCES, LIKELIHOODS, RATINGS  # noqa: E402
from analysis.kpis import COUNT_KPIS, KPI_LABELS  # noqa: E402
from analysis.outputs import atomic_path  # noqa: E402

OKABE_ITO: tuple[str, ...] = (
    "#E69F00",  # orange
    "#56B4E9",  # sky blue
    "#009E73",  # bluish green
    "#0072B2",  # blue
    "#D55E00",  # vermillion
    "#CC79A7",  # reddish purple
    "#F0E442",  # yellow
    "#000000",  # black
)
MARKERS: tuple[str, ...] = ("o", "s", "^", "D", "v", "P", "X", "*")
LINESTYLES: tuple[Any, ...] = ("-", "--", "-.", ":", (0, (5, 1)), (0, (3, 1, 1, 1, 1, 1)))
HATCHES: tuple[str, ...] = ("", "//", "..", "xx", "\\\\", "oo")
# Greys for the risk ratings (light to dark), each cell also says its rating in words.
RATING_SHADES = {"very low": "#f2f2f2", "low": "#d0d0d0", "moderate": "#9e9e9e", "high": "#5e5e5e"}

SUMMARY_KPIS: tuple[str, ...] = (
    "mean_wait_to_allocation_days",
    "unallocated_mean",
    "assessments_within_timescale",
    "near_miss_no_harm",
    "harm_false_negative",
    "harm_false_positive",
)


def _plain_ticks() -> Any:
    """Short axis labels without scientific notation: 1.5, 250, 120k, 6.05m."""
    from matplotlib.ticker import FuncFormatter

    def label(value: float, _pos: Any) -> str:
        size = abs(value)
        if size >= 1e6:
            return f"{value / 1e6:.3g}m"
        if size >= 1e4:
            return f"{value / 1e3:.3g}k"
        return f"{value:,.4g}"

    return FuncFormatter(label)


def _style(i: int) -> dict[str, Any]:
    return {
        "color": OKABE_ITO[i % len(OKABE_ITO)],
        "marker": MARKERS[i % len(MARKERS)],
        "linestyle": LINESTYLES[i % len(LINESTYLES)],
    }


def save_figure(fig: Figure, folder: str | Path, stem: str) -> dict[str, Path]:
    """Write `fig` as `stem.png` and `stem.svg` in `folder`; returns both paths."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    paths = {"png": folder / f"{stem}.png", "svg": folder / f"{stem}.svg"}
    # Each file is written to a temporary name and renamed, so an interrupted report never
    # leaves half a picture under the real name.
    with atomic_path(paths["png"]) as tmp:
        fig.savefig(tmp, format="png", dpi=110, bbox_inches="tight")
    # A fixed hash salt and no date keep the SVG the same for the same figure.
    with atomic_path(paths["svg"]) as tmp:
        fig.savefig(tmp, format="svg", bbox_inches="tight", metadata={"Date": None})
    plt.close(fig)
    return paths


def kpi_intervals_figure(
    intervals: pd.DataFrame, kpis: Sequence[str] = SUMMARY_KPIS, title: str | None = None
) -> Figure:
    """Mean and 95% interval of each KPI for each scenario, one panel a KPI."""
    scenarios = list(dict.fromkeys(intervals["scenario"]))
    kpis = [k for k in kpis if k in set(intervals["kpi"])]
    cols = 2
    rows = max(1, int(np.ceil(len(kpis) / cols)))
    fig, axes = plt.subplots(rows, cols, figsize=(11, 1.2 + 0.55 * len(scenarios) * rows + rows))
    axes = np.atleast_1d(axes).ravel()
    for ax, kpi in zip(axes, kpis, strict=False):
        part = intervals[intervals["kpi"] == kpi].set_index("scenario")
        for i, name in enumerate(scenarios):
            row = part.loc[name]
            mean, lo, hi = float(row["mean"]), float(row["ci_low"]), float(row["ci_high"])
            style = _style(i)
            err = None if np.isnan(lo) else [[mean - lo], [hi - mean]]
            ax.errorbar(
                mean,
                i,
                xerr=err,
                fmt=style["marker"],
                color=style["color"],
                ecolor="#333333",
                capsize=4,
                markersize=7,
            )
            ax.annotate(
                format_number(mean, decimals_for((hi - lo) / 2.0)),
                (mean, i),
                textcoords="offset points",
                xytext=(0, 7),
                ha="center",
                fontsize=8,
            )
        ax.set_yticks(range(len(scenarios)), scenarios)
        ax.set_ylim(-0.7, len(scenarios) - 0.3)
        ax.invert_yaxis()
        ax.set_title(KPI_LABELS.get(kpi, kpi), fontsize=9)
        ax.set_xlabel("mean, with 95% interval")
        ax.xaxis.set_major_formatter(_plain_ticks())
        ax.grid(axis="x", alpha=0.3)
    for ax in axes[len(kpis) :]:
        ax.set_visible(False)
    fig.suptitle(title or "Key measures per scenario: means with 95% intervals")
    fig.tight_layout()
    return fig


def _series_matrix(series: Sequence[Sequence[float | None]]) -> np.ndarray:
    width = max(len(s) for s in series)
    out = np.full((len(series), width), np.nan)
    for i, s in enumerate(series):
        out[i, : len(s)] = [np.nan if v is None else v for v in s]
    return out


def time_series_figure(
    series: Mapping[str, Sequence[Sequence[float | None]]],
    *,
    step_days: float,
    measured_from: float,
    title: str,
    ylabel: str,
) -> Figure:
    """A measure over time for each scenario: mean over replications, with the range."""
    fig, ax = plt.subplots(figsize=(10, 4.2))
    for i, (label, reps) in enumerate(series.items()):
        values = _series_matrix(reps)
        x = np.arange(values.shape[1]) * step_days
        with np.errstate(all="ignore"):
            import warnings

            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)
                mean = np.nanmean(values, axis=0)
                low, high = np.nanmin(values, axis=0), np.nanmax(values, axis=0)
        style = _style(i)
        ax.plot(
            x,
            mean,
            color=style["color"],
            linestyle=style["linestyle"],
            marker=style["marker"],
            markevery=max(1, len(x) // 12),
            label=f"{label} (mean of replications)",
        )
        if values.shape[0] > 1:
            ax.fill_between(x, low, high, color=style["color"], alpha=0.15, linewidth=0)
    if measured_from > 0:
        ax.axvspan(0, measured_from, color="#cccccc", alpha=0.35, hatch="//", linewidth=0)
        ax.text(
            measured_from / 2,
            0.97,
            "warm-up (not measured)",
            transform=ax.get_xaxis_transform(),
            ha="center",
            va="top",
            fontsize=8,
        )
    ax.set_xlabel("days since the start of the run")
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    fig.text(0.01, 0.01, "Shaded band: range over replications.", fontsize=8)
    fig.tight_layout()
    return fig


def pyramid_figure(pyramid: pd.DataFrame, title: str = "Incident pyramid") -> Figure:
    """Incidents a year on the five-point scale and Heinrich's tiers, true beside reported."""
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(12, 4.5))
    reported_known = pyramid["reported_per_year"].notna().any()
    for ax, kind, heading in (
        (ax1, "scale", "By the five-point harm scale"),
        (ax2, "heinrich", "By Heinrich's tiers"),
    ):
        part = pyramid[pyramid["classification"] == kind].iloc[::-1]
        y = np.arange(len(part))
        true = part["true_per_year"].to_numpy(dtype=float)
        ax.barh(
            y + 0.27,
            true,
            height=0.27,
            color=OKABE_ITO[3],
            edgecolor="black",
            label="all incidents (the truth)",
        )
        if reported_known:
            for offset, column, colour, hatch, label in (
                (0.0, "reported_per_year", OKABE_ITO[0], "//", "reported beyond the frontline"),
                (
                    -0.27,
                    "seen_by_senior_managers_per_year",
                    OKABE_ITO[2],
                    "xx",
                    "reached senior managers",
                ),
            ):
                ax.barh(
                    y + offset,
                    part[column].to_numpy(dtype=float),
                    height=0.27,
                    color=colour,
                    hatch=hatch,
                    edgecolor="black",
                    label=label,
                )
        for yi, v in zip(y, true, strict=True):
            ax.text(v, yi + 0.27, f" {v:.1f}", va="center", fontsize=8)
        ax.set_yticks(y, part["label"])
        ax.set_xscale("symlog", linthresh=1.0)
        ax.set_xlabel("incidents a year (scale stretched so rare ones show)")
        ax.set_title(heading, fontsize=10)
        ax.grid(axis="x", alpha=0.3)
    heinrich = pyramid[pyramid["classification"] == "heinrich"].set_index("level")
    serious = float(heinrich.loc["serious injury", "true_per_year"])
    if serious > 0:
        minor = float(heinrich.loc["minor injury", "true_per_year"]) / serious
        none = float(heinrich.loc["no injury", "true_per_year"]) / serious
        ratio = f"simulated 1 : {minor:.0f} : {none:.0f} against Heinrich's 1 : 29 : 300"
    else:
        ratio = "no serious incident in these runs, so no ratio to Heinrich's 1 : 29 : 300"
    ax2.text(0.0, -0.22, ratio, transform=ax2.transAxes, fontsize=9)
    if not reported_known:
        ax1.text(
            0.0,
            -0.22,
            "These runs record no incident reporting, so only the truth is shown.",
            transform=ax1.transAxes,
            fontsize=9,
        )
    ax1.legend(fontsize=8, loc="lower right")
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def barrier_figure(barriers: pd.DataFrame, title: str = "Barrier analysis") -> Figure:
    """Holes a year per barrier, split by what was present (hatching), with hole rates."""
    parts = (
        ("holes_latent_only", "latent conditions only"),
        ("holes_latent_and_active", "latent conditions and an active failure"),
        ("holes_active_only", "an active failure only"),
        ("holes_neither", "neither recorded"),
    )
    fig, ax = plt.subplots(figsize=(11, 1.5 + 0.7 * max(1, len(barriers))))
    y = np.arange(len(barriers))
    left = np.zeros(len(barriers))
    for i, (column, label) in enumerate(parts):
        values = barriers[column].to_numpy(dtype=float)
        ax.barh(
            y,
            values,
            left=left,
            color=OKABE_ITO[i],
            hatch=HATCHES[i],
            edgecolor="black",
            label=label,
        )
        left += values
    for yi, (_, row) in zip(y, barriers.iterrows(), strict=True):
        ax.text(
            left[yi],
            float(yi),
            f"  holed in {row['hole_rate']:.0%} of tests; "
            f"{row['share_of_holes_to_harm']:.0%} of holes led to harm",
            va="center",
            fontsize=8,
        )
    ax.set_yticks(y, barriers["barrier"])
    ax.invert_yaxis()
    ax.set_xlabel("holes a year (a barrier tested that did not hold)")
    ax.set_title(title + ": what was present when each barrier failed")
    ax.set_xlim(0, max(1.0, float(left.max()) * 1.9))
    ax.legend(fontsize=8, loc="lower right")
    ax.grid(axis="x", alpha=0.3)
    fig.tight_layout()
    return fig


def alignment_figure(
    alignment: pd.DataFrame, title: str = "Swiss-cheese alignment", top: int = 10
) -> Figure:
    """The commonest combinations of holed barriers before harm."""
    part = alignment.head(top)
    fig, ax = plt.subplots(figsize=(11, 1.5 + 0.5 * max(1, len(part))))
    y = np.arange(len(part))
    ax.barh(y, part["incidents_per_year"], color=OKABE_ITO[4], hatch="..", edgecolor="black")
    for yi, (_, row) in zip(y, part.iterrows(), strict=True):
        ax.text(
            row["incidents_per_year"],
            float(yi),
            f"  {row['incidents_per_year']:.1f} a year ({row['share']:.0%})",
            va="center",
            fontsize=8,
        )
    ax.set_yticks(y, part["holes"])
    ax.invert_yaxis()
    ax.set_xlabel("harmful incidents a year preceded by these holes")
    ax.set_ylabel("barriers holed, in the order they failed")
    ax.set_xlim(0, max(1.0, float(part["incidents_per_year"].max() or 1) * 1.4))
    ax.set_title(title + ": holes that lined up before harm, commonest first")
    ax.grid(axis="x", alpha=0.3)
    fig.tight_layout()
    return fig


def grading_matrix_figure(grid: pd.DataFrame, title: str = "Incident-grading matrix") -> Figure:
    """The 5 x 5 matrix: each cell's risk rating in words and shade, and how many
    incident types fall in it."""
    fig, ax = plt.subplots(figsize=(9, 5.5))
    likelihoods = list(reversed(LIKELIHOODS))
    for _, row in grid.iterrows():
        r = likelihoods.index(row["likelihood"])
        c = CONSEQUENCES.index(row["consequence"])
        shade = RATING_SHADES[row["risk"]]
        ax.add_patch(plt.Rectangle((c, r), 1, 1, facecolor=shade, edgecolor="black"))
        dark = RATINGS.index(row["risk"]) >= 2
        n = int(row["incident_types"])
        ax.text(
            c + 0.5,
            r + 0.35,
            row["risk"],
            ha="center",
            va="center",
            fontsize=9,
            color="white" if dark else "black",
        )
        if n:
            ax.text(
                c + 0.5,
                r + 0.68,
                f"{n} type{'s' if n != 1 else ''}",
                ha="center",
                va="center",
                fontsize=10,
                fontweight="bold",
                color="white" if dark else "black",
            )
    ax.set_xlim(0, len(CONSEQUENCES))
    ax.set_ylim(len(likelihoods), 0)
    ax.set_xticks(np.arange(len(CONSEQUENCES)) + 0.5, [c.capitalize() for c in CONSEQUENCES])
    ax.set_yticks(np.arange(len(likelihoods)) + 0.5, [x.capitalize() for x in likelihoods])
    ax.set_xlabel("most likely consequence should it happen again")
    ax.set_ylabel("likelihood of recurrence (from simulated frequency)")
    ax.set_title(title + ": incident types by risk rating")
    ax.tick_params(length=0)
    fig.tight_layout()
    return fig


def tradeoff_figure(
    summary: pd.DataFrame,
    *,
    x: str = "harm_false_positive",
    y: str = "harm_false_negative",
    field: str,
    series_field: str | None = None,
    title: str = "Trade-off between false negatives and false positives",
) -> Figure:
    """Each sweep point's mean of `y` against `x` with intervals, labelled by `field`'s
    value; points sharing `series_field`'s value are joined with one line style."""
    fig, ax = plt.subplots(figsize=(9, 6))
    wide = summary.pivot_table(
        index=[c for c in (field, series_field) if c] + ["scenario"],
        columns="kpi",
        values=["mean", "ci_low", "ci_high"],
        dropna=False,  # one replication has no interval: keep its (empty) bounds
    ).reset_index()
    groups = [(None, wide)] if not series_field else list(wide.groupby(series_field))
    for i, (value, part) in enumerate(groups):
        part = part.sort_values(field)
        style = _style(i)
        xm, ym = part[("mean", x)].to_numpy(float), part[("mean", y)].to_numpy(float)
        xerr = [xm - part[("ci_low", x)].to_numpy(float), part[("ci_high", x)].to_numpy(float) - xm]
        yerr = [ym - part[("ci_low", y)].to_numpy(float), part[("ci_high", y)].to_numpy(float) - ym]
        label = f"{series_field} = {value}" if series_field else "sweep points"
        ax.errorbar(
            xm,
            ym,
            xerr=np.nan_to_num(xerr),
            yerr=np.nan_to_num(yerr),
            color=style["color"],
            marker=style["marker"],
            linestyle=style["linestyle"],
            capsize=3,
            label=label,
        )
        for xi, yi, v in zip(xm, ym, part[field], strict=True):
            ax.annotate(
                f"{field.split('.')[-1]}={v}",
                (xi, yi),
                textcoords="offset points",
                xytext=(6, 6),
                fontsize=8,
            )
    ax.set_xlabel(KPI_LABELS.get(x, x) + " (per measured period, mean with 95% interval)")
    ax.set_ylabel(KPI_LABELS.get(y, y) + " (per measured period)")
    ax.set_title(title + f", by {field}")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


SWEEP_KPIS: tuple[str, ...] = (
    "mean_wait_to_allocation_days",
    "unallocated_mean",
    "assessments_within_timescale",
    "decided_within_1_working_day",
    "serious_incidents",
    "cost_per_year",
)


def swept_kpis_figure(
    summary: pd.DataFrame,
    *,
    field: str,
    series_field: str | None = None,
    kpis: Sequence[str] = SWEEP_KPIS,
    title: str | None = None,
) -> Figure:
    """Each KPI's mean and 95% interval against the swept value of `field`, one panel a
    KPI; points sharing `series_field`'s value are joined with one line style."""
    kpis = [
        k
        for k in kpis
        if k in set(summary["kpi"]) and summary.loc[summary["kpi"] == k, "mean"].notna().any()
    ]
    cols = 2
    rows = max(1, int(np.ceil(len(kpis) / cols)))
    fig, axes = plt.subplots(rows, cols, figsize=(11, 3.2 * rows))
    axes = np.atleast_1d(axes).ravel()
    for ax, kpi in zip(axes, kpis, strict=False):
        part = summary[summary["kpi"] == kpi]
        groups = [(None, part)] if not series_field else list(part.groupby(series_field))
        for i, (value, group) in enumerate(groups):
            group = group.sort_values(field)
            style = _style(i)
            xs = group[field].to_numpy()
            mean = group["mean"].to_numpy(float)
            err = np.nan_to_num(
                [mean - group["ci_low"].to_numpy(float), group["ci_high"].to_numpy(float) - mean]
            )
            ax.errorbar(
                xs,
                mean,
                yerr=err,
                color=style["color"],
                marker=style["marker"],
                linestyle=style["linestyle"],
                capsize=3,
                label=f"{series_field.split('.')[-1]} = {value}" if series_field else None,
            )
        ax.set_title(
            KPI_LABELS.get(kpi, kpi) + (" (a year)" if kpi in COUNT_KPIS else ""), fontsize=9
        )
        ax.set_xlabel(field)
        ax.yaxis.set_major_formatter(_plain_ticks())
        ax.grid(alpha=0.3)
        if series_field:
            ax.legend(fontsize=7)
    for ax in axes[len(kpis) :]:
        ax.set_visible(False)
    fig.suptitle(title or f"Key measures against {field}: means with 95% intervals")
    fig.tight_layout()
    return fig
