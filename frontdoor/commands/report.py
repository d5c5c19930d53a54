"""`frontdoor report`: a self-contained HTML report (and PNG/SVG figures) of stored results."""

from __future__ import annotations

import argparse

from rich.console import Console

from analysis.formatting import plural
from analysis.report import NoResults, build_report
from frontdoor.commands.common import UsageError


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "report",
        help="write an HTML report with figures from the results stored in a folder",
    )
    p.add_argument(
        "folder",
        metavar="DIR",
        help="folder holding results of compare/sweep/run --out (searched recursively)",
    )
    p.add_argument("--out", help="where to write report.html and figures/ (default: DIR)")
    p.add_argument("--title", default="Front Door results", help="title of the report")
    p.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    try:
        path, figures = build_report(args.folder, args.out, title=args.title)
    except NoResults as exc:
        raise UsageError(str(exc)) from None
    count = plural(len(figures) // 2, "figure")
    Console().print(f"wrote {path} with {count} (PNG and SVG in figures/)")
    return 0
