"""The HTML report: every result found in a folder, with figures, in one self-contained file.

`build_report(folder)` looks in `folder` (and below it) for the results of
`frontdoor compare --out`, `frontdoor sweep --out` (each an `experiment.json` with one
digest per replication) and `frontdoor run --out` (a `summary.json` with event logs).
It writes `report.html`, with every figure embedded as base64 PNG so the file can be
mailed on its own, and each figure again as PNG and SVG under `figures/`.

For comparisons and runs: KPI intervals per scenario, waits and backlog over time, and,
per scenario, the incident pyramid, barrier analysis, Swiss-cheese alignment and
grading matrix. For sweeps: the summary table and trade-off curves of false negatives
against false positives along the varied fields.
"""

from __future__ import annotations

import base64
import html
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from analysis import figures
from analysis import incidents as inc
from analysis.digest import digest_log
from analysis.experiment import differences_of_frame, per_year_kpis
from analysis.formatting import format_estimate, format_number, plural
from analysis.intervals import interval_method, kpi_interval
from analysis.kpis import KPI_LABELS, KPI_NAMES
from analysis.outputs import atomic_write_text, read_manifest
from analysis.run_store import REPLICATIONS, read_run_folder, warn
from analysis.store import MANIFEST, ExperimentStore
from analysis.summary import differences_from_rows, summarise_comparisons
from sim.log_files import is_log_folder, read_log


class NoResults(LookupError):
    """The folder holds nothing a report can be made from."""


@dataclass(kw_only=True)
class ScenarioResults:
    """One scenario's (or sweep point's) digests, as found on disk."""

    label: str
    digests: list[dict[str, Any]]
    changes: dict[str, Any] = field(default_factory=dict)
    id: str = ""


@dataclass(kw_only=True)
class Experiment:
    name: str
    kind: str  # compare, sweep, run
    folder: Path
    seed: int | None
    scenarios: list[ScenarioResults]


def _load_store(manifest_path: Path) -> Experiment | None:
    store = ExperimentStore(manifest_path.parent)
    manifest = store.open_existing()
    if not manifest:
        return None
    if manifest.get("kind") == "sensitivity":
        # The design points of a sensitivity analysis are its raw runs; what they mean is
        # in the indices table beside them, not in a per-scenario comparison.
        warn(
            f"{manifest_path.parent}: the runs of a sensitivity analysis, left out (its "
            "results are the *_indices.csv tables in the folder above)"
        )
        return None
    scenarios = []
    for point in manifest["points"]:
        digests = []
        for i in range(int(manifest["reps"])):
            d = store.load(point["id"], i)
            if d is not None:
                digests.append(d)
        if digests:
            scenarios.append(
                ScenarioResults(
                    id=str(point["id"]),
                    label=point["label"],
                    digests=digests,
                    changes={path: value for path, value in point.get("changes", [])},
                )
            )
    if not scenarios:
        return None
    return Experiment(
        name=manifest_path.parent.name,
        kind=str(manifest.get("kind", "compare")),
        folder=manifest_path.parent,
        seed=manifest.get("seed"),
        scenarios=scenarios,
    )


def _load_run(summary_path: Path) -> Experiment | None:
    """A `frontdoor run --out` folder: the digest stored with each replication, or (for a
    folder made before replications were stored) digests made from its event log tables."""
    folder = summary_path.parent
    stored = read_run_folder(folder)
    if stored is not None:
        digests = [record["digest"] for record in stored.records]
        summary = stored.summary
    else:
        logs = [p for p in sorted(folder.glob("events-rep*")) if is_log_folder(p)]
        if not logs or not summary_path.exists() or read_manifest(folder) is not None:
            return None
        summary = json.loads(summary_path.read_text(encoding="utf-8"))
        digests = []
        for path in logs:
            try:
                digests.append(digest_log(read_log(path)))
            except (ValueError, KeyError, StopIteration) as exc:
                warn(f"{path}: not a complete event log ({type(exc).__name__}: {exc}); skipped")
    if not digests:
        return None
    return Experiment(
        name=folder.name,
        kind="run",
        folder=folder,
        seed=summary.get("seed"),
        scenarios=[
            ScenarioResults(label=str(summary.get("scenario", "scenario")), digests=digests)
        ],
    )


def _try_load(loader: Any, path: Path) -> Experiment | None:
    """One folder's results; a folder that cannot be read is named and skipped, so one
    bad folder does not stop the report on the others."""
    try:
        return loader(path)
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError, StopIteration) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
        warn(f"{path.parent}: skipped, its results cannot be read ({type(exc).__name__}: {reason})")
        return None


