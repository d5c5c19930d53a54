"""`frontdoor cohort`: the instructor's report across trainees' sessions, as HTML."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from frontdoor.commands.common import UsageError
from frontdoor.commands.experiment_options import add_overwrite_argument


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "cohort", help="class statistics across trainees' sessions: an HTML report for a seminar"
    )
    p.add_argument(
        "--db", nargs="+", required=True, metavar="PATH", help="one or more session databases"
    )
    p.add_argument("--out", default="cohort-report", help="folder for the report")
    p.add_argument(
        "--anonymise",
        action="store_true",
        help="show trainees as 'trainee 1, 2...' instead of their pseudonymous ids",
    )
    add_overwrite_argument(p)
    p.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    from analysis.cohort_report import build_cohort_report
    from analysis.outputs import OutputFolder
    from trainer.cohort import gather
    from trainer.store import StoreError

    try:
        cohort = gather(args.db, pseudonymise=args.anonymise)
    except StoreError as exc:
        raise UsageError(str(exc)) from None
    unreadable = [p for p in cohort.problems if p.endswith("this database was skipped")]
    if len(unreadable) == len(args.db):
        raise UsageError("no readable session database: " + "; ".join(unreadable))
    output = OutputFolder(
        Path(args.out),
        identity={
            "command": "cohort",
            "databases": sorted(str(Path(db).resolve()) for db in args.db),
            "anonymise": bool(args.anonymise),
        },
    )
    output.claim(overwrite=args.overwrite)
    try:
        path, figures = build_cohort_report(
            sessions=cohort.sessions,
            cases=cohort.cases,
            skipped=cohort.skipped,
            sources=cohort.sources,
            problems=cohort.problems,
            out=Path(args.out),
        )
    except OSError as exc:
        raise UsageError(f"cannot write the report in {args.out}: {exc.strerror or exc}") from None
    output.finish(complete=True)
    for problem in cohort.problems:
        print(f"note: not included: {problem}", file=sys.stderr)
    print(f"wrote {path} ({len(cohort.sessions)} shifts, {len(figures)} figure files)")
    return 0
