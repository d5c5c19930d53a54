"""Helpers for the trainer tests: exercises, a scripted desk, and a headless app."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")

from trainer.desk import DutyDesk  # noqa: E402
from trainer.exercise import ShiftPlan, exercise_paths, load_exercise  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
EXERCISES = {p.stem: p for p in exercise_paths(ROOT / "scenarios" / "training")}
FIXED_WALL = 1_767_261_600.0  # 2026-01-01 10:00 UTC: screenshots show no real date


def plan(name: str) -> ShiftPlan:
    return load_exercise(EXERCISES[name])


def case_of(desk: DutyDesk, ref: str) -> int:
    for case in desk.cases():
        if case.scripted_ref == ref:
            return case.case_id
    raise KeyError(ref)


def run_until(desk: DutyDesk, done: Callable[[], bool], step_minutes: float = 2.0) -> None:
    """Step the desk's clock (as the game loop does) until `done()` or the shift ends."""
    while not done() and desk.now < desk.shift.ends_at:
        if desk.busy():
            desk.skip_while_busy(desk.now + step_minutes / 1440)
        else:
            desk.advance(desk.now + step_minutes / 1440)


def allocate_to_first_offered(desk: DutyDesk) -> bool:
    """A desk played by hand: a case waiting for allocation goes to the first worker
    offered. Whether one did."""
    pending = desk.awaiting_allocation()
    if pending is None:
        return False
    desk.allocate(pending.case_id, pending.workers[0].worker_id)
    return True


def decide_on_the_referral(desk: DutyDesk, case_id: int) -> None:
    """A desk played by hand: the case decided on what its referral shows, child
    protection within 24 hours, anything else within 7 days."""
    from sim.deciders import screening_level_for
    from sim.entities import Level

    case = desk.case(case_id)
    level = screening_level_for(case.referral_signal, case.need_signal, desk.thresholds)
    priority = {Level.CHILD_PROTECTION: "within_24_hours"}.get(level, "within_7_days")
    desk.decide(case_id, level, priority)


def arrived(desk: DutyDesk, ref: str) -> bool:
    return any(c.scripted_ref == ref for c in desk.cases())


def play_app(
    exercise: str,
    bot: str,
    seed: int,
    *,
    store=None,
    screenshots: Path | None = None,
    wall_clock: Callable[[], float] | None = None,
    settings=None,
):
    """One shift played headless by a bot through the real interface, in this process."""
    from trainer.bots import make_bot
    from trainer.game import Game, catalogue
    from trainer.settings import Settings
    from trainer.ui import App

    app = App(
        settings=settings or Settings(),
        settings_file=None,
        store=store,
        headless=True,
        bot=make_bot(bot, seed),
        screenshots=screenshots,
        wall_clock=wall_clock or (lambda: FIXED_WALL),
        max_frames=20_000,
    )
    game = Game(app, entries=catalogue([EXERCISES[exercise]], None), seed=seed, trainee="t-1")
    app.game = game
    game.to_title()
    app.run()
    return app, game