def find_experiments(folder: str | Path) -> list[Experiment]:
    """Every experiment store and run folder in `folder` and below, in path order."""
    root = Path(folder)
    if not root.is_dir():
        raise NoResults(f"{root}: no such folder")
    found: list[Experiment] = []
    stores = sorted(root.rglob(MANIFEST))
    for path in stores:
        exp = _try_load(_load_store, path)
        if exp is not None:
            found.append(exp)
    store_folders = {p.parent for p in stores}
    runs = {p.parent for p in root.rglob("summary.json")}
    runs |= {p.parent.parent for p in root.rglob(f"{REPLICATIONS}/rep*.json.gz")}
    for run_folder in sorted(runs - store_folders):
        exp = _try_load(_load_run, run_folder / "summary.json")
        if exp is not None:
            found.append(exp)
    if not found:
        raise NoResults(
            f"{root}: no results found; run `frontdoor compare ... --out {root}` or "
            f"`frontdoor sweep ... --out {root}` (or `frontdoor run ... --out`) first"
        )
    return found


def intervals_frame(scenarios: Sequence[ScenarioResults]) -> pd.DataFrame:
    """Mean and interval (of each KPI's nature) per scenario and KPI, counts per year,
    scenarios in the order given."""
    rows = []
    for s in scenarios:
        per_year = [per_year_kpis(d) for d in s.digests]
        for kpi in KPI_LABELS:
            values = [float(k.get(kpi, float("nan"))) for k in per_year]
            values = [v for v in values if v == v]
            iv = kpi_interval(kpi, values)
            rows.append(
                {
                    **s.changes,
                    "scenario": s.label,
                    "kpi": kpi,
                    "mean": iv.mean,
                    "ci_low": iv.ci_low,
                    "ci_high": iv.ci_high,
                    "n": iv.n,
                    "method": interval_method(kpi),
                }
            )
    return pd.DataFrame(rows)


def experiment_frame(scenarios: Sequence[ScenarioResults]) -> pd.DataFrame:
    """One row per scenario and replication, KPIs with counts per year."""
    rows = []
    for i, s in enumerate(scenarios):
        for rep, digest in enumerate(s.digests):
            rows.append({"point": s.id or f"x{i:03d}", "replication": rep, **per_year_kpis(digest)})
    return pd.DataFrame(rows, columns=["point", "replication", *KPI_NAMES])


def experiment_differences(exp: Experiment) -> pd.DataFrame | None:
    """Each scenario minus the first, with verdicts; None with one scenario or one run."""
    if len(exp.scenarios) < 2 or min(len(s.digests) for s in exp.scenarios) < 2:
        return None
    points = [
        ScenarioResults(id=s.id or f"x{i:03d}", label=s.label, digests=s.digests)
        for i, s in enumerate(exp.scenarios)
    ]
    return differences_of_frame(experiment_frame(points), points)


def _slug(text: str) -> str:
    return re.sub(r"[^a-zA-Z0-9]+", "-", text).strip("-").lower() or "x"


@dataclass(kw_only=True)
class _Writer:
    folder: Path
    parts: list[str] = field(default_factory=list)
    figures: list[Path] = field(default_factory=list)

    def heading(self, text: str, level: int = 2) -> None:
        self.parts.append(f"<h{level}>{html.escape(text)}</h{level}>")

    def para(self, text: str) -> None:
        self.parts.append(f"<p>{html.escape(text)}</p>")

    def figure(self, fig: Any, stem: str, caption: str) -> None:
        paths = figures.save_figure(fig, self.folder / "figures", stem)
        self.figures.extend(paths.values())
        data = base64.b64encode(paths["png"].read_bytes()).decode("ascii")
        self.parts.append(
            f'<figure><img src="data:image/png;base64,{data}" alt="{html.escape(caption)}">'
            f"<figcaption>{html.escape(caption)} (also "
            f'<a href="figures/{paths["svg"].name}">SVG</a>)</figcaption></figure>'
        )

    def table(self, frame: pd.DataFrame, max_rows: int = 30) -> None:
        shown = frame.head(max_rows)
        self.parts.append(
            shown.to_html(
                index=False,
                border=0,
                classes="data",
                float_format=format_number,
                na_rep="-",
            )
        )
        if len(frame) > max_rows:
            self.para(
                f"({plural(len(frame) - max_rows, 'more row')} not shown; every row is in "
                "tables/ as CSV and Parquet.)"
            )


