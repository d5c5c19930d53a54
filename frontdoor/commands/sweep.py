"""`frontdoor sweep`: a grid of scenario variations, stored per replication as it finishes."""

from __future__ import annotations

import argparse

import pandas as pd
from rich.table import Table

from analysis.experiment import kpi_intervals, paired_differences, parse_vary, sweep_points
from analysis.formatting import format_estimate, plural
from analysis.store import ExperimentStore
from analysis.takeaway import experiment_tables, write_tables
from frontdoor.commands.common import (
    UsageError,
    positive_int,
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

SHOWN_KPIS = (
    "mean_wait_to_allocation_days",
    "unallocated_mean",
    "harm_false_negative",
    "harm_false_positive",
    "serious_incidents",
)


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "sweep",
        help="run a grid of variations of a scenario, resumable, results stored per replication",
    )
    p.add_argument("scenario", help="base scenario file, or the name of a bundled scenario")
    p.add_argument(
        "--vary",
        action="append",
        required=True,
        metavar="FIELD.PATH=V1,V2,...",
        help="a field to vary and its values (repeat for a grid), e.g. "
        "staff.experienced.count=9,11 (staff groups by role)",
    )
    p.add_argument("--reps", type=positive_int, default=5, help="replications per point")
    p.add_argument("--seed", type=seed_value, default=1, help="seed (default 1)")
    p.add_argument("--out", required=True, help="results folder (a rerun skips finished work)")
    add_overwrite_argument(p)
    add_warm_up_argument(p)
    add_backend_arguments(p)
    p.set_defaults(handler=handle)


def summary_frame(result, intervals: pd.DataFrame) -> pd.DataFrame:
    """One row per (point, KPI) with the varied values: the tidy table researchers plot."""
    changes = {p.label: dict(p.changes) for p in result.points}
    rows = []
    for _, row in intervals.iterrows():
        rows.append({**changes[row["scenario"]], **row.to_dict()})
    return pd.DataFrame(rows)


def handle(args: argparse.Namespace) -> int:
    base = load_scenario(args.scenario)
    try:
        vary = [parse_vary(spec) for spec in args.vary]
        points = sweep_points(base, vary)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    console = wide_console()
    store = ExperimentStore(args.out, overwrite=args.overwrite)
    result = run_stored_experiment(
        points,
        args,
        store=store,
        kind="sweep",
        label=f"sweep of {len(points)} points",
    )
    for point in result.points:
        warn_overloaded(point.label, [d.get("loads") for d in result.digests[point.id]])
    intervals = kpi_intervals(result)
    store.write_table("summary.csv", summary_frame(result, intervals))
    store.write_table("kpis.csv", result.kpi_frame())
    differences = paired_differences(result) if len(result.points) > 1 and args.reps > 1 else None
    write_tables(args.out, experiment_tables(result, differences))
    store.close(complete=True)
    table = Table(
        title=f"Sweep of {base.name}: {plural(args.reps, 'replication')} a point, "
        f"seed {args.seed}; counts are per year"
    )
    fields = [path for path, _ in vary]
    for path in fields:
        table.add_column(path.split(".")[-1] if len(fields) > 1 else path, no_wrap=True)
    for name in SHOWN_KPIS:
        table.add_column(name.replace("_", " "), justify="right")
    for point in result.points:
        rows = intervals[intervals["scenario"] == point.label].set_index("kpi")
        table.add_row(
            *(str(value) for _, value in point.changes),
            *(
                format_estimate(rows.loc[k, "mean"], rows.loc[k, "ci_low"], rows.loc[k, "ci_high"])
                for k in SHOWN_KPIS
            ),
        )
    console.print(table)
    if differences is not None:
        from frontdoor.commands.compare import summary_sentences

        console.print(f"Against the first point ({result.points[0].label}):")
        for sentence in summary_sentences(result.labels(), differences):
            console.print(sentence, soft_wrap=True)
    total = len(points) * args.reps
    console.print(
        f"ran {plural(result.ran, 'replication')}, reused {total - result.ran} already stored; "
        f"results in {args.out} (summary.csv, kpis.csv, tables/, results/)"
    )
    return 0
