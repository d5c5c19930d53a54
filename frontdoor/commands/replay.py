"""`frontdoor replay`: re-run a recorded shift from its seed and action log, at 1x to 16x
with pause, showing the desk as it was; "New from here" starts a fresh shift from any
paused moment."""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Any

from frontdoor.commands.common import UsageError


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "replay", help="re-run a recorded training shift (1x-16x, pause, new from here)"
    )
    p.add_argument("--db", required=True, help="the session database")
    p.add_argument("--session", type=int, required=True, help="the session's id")
    p.add_argument("--speed", type=int, choices=(1, 2, 4, 8, 16), default=4, help="starting speed")
    p.add_argument("--trainee", help="pseudonymous code for a shift started with 'New from here'")
    p.add_argument(
        "--headless",
        action="store_true",
        help="no window: re-run to the end and print the score as JSON",
    )
    p.add_argument("--max-frames", type=int, default=200_000, help=argparse.SUPPRESS)
    p.set_defaults(handler=handle)


class _StopAtDebrief:
    """Headless: leave as soon as the debrief has its score."""

    def before_frame(self, app: Any) -> None:
        if app.result is not None:
            app.running = False


def handle(args: argparse.Namespace) -> int:
    if args.headless:
        os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
        os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
    os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
    from trainer.game import Game
    from trainer.reconstruct import recorded_session
    from trainer.scenes.replay_scene import ReplayScene
    from trainer.settings import load_settings, settings_path
    from trainer.store import SessionStore, StoreError, check_trainee_id
    from trainer.ui import App

    if not os.path.exists(args.db):
        raise UsageError(f"no session database at {args.db}")
    try:
        store = SessionStore.open(args.db)
        recorded = recorded_session(store, args.session)
    except StoreError as exc:
        raise UsageError(str(exc)) from None
    if recorded.row.status != "completed" and not recorded.actions:
        store.close()
        raise UsageError(f"session {args.session} has no recorded actions to replay")
    settings_file = settings_path()
    settings, _ = load_settings(settings_file)
    trainee = args.trainee or settings.trainee or recorded.row.trainee
    try:
        trainee = check_trainee_id(trainee)
    except StoreError as exc:
        store.close()
        raise UsageError(str(exc)) from None
    app = App(
        settings=settings,
        settings_file=None,  # a replay changes none of the viewer's settings
        store=store,
        headless=args.headless,
        bot=_StopAtDebrief() if args.headless else None,
        max_frames=args.max_frames if args.headless else None,
    )
    game = Game(app, entries=[], seed=recorded.row.seed, trainee=trainee)
    app.game = game  # type: ignore[attr-defined]
    try:
        app.set_scene(ReplayScene(app, game, recorded, speed=args.speed))
        app.run()
    finally:
        store.close()
    if app.error:
        raise UsageError(f"the replay did not finish: {app.error}")
    if args.headless:
        if app.result is None:
            raise UsageError("the replay did not reach the debrief")
        same = app.result == recorded.row.score
        print(json.dumps(dict(app.result, matches_recorded=same)))
        if not same:
            print("warning: the re-run score differs from the recorded one", file=sys.stderr)
    return 0
