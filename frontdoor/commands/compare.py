"""`frontdoor compare`: scenarios side by side on common random numbers, with verdicts."""

from __future__ import annotations

import argparse
from typing import Any

from rich.console import Console
from rich.table import Table

from analysis.experiment import comparison_points, kpi_intervals, paired_differences
from analysis.formatting import format_estimate, format_number, plural
from analysis.kpis import KPI_NAMES
from analysis.store import ExperimentStore
from analysis.summary import differences_from_rows, summarise_comparisons
from analysis.takeaway import experiment_tables, write_tables
from frontdoor.commands.common import (
    UsageError,
    json_number,
    positive_int,
    print_json,
    seed_value,
    warn_overloaded,
    wide_console,
)
from frontdoor.commands.experiment_options import (
    add_backend_arguments,
    add_overwrite_argument,
    add_warm_up_argument,
    run_stored_experiment,
)
from sim.loader import load_scenario


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "compare",
        help="compare scenarios on paired replications: KPIs, differences and verdicts",
    )
    p.add_argument("scenarios", nargs="+", metavar="SCENARIO", help="two or more scenarios")
    p.add_argument("--reps", type=positive_int, default=10, help="replications (default 10)")
    p.add_argument("--seed", type=seed_value, default=1, help="seed (default 1)")
    p.add_argument("--json", action="store_true", help="print the comparison as JSON")
    p.add_argument(
        "--out", help="folder to store each replication's results in (reused when run again)"
    )
    p.add_argument(
        "--adjust",
        choices=("holm", "bonferroni"),
        default="holm",
        help="p-value adjustment for several alternatives (intervals are Bonferroni-widened)",
    )
    add_overwrite_argument(p)
    add_warm_up_argument(p)
    add_backend_arguments(p)
    p.set_defaults(handler=handle)


def _optional(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, float):
        return json_number(value)
    return value


def interval_entry(row: Any) -> dict[str, float | None]:
    return {
        "mean": json_number(float(row["mean"])),
        "ci_low": json_number(float(row["ci_low"])),
        "ci_high": json_number(float(row["ci_high"])),
    }


def difference_entry(row: Any) -> dict[str, Any]:
    """A paired difference with its verdict, what it rests on and what could be detected."""
    needed = row.get("needed")
    return interval_entry(row) | {
        "verdict": row.get("verdict"),
        "rests_on": row.get("rests_on"),
        "rank_p": _optional(row.get("rank_p")),
        "detectable": _optional(row.get("detectable")),
        "needed": None if needed is None or needed != needed else int(needed),
        "warning": row.get("warning") or None,
    }


def comparison_json(labels: list[str], intervals: Any, differences: Any) -> dict[str, Any]:
    """Scenarios, kpis and differences (vs the first, with verdicts), and the summary."""
    out: dict[str, Any] = {
        "scenarios": labels,
        "summary": summary_sentences(labels, differences),
        "kpis": {},
        "differences": {},
    }
    for name in KPI_NAMES:
        rows = intervals[intervals["kpi"] == name]
        out["kpis"][name] = {row["scenario"]: interval_entry(row) for _, row in rows.iterrows()}
        rows = differences[differences["kpi"] == name]
        out["differences"][name] = {
            row["scenario"]: difference_entry(row) for _, row in rows.iterrows()
        }
    rows = differences[differences["kpi"] == "cost_per_harm_averted"]
    if len(rows):
        out["cost_per_harm_averted"] = {
            row["scenario"]: difference_entry(row) for _, row in rows.iterrows()
        }
    return out


def summary_sentences(labels: list[str], differences: Any) -> list[str]:
    """The plain-language summary, one sentence per alternative, in input order."""
    grouped = differences_from_rows(differences.to_dict("records"))
    ordered = {label: grouped[label] for label in labels[1:] if label in grouped}
    return summarise_comparisons(base=labels[0], alternatives=ordered)


