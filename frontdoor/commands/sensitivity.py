"""`frontdoor sensitivity`: Morris screening and Sobol indices over latent-condition parameters."""

from __future__ import annotations

import argparse
import importlib.util
import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from analysis.outputs import OutputFolder, package_version
from analysis.sensitivity import Method, default_parameters, parse_parameter, run_sensitivity
from analysis.store import ExperimentStore, StoreMismatch
from frontdoor.commands.common import UsageError, positive_int, print_json, seed_value
from frontdoor.commands.experiment_options import (
    add_backend_arguments,
    backend_from_args,
    counted_progress,
)
from sim.loader import load_scenario, scenario_hash


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "sensitivity",
        help="Morris screening and Sobol indices of incidents over latent-condition parameters",
    )
    p.add_argument("scenario", help="scenario file, or the name of a bundled scenario")
    p.add_argument(
        "--params",
        nargs="+",
        metavar="FIELD.PATH=LOW:HIGH",
        help="parameters and ranges (default: the parameters behind the latent conditions)",
    )
    p.add_argument(
        "--method", choices=("morris", "sobol", "both"), default="morris", help="(morris)"
    )
    p.add_argument(
        "--n",
        type=positive_int,
        default=8,
        help="Morris trajectories, or Sobol base samples (a power of 2); default 8",
    )
    p.add_argument("--reps", type=positive_int, default=2, help="replications a design point")
    p.add_argument("--seed", type=seed_value, default=1, help="seed (default 1)")
    p.add_argument("--out", help="folder for indices and design points as CSV")
    p.add_argument(
        "--overwrite",
        action="store_true",
        help="empty an --out folder that holds other results first (else it is refused)",
    )
    p.add_argument("--json", action="store_true", help="print the indices as JSON")
    add_backend_arguments(p)
    p.set_defaults(handler=handle)


def claim_output(args: argparse.Namespace, scenario: Any) -> OutputFolder:
    """The --out folder, claimed before the long run so a refusal comes at once."""
    asked = [args.params, args.method, args.n, args.reps]
    identity = {
        "command": "sensitivity",
        "scenario_hash": scenario_hash(scenario),
        "seed": args.seed,
        "design": json.dumps(asked, sort_keys=True),
        "version": package_version(),
    }
    output = OutputFolder(Path(args.out), identity=identity)
    output.claim(overwrite=args.overwrite)
    return output


@contextmanager
def _mismatch_is_usage_error() -> Iterator[None]:
    try:
        yield
    except StoreMismatch as exc:
        raise UsageError(str(exc)) from None


def _runs_store(output: OutputFolder | None, method: str) -> ExperimentStore | None:
    """Where each design point's replications are kept as they finish, inside the --out
    folder, so Ctrl-C loses nothing and the same command carries on where it stopped.
    (The folder was claimed, or emptied by --overwrite, just before.)"""
    if output is None:
        return None
    return ExperimentStore(output.path(f"{method}-runs"))


def handle(args: argparse.Namespace) -> int:
    if importlib.util.find_spec("SALib") is None:
        raise UsageError("sensitivity analysis needs SALib: pip install 'frontdoor[sensitivity]'")
    scenario = load_scenario(args.scenario)
    try:
        params = (
            [parse_parameter(spec, scenario) for spec in args.params]
            if args.params
            else default_parameters(scenario)
        )
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    if len(params) < 2:
        raise UsageError("give at least two parameters to --params")
    backend = backend_from_args(args)
    methods: tuple[Method, ...] = ("morris", "sobol") if args.method == "both" else (args.method,)
    output = claim_output(args, scenario) if args.out else None
    results = {}
    for method in methods:
        with (
            counted_progress(f"{method} design points", enabled=not args.json) as progress,
            _mismatch_is_usage_error(),
        ):
            results[method] = run_sensitivity(
                scenario,
                params,
                method=method,
                n=args.n,
                reps=args.reps,
                seed=args.seed,
                backend=backend,
                progress=progress,
                store=_runs_store(output, method),
            )
    if output is not None:
        for method, res in results.items():
            output.write_text(f"{method}_indices.csv", res.indices.to_csv(index=False))
            output.write_text(f"{method}_design.csv", res.samples.to_csv(index=False))
        output.finish(complete=True)
    if args.json:
        print_json(
            {
                method: {
                    "design_points": len(res.samples),
                    "indices": res.indices.astype(object)
                    .where(res.indices.notna(), None)
                    .to_dict(orient="records"),
                }
                for method, res in results.items()
            }
        )
        return 0
    console = Console()
    for method, res in results.items():
        value_cols = (
            ["mu_star", "mu_star_conf", "sigma"]
            if method == "morris"
            else ["S1", "S1_conf", "ST", "ST_conf"]
        )
        table = Table(
            title=f"{method.capitalize()}: {len(res.samples)} design points x {args.reps} "
            f"replications, seed {args.seed}"
        )
        table.add_column("output")
        table.add_column("parameter")
        for col in value_cols:
            table.add_column(col, justify="right")
        for _, row in res.indices.iterrows():
            table.add_row(row["output"], row["parameter"], *(f"{row[c]:.3f}" for c in value_cols))
        console.print(table)
    return 0
