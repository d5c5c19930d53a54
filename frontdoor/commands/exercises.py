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
    p.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
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
