"""`frontdoor compare`: scenarios side by side on common random numbers, with verdicts."""

from __future__ import annotations

import argparse
from typing import Any

from rich.console import Console
from rich.table import Table

from analysis.experiment import comparison_points, kpi_intervals, paired_differences
from analysis.kpis import KPI_NAMES
from analysis.store import ExperimentStore
from frontdoor.commands.common import (
    UsageError,
    fmt,
    json_number,
    positive_int,
    print_json,
    seed_value,
    warn_overloaded,
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


def interval_entry(row: Any) -> dict[str, float | None]:
    return {
        "mean": json_number(float(row["mean"])),
        "ci_low": json_number(float(row["ci_low"])),
        "ci_high": json_number(float(row["ci_high"])),
    }


def comparison_json(labels: list[str], intervals: Any, differences: Any) -> dict[str, Any]:
    """The shape promised by the issue: scenarios, kpis and differences (vs the first)."""
    out: dict[str, Any] = {"scenarios": labels, "kpis": {}, "differences": {}}
    for name in KPI_NAMES:
        rows = intervals[intervals["kpi"] == name]
        out["kpis"][name] = {row["scenario"]: interval_entry(row) for _, row in rows.iterrows()}
        rows = differences[differences["kpi"] == name]
        out["differences"][name] = {
            row["scenario"]: interval_entry(row) for _, row in rows.iterrows()
        }
    return out


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
        store.close(complete=True)
    if args.json:
        print_json(comparison_json(labels, intervals, differences))
        return 0
    console = Console()
    table = Table(title=f"KPIs: {args.reps} paired replications, seed {args.seed}")
    table.add_column("KPI", no_wrap=True)
    for label in labels:
        table.add_column(f"{label}\nmean (95% interval)", justify="right")
    for name in KPI_NAMES:
        rows = intervals[intervals["kpi"] == name].set_index("scenario")
        cells = [
            f"{fmt(rows.loc[label, 'mean'])} ({fmt(rows.loc[label, 'ci_low'])} to "
            f"{fmt(rows.loc[label, 'ci_high'])})"
            for label in labels
        ]
        table.add_row(name, *cells)
    console.print(table)
    base = labels[0]
    for label in labels[1:]:
        diff = differences[differences["scenario"] == label].set_index("kpi")
        conf = diff["interval_confidence"].dropna()
        level = f"{conf.iloc[0]:.1%}" if len(conf) else "95%"
        t = Table(title=f"{label} minus {base} (paired; {level} intervals)")
        t.add_column("KPI", no_wrap=True)
        t.add_column("difference", justify="right")
        t.add_column("interval", justify="right")
        t.add_column("verdict")
        for name in KPI_NAMES:
            row = diff.loc[name]
            t.add_row(
                name,
                fmt(row["mean"]),
                f"{fmt(row['ci_low'])} to {fmt(row['ci_high'])}",
                str(row["verdict"] or "not measured"),
            )
        console.print(t)
    if args.out:
        console.print(
            f"stored {result.ran} new replications in {args.out} "
            f"({len(points) * args.reps - result.ran} were already there)"
        )
    return 0
