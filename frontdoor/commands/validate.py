"""`frontdoor validate`: check scenario files without running them."""

from __future__ import annotations

import argparse
import sys

from sim.loader import load_scenario
from sim.yamlsafe import ScenarioError


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("validate", help="check scenario files and report every problem found")
    p.add_argument("files", nargs="+", help="scenario files to check")
    p.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    failed = 0
    for name in args.files:
        try:
            scenario = load_scenario(name)
        except ScenarioError as exc:
            failed += 1
            print(f"error: {exc}", file=sys.stderr)
        else:
            print(f"ok: {name} ({scenario.name})")
    return 2 if failed else 0
