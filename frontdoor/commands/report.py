"""`frontdoor report`: a self-contained HTML report (and PNG/SVG figures) of stored results."""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

from rich.console import Console

from analysis.formatting import plural
from analysis.outputs import OutputFolder
from analysis.report import NoResults, build_report
from frontdoor.commands.common import UsageError
from frontdoor.commands.experiment_options import add_overwrite_argument


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
    add_overwrite_argument(p)
    p.set_defaults(handler=handle)


def _claim_out(args: argparse.Namespace) -> OutputFolder | None:
    """A separate --out folder gets its own manifest, like every --out folder; without
    --out the report is written beside the results, which keep their own manifest (a
    report there is an extra file that readers of the results tolerate)."""
    if args.out is None or Path(args.out).resolve() == Path(args.folder).resolve():
        return None
    identity = {
        "command": "report",
        "results": str(Path(args.folder).resolve()),
        "title": args.title,
    }
    output = OutputFolder(Path(args.out), identity=identity)
    output.claim(overwrite=args.overwrite)
    return output


def handle(args: argparse.Namespace) -> int:
    fresh = args.out is not None and not Path(args.out).exists()
    output = _claim_out(args)
    try:
        path, figures = build_report(args.folder, args.out, title=args.title)
    except NoResults as exc:
        if output is not None and fresh:
            shutil.rmtree(output.folder, ignore_errors=True)  # made only to hold this report
        raise UsageError(str(exc)) from None
    if output is not None:
        output.finish(complete=True)
    count = plural(len(figures) // 2, "figure")
    Console().print(f"wrote {path} with {count} (PNG and SVG in figures/)")
    return 0
