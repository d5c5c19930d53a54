"""`frontdoor run`: replications of one scenario, a KPI table with 95% intervals."""

from __future__ import annotations

import argparse
import json
import os
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import pandas as pd
from rich.console import Console

from analysis.experiment import kpi_frame, run_replications, summarise
from frontdoor.commands.common import (
    UsageError,
    interval_json,
    kpi_table,
    positive_int,
    print_json,
    progress_bar,
    seed_value,
    warn_overloaded,
)
from sim.loader import load_scenario, resolve_scenario_path, scenario_hash


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("run", help="run replications of a scenario and report its KPIs")
    p.add_argument("scenario", help="scenario file, or the name of a bundled scenario")
    p.add_argument("--reps", type=positive_int, default=5, help="replications (default 5)")
    p.add_argument("--seed", type=seed_value, default=1, help="seed of the run (default 1)")
    p.add_argument("--out", help="folder for event logs, the case table and summary.json")
    p.add_argument("--json", action="store_true", help="print the summary as JSON")
    p.add_argument(
        "--jobs",
        type=positive_int,
        default=None,
        help="processes to run replications in (default: all cores)",
    )
    p.add_argument(
        "--log-format",
        choices=("csv", "parquet"),
        default="csv",
        help="format of the event logs written with --out (parquet needs pyarrow)",
    )
    p.set_defaults(handler=handle)


def package_version() -> str:
    try:
        return version("frontdoor")
    except PackageNotFoundError:
        return "unknown"


def handle(args: argparse.Namespace) -> int:
    scenario = load_scenario(args.scenario)
    jobs = args.jobs or os.cpu_count() or 1
    if args.log_format == "parquet":
        import importlib.util

        if importlib.util.find_spec("pyarrow") is None:
            raise UsageError("writing Parquet needs pyarrow: pip install 'frontdoor[parquet]'")
    out = Path(args.out) if args.out else None
    options: dict[str, object] = {}
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        options = {"log_dir": str(out), "log_format": args.log_format, "keep_cases": True}
    with progress_bar(args.reps, f"{scenario.name}: replications") as advance:
        results = run_replications(
            scenario, args.reps, args.seed, jobs=jobs, progress=advance, **options
        )
    frame = kpi_frame(results)
    intervals = summarise(frame)
    warn_overloaded(scenario.name, [r.loads for r in results])
    summary = {
        "scenario": scenario.name,
        "scenario_file": str(resolve_scenario_path(args.scenario)),
        "scenario_hash": scenario_hash(scenario),
        "seed": args.seed,
        "reps": args.reps,
        "version": package_version(),
        "kpis": {name: interval_json(iv) for name, iv in intervals.items()},
    }
    if out is not None:
        frame.to_csv(out / "kpis.csv", index=False)
        cases = pd.DataFrame(
            [dict(row, replication=r.replication) for r in results for row in (r.cases or [])]
        )
        cases.to_csv(out / "cases.csv", index=False)
        (out / "summary.json").write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    if args.json:
        print_json(summary)
    else:
        console = Console()
        console.print(
            kpi_table(f"{scenario.name}: {args.reps} replications, seed {args.seed}", intervals)
        )
        if out is not None:
            console.print(f"wrote {out}/summary.json, kpis.csv, cases.csv and event logs")
    return 0