def handle(args: argparse.Namespace) -> int:
    if len(args.scenarios) < 2:
        raise UsageError("compare needs at least two scenarios (use `frontdoor run` for one)")
    if args.reps < 2:
        raise UsageError("compare needs at least 2 replications for intervals")
    scenarios = [load_scenario(name) for name in args.scenarios]
    points = comparison_points(scenarios)
    store = ExperimentStore(args.out, overwrite=args.overwrite) if args.out else None
    result = run_stored_experiment(
        points,
        args,
        store=store,
        kind="compare",
        label="replications",
        show_progress=not args.json,
    )
    for point in result.points:
        warn_overloaded(point.label, [d.get("loads") for d in result.digests[point.id]])
    intervals = kpi_intervals(result)
    differences = paired_differences(result, method=args.adjust)
    labels = result.labels()
    if store is not None:
        store.write_table("kpi_intervals.csv", intervals)
        store.write_table("differences.csv", differences)
        store.write_table("kpis.csv", result.kpi_frame())
        write_tables(args.out, experiment_tables(result, differences))
        store.close(complete=True)
    if args.json:
        print_json(comparison_json(labels, intervals, differences))
        return 0
    console = wide_console()
    for sentence in summary_sentences(labels, differences):
        console.print(sentence, soft_wrap=True)
        console.print()
    print_interval_table(console, labels, intervals, args)
    base = labels[0]
    for label in labels[1:]:
        print_difference_table(console, base, label, differences)
    if args.out:
        console.print(
            f"stored {plural(result.ran, 'new replication')} in {args.out} "
            f"({len(points) * args.reps - result.ran} were already there)"
        )
    return 0


def _kpi_column(table: Table) -> None:
    table.add_column("KPI", no_wrap=True, min_width=max(len(n) for n in KPI_NAMES))


def print_interval_table(console: Console, labels: list[str], intervals: Any, args: Any) -> None:
    """Each scenario's mean and interval (of the KPI's nature), scenarios in input order."""
    table = Table(
        title=f"KPIs: {plural(args.reps, 'paired replication')}, seed {args.seed}; "
        "counts are per year of measured time"
    )
    _kpi_column(table)
    for label in labels:
        table.add_column(f"{label}\nmean (95% interval)", justify="right", overflow="fold")
    for name in KPI_NAMES:
        rows = intervals[intervals["kpi"] == name].set_index("scenario")
        cells = [
            format_estimate(
                rows.loc[label, "mean"], rows.loc[label, "ci_low"], rows.loc[label, "ci_high"]
            )
            for label in labels
        ]
        table.add_row(name, *cells)
    console.print(table)


def print_difference_table(console: Console, base: str, label: str, differences: Any) -> None:
    """One alternative minus the base: difference, interval, verdict, what it rests on,
    what the runs could detect, and a warning when too few runs back "no difference"."""
    diff = differences[differences["scenario"] == label].set_index("kpi")
    conf = diff["interval_confidence"].dropna()
    level = f"{conf.iloc[0]:.1%}" if len(conf) else "95%"
    t = Table(title=f"{label} minus {base} (paired; {level} intervals)")
    _kpi_column(t)
    t.add_column("difference (interval)", justify="right")
    t.add_column("verdict")
    t.add_column("by")
    t.add_column("detectable", justify="right")
    t.add_column("runs needed", justify="right")
    for name in KPI_NAMES:
        row = diff.loc[name]
        needed = row["needed"]
        t.add_row(
            name,
            format_estimate(row["mean"], row["ci_low"], row["ci_high"]),
            str(row["verdict"] or "not measured"),
            {"t-interval": "t", "Wilcoxon signed-rank": "Wilcoxon"}.get(row["rests_on"], "-"),
            format_number(row["detectable"]),
            "-" if needed is None or needed != needed else format_number(needed),
        )
    console.print(t)
    warnings = [
        f"{name}: {diff.loc[name, 'warning']}" for name in KPI_NAMES if diff.loc[name, "warning"]
    ]
    for warning in warnings:
        console.print(f"warning: {warning}", soft_wrap=True)
