"""`frontdoor explain`: replay a case without each latent condition in its story."""

from __future__ import annotations

import argparse
from typing import Any

from rich.console import Console
from rich.table import Table

from analysis.counterfactual import CaseNotFound, explain_case
from analysis.formatting import format_number, plural
from frontdoor.commands.common import (
    UsageError,
    positive_int,
    print_json,
    seed_value,
    wide_console,
)
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
    p.add_argument("--out", help="folder to write the answer's tables in (tables/explain.*)")
    p.add_argument(
        "--max-replays",
        type=positive_int,
        default=200,
        help="most replays for sets of two or three conditions with --all (default 200)",
    )
    add_backend_arguments(p)
    p.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    scenario = load_scenario(args.scenario)
    backend = backend_from_args(args)
    if args.replication < 0:
        raise UsageError("--replication must not be negative")
    if args.all:
        return handle_all(args, scenario, backend)
    try:
        incident, table_frame = explain_case(
            scenario, args.seed, args.case, replication=args.replication, backend=backend
        )
    except CaseNotFound as exc:
        raise UsageError(str(exc)) from None
    necessary = [r["condition"] for _, r in table_frame.iterrows() if r["necessary"]]
    if args.out:
        from analysis.takeaway import write_tables

        case_table = table_frame.copy()
        case_table.insert(0, "case", args.case)
        write_tables(args.out, {"explain": case_table})
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


def handle_all(args: argparse.Namespace, scenario: Any, backend: Any) -> int:
    """--all: totals, single necessary conditions and minimal joint sets, per year."""
    from analysis.joint_conditions import explain_all

    with counted_progress("replays", enabled=not args.json) as progress:
        answer = explain_all(
            scenario,
            args.seed,
            args.reps,
            backend=backend,
            progress=progress,
            max_replays=args.max_replays,
        )
    years = args.reps * scenario.run.horizon_days / 365.0
    ranking = answer.ranking.assign(
        incidents_per_year=answer.ranking["incidents"] / years,
        necessary_per_year=answer.ranking["necessary"] / years,
    ).drop(columns=["incidents", "necessary"])
    joint = answer.joint.assign(
        incidents_prevented_per_year=answer.joint["incidents_prevented"] / years
    ).drop(columns=["incidents_prevented"])
    if args.out:
        from analysis.takeaway import write_tables

        write_tables(args.out, {"explain": ranking, "explain_joint": joint})
    totals = {
        "harm_incidents": answer.harm_incidents,
        "with_single_necessary": answer.with_single_necessary,
        "without_single_necessary": answer.without_single_necessary,
        "explained_jointly": answer.explained_jointly,
        "replays_run": answer.replays_run,
        "search_capped": answer.capped,
    }
    if args.json:
        print_json(
            {
                "scenario": scenario.name,
                "seed": args.seed,
                "reps": args.reps,
                **totals,
                "conditions": answer.ranking.to_dict(orient="records"),
                "joint": answer.joint.to_dict(orient="records"),
            }
        )
        return 0
    print_all(args, scenario, answer)
    return 0


def print_all(args: argparse.Namespace, scenario: Any, answer: Any) -> None:
    console = wide_console()
    console.print(
        f"{scenario.name}: {plural(answer.harm_incidents, 'harm incident')} in "
        f"{plural(args.reps, 'replication')} (seed {args.seed}); "
        f"{format_number(answer.with_single_necessary)} had a single necessary condition, "
        f"{format_number(answer.without_single_necessary)} had none, and of those "
        f"{format_number(answer.explained_jointly)} were prevented by removing two or three "
        "conditions together.",
        soft_wrap=True,
    )
    table = Table(title="Latent conditions necessary for harm, one removed at a time")
    table.add_column("condition", no_wrap=True)
    for col in ("harm incidents it was in", "necessary", "share", "meaning"):
        table.add_column(col)
    for _, row in answer.ranking.iterrows():
        table.add_row(
            row["condition"],
            str(row["incidents"]),
            str(row["necessary"]),
            f"{row['necessary_share']:.0%}",
            row["meaning"],
        )
    console.print(table)
    if not answer.joint.empty:
        joint = Table(title="Minimal sets of conditions whose joint removal prevented harm")
        joint.add_column("conditions removed together", no_wrap=True)
        joint.add_column("harm incidents prevented", justify="right")
        for _, row in answer.joint.iterrows():
            joint.add_row(row["conditions"], str(row["incidents_prevented"]))
        console.print(joint)
    if answer.capped:
        console.print(
            f"warning: the search for joint sets stopped at --max-replays {args.max_replays}",
            soft_wrap=True,
        )
