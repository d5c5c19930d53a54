"""The flow of the trainer: title, briefing, desk, debrief and history, and what they share.

`Game` knows the exercises on offer, the seed of the next shift, the session store and
the session in progress; scenes ask it to move on. It is the only place that creates a
`TrainingSession`, so the title screen, the history screen (resume) and the command
line all start shifts the same way.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

import pygame

from sim.yamlsafe import ScenarioError
from trainer.exercise import DIFFICULTIES, ShiftPlan, free_play_plan, load_exercise
from trainer.store import StoreError, check_trainee_id
from trainer.ui import HEADLESS_FRAME_SECONDS, App

if TYPE_CHECKING:  # a session (the model, numpy) is imported when a shift is prepared
    from trainer.session import TrainingSession


@dataclass
class CatalogueEntry:
    key: str
    title: str
    load: Callable[[], ShiftPlan]
    plan: ShiftPlan | None = None
    problem: str | None = None  # a file that failed to load: shown, not fatal


def catalogue(
    exercises: list[Path],
    free_play: Path | None,
    preload: bool = True,
    free_level: str = "duty_day",
) -> list[CatalogueEntry]:
    entries: list[CatalogueEntry] = []
    for path in exercises:
        entry = CatalogueEntry(path.stem, path.stem, partial(load_exercise, path))
        if preload:
            try:
                entry.plan = entry.load()
                entry.title = entry.plan.title
            except ScenarioError as exc:
                entry.problem = str(exc)
        entries.append(entry)
    entries.sort(key=_ladder_order)
    if free_play is not None:
        from sim.loader import load_scenario

        def load(path: Path = free_play) -> ShiftPlan:
            return free_play_plan(load_scenario(path), source=str(path), level=free_level)

        entries.append(
            CatalogueEntry(f"free:{free_play.stem}", f"Free play: {free_play.stem}", load)
        )
    return entries


def _ladder_order(entry: CatalogueEntry) -> tuple[int, int, int, str]:
    """Easiest first: by rung of the ladder, then by how many referrals and hidden risks
    the shift holds; a file that failed to load goes last."""
    plan = entry.plan
    if plan is None:
        return (len(DIFFICULTIES), 0, 0, entry.key)
    hidden = sum(1 for r in plan.referrals.values() if r.near_miss is not None)
    return (DIFFICULTIES.index(plan.difficulty), len(plan.referrals), hidden, entry.key)


def level_name(difficulty: str) -> str:
    return difficulty.replace("_", " ").capitalize()


class Game:
    """Moves between scenes and holds the session in progress."""

    def __init__(
        self,
        app: App,
        *,
        entries: list[CatalogueEntry],
        seed: int | None,
        trainee: str,
        selected: str | None = None,
    ) -> None:
        self.app = app
        self.entries = entries
        self.fixed_seed = seed
        self.trainee = trainee
        self.selected = 0
        for i, entry in enumerate(entries):
            if selected in (entry.key, entry.title):
                self.selected = i
        self.session: TrainingSession | None = None
        self.last_session: TrainingSession | None = None  # the last shift that finished
        self.message = ""

    # -- choosing -------------------------------------------------------------------

    def entry(self) -> CatalogueEntry | None:
        return self.entries[self.selected] if self.entries else None

    def plan(self) -> ShiftPlan | None:
        entry = self.entry()
        if entry is None:
            return None
        if entry.plan is None and entry.problem is None:
            try:
                entry.plan = entry.load()
                entry.title = entry.plan.title
            except ScenarioError as exc:
                entry.problem = str(exc)
        return entry.plan

    def next_seed(self) -> int:
        return self.fixed_seed if self.fixed_seed is not None else secrets.randbelow(2**31)

    # -- moving on --------------------------------------------------------------------

    def to_title(self) -> None:
        from trainer.scenes.title import TitleScene

        self.session = None
        self.app.set_scene(TitleScene(self.app, self))

    def to_briefing(self) -> None:
        from trainer.scenes.briefing import BriefingScene

        plan = self.plan()
        if plan is None:
            entry = self.entry()
            self.message = entry.problem if entry and entry.problem else "choose an exercise"
            return
        try:
            self.trainee = check_trainee_id(self.trainee)
        except StoreError as exc:
            self.message = str(exc)
            return
        chosen = self.entry()
        remembered = self.app.settings.changed(
            trainee=self.trainee, exercise=chosen.key if chosen else ""
        )
        if remembered != self.app.settings:
            self.app.apply_settings(remembered)
        from trainer.session import TrainingSession

        self.session = TrainingSession.prepare(
            plan,
            seed=self.next_seed(),
            trainee=self.trainee,
            store=self.app.store,
            wall_clock=self.app.wall_clock,
        )
        self.app.set_scene(BriefingScene(self.app, self))

    def to_desk(self) -> None:
        from trainer.scenes.desk_scene import DeskScene

        assert self.session is not None
        self.session.begin()
        self.app.set_scene(DeskScene(self.app, self))

    def resume(self, session_id: int) -> None:
        from trainer.scenes.desk_scene import DeskScene

        store = self.app.store
        if store is None:
            self.message = "no session database is open"
            return
        from trainer.session import TrainingSession

        try:
            self.session = TrainingSession.resume(store, session_id, self.app.wall_clock)
        except (StoreError, ScenarioError) as exc:
            self.message = str(exc)
            return
        self.trainee = self.session.trainee
        if self.session.desk.ended:
            self.to_debrief()
            return
        scene = DeskScene(self.app, self)
        self.app.set_scene(scene)
        if self.app.headless:
            # Finish the frame in which the last action was taken (at the speed it was
            # played), so that a headless player resumes on the very frame it would have
            # reached.
            scene.speed = self.app.settings.speed
            scene.update(HEADLESS_FRAME_SECONDS)
        # A resumed shift waits, paused at 1x, for the trainee to find their place.
        scene.speed = 1
        scene.paused = True

    def to_shift_end(self) -> None:
        """The shift is over: a screen that says so before the debrief is worked out."""
        from trainer.scenes.shift_end import ShiftEndScene

        assert self.session is not None
        self.app.set_scene(ShiftEndScene(self.app, self))

    def to_debrief(self) -> None:
        from trainer.scenes.debrief_scene import DebriefScene

        assert self.session is not None
        debrief = self.session.finish()
        self.last_session = self.session
        self.app.result = debrief.score.summary()
        self.app.set_scene(DebriefScene(self.app, self, debrief))

    def to_history(self) -> None:
        from trainer.scenes.history import HistoryScene

        self.app.set_scene(HistoryScene(self.app, self))

    def quit(self) -> None:
        self.app.running = False

    # -- quitting asks first ------------------------------------------------------------

    asking_to_quit = False

    def ask_quit(self) -> None:
        """Esc or Quit on the title or the debrief: ask before closing the trainer."""
        self.asking_to_quit = True

    def stay(self) -> None:
        self.asking_to_quit = False

    def quit_box(self) -> pygame.Rect:
        w, h = self.app.size
        t = self.app.type
        width = min(w - 40, max(460, t.width("Quit the trainer?", "heading", True) + 60))
        height = (
            t.line_height("heading") + 2 * t.line_height("body") + 3 * (t.line_height("body") + 14)
        )
        return pygame.Rect((w - width) // 2, (h - height) // 2, width, height)

    def build_quit_question(self) -> None:
        """The question's two buttons (the scene draws the box with `draw_quit_question`)."""
        bh = self.app.type.line_height("body") + 14
        box = self.quit_box()
        self.app.button_row(
            [("stay", "No, stay", self.stay, pygame.K_ESCAPE, None, True)],
            [("confirm_quit", "Yes, quit", self.quit, pygame.K_y, "primary", True)],
            bottom=box.bottom - 14,
            height=bh,
            x0=box.x + 16,
            x1=box.right - 16,
        )

    def draw_quit_question(self, surface: pygame.Surface) -> None:
        from trainer.scenes.common import panel, text_block

        w, h = self.app.size
        veil = pygame.Surface((w, h), pygame.SRCALPHA)
        veil.fill((0, 0, 0, 140))
        surface.blit(veil, (0, 0))
        box = self.quit_box()
        pygame.draw.rect(surface, (0, 0, 0), box.inflate(6, 6), border_radius=8)
        y = panel(surface, box, self.app.type, "Quit the trainer?")
        note = "A shift in progress can be resumed later; finished ones are saved."
        text_block(surface, self.app.type, note, pygame.Rect(box.x + 16, y, box.width - 32, 200))


__all__ = ["CatalogueEntry", "Game", "catalogue"]
