"""The briefing: the learning aims, the team on shift and the rules, before the clock runs."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pygame

from trainer.scenes.common import headed_list, panel, text_block
from trainer.theme import INK, MUTED
from trainer.ui import App, Scene
from trainer.wording import ROLE_LABELS, hours_minutes

if TYPE_CHECKING:
    from trainer.game import Game

RULES = (
    "Each referral arrives as a card in your in-tray. Open it, find out what you need, then "
    "record a threshold and a priority, and allocate it to a worker with room.",
    "Checks cost time. A database search keeps you busy for a quarter of an hour, a home "
    "visit for three hours, a word with the team leader for half an hour. Calls and "
    "requests take a few minutes; the answers come when they come.",
    "From the last hour of the shift the handover tray opens: write a note for the "
    "out-of-hours team for every case you have not decided. Only what you write goes with it.",
    "Esc pauses. Tab moves between buttons; every button shows its key.",
)


class BriefingScene(Scene):
    name = "briefing"

    def __init__(self, app: App, game: Game) -> None:
        super().__init__(app)
        self.game = game

    def signature(self) -> tuple[Any, ...]:
        return (self.app.size, self.app.settings.large_text)

    def build(self) -> None:
        w, h = self.app.size
        bh = self.app.type.line_height("body") + 16
        self.app.button(
            "begin",
            "Begin the shift",
            (w - 300, h - bh - 24, 260, bh),
            self.game.to_desk,
            key=pygame.K_RETURN,
            style="primary",
        )
        self.app.button(
            "back", "Back", (40, h - bh - 24, 140, bh), self.game.to_title, key=pygame.K_ESCAPE
        )

    def draw(self, surface: pygame.Surface) -> None:
        t = self.app.type
        w, h = self.app.size
        session = self.game.session
        assert session is not None
        plan = session.plan
        surface.blit(t.render(plan.title, "title", INK, bold=True), (40, 24))
        shift = plan.shift
        when = (
            f"Shift {hours_minutes(shift.starts_at)} to {hours_minutes(shift.ends_at)[4:]}; "
            f"handover tray from {hours_minutes(shift.handover_at)[4:]}."
        )
        surface.blit(t.render(when, "body", MUTED), (40, 24 + t.line_height("title")))
        top = 30 + t.line_height("title") + t.line_height("body") + 10
        bottom = h - t.line_height("body") - 60
        col = (w - 120) // 2
        left = pygame.Rect(40, top, col, bottom - top)
        right = pygame.Rect(80 + col, top, col, bottom - top)
        y = panel(surface, left, t, "The shift")
        inner = pygame.Rect(left.x + 14, y, left.width - 28, left.bottom - y - 8)
        y = text_block(surface, t, plan.briefing, inner) + 8
        y = headed_list(
            surface, t, "Learning aims", plan.learning_aims, inner.x, y, inner.width, inner.bottom
        )
        if plan.hints:
            y = headed_list(
                surface, t, "Hints", plan.hints, inner.x, y + 6, inner.width, inner.bottom, "small"
            )
        y = panel(surface, right, t, "The team on shift")
        inner = pygame.Rect(right.x + 14, y, right.width - 28, right.bottom - y - 8)
        y = inner.y
        for worker in session.desk.team():
            role = ROLE_LABELS.get(worker.role, worker.role)
            if worker.duty:
                text = f"{role}: you, on the duty desk"
            elif worker.caseload_cap:
                text = (
                    f"{role} (worker {worker.worker_id}): "
                    f"{worker.caseload} of {worker.caseload_cap} cases"
                )
            else:
                text = f"{role}: available for advice"
            surface.blit(t.render(text, "body", INK), (inner.x, y))
            y += t.line_height("body")
        headed_list(
            surface,
            t,
            "The rules",
            RULES,
            inner.x,
            y + 10,
            inner.width,
            inner.bottom,
            "small",
            indent=0,
        )

    def bot_view(self) -> dict[str, Any]:
        return {"title": self.game.session.plan.title if self.game.session else ""}
