"""`frontdoor replications`: how many replications a chosen precision on one KPI needs."""

from __future__ import annotations

import argparse
import math

from rich.console import Console
from rich.table import Table

from analysis.formatting import format_number
from analysis.kpis import KPI_LABELS, KPI_NAMES
from analysis.precision import KpiNotMeasured, replications_needed
from frontdoor.commands.common import (
    LineProgress,
    UsageError,
    interactive_stderr,
    json_number,
    positive_int,
    print_json,
    seed_value,
    stderr_console,
)
from frontdoor.commands.experiment_options import (
    add_backend_arguments,
    add_warm_up_argument,
    backend_from_args,
)
from sim.loader import load_scenario


def positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not (value > 0 and math.isfinite(value)):
        raise argparse.ArgumentTypeError(f"expected a positive number, got {text}")
    return value


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "replications",
        help="replications needed for a chosen interval half-width on one KPI",
    )
    p.add_argument("scenario", help="scenario file, or the name of a bundled scenario")
    p.add_argument("--kpi", required=True, choices=KPI_NAMES, metavar="NAME", help="the KPI")
    p.add_argument(
        "--half-width",
        type=positive_float,
        required=True,
        metavar="H",
        help="target half-width of the 95%% interval, in the KPI's units",
    )
    p.add_argument("--pilot", type=positive_int, default=10, help="pilot replications (10)")
    p.add_argument(
        "--max-reps", type=positive_int, default=200, help="most replications to try (200)"
    )
    p.add_argument("--seed", type=seed_value, default=1, help="seed (default 1)")
    p.add_argument("--json", action="store_true", help="print the answer as JSON")
    add_warm_up_argument(p)
    add_backend_arguments(p)
    p.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    if args.pilot < 2:
        raise UsageError("--pilot needs at least 2 replications")
    scenario = load_scenario(args.scenario)
    backend = backend_from_args(args)
    console = stderr_console()
    lines = None if interactive_stderr() else LineProgress("replications run")
    ran = 0

    def tick(n: int) -> None:
        nonlocal ran
        ran += n
        if args.json:
            return
        if lines is not None:
            lines.update(ran)
        else:
            console.print(f"  {ran} replications run", end="\r")

    try:
        table_frame = replications_needed(
            scenario,
            args.kpi,
            args.half_width,
            seed=args.seed,
            pilot=args.pilot,
            max_reps=args.max_reps,
            backend=backend,
            warm_up=args.warm_up,
            progress=tick,
        )
    except KpiNotMeasured as exc:
        raise UsageError(f"{exc}; choose another KPI or a longer run") from None
    if args.json:
        print_json(
            {
                "scenario": scenario.name,
                "kpi": args.kpi,
                "half_width": args.half_width,
                "seed": args.seed,
                "methods": [
                    {
                        "method": row["method"],
                        "replications": int(row["replications"]),
                        "mean": json_number(float(row["mean"])),
                        "half_width": json_number(float(row["half_width"])),
                        "replications_run": int(row["replications_run"]),
                        "confirmed": bool(row["confirmed"]),
                    }
                    for _, row in table_frame.iterrows()
                ],
            }
        )
        return 0
    table = Table(
        title=f"{scenario.name}: replications for a 95% interval of +/-{args.half_width:g} "
        f"on {args.kpi}\n({KPI_LABELS[args.kpi]})"
    )
    for col in ("method", "replications needed", "mean", "half-width then", "replications run"):
        table.add_column(col, justify="left" if col == "method" else "right")
    for _, row in table_frame.iterrows():
        needed = str(int(row["replications"]))
        if not row["confirmed"]:
            needed += " (not confirmed within --max-reps)"
        table.add_row(
            str(row["method"]),
            needed,
            format_number(float(row["mean"])),
            format_number(float(row["half_width"])),
            str(int(row["replications_run"])),
        )
    Console().print(table)
    return 0
