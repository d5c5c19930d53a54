"""`frontdoor train`: the duty-desk trainer, in a window or played headless by a bot.

Headless play (`--headless --bot NAME`) runs the real interface under SDL's dummy
drivers, driven by injected keyboard and mouse events, and prints the shift's score as
JSON on its last line, with `holed_barriers`: the names of the barriers the event log
shows holed at the front door of the shift's cases (trainer.holes). `--resume` reopens
an interrupted shift from its last committed action.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from frontdoor.commands.arguments import UsageError, seed_value
from sim.loader import resolve_scenario_path


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("train", help="sit at the duty desk: a training shift (pygame window)")
    p.add_argument("--exercise", help="exercise file, or the name of a bundled exercise")
    p.add_argument("--scenario", help="free play: a shift at the desk of any model scenario")
    p.add_argument(
        "--level",
        choices=("induction", "practice", "pressure", "duty_day"),
        default="duty_day",
        help="free play: rung of the difficulty ladder (volume, ambiguity, file and "
        "database failures; default duty_day, the scenario as it stands)",
    )
    p.add_argument("--trainee", help="pseudonymous trainee code (letters, digits, - and _)")
    p.add_argument("--db", help="session database (default: in your user data folder)")
    p.add_argument("--seed", type=seed_value, help="seed of the shift (default: a fresh one)")
    p.add_argument("--headless", action="store_true", help="no window (SDL dummy drivers)")
    p.add_argument(
        "--bot",
        choices=("random", "careless", "thorough"),
        help="let a scripted player drive the interface",
    )
    p.add_argument("--screenshots", help="folder for a PNG of each scene")
    p.add_argument(
        "--resume",
        nargs="?",
        const=0,
        type=int,
        metavar="SESSION",
        help="resume an interrupted shift (default: the latest unfinished one)",
    )
    p.add_argument("--large-text", action="store_true", help="start with large text")
    p.add_argument(
        "--size",
        type=window_size,
        default=None,
        metavar="WxH",
        help="window size in pixels, 1000x600 to 3840x2160 (default 1280x720)",
    )
    p.add_argument(
        "--pace",
        type=float,
        default=0.0,
        metavar="SECONDS",
        help="headless: real seconds to wait between frames (default 0)",
    )
    p.add_argument("--max-frames", type=int, default=200_000, help=argparse.SUPPRESS)
    p.set_defaults(handler=handle)


MIN_SIZE = (1000, 600)
MAX_SIZE = (3840, 2160)


def window_size(text: str) -> tuple[int, int]:
    """`WxH`, each within the bounds the layout is tested at and beyond."""
    try:
        w, h = (int(part) for part in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not WIDTHxHEIGHT, e.g. 1280x720") from None
    if not (MIN_SIZE[0] <= w <= MAX_SIZE[0] and MIN_SIZE[1] <= h <= MAX_SIZE[1]):
        raise argparse.ArgumentTypeError(
            f"window {w}x{h} is outside {MIN_SIZE[0]}x{MIN_SIZE[1]} to {MAX_SIZE[0]}x{MAX_SIZE[1]}"
        )
    return w, h


def handle(args: argparse.Namespace) -> int:
    if args.headless and not args.bot:
        raise UsageError("headless play needs a player: add --bot random|careless|thorough")
    if args.exercise and args.scenario:
        raise UsageError("choose --exercise or --scenario (free play), not both")
    if args.headless:
        os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
        os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
    os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
    # Imported here: pygame starts up only for this command.
    from sim.yamlsafe import ScenarioError
    from trainer.exercise import exercise_paths, resolve_exercise
    from trainer.game import Game, catalogue
    from trainer.settings import load_settings, settings_path
    from trainer.store import SessionStore, StoreError, check_trainee_id
    from trainer.ui import App

    exercises = exercise_paths()
    selected = None
    if args.exercise:
        path = resolve_exercise(args.exercise)
        if not path.exists():
            names = ", ".join(p.stem for p in exercises) or "none"
            raise UsageError(f"no exercise {args.exercise!r} (bundled: {names})")
        if path.resolve() not in [p.resolve() for p in exercises]:
            exercises = [path, *exercises]
        selected = path.stem
    free = None
    if args.scenario:
        free = resolve_scenario_path(args.scenario)
        if not free.exists():
            raise UsageError(f"no scenario file {args.scenario!r}")
        selected = f"free:{free.stem}"
    entries = catalogue(exercises, free, preload=True, free_level=args.level)
    if args.exercise:
        chosen = next(e for e in entries if e.key == selected)
        if chosen.problem:
            raise ScenarioError(str(resolve_exercise(args.exercise)), chosen.problem)
    if args.scenario:
        entries[-1].plan = entries[-1].load()  # a bad scenario file stops here, in one line
    settings_file = settings_path()
    settings, warning = load_settings(settings_file)
    if warning:
        print(f"note: {warning}", file=sys.stderr)
    if args.trainee:
        try:
            settings = settings.changed(trainee=check_trainee_id(args.trainee))
        except StoreError as exc:
            raise UsageError(str(exc)) from None
    if args.large_text:
        settings = settings.changed(large_text=True)
    try:
        store = SessionStore.open(args.db)
    except StoreError as exc:
        raise UsageError(str(exc)) from None
    seed = args.seed
    bot = None
    if args.bot:  # the bots (and numpy behind them) only when one plays
        from trainer.bots import make_bot

        bot = make_bot(args.bot, seed if seed is not None else 0)
    app = App(
        settings=settings,
        settings_file=settings_file,
        store=store,
        headless=args.headless,
        bot=bot,
        screenshots=Path(args.screenshots) if args.screenshots else None,
        max_frames=args.max_frames if args.headless else None,
        pace=max(0.0, args.pace),
        **({"size": args.size} if args.size else {}),
    )
    game = Game(app, entries=entries, seed=seed, trainee=settings.trainee, selected=selected)
    app.game = game  # type: ignore[attr-defined]
    try:
        if args.resume is not None:
            unfinished = store.unfinished()
            if args.resume == 0:
                if not unfinished:
                    raise UsageError("there is no unfinished shift to resume")
                session_id = unfinished[-1].id
            else:
                session_id = args.resume
            game.resume(session_id)
            if game.message:
                raise UsageError(game.message)
        else:
            game.to_title()
        app.run()
    finally:
        for problem in store.problems:
            print(f"warning: {problem}", file=sys.stderr)
        store.close()
    if app.error:
        raise UsageError(f"the shift did not finish: {app.error}")
    if args.headless:
        if app.result is None:
            raise UsageError("the shift did not reach its debrief")
        print(json.dumps(dict(app.result, holed_barriers=_holed(game))))
    return 0


def _holed(game: object) -> list[str]:
    """The barriers holed at the front door of the shift's cases, read from the log."""
    from trainer.holes import holed_barriers

    session = getattr(game, "last_session", None)
    if session is None or session.debrief is None:
        return []
    records = session.desk.log.records
    return holed_barriers(records, [c.score.case_id for c in session.debrief.cases])
