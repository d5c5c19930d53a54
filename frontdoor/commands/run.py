"""`frontdoor run`: replications of one scenario, a KPI table with 95% intervals."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import pandas as pd

from analysis.execution import Backend
from analysis.experiment import ReplicationResult, kpi_frame, run_replications, summarise
from analysis.formatting import plural
from analysis.outputs import package_version
from analysis.run_store import RunStore
from frontdoor.commands.common import (
    interval_json,
    kpi_table,
    positive_int,
    print_json,
    progress_bar,
    seed_value,
    warn_overloaded,
    wide_console,
)
from sim.loader import load_scenario, resolve_scenario_path, scenario_hash


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("run", help="run replications of a scenario and report its KPIs")
    p.add_argument("scenario", help="scenario file, or the name of a bundled scenario")
    p.add_argument("--reps", type=positive_int, default=5, help="replications (default 5)")
    p.add_argument("--seed", type=seed_value, default=1, help="seed of the run (default 1)")
    p.add_argument(
        "--out",
        help="folder for event log tables, the case table and summary.json; each replication is "
        "kept as it finishes, and a rerun with the same arguments reuses them",
    )
    p.add_argument(
        "--overwrite",
        action="store_true",
        help="empty an --out folder that holds other results first (else it is refused)",
    )
    p.add_argument("--json", action="store_true", help="print the summary as JSON")
    p.add_argument(
        "--jobs",
        type=positive_int,
        default=None,
        help="processes to run replications in (default: all cores)",
    )
    p.add_argument(
        "--log-format",
        choices=("parquet", "csv"),
        default="parquet",
        help="format of the event log tables written with --out (default parquet)",
    )
    p.set_defaults(handler=handle)


def _from_record(record: dict[str, Any]) -> ReplicationResult:
    return ReplicationResult(
        int(record["replication"]),
        record["kpis"],
        record.get("cases"),
        record.get("digest"),
        record.get("loads"),
    )


def _record(result: ReplicationResult) -> dict[str, Any]:
    return {
        "replication": result.replication,
        "kpis": result.kpis,
        "cases": result.cases,
        "digest": result.digest,
        "loads": result.loads,
    }


def kpi_summary(results: list[ReplicationResult]) -> dict[str, Any]:
    return {name: interval_json(iv) for name, iv in summarise(kpi_frame(results)).items()}


def run_into_folder(
    args: argparse.Namespace, scenario: Any, summary: dict[str, Any], advance: Any
) -> list[ReplicationResult]:
    """Replications stored in --out as each finishes, reusing those already there."""
    identity = {
        "command": "run",
        "scenario_hash": summary["scenario_hash"],
        "seed": args.seed,
        "log_format": args.log_format,
        "version": summary["version"],
    }
    store = RunStore.open(
        Path(args.out), identity=identity, reps=args.reps, overwrite=args.overwrite
    )
    store.output.details["scenario"] = scenario.name
    kept = [store.load(i) for i in range(args.reps)]
    results = [_from_record(r) for r in kept if r is not None]
    advance(len(results))
    finished = False
    try:
        results += (
            run_replications(
                scenario,
                args.reps,
                args.seed,
                backend=Backend.choose(jobs=args.jobs),
                progress=advance,
                skip=[r.replication for r in results],
                on_result=lambda r: store.save(r.replication, _record(r)),
                log_dir=args.out,
                log_format=args.log_format,
                keep_cases=True,
            )
            if len(results) < args.reps
            else []
        )
        results.sort(key=lambda r: r.replication)
        out = store.output
        out.write_text("kpis.csv", kpi_frame(results).to_csv(index=False))
        cases = pd.DataFrame(
            [dict(row, replication=r.replication) for r in results for row in (r.cases or [])]
        )
        out.write_text("cases.csv", cases.to_csv(index=False))
        write_run_tables(Path(args.out), scenario.name, results)
        summary["kpis"] = kpi_summary(results)
        out.write_text("summary.json", json.dumps(summary, indent=2) + "\n")
        finished = True
    finally:
        store.finish(complete=finished)
    return results


def handle(args: argparse.Namespace) -> int:
    scenario = load_scenario(args.scenario)
    summary: dict[str, Any] = {
        "scenario": scenario.name,
        "scenario_file": str(resolve_scenario_path(args.scenario)),
        "scenario_hash": scenario_hash(scenario),
        "seed": args.seed,
        "reps": args.reps,
        "version": package_version(),
    }
    with progress_bar(args.reps, f"{scenario.name}: replications") as advance:
        if args.out is not None:
            results = run_into_folder(args, scenario, summary, advance)
        else:
            results = run_replications(
                scenario,
                args.reps,
                args.seed,
                backend=Backend.choose(jobs=args.jobs),
                progress=advance,
            )
    intervals = summarise(kpi_frame(results))
    warn_overloaded(scenario.name, [r.loads for r in results])
    summary["kpis"] = kpi_summary(results)
    if args.json:
        print_json(summary)
    else:
        console = wide_console()
        console.print(
            kpi_table(
                f"{scenario.name}: {plural(args.reps, 'replication')}, seed {args.seed}",
                intervals,
            )
        )
        if args.out is not None:
            console.print(
                f"wrote {args.out}/summary.json, kpis.csv, cases.csv, tables/ and event logs"
            )
    return 0


def write_run_tables(out: Path, name: str, results: list[ReplicationResult]) -> None:
    """Every analysis table of the run under out/tables/ (counts per year)."""
    from analysis.experiment import per_year_kpis
    from analysis.takeaway import incident_tables, kpis_table, write_tables

    kept = [r for r in results if r.digest is not None]
    digests = [r.digest for r in kept if r.digest is not None]
    kpis = pd.DataFrame(
        [
            {"scenario": name, "replication": r.replication, **per_year_kpis(r.digest)}
            for r in kept
            if r.digest is not None
        ]
    )
    write_tables(out, {"kpis": kpis_table(kpis), **incident_tables([(name, digests)])})
