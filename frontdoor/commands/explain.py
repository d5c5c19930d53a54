"""`frontdoor explain`: replay a case without each latent condition in its story."""

from __future__ import annotations

import argparse

from rich.console import Console
from rich.table import Table

from analysis.counterfactual import CaseNotFound, explain_case, necessary_conditions
from frontdoor.commands.common import UsageError, positive_int, print_json, seed_value
from frontdoor.commands.experiment_options import (
    add_backend_arguments,
    backend_from_args,
    counted_progress,
)
from sim.loader import load_scenario


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "explain",
        help="which latent conditions were necessary for a case's incident (counterfactual replay)",
    )
    p.add_argument("scenario", help="scenario file, or the name of a bundled scenario")
    p.add_argument("--seed", type=seed_value, default=1, help="seed of the run (default 1)")
    which = p.add_mutually_exclusive_group(required=True)
    which.add_argument("--case", type=int, metavar="ID", help="the case to explain")
    which.add_argument(
        "--all",
        action="store_true",
        help="rank latent conditions by how often they were necessary for harm",
    )
    p.add_argument("--replication", type=int, default=0, help="replication of the run (default 0)")
    p.add_argument(
        "--reps", type=positive_int, default=1, help="replications to aggregate with --all"
    )
    p.add_argument("--json", action="store_true", help="print the answer as JSON")
    add_backend_arguments(p)
    p.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    scenario = load_scenario(args.scenario)
    backend = backend_from_args(args)
    if args.replication < 0:
        raise UsageError("--replication must not be negative")
    if args.all:
        with counted_progress("replays", enabled=not args.json) as progress:
            ranking = necessary_conditions(
                scenario, args.seed, args.reps, backend=backend, progress=progress
            )
        if args.json:
            print_json(
                {
                    "scenario": scenario.name,
                    "seed": args.seed,
                    "reps": args.reps,
                    "conditions": ranking.to_dict(orient="records"),
                }
            )
            return 0
        table = Table(
            title=f"{scenario.name}: latent conditions necessary for harm "
            f"({args.reps} replication(s), seed {args.seed})"
        )
        table.add_column("condition", no_wrap=True)
        for col in ("harm incidents it was in", "necessary", "share", "meaning"):
            table.add_column(col)
        for _, row in ranking.iterrows():
            table.add_row(
                row["condition"],
                str(row["incidents"]),
                str(row["necessary"]),
                f"{row['necessary_share']:.0%}",
                row["meaning"],
            )
        Console().print(table)
        return 0
    try:
        incident, table_frame = explain_case(
            scenario, args.seed, args.case, replication=args.replication, backend=backend
        )
    except CaseNotFound as exc:
        raise UsageError(str(exc)) from None
    necessary = [r["condition"] for _, r in table_frame.iterrows() if r["necessary"]]
    if args.json:
        print_json(
            {
                "scenario": scenario.name,
                "seed": args.seed,
                "replication": args.replication,
                "case": args.case,
                "family": incident.family,
                "incident": incident.kind,
                "grade": incident.grade,
                "time": incident.time,
                "failed_barrier": incident.failed_barrier,
                "conditions": table_frame.astype(object)
                .where(table_frame.notna(), None)
                .to_dict(orient="records"),
                "necessary": necessary,
            }
        )
        return 0
    console = Console()
    console.print(
        f"Case {args.case} (family {incident.family}): {incident.kind.replace('_', ' ')}, "
        f"graded {incident.grade.replace('_', ' ')} on day {incident.time:.1f}; "
        f"first barrier to fail: {incident.failed_barrier}."
    )
    if table_frame.empty:
        console.print("No latent condition was present in this case's story: nothing to remove.")
        return 0
    table = Table(title="The same run replayed without each latent condition in the story")
    table.add_column("condition", no_wrap=True)
    for col in ("without it", "necessary?", "meaning"):
        table.add_column(col)
    for _, row in table_frame.iterrows():
        if not row["removable"]:
            outcome, verdict = "no replay (the model cannot remove it)", "unknown"
        elif row["incident_without_it"]:
            outcome = f"still happened ({str(row['grade_without_it']).replace('_', ' ')})"
            verdict = "no"
        else:
            outcome, verdict = "did not happen", "yes"
        table.add_row(row["condition"], outcome, verdict, row["meaning"])
    console.print(table)
    if necessary:
        console.print("Necessary conditions: " + ", ".join(necessary) + ".")
    else:
        console.print(
            "No single condition was necessary: removing any one of them alone did not "
            "prevent the incident."
        )
    return 0
