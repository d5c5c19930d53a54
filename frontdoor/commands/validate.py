"""`frontdoor validate`: check scenario and exercise files without running them.

A file is taken as an exercise when it names a `team:` or lists `referrals:`, else as a
scenario; either way each problem is one located line and the exit status is 2.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sim.loader import load_scenario, resolve_scenario_path
from sim.yamlsafe import ScenarioError, read_document

EXERCISE_KEYS = frozenset({"team", "referrals"})


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "validate", help="check scenario and exercise files and report every problem found"
    )
    p.add_argument("files", nargs="+", help="scenario or exercise files (or bundled names)")
    p.set_defaults(handler=handle)


def _resolve(name: str) -> Path:
    """A file as given, a bundled scenario, else a bundled exercise of that name."""
    from trainer.exercise import resolve_exercise

    path = resolve_scenario_path(name)
    if path.exists():
        return path
    exercise = resolve_exercise(name)
    return exercise if exercise.exists() else path


def check(name: str) -> str:
    """What the file is, once it validates; a ScenarioError otherwise."""
    path = _resolve(name)
    data, _ = read_document(path)
    if isinstance(data, dict) and EXERCISE_KEYS & set(data):
        from trainer.exercise import load_exercise

        plan = load_exercise(path)
        return f"exercise: {plan.title}, {len(plan.referrals)} referrals"
    return load_scenario(path).name


def handle(args: argparse.Namespace) -> int:
    failed = 0
    for name in args.files:
        try:
            what = check(name)
        except ScenarioError as exc:
            failed += 1
            print(f"error: {exc}", file=sys.stderr)
        else:
            print(f"ok: {name} ({what})")
    return 2 if failed else 0
