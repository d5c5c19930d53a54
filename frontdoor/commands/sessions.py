"""`frontdoor sessions`: past training sessions and their scores, as a table, JSON or CSV."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys

from rich.console import Console
from rich.table import Table

from frontdoor.commands.common import UsageError


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("sessions", help="list training sessions with their scores")
    p.add_argument("--db", help="session database (default: in your user data folder)")
    p.add_argument("--json", action="store_true", help="print the sessions as JSON")
    p.add_argument("--export", metavar="CSV", help="write the sessions to a CSV file")
    p.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    from trainer.store import SessionStore, StoreError, default_db_path

    path = args.db or default_db_path()
    if not os.path.exists(path):
        raise UsageError(f"no session database at {path}")
    try:
        store = SessionStore.open(path, read_only=True)
    except StoreError as exc:
        raise UsageError(str(exc)) from None
    try:
        rows = store.sessions()
        for problem in store.problems:
            print(f"warning: {problem}", file=sys.stderr)
        if args.export:
            try:
                count = store.export_csv(args.export)
            except OSError as exc:
                raise UsageError(f"cannot write {args.export}: {exc.strerror or exc}") from None
            print(f"wrote {count} sessions to {args.export}", file=sys.stderr)
        if args.json:
            sys.stdout.write(json.dumps([r.as_dict() for r in rows], indent=2) + "\n")
            return 0
        if args.export:
            return 0
        table = Table(title=f"Training sessions in {path}")
        for column in (
            "id",
            "trainee",
            "exercise",
            "seed",
            "started",
            "status",
            "actions",
            "hits",
            "misses",
            "FA",
            "CR",
            "d'",
            "c",
        ):
            table.add_column(
                column,
                justify="right" if column not in ("trainee", "exercise", "status") else "left",
            )
        for r in rows:
            s = r.score or {}
            started = dt.datetime.fromtimestamp(r.started_at).strftime("%Y-%m-%d %H:%M")
            table.add_row(
                str(r.id),
                r.trainee,
                r.exercise,
                str(r.seed),
                started,
                "complete" if r.status == "completed" else "unfinished",
                str(r.actions),
                *(
                    str(s.get(k, ""))
                    for k in ("hits", "misses", "false_alarms", "correct_rejections")
                ),
                f"{s['d_prime']:.2f}" if "d_prime" in s else "",
                f"{s['criterion']:.2f}" if "criterion" in s else "",
            )
        Console().print(table)
    finally:
        store.close()
    return 0
