"""What the workbench shows of a run: progress while it runs, then the answer.

The tables are `analysis.experiment.kpi_intervals` and `paired_differences`, the
summary is `analysis.summary`, the pyramid and barriers `analysis.incidents`: the same
calls as `frontdoor compare` and `frontdoor report`.
"""

from __future__ import annotations

import html
from typing import Any

import pandas as pd
import streamlit as st
import yaml

from frontdoor.workbench.runs import Run, RunManager
from sim.config import Scenario


def scenario_yaml(scenario: Scenario) -> str:
    """The scenario as a self-contained YAML file that `frontdoor validate` accepts."""
    data = scenario.model_dump(mode="json", exclude={"extends"})
    header = f"# Written by the Front Door workbench: {scenario.name}\n"
    return header + yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


def tables(run: Run) -> dict[str, Any]:
    """The run's tables, computed once and kept on the run."""
    cached = getattr(run, "_tables", None)
    if cached is not None:
        return cached
    from analysis.experiment import kpi_intervals, paired_differences
    from analysis.incidents import barrier_analysis, incident_pyramid

    result = run.result
    out = {
        "intervals": kpi_intervals(result),
        "differences": paired_differences(result),
        "kpis": result.kpi_frame(),
        "pyramids": {p.label: incident_pyramid(result.digests[p.id]) for p in result.points},
        "barriers": {p.label: barrier_analysis(result.digests[p.id]) for p in result.points},
    }
    run._tables = out  # type: ignore[attr-defined]
    return out


def summary_lines(run: Run) -> list[str]:
    from analysis.summary import differences_from_rows, summarise_comparisons

    frame = tables(run)["differences"]
    labels = run.result.labels()
    alternatives = differences_from_rows(frame.to_dict("records"))
    return summarise_comparisons(base=labels[0], alternatives=alternatives)


def show_progress(manager: RunManager, key: str) -> None:
    """The live part of the page: a progress bar and a cancel button, polled."""
    run = manager.get(key)
    if run is None:
        return
    total = run.total or 2 * run.reps
    st.progress(
        run.fraction(),
        text=f"{run.done} of {total} replications done · {run.elapsed():.1f} s · on {run.where}",
    )
    if st.button("Cancel this run", key=f"cancel-{key}"):
        run.cancel()
        st.info("Cancelling: replications already started finish, no new one starts.")
    if not run.active:
        st.rerun()


def differences_table(run: Run) -> pd.DataFrame:
    """One row a KPI, ready to read: what it measures, the verdict, the paired difference
    with its 95% interval, and each scenario's mean with its interval, in the report's
    number formats (thousands separators, no scientific notation); the KPI's name last,
    for readers who look it up in the docs or the CSV tables."""
    from analysis.formatting import format_estimate
    from analysis.kpis import COUNT_KPIS, KPI_LABELS

    t = tables(run)
    labels = run.result.labels()
    intervals = t["intervals"].set_index(["kpi", "scenario"])
    diff = t["differences"].set_index("kpi")

    def estimate(frame: pd.DataFrame, key: object) -> str:
        row = frame.loc[key]
        return format_estimate(row["mean"], row["ci_low"], row["ci_high"])

    rows = []
    for kpi, meaning in KPI_LABELS.items():
        rows.append(
            {
                "measure": f"{meaning} (per year)" if kpi in COUNT_KPIS else meaning,
                "verdict": diff.loc[kpi, "verdict"] or "not measured",
                "difference (95% interval)": estimate(diff, kpi),
                labels[0]: estimate(intervals, (kpi, labels[0])),
                labels[1]: estimate(intervals, (kpi, labels[1])),
                "KPI": kpi,
            }
        )
    return pd.DataFrame(rows)


def show_answer(run: Run) -> None:
    """The finished run: summary first, then differences, time series, incidents."""
    from frontdoor.workbench import charts

    st.subheader("In plain words")
    for line in summary_lines(run):
        # Scenario names come from uploads: escaped, so a name cannot carry markup.
        st.markdown(
            f"<div data-testid='fd-summary'>{html.escape(line)}</div>", unsafe_allow_html=True
        )
    st.caption(
        f"{run.reps} paired replications on seed {run.seed} (replication i of both scenarios "
        f"on the same random streams), run on {run.where} in {run.elapsed():.1f} s."
    )
    t = tables(run)
    labels = run.result.labels()
    st.subheader("Paired differences")
    st.dataframe(
        differences_table(run),
        hide_index=True,
        key=f"diff-{run.key}",
        # The measure's words wrap in a medium column so the verdict stays in view.
        column_config={"measure": st.column_config.TextColumn(width="medium")},
    )
    st.plotly_chart(charts.differences_figure(t["differences"], labels[1]), key=f"dfig-{run.key}")
    st.subheader("Backlog and waits over time")
    names = {p.id: p.label for p in run.result.points}
    st.plotly_chart(
        charts.series_figure(
            run.result.digests,
            names,
            "backlog_daily",
            "Cases waiting for allocation (mean of replications)",
            "cases",
            1.0,
        ),
        key=f"backlog-{run.key}",
    )
    st.plotly_chart(
        charts.series_figure(
            run.result.digests,
            names,
            "wait_weekly",
            "Mean wait to allocation, by week",
            "days",
            7.0,
        ),
        key=f"wait-{run.key}",
    )
    st.subheader("Incidents and barriers")
    st.plotly_chart(charts.pyramid_figure(t["pyramids"]), key=f"pyr-{run.key}")
    st.plotly_chart(charts.barrier_figure(t["barriers"]), key=f"bar-{run.key}")


_KIND = {"yaml": ("YAML", "application/x-yaml"), "csv": ("CSV", "text/csv")}
# (widget key's stem, label, table of `tables(run)`, file name)
_TABLE_FILES = (
    ("diff", "Differences", "differences", "differences.csv"),
    ("kpis", "KPIs per replication", "kpis", "kpis.csv"),
    ("int", "KPI intervals", "intervals", "kpi_intervals.csv"),
)


def _download(column: Any, run: Run, stem: str, label: str, data: str, file_name: str) -> None:
    kind, mime = _KIND[file_name.rsplit(".", 1)[1]]
    column.download_button(
        f"{label} ({kind})", data, file_name=file_name, mime=mime, key=f"dl-{stem}-{run.key}"
    )


def show_downloads(run: Run) -> None:
    t = tables(run)
    cols = st.columns(3)
    for stem, label, scenario in (
        ("policy", "Policy scenario", run.policy),
        ("base", "Baseline as run", run.baseline),
    ):
        _download(cols[0], run, stem, label, scenario_yaml(scenario), f"{scenario.name}.yaml")
    for stem, label, table, file_name in _TABLE_FILES:
        _download(cols[1], run, stem, label, t[table].to_csv(index=False), file_name)
    if run.report is not None:
        cols[2].download_button(
            "HTML report",
            run.report.read_bytes(),
            file_name="report.html",
            mime="text/html",
            key=f"dl-report-{run.key}",
        )
    elif run.report_error:
        cols[2].error(f"The report could not be written: {run.report_error}")
    else:
        cols[2].caption("The HTML report is being written…")
    st.caption(
        f"To rerun from the command line: frontdoor compare {run.baseline.name}.yaml "
        f"{run.policy.name}.yaml --reps {run.reps} --seed {run.seed}"
    )