def _incident_sections(w: _Writer, exp: Experiment, scenario: ScenarioResults) -> None:
    digests = scenario.digests
    stem = f"{_slug(exp.name)}-{_slug(scenario.label)}"
    years = inc.measured_years(digests)
    w.heading(f"Incidents in {scenario.label}", 3)
    w.para(
        f"{plural(len(digests), 'replication')}, {format_number(years, 2)} simulated years "
        "measured in all; counts are per year of measured time."
    )
    pyramid = inc.incident_pyramid(digests)
    w.figure(
        figures.pyramid_figure(pyramid, f"Incident pyramid: {scenario.label}"),
        f"{stem}-pyramid",
        "Incidents by harm scale and Heinrich tier, the truth beside what was reported",
    )
    w.table(pyramid)
    barriers = inc.barrier_analysis(digests)
    if not barriers.empty:
        w.figure(
            figures.barrier_figure(barriers, f"Barrier analysis: {scenario.label}"),
            f"{stem}-barriers",
            "Holes in each barrier, by whether latent conditions or an active failure were present",
        )
        w.table(barriers)
        w.heading("Latent conditions behind each barrier's holes", 4)
        w.table(inc.barrier_conditions(digests))
    alignment = inc.swiss_cheese_alignment(digests)
    w.heading("Swiss-cheese alignment: holes that lined up before harm", 4)
    if alignment.empty:
        w.para("No harmful incident in these runs, so no alignment to show.")
    else:
        w.figure(
            figures.alignment_figure(alignment, f"Swiss-cheese alignment: {scenario.label}"),
            f"{stem}-alignment",
            "Combinations of holed barriers before harmful incidents, commonest first",
        )
        w.table(alignment)
    matrix = inc.grading_matrix(digests)
    if not matrix.empty:
        w.figure(
            figures.grading_matrix_figure(
                inc.grading_grid(matrix), f"Incident-grading matrix: {scenario.label}"
            ),
            f"{stem}-grading",
            "Incident types (failed barrier and harm type) by likelihood of recurrence and "
            "most likely consequence",
        )
        w.table(matrix)


def _time_series(w: _Writer, exp: Experiment) -> None:
    first = exp.scenarios[0].digests[0]
    measured_from = float(first["measured_from"])
    stem = _slug(exp.name)
    waits = {s.label: [d["series"]["wait_weekly"] for d in s.digests] for s in exp.scenarios}
    w.figure(
        figures.time_series_figure(
            waits,
            step_days=7.0,
            measured_from=measured_from,
            title="Waits to allocation over time",
            ylabel="mean days from screening to allocation (cases allocated that week)",
        ),
        f"{stem}-waits",
        "Mean wait to allocation week by week",
    )
    backlog = {s.label: [d["series"]["backlog_daily"] for d in s.digests] for s in exp.scenarios}
    w.figure(
        figures.time_series_figure(
            backlog,
            step_days=1.0,
            measured_from=measured_from,
            title="Unallocated backlog over time",
            ylabel="cases waiting for allocation (daily average)",
        ),
        f"{stem}-backlog",
        "Cases waiting for allocation day by day",
    )


def _summary_and_differences(w: _Writer, exp: Experiment) -> None:
    """The plain-language summary, then each paired difference with its verdict."""
    diffs = experiment_differences(exp)
    labels = [s.label for s in exp.scenarios]
    if diffs is None:
        w.para("One scenario or one replication: no paired differences to judge.")
        return
    grouped = differences_from_rows(diffs.to_dict("records"))
    w.heading("In brief", 3)
    ordered = {label: grouped[label] for label in labels[1:] if label in grouped}
    for sentence in summarise_comparisons(base=labels[0], alternatives=ordered):
        w.para(sentence)
    w.heading(f"Paired differences from {labels[0]}, with verdicts", 3)
    w.para(
        "Each scenario minus the first, replication by replication (the same random "
        "streams), counts per year. A verdict rests on the t interval when it excludes 0, "
        "else on the Wilcoxon signed-rank test (Holm-adjusted). 'detectable' is the "
        "smallest difference these replications would find 80% of the time; 'runs needed' "
        "is how many would find a difference worth acting on."
    )
    shown = pd.DataFrame(
        {
            "scenario": diffs["scenario"],
            "kpi": diffs["kpi"],
            "difference (interval)": [
                format_estimate(m, lo, hi)
                for m, lo, hi in zip(diffs["mean"], diffs["ci_low"], diffs["ci_high"], strict=True)
            ],
            "verdict": diffs["verdict"].fillna("not measured"),
            "rests on": diffs["rests_on"].fillna("-"),
            "detectable": diffs["detectable"],
            "runs needed": [
                "-" if v is None or v != v else format_number(float(v)) for v in diffs["needed"]
            ],
            "warning": diffs["warning"].fillna(""),
        }
    )
    order = {label: i for i, label in enumerate(labels)}
    shown = shown.sort_values("scenario", key=lambda c: c.map(order), kind="stable")
    w.table(shown, max_rows=len(shown))


