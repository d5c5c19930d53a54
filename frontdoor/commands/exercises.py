"""`frontdoor exercises`: the bundled training exercises with their learning aims,
difficulty and length, easiest first."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from rich.console import Console
from rich.table import Table

from frontdoor.commands.common import UsageError


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "exercises", help="list the training exercises: learning aims, difficulty, length"
    )
    p.add_argument("--dir", help="a folder of exercise files (default: the bundled library)")
    p.add_argument("--json", action="store_true", help="print the list as JSON")
    p.add_argument(
        "--generate",
        metavar="PATTERN",
        help="write a fresh exercise for a near-miss pattern instead of listing "
        "(other_spelling, agency_fact_not_passed_on, bail_not_passed_on)",
    )
    p.add_argument("--rung", type=int, default=1, help="with --generate: rung 1-4 (default 1)")
    p.add_argument("--seed", type=int, default=0, help="with --generate: seed (default 0)")
    p.add_argument("--out", help="with --generate: the exercise file to write")
    p.set_defaults(handler=handle)


def _generate(args: argparse.Namespace) -> int:
    from trainer.exercise import load_exercise
    from trainer.generate import PATTERNS, generate, write_exercise

    if not args.out:
        raise UsageError("--generate needs --out FILE")
    if args.generate not in PATTERNS:
        raise UsageError(f"no generator for {args.generate!r} (patterns: {', '.join(PATTERNS)})")
    if not 1 <= args.rung <= 4:
        raise UsageError(f"--rung must be 1 to 4, got {args.rung}")
    if args.seed < 0:
        raise UsageError(f"--seed must be 0 or more, got {args.seed}")
    doc = generate(args.generate, args.rung, args.seed)
    try:
        path = write_exercise(doc, args.out, pattern=args.generate, rung=args.rung, seed=args.seed)
    except (OSError, ValueError) as exc:
        raise UsageError(f"cannot write {args.out}: {exc}") from None
    plan = load_exercise(path)  # what was written loads as any exercise does
    print(f"wrote {path}: {plan.title} ({len(plan.referrals)} referrals, {plan.difficulty})")
    return 0


def handle(args: argparse.Namespace) -> int:
    if args.generate:
        return _generate(args)
    from trainer.library import library

    folder = Path(args.dir) if args.dir else None
    if folder is not None and not folder.is_dir():
        raise UsageError(f"no folder of exercises at {args.dir}")
    found, problems = library(folder)
    if args.json:
        sys.stdout.write(json.dumps([s.as_dict() for s in found], indent=2) + "\n")
    else:
        console = Console(width=max(140, Console().width))
        table = Table(title=f"Training exercises ({len(found)})", show_lines=True)
        for column in ("exercise", "difficulty", "length", "cases", "learning aims"):
            table.add_column(column, overflow="fold")
        for s in found:
            cases = (
                f"{s.hidden_risks} hidden risk(s)\n{s.false_positives} false-positive trap(s)"
                f"\n{s.distractors} without hidden risk"
            )
            table.add_row(
                f"{s.key}\n{s.title}\n(report {', '.join(s.report_sections)})",
                f"{s.rung}. {s.difficulty.replace('_', ' ')}",
                f"{s.shift_hours:g} h shift\n{s.referrals} referrals",
                cases,
                "\n".join(f"- {aim}" for aim in s.learning_aims),
            )
        console.print(table)
    for exc in problems:
        print(f"error: {exc}", file=sys.stderr)
    return 2 if problems else 0
