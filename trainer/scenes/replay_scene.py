"""Replay: a recorded shift re-run from its seed and action log, for a class to watch.

The desk is rebuilt from scratch on the recorded seed; each recorded action is taken
again at its simulated time, so the desk on screen is the desk the trainee saw, and the
debrief at the end is their debrief (the same score). The class controls the clock (1x
to 16x, pause) and can browse the in-tray, but cannot act: the buttons that would change
the shift are not there.

"New from here" (at a pause) starts a fresh shift for whoever is at the keyboard from
that moment: a new session on the same seed whose first actions are the recorded ones up
to now, so the critical decision can be rehearsed, and the new session is stored,
resumable and re-runnable like any other.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pygame

from trainer.reconstruct import RecordedSession
from trainer.scenes.desk_frame import fit
from trainer.scenes.desk_scene import BUSY_BOOST, SIM_SECONDS_PER_SECOND, DeskScene
from trainer.session import TrainingSession, package_version, plan_source
from trainer.theme import INK

if TYPE_CHECKING:
    from trainer.game import Game
    from trainer.ui import App

REPLAY_SPEEDS = {
    pygame.K_F1: 1,
    pygame.K_F2: 2,
    pygame.K_F3: 4,
    pygame.K_F4: 8,
    pygame.K_F5: 16,
}


class ReplayScene(DeskScene):
    name = "replay"
    acts = False  # no buttons on the open case, so its text runs to the panel's foot

    def __init__(self, app: App, game: Game, recorded: RecordedSession, speed: int = 4) -> None:
        self.recorded = recorded
        row = recorded.row
        game.session = TrainingSession(
            plan=recorded.plan, seed=row.seed, trainee=row.trainee, desk=recorded.fresh_desk()
        )
        super().__init__(app, game)
        self.speed = speed
        self.next_action = 0  # index of the next recorded action to take again

    # -- the clock ---------------------------------------------------------------------------

    def _take_due(self, until: float) -> None:
        """Take every recorded action due by `until`, each at its own time."""
        actions = self.recorded.actions
        while self.next_action < len(actions) and actions[self.next_action].sim_time <= until:
            a = actions[self.next_action]
            self.desk.replay([(a.sim_time, a.kind, a.case_id, a.payload)])
            self.desk.actions[-1] = a  # keep the recorded wall time and sequence number
            self.next_action += 1
            if a.case_id is not None and a.case_id in self.desk.tray:
                self.selected = a.case_id  # show the case being worked on

    def update(self, dt: float) -> None:
        desk = self.desk
        if not self.paused and self.mode != "paused":
            rate = self.speed * SIM_SECONDS_PER_SECOND / 86_400.0
            target = desk.now + dt * rate * (BUSY_BOOST if desk.busy() else 1.0)
            self._take_due(target)
            if desk.busy():
                desk.skip_while_busy(target)
            else:
                desk.advance(target)
        if desk.finish_shift_if_due():
            self._take_due(desk.now)  # a last action at the very end (leaving the desk)
            self.game.to_debrief()
            return
        if desk.ended:
            self.game.to_debrief()
            return
        if self.selected is None or self.selected not in desk.tray:
            if desk.tray:
                self._select(desk.tray[0])

    # -- controls ----------------------------------------------------------------------------

    def build(self) -> None:
        self._layout()
        app = self.app
        bh = self.layout.button_h
        x = self.clock_bar.build(
            speeds=REPLAY_SPEEDS,
            current=self.speed,
            on_speed=self._set_replay_speed,
            paused=self.paused,
            on_pause=self._toggle_pause,
            widest=("16x", pygame.K_F5),
        )
        width = app.button_width("New from here", pygame.K_n)
        leave = app.button_width("Leave", pygame.K_ESCAPE)
        w = app.size[0]
        if x + width + leave + 20 > w:
            # Too narrow for both beside the speeds: they go to the status strip's right.
            sr = self.layout.status_rect
            x = sr.right - width - leave - 8
            y = sr.y + 4
        else:
            y = 10
        app.button(
            "new_from_here",
            "New from here",
            (x, y, width, bh),
            self.new_from_here,
            key=pygame.K_n,
            enabled=self.paused and not self.desk.ended,
        )
        app.button(
            "leave",
            "Leave",
            (w - leave - 10 if y == 10 else x + width + 8, y, leave, bh),
            self.game.quit,
            key=pygame.K_ESCAPE,
        )
        self.tray.build_navigation(bh, self._move)

    def _set_replay_speed(self, speed: int) -> None:
        self.speed = speed  # not remembered: the trainee's own desk speed stays as it was

    def signature(self) -> tuple[Any, ...]:
        return (*super().signature(), self.next_action)

    def draw(self, surface: pygame.Surface) -> None:
        super().draw(surface)

    def _draw_status(self, surface: pygame.Surface) -> None:
        """The status strip says whose shift this is and how far the replay has gone."""
        t = self.app.type
        row = self.recorded.row
        note = (
            f"Replay of session {row.id} ({row.trainee}, {row.exercise}): "
            f"action {self.next_action} of {len(self.recorded.actions)}"
        )
        sr = self.layout.status_rect
        buttons = [c.rect for c in self.app.controls if c.rect.colliderect(sr)]
        right = min([r.x for r in buttons] + [sr.right]) - 10
        y = sr.y + (sr.height - t.line_height("body")) // 2
        surface.blit(t.render(fit(t, note, right - sr.x - 4), "body", INK, True), (sr.x + 4, y))

    # -- a fresh shift from this moment ------------------------------------------------------------

    def new_from_here(self) -> TrainingSession | None:
        """A new stored session from the paused moment, played from here by whoever is at
        the keyboard (the recorded actions so far are its first actions)."""
        if not self.paused or self.desk.ended:
            return None
        store = self.app.store
        recorded, game = self.recorded, self.game
        taken = recorded.actions[: self.next_action]
        session = TrainingSession.prepare(
            recorded.plan,
            seed=recorded.row.seed,
            trainee=game.trainee,
            store=store,
            wall_clock=self.app.wall_clock,
        )
        if store is not None:
            session.session_id = store.start_session(
                trainee=game.trainee,
                exercise=recorded.plan.key,
                exercise_source=plan_source(recorded.plan),
                scenario_hash=recorded.row.scenario_hash,
                seed=recorded.row.seed,
                version=package_version(),
                wall_time=self.app.wall_clock(),
            )
            for action in taken:
                store.record_action(session.session_id, action)
        session.desk.replay([(a.sim_time, a.kind, a.case_id, a.payload) for a in taken])
        session.desk.actions = list(taken)
        session.desk.advance(self.desk.now)  # to the moment the replay was paused at
        if store is not None:
            session.attach_recorder()
        game.session = session
        scene = DeskScene(self.app, game)
        scene.paused = True  # the trainee starts the clock when ready
        self.app.set_scene(scene)
        return session


__all__ = ["REPLAY_SPEEDS", "ReplayScene"]
