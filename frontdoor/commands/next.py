"""`frontdoor next`: the next shift for a trainee, chosen from their sessions.

Mastery of each near-miss pattern comes from Bayesian knowledge tracing over the
trainee's finished shifts (trainer.curriculum); the next exercise is the one for the
weakest pattern at the trainee's rung, bundled or generated afresh.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from frontdoor.commands.common import UsageError


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("next", help="the next exercise for a trainee: mastery per pattern, and why")
    p.add_argument("--db", help="session database (default: in your user data folder)")
    p.add_argument("--trainee", required=True, help="pseudonymous trainee code")
    p.add_argument("--dir", help="a folder of exercise files (default: the bundled library)")
    p.add_argument("--out", help="when the next exercise is generated, write it to this file")
    p.add_argument("--json", action="store_true", help="print the choice as JSON")
    p.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    from trainer.curriculum import next_for
    from trainer.store import SessionStore, StoreError, check_trainee_id, default_db_path

    try:
        trainee = check_trainee_id(args.trainee)
    except StoreError as exc:
        raise UsageError(str(exc)) from None
    folder = Path(args.dir) if args.dir else None
    if folder is not None and not folder.is_dir():
        raise UsageError(f"no folder of exercises at {args.dir}")
    if args.db is not None and not Path(args.db).exists():
        raise UsageError(f"no session database at {args.db}")
    where = Path(args.db) if args.db is not None else default_db_path()
    try:
        # Only reading: the file is opened read-only, and a trainee with no database yet
        # is planned from an empty one in memory rather than by creating the file.
        store = (
            SessionStore.open(where, read_only=True)
            if where.exists()
            else SessionStore.open(":memory:")
        )
    except StoreError as exc:
        raise UsageError(str(exc)) from None
    try:
        choice = next_for(store, trainee, folder=folder)
        for problem in store.problems:
            print(f"warning: {problem}", file=sys.stderr)
    finally:
        store.close()
    written = None
    if choice.generated and args.out:
        from trainer.generate import generate, write_exercise

        _, pattern, rung, seed = choice.exercise.split(":")
        doc = generate(pattern, int(rung), int(seed))
        try:
            written = write_exercise(doc, args.out, pattern=pattern, rung=int(rung), seed=int(seed))
        except (OSError, ValueError) as exc:
            raise UsageError(f"cannot write {args.out}: {exc}") from None
    if args.json:
        data = choice.as_dict()
        if written is not None:
            data["file"] = str(written)
        print(json.dumps(data))
    else:
        print(f"Next for {trainee}: {choice.exercise}")
        print(choice.reason)
        if written is not None:
            print(f"written to {written}")
    return 0