def _sweep_section(w: _Writer, exp: Experiment) -> None:
    summary = intervals_frame(exp.scenarios)
    fields = list(exp.scenarios[0].changes)
    stem = _slug(exp.name)
    w.para(
        "Varied: "
        + "; ".join(
            f"{f} over {sorted({s.changes[f] for s in exp.scenarios}, key=str)}" for f in fields
        )
    )
    _summary_and_differences(w, exp)
    if fields:
        w.figure(
            figures.swept_kpis_figure(
                summary, field=fields[0], series_field=fields[1] if len(fields) > 1 else None
            ),
            f"{stem}-swept",
            f"Waits, backlog, timescales, serious incidents and cost against {fields[0]}",
        )
        w.figure(
            figures.tradeoff_figure(
                summary,
                field=fields[0],
                series_field=fields[1] if len(fields) > 1 else None,
            ),
            f"{stem}-tradeoff",
            f"False negatives against false positives along {fields[0]}",
        )
    shown = summary[summary["kpi"].isin(figures.SUMMARY_KPIS)]
    w.table(shown.drop(columns=["n", "method"]), max_rows=60)


STYLE = """
body { font-family: "Atkinson Hyperlegible", "DejaVu Sans", Arial, sans-serif;
       max-width: 1100px; margin: 2em auto; color: #111; line-height: 1.45; }
h1, h2, h3 { font-weight: 600; }
figure { margin: 1.5em 0; }
figure img { max-width: 100%; border: 1px solid #ccc; }
figcaption { font-size: 0.9em; color: #333; }
table.data { border-collapse: collapse; font-size: 0.85em; margin: 0.5em 0 1.5em; }
table.data th, table.data td { border-bottom: 1px solid #ddd; padding: 3px 8px;
                               text-align: right; }
table.data th:first-child, table.data td:first-child { text-align: left; }
"""


def build_report(
    folder: str | Path, out: str | Path | None = None, title: str = "Front Door results"
) -> tuple[Path, list[Path]]:
    """Write the report for every result in `folder`; returns the HTML path and figures."""
    experiments = find_experiments(folder)
    target = Path(out) if out else Path(folder)
    target.mkdir(parents=True, exist_ok=True)
    w = _Writer(folder=target)
    w.parts.append(f"<h1>{html.escape(title)}</h1>")
    w.para(
        "Made by frontdoor report from the results stored in "
        f"{Path(folder).resolve()}. Intervals are 95% intervals over replications, on the "
        "logit scale for shares and the log scale for counts, waits and backlogs, so none "
        "reaches an impossible value; counts are per year of measured time; replication i "
        "of every scenario ran on the same random streams."
    )
    for exp in experiments:
        w.heading(f"{exp.kind.capitalize()}: {exp.name} (seed {exp.seed})")
        if exp.kind == "sweep":
            _sweep_section(w, exp)
            continue
        intervals = intervals_frame(exp.scenarios)
        _summary_and_differences(w, exp)
        w.figure(
            figures.kpi_intervals_figure(intervals),
            f"{_slug(exp.name)}-kpis",
            "Key measures per scenario with 95% intervals",
        )
        w.figure(
            figures.kpi_intervals_figure(
                intervals,
                kpis=("serious_incidents", "cost_per_year"),
                title="Serious incidents a year and cost a year per scenario",
            ),
            f"{_slug(exp.name)}-serious-and-cost",
            "Serious incidents and cost a year per scenario with 95% intervals",
        )
        labels = [s.label for s in exp.scenarios]
        wide = intervals.assign(
            value=[
                format_estimate(m, lo, hi)
                for m, lo, hi in zip(
                    intervals["mean"], intervals["ci_low"], intervals["ci_high"], strict=True
                )
            ]
        ).pivot(index="kpi", columns="scenario", values="value")
        wide = wide.reindex(index=list(KPI_LABELS), columns=labels).reset_index()
        wide.insert(1, "meaning", [KPI_LABELS[k] for k in wide["kpi"]])
        w.table(wide)
        _time_series(w, exp)
        for scenario in exp.scenarios:
            _incident_sections(w, exp, scenario)
    page = (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>{html.escape(title)}</title><style>{STYLE}</style></head><body>"
        + "\n".join(w.parts)
        + "</body></html>\n"
    )
    path = target / "report.html"
    atomic_write_text(path, page)
    return path, w.figures
